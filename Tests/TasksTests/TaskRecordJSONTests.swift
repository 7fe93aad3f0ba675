import Foundation
import Store
import TextFormats
import XCTest

@testable import Tasks

final class TaskRecordJSONTests: XCTestCase {
    func testTaskJSONIsTheSameWrittenDirectlyOrThroughItsValue() {
        let created = Date(timeIntervalSinceReferenceDate: 817_000_000.123_456)
        let tasks = [
            TaskRecord(
                id: 1, ownerID: UUID(), title: "buy milk", description: "", isCompleted: false, createdAt: created,
                updatedAt: created, completedAt: nil),
            TaskRecord(
                id: 9_007_199_254_740_993, ownerID: UUID(), title: "quote \" and \\ and \n and caf\u{E9} \u{1F600}",
                description: "a/b\u{1}", isCompleted: true, createdAt: Date(timeIntervalSince1970: 0),
                updatedAt: created.addingTimeInterval(0.000_9), completedAt: created.addingTimeInterval(86_400)),
        ]
        for task in tasks {
            var written: [UInt8] = []
            task.writeJSON(to: &written)
            XCTAssertEqual(String(decoding: written, as: UTF8.self), task.jsonValue.jsonText)
        }
    }
}
