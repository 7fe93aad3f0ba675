import Foundation

/// An authorization request that has passed every check and waits for the person's decision on the consent page.
public struct AuthorizationRequestRecord: Sendable, Equatable {
    public var id: UUID
    /// The client's row.
    public var clientRowID: UUID
    public var redirectURI: String
    public var state: String?
    public var codeChallenge: String
    public var scope: String
    public var resource: String
    public var expiresAt: Date

    public init(
        id: UUID, clientRowID: UUID, redirectURI: String, state: String?, codeChallenge: String, scope: String,
        resource: String, expiresAt: Date
    ) {
        self.id = id
        self.clientRowID = clientRowID
        self.redirectURI = redirectURI
        self.state = state
        self.codeChallenge = codeChallenge
        self.scope = scope
        self.resource = resource
        self.expiresAt = expiresAt
    }
}

/// An authorization code as stored: its hash and everything it is bound to.
public struct AuthorizationCodeRecord: Sendable, Equatable {
    public var clientRowID: UUID
    public var userID: UUID
    public var redirectURI: String
    public var codeChallenge: String
    public var scope: String
    public var resource: String
    public var isExpired: Bool
    /// Set once the code has been exchanged.
    public var usedAt: Date?

    public init(
        clientRowID: UUID, userID: UUID, redirectURI: String, codeChallenge: String, scope: String, resource: String,
        isExpired: Bool, usedAt: Date?
    ) {
        self.clientRowID = clientRowID
        self.userID = userID
        self.redirectURI = redirectURI
        self.codeChallenge = codeChallenge
        self.scope = scope
        self.resource = resource
        self.isExpired = isExpired
        self.usedAt = usedAt
    }
}

/// The outcome of spending a code (`OAuthAuthorizationStore.redeemCode`).
public enum CodeRedemption: Sendable, Equatable {
    /// The code was live and is now used; the grant was created with it.
    case redeemed(SessionRecord)
    /// The code had been used (or expired) by the time it was spent.
    case alreadySpent
}

/// Pending authorization requests and authorization codes.
public protocol OAuthAuthorizationStore {
    /// Stores a request for the consent page, live until `expiresAt`.
    func createRequest(
        clientRowID: UUID, redirectURI: String, state: String?, codeChallenge: String, scope: String,
        resource: String, expiresAt: Date
    ) throws(StoreError) -> AuthorizationRequestRecord
    /// The live request with this id, if any.
    func request(id: UUID) throws(StoreError) -> AuthorizationRequestRecord?
    /// Deletes the live request and returns it: a request is decided once, even by two tabs at the same moment.
    func takeRequest(id: UUID) throws(StoreError) -> AuthorizationRequestRecord?
    /// Takes the request and stores a code for it, bound to `userID`, in one transaction; nil when the request was
    /// not live (then nothing is stored).
    func issueCode(
        forRequest id: UUID, codeHash: String, userID: UUID, expiresAt: Date
    ) throws(StoreError) -> AuthorizationRequestRecord?
    /// The code with this hash in whatever state, if it was ever issued.
    func code(hash: String) throws(StoreError) -> AuthorizationCodeRecord?
    /// Marks the code used and creates `grant` with it, in one transaction; `.alreadySpent` (and nothing stored)
    /// when a concurrent exchange used it first or it has expired.
    func redeemCode(hash: String, grant: NewSession) throws(StoreError) -> CodeRedemption
    /// Revokes the grant that the code was exchanged for, if it is still live; its session and user.
    func revokeGrant(ofCode hash: String, reason: String) throws(StoreError) -> (sessionID: UUID, userID: UUID)?
}
