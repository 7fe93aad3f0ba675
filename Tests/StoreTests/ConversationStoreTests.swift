import Foundation
import XCTest

@testable import Store

final class ConversationStoreTests: AuthDatabaseTestCase {
    private var conversationStore: PostgresConversationStore { PostgresConversationStore(connection: connection) }

    func testAppendedMessagesComeBackInOrderWithTheirToolFields() throws {
        let owner = try makeUser()
        let conversation = try conversationStore.createConversation(ownerID: owner.id, title: "Groceries")
        XCTAssertEqual(
            try conversationStore.messages(conversationID: conversation.id, ownerID: owner.id, limit: 10), [])

        let stored = try XCTUnwrap(
            conversationStore.appendMessages(
                [
                    NewMessage(role: .user, content: "add milk"),
                    NewMessage(
                        role: .tool, content: "", toolName: "add_task", toolArguments: #"{"title":"milk"}"#,
                        toolResult: #"{"task":{"id":1}}"#),
                    NewMessage(role: .assistant, content: "Added task 1: milk"),
                ], conversationID: conversation.id, ownerID: owner.id))
        _ = try conversationStore.appendMessages(
            [NewMessage(role: .user, content: "thanks")], conversationID: conversation.id, ownerID: owner.id)

        let messages = try XCTUnwrap(
            conversationStore.messages(conversationID: conversation.id, ownerID: owner.id, limit: 100))
        XCTAssertEqual(messages.map(\.content), ["add milk", "", "Added task 1: milk", "thanks"])
        XCTAssertEqual(Array(messages.prefix(3)), stored)
        XCTAssertEqual(messages.map(\.role), [.user, .tool, .assistant, .user])
        XCTAssertEqual(messages[1].toolName, "add_task")
        XCTAssertEqual(messages[1].toolArguments, #"{"title": "milk"}"#, "jsonb text as PostgreSQL writes it")
        XCTAssertEqual(messages[1].toolResult, #"{"task": {"id": 1}}"#)
        XCTAssertNil(messages[0].toolName)
        let latestTwo = try XCTUnwrap(
            conversationStore.messages(conversationID: conversation.id, ownerID: owner.id, limit: 2))
        XCTAssertEqual(latestTwo.map(\.content), ["Added task 1: milk", "thanks"], "the latest ones, oldest first")
        let bumped = try XCTUnwrap(conversationStore.conversation(id: conversation.id, ownerID: owner.id))
        XCTAssertGreaterThan(bumped.updatedAt, conversation.updatedAt)
    }

    func testAnotherUsersConversationAnswersLikeAMissingOneAndGetsNoMessages() throws {
        let owner = try makeUser()
        let intruder = try makeUser()
        let conversation = try conversationStore.createConversation(ownerID: owner.id, title: "Private")
        _ = try conversationStore.appendMessages(
            [NewMessage(role: .user, content: "secret")], conversationID: conversation.id, ownerID: owner.id)

        XCTAssertNil(try conversationStore.conversation(id: conversation.id, ownerID: intruder.id))
        XCTAssertNil(try conversationStore.messages(conversationID: conversation.id, ownerID: intruder.id, limit: 10))
        XCTAssertNil(
            try conversationStore.appendMessages(
                [NewMessage(role: .user, content: "injected")], conversationID: conversation.id, ownerID: intruder.id))
        XCTAssertFalse(try conversationStore.deleteConversation(id: conversation.id, ownerID: intruder.id))
        XCTAssertEqual(try conversationStore.conversations(ownerID: intruder.id, limit: 10), [])
        XCTAssertNil(try conversationStore.messages(conversationID: UUID(), ownerID: owner.id, limit: 10))

        XCTAssertEqual(
            try conversationStore.messages(conversationID: conversation.id, ownerID: owner.id, limit: 10)?.map(
                \.content), ["secret"])
        XCTAssertEqual(
            try conversationStore.conversation(id: conversation.id, ownerID: owner.id)?.updatedAt,
            try conversationStore.conversations(ownerID: owner.id, limit: 10).first?.updatedAt)
    }

    func testAppendIsAllOrNothing() throws {
        let owner = try makeUser()
        let conversation = try conversationStore.createConversation(ownerID: owner.id, title: "")

        XCTAssertNotNil(
            storeError(
                thrownBy: try conversationStore.appendMessages(
                    [
                        NewMessage(role: .user, content: "first"),
                        NewMessage(role: .tool, content: "", toolName: "add_task", toolArguments: "{not json"),
                    ], conversationID: conversation.id, ownerID: owner.id)))
        XCTAssertEqual(
            try conversationStore.messages(conversationID: conversation.id, ownerID: owner.id, limit: 10), [])
        XCTAssertEqual(try conversationStore.conversation(id: conversation.id, ownerID: owner.id), conversation)
    }

    func testListShowsTheMostRecentlyUpdatedFirst() throws {
        let owner = try makeUser()
        let older = try conversationStore.createConversation(ownerID: owner.id, title: "older")
        let newer = try conversationStore.createConversation(ownerID: owner.id, title: "newer")
        _ = try conversationStore.createConversation(ownerID: try makeUser().id, title: "someone else's")

        XCTAssertEqual(
            try conversationStore.conversations(ownerID: owner.id, limit: 10).map(\.id), [newer.id, older.id])
        _ = try conversationStore.appendMessages(
            [NewMessage(role: .user, content: "bump")], conversationID: older.id, ownerID: owner.id)
        XCTAssertEqual(
            try conversationStore.conversations(ownerID: owner.id, limit: 10).map(\.id), [older.id, newer.id])
        XCTAssertEqual(try conversationStore.conversations(ownerID: owner.id, limit: 1).map(\.id), [older.id])
    }

    func testDeletingAConversationDeletesItsMessages() throws {
        let owner = try makeUser()
        let conversation = try conversationStore.createConversation(ownerID: owner.id, title: "")
        _ = try conversationStore.appendMessages(
            [NewMessage(role: .user, content: "one"), NewMessage(role: .assistant, content: "two")],
            conversationID: conversation.id, ownerID: owner.id)

        XCTAssertTrue(try conversationStore.deleteConversation(id: conversation.id, ownerID: owner.id))
        XCTAssertFalse(try conversationStore.deleteConversation(id: conversation.id, ownerID: owner.id))
        XCTAssertEqual(try integer("SELECT count(*) FROM messages"), 0)
    }
}
