import Foundation

/// What claiming the older app's rows attached to an account.
public struct LegacyClaim: Sendable, Equatable {
    /// The account the rows now belong to.
    public var userID: UUID
    public var tasks: Int
    public var conversations: Int
    /// Messages of the attached conversations; they follow their conversation.
    public var messages: Int

    /// A claim with these counts, e.g. for a test double.
    public init(userID: UUID, tasks: Int, conversations: Int, messages: Int) {
        self.userID = userID
        self.tasks = tasks
        self.conversations = conversations
        self.messages = messages
    }
}

/// The outcome of `LegacyClaimStore.claim`.
public enum LegacyClaimOutcome: Sendable, Equatable {
    case claimed(LegacyClaim)
    /// No account has this email; nothing changed.
    case unknownEmail
}

/// Attaches rows of the older app, which named their owner with a free-text `user_id`, to a registered account.
/// Until then such rows have no owner and are visible to nobody.
public protocol LegacyClaimStore {
    /// Gives every unowned task and conversation whose `legacy_user_id` is `legacyUserID` to the account with this
    /// (normalised) email, in one transaction. Rows another account already claimed are left alone, so a repeat
    /// attaches nothing.
    func claim(legacyUserID: String, email: String) throws(StoreError) -> LegacyClaimOutcome
}
