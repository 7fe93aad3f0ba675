import Foundation
import XCTest

@testable import Store

final class TaskStoreTests: AuthDatabaseTestCase {
    private var taskStore: PostgresTaskStore { PostgresTaskStore(connection: connection) }

    func testCreatedTaskIsPendingAndReadsBackForItsOwner() throws {
        let owner = try makeUser()
        let created = try taskStore.createTask(ownerID: owner.id, title: "Buy milk", description: "two litres")

        XCTAssertEqual(created.ownerID, owner.id)
        XCTAssertEqual(created.title, "Buy milk")
        XCTAssertEqual(created.description, "two litres")
        XCTAssertFalse(created.isCompleted)
        XCTAssertNil(created.completedAt)
        XCTAssertEqual(created.createdAt, created.updatedAt)
        XCTAssertEqual(try taskStore.task(id: created.id, ownerID: owner.id), created)
        XCTAssertNil(try taskStore.task(id: created.id + 1, ownerID: owner.id))
    }

    func testEveryQueryAnswersAnotherUsersTaskLikeAMissingOneAndLeavesItUnchanged() throws {
        let owner = try makeUser()
        let intruder = try makeUser()
        let task = try taskStore.createTask(ownerID: owner.id, title: "Private", description: "mine")

        XCTAssertNil(try taskStore.task(id: task.id, ownerID: intruder.id))
        XCTAssertNil(try taskStore.updateTask(id: task.id, ownerID: intruder.id, title: "Stolen", description: nil))
        XCTAssertNil(try taskStore.completeTask(id: task.id, ownerID: intruder.id))
        XCTAssertNil(try taskStore.deleteTask(id: task.id, ownerID: intruder.id))
        for status in TaskStatusFilter.allCases {
            XCTAssertEqual(
                try taskStore.tasks(ownerID: intruder.id, status: status, limit: 50, after: nil),
                TaskPage(tasks: [], nextCursor: nil))
        }
        XCTAssertEqual(try taskStore.tasks(ownerID: intruder.id, titleContaining: "priv", limit: 10), [])
        XCTAssertEqual(try taskStore.task(id: task.id, ownerID: owner.id), task, "the owner's row is unchanged")
    }

    /// The page that carries its own session check answers like `activeUser` would, and otherwise like the plain one.
    func testSessionCheckedPageIsThePlainPageOnlyWhileTheSessionIsLive() throws {
        let owner = try makeUser()
        let other = try makeUser()
        let session = try makeSession(for: owner)
        let othersSession = try makeSession(for: other)
        let emptySession = try makeSession(for: other)
        let created = try (1...5).map { number in
            try taskStore.createTask(ownerID: owner.id, title: "Task \(number)", description: "")
        }
        _ = try taskStore.completeTask(id: created[0].id, ownerID: owner.id)

        for status in TaskStatusFilter.allCases {
            for (limit, cursor) in [(50, nil), (2, nil), (2, created[1].id)] as [(Int, Int64?)] {
                XCTAssertEqual(
                    try taskStore.tasks(
                        ownerID: owner.id, status: status, limit: limit, after: cursor, whileSessionIsActive: session.id
                    ),
                    try taskStore.tasks(ownerID: owner.id, status: status, limit: limit, after: cursor))
            }
        }
        XCTAssertEqual(
            try taskStore.tasks(
                ownerID: other.id, status: .all, limit: 50, after: nil, whileSessionIsActive: emptySession.id),
            TaskPage(tasks: [], nextCursor: nil), "a live session without tasks is an empty page, not a dead session")

        XCTAssertNil(
            try taskStore.tasks(
                ownerID: owner.id, status: .all, limit: 50, after: nil, whileSessionIsActive: othersSession.id),
            "another user's session does not open this user's list")
        XCTAssertNil(
            try taskStore.tasks(ownerID: owner.id, status: .all, limit: 50, after: nil, whileSessionIsActive: UUID()))
        XCTAssertTrue(try sessionStore.revokeSession(id: session.id, userID: owner.id, reason: "test"))
        XCTAssertNil(
            try taskStore.tasks(
                ownerID: owner.id, status: .pending, limit: 50, after: nil, whileSessionIsActive: session.id))
        let expired = try makeSession(for: owner)
        try connection.execute("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = \(expired.id)")
        XCTAssertNil(
            try taskStore.tasks(
                ownerID: owner.id, status: .all, limit: 50, after: nil, whileSessionIsActive: expired.id))
    }

    func testListFiltersByStatusAndPagesByIDWithoutSkippingOrRepeating() throws {
        let owner = try makeUser()
        let other = try makeUser()
        var created: [TaskRecord] = []
        for number in 1...7 {
            created.append(try taskStore.createTask(ownerID: owner.id, title: "Task \(number)", description: ""))
            _ = try taskStore.createTask(ownerID: other.id, title: "Other \(number)", description: "")
        }
        for index in [1, 4] { _ = try taskStore.completeTask(id: created[index].id, ownerID: owner.id) }

        let first = try taskStore.tasks(ownerID: owner.id, status: .all, limit: 3, after: nil)
        XCTAssertEqual(first.tasks.map(\.title), ["Task 1", "Task 2", "Task 3"])
        XCTAssertEqual(first.nextCursor, created[2].id)
        // A task deleted and another added between pages neither shifts nor repeats the rest.
        _ = try taskStore.deleteTask(id: created[3].id, ownerID: owner.id)
        let added = try taskStore.createTask(ownerID: owner.id, title: "Task 8", description: "")
        let second = try taskStore.tasks(ownerID: owner.id, status: .all, limit: 3, after: first.nextCursor)
        XCTAssertEqual(second.tasks.map(\.title), ["Task 5", "Task 6", "Task 7"])
        let last = try taskStore.tasks(ownerID: owner.id, status: .all, limit: 3, after: second.nextCursor)
        XCTAssertEqual(last.tasks.map(\.id), [added.id])
        XCTAssertNil(last.nextCursor)

        let pending = try taskStore.tasks(ownerID: owner.id, status: .pending, limit: 50, after: nil)
        XCTAssertEqual(pending.tasks.map(\.title), ["Task 1", "Task 3", "Task 6", "Task 7", "Task 8"])
        let completed = try taskStore.tasks(ownerID: owner.id, status: .completed, limit: 50, after: nil)
        XCTAssertEqual(completed.tasks.map(\.title), ["Task 2", "Task 5"])
        XCTAssertNil(completed.nextCursor)
        let exact = try taskStore.tasks(ownerID: owner.id, status: .completed, limit: 2, after: nil)
        XCTAssertNil(exact.nextCursor, "a page that ends exactly at the last row says there is no next one")
    }

    func testCompletingTwiceKeepsTheFirstCompletion() throws {
        let owner = try makeUser()
        let task = try taskStore.createTask(ownerID: owner.id, title: "Call mom", description: "")

        let completed = try XCTUnwrap(taskStore.completeTask(id: task.id, ownerID: owner.id))
        XCTAssertTrue(completed.isCompleted)
        let completedAt = try XCTUnwrap(completed.completedAt)
        XCTAssertGreaterThanOrEqual(completed.updatedAt, task.updatedAt)
        XCTAssertEqual(try taskStore.completeTask(id: task.id, ownerID: owner.id), completed)
        XCTAssertEqual(try taskStore.task(id: task.id, ownerID: owner.id)?.completedAt, completedAt)
    }

    func testUpdateChangesOnlyTheGivenFieldsAndMovesUpdatedAt() throws {
        let owner = try makeUser()
        let task = try taskStore.createTask(ownerID: owner.id, title: "Old", description: "keep me")

        let renamed = try XCTUnwrap(
            taskStore.updateTask(id: task.id, ownerID: owner.id, title: "New", description: nil))
        XCTAssertEqual(renamed.title, "New")
        XCTAssertEqual(renamed.description, "keep me")
        XCTAssertGreaterThan(renamed.updatedAt, task.updatedAt)
        let described = try XCTUnwrap(
            taskStore.updateTask(id: task.id, ownerID: owner.id, title: nil, description: ""))
        XCTAssertEqual(described.title, "New")
        XCTAssertEqual(described.description, "")
    }

    func testDeleteReturnsTheTaskOnceThenNothing() throws {
        let owner = try makeUser()
        let task = try taskStore.createTask(ownerID: owner.id, title: "Gone soon", description: "")

        XCTAssertEqual(try taskStore.deleteTask(id: task.id, ownerID: owner.id), task)
        XCTAssertNil(try taskStore.deleteTask(id: task.id, ownerID: owner.id))
        XCTAssertNil(try taskStore.task(id: task.id, ownerID: owner.id))
    }

    func testTitleSearchIgnoresCaseAndTakesWildcardsLiterally() throws {
        let owner = try makeUser()
        let milk = try taskStore.createTask(ownerID: owner.id, title: "Buy MILK", description: "")
        let percent = try taskStore.createTask(ownerID: owner.id, title: "Raise rent 5%", description: "")
        _ = try taskStore.createTask(ownerID: owner.id, title: "Walk the dog", description: "")

        XCTAssertEqual(try taskStore.tasks(ownerID: owner.id, titleContaining: "milk", limit: 10), [milk])
        XCTAssertEqual(try taskStore.tasks(ownerID: owner.id, titleContaining: "5%", limit: 10), [percent])
        XCTAssertEqual(try taskStore.tasks(ownerID: owner.id, titleContaining: "_", limit: 10), [])
        XCTAssertEqual(try taskStore.tasks(ownerID: owner.id, titleContaining: "a", limit: 2).count, 2)
    }

    func testDatabaseRefusesTitlesAndDescriptionsOutsideTheLimits() throws {
        let owner = try makeUser()
        for (title, description) in [
            ("", ""), (String(repeating: "t", count: 201), ""), ("ok", String(repeating: "d", count: 2001)),
        ] {
            guard
                case .server(sqlState: "23514", _)? = storeError(
                    thrownBy: try taskStore.createTask(ownerID: owner.id, title: title, description: description))
            else { return XCTFail("\(title.count)/\(description.count) characters must be refused") }
        }
        // The limits count characters as PostgreSQL does (code points), not bytes.
        XCTAssertNoThrow(
            try taskStore.createTask(ownerID: owner.id, title: String(repeating: "é", count: 200), description: ""))
    }

    func testDeletingTheAccountDeletesItsTasks() throws {
        let owner = try makeUser()
        _ = try taskStore.createTask(ownerID: owner.id, title: "Mine", description: "")

        try connection.execute("DELETE FROM users WHERE id = \(owner.id)")
        XCTAssertEqual(try integer("SELECT count(*) FROM tasks"), 0)
    }
}
