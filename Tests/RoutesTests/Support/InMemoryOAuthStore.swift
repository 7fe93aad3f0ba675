import Foundation
import Store

/// Clients, authorization requests, codes and grants in memory, for handler unit tests; grants are the sessions of
/// `auth`, as in PostgreSQL. The stores' contracts are tested against a real server in OAuthTests.
final class InMemoryOAuthStore: OAuthClientStore, OAuthAuthorizationStore, OAuthGrantStore {
    private let auth: InMemoryAuthStore
    private(set) var clients: [UUID: OAuthClientRecord] = [:]
    private var requests: [UUID: AuthorizationRequestRecord] = [:]
    private var codes: [String: (record: AuthorizationCodeRecord, expiresAt: Date, sessionID: UUID?)] = [:]

    init(auth: InMemoryAuthStore) { self.auth = auth }

    // MARK: OAuthClientStore

    func createClient(_ client: NewOAuthClient) throws(StoreError) -> OAuthClientRecord {
        guard try self.client(clientID: client.clientID) == nil else {
            throw .uniqueViolation(constraint: "oauth_clients_client_id_key")
        }
        return save(client, id: UUID())
    }

    func client(clientID: String) throws(StoreError) -> OAuthClientRecord? {
        clients.values.first { $0.clientID == clientID }
    }

    func client(id: UUID) throws(StoreError) -> OAuthClientRecord? { clients[id] }

    func saveMetadataDocument(_ client: NewOAuthClient) throws(StoreError) -> OAuthClientRecord {
        save(client, id: try self.client(clientID: client.clientID)?.id ?? UUID())
    }

    private func save(_ client: NewOAuthClient, id: UUID) -> OAuthClientRecord {
        let record = OAuthClientRecord(
            id: id, clientID: client.clientID, kind: client.kind, name: client.name, uri: client.uri,
            redirectURIs: client.redirectURIs, scope: client.scope, softwareID: client.softwareID,
            softwareVersion: client.softwareVersion, createdAt: Date(), metadataExpiresAt: client.metadataExpiresAt)
        clients[id] = record
        return record
    }

    // MARK: OAuthAuthorizationStore

    func createRequest(
        clientRowID: UUID, redirectURI: String, state: String?, codeChallenge: String, scope: String,
        resource: String, expiresAt: Date
    ) throws(StoreError) -> AuthorizationRequestRecord {
        let request = AuthorizationRequestRecord(
            id: UUID(), clientRowID: clientRowID, redirectURI: redirectURI, state: state, codeChallenge: codeChallenge,
            scope: scope, resource: resource, expiresAt: expiresAt)
        requests[request.id] = request
        return request
    }

    func request(id: UUID) throws(StoreError) -> AuthorizationRequestRecord? {
        requests[id].flatMap { $0.expiresAt > Date() ? $0 : nil }
    }

    func takeRequest(id: UUID) throws(StoreError) -> AuthorizationRequestRecord? {
        guard let request = try request(id: id) else { return nil }
        requests[id] = nil
        return request
    }

    func issueCode(
        forRequest id: UUID, codeHash: String, userID: UUID, expiresAt: Date
    ) throws(StoreError) -> AuthorizationRequestRecord? {
        guard let request = try takeRequest(id: id) else { return nil }
        codes[codeHash] = (
            AuthorizationCodeRecord(
                clientRowID: request.clientRowID, userID: userID, redirectURI: request.redirectURI,
                codeChallenge: request.codeChallenge, scope: request.scope, resource: request.resource,
                isExpired: false, usedAt: nil), expiresAt, nil
        )
        return request
    }

    func code(hash: String) throws(StoreError) -> AuthorizationCodeRecord? {
        guard var stored = codes[hash] else { return nil }
        stored.record.isExpired = stored.expiresAt <= Date()
        return stored.record
    }

    func redeemCode(hash: String, grant: NewSession) throws(StoreError) -> CodeRedemption {
        guard let stored = codes[hash], stored.record.usedAt == nil, stored.expiresAt > Date() else {
            return .alreadySpent
        }
        let session = try auth.createSession(grant)
        codes[hash]?.record.usedAt = Date()
        codes[hash]?.sessionID = session.id
        return .redeemed(session)
    }

    func revokeGrant(ofCode hash: String, reason: String) throws(StoreError) -> (sessionID: UUID, userID: UUID)? {
        guard let sessionID = codes[hash]?.sessionID, let session = auth.sessions[sessionID], auth.isLive(session)
        else { return nil }
        auth.revokeGrant(sessionID, reason: reason)
        return (sessionID, session.userID)
    }

    // MARK: OAuthGrantStore

    func activeGrant(userID: UUID, grantID: UUID, clientID: String) throws(StoreError) -> ActiveGrant? {
        guard let session = auth.sessions[grantID], session.userID == userID, auth.isLive(session),
            let grant = session.grant, clients[grant.clientRowID]?.clientID == clientID, let user = auth.users[userID]
        else { return nil }
        return ActiveGrant(user: user, scope: grant.scope)
    }

    func connectedApps(userID: UUID) throws(StoreError) -> [ConnectedAppRecord] {
        let grants = auth.sessions.values.filter { $0.userID == userID && $0.grant != nil && auth.isLive($0) }
        return Dictionary(grouping: grants) { $0.grant!.clientRowID }.compactMap { clientRowID, sessions in
            guard let client = clients[clientRowID] else { return nil }
            return ConnectedAppRecord(
                client: client, scopes: sessions.flatMap { $0.grant!.scope.split(separator: " ").map(String.init) },
                firstAuthorizedAt: sessions.map(\.createdAt).min()!, lastUsedAt: sessions.map(\.lastUsedAt).max()!)
        }.sorted { $0.lastUsedAt > $1.lastUsedAt }
    }

    func scope(ofRefreshToken hash: String, clientRowID: UUID) throws(StoreError) -> String? {
        guard let session = auth.session(ofRefreshToken: hash), session.grant?.clientRowID == clientRowID,
            auth.isLive(session)
        else { return nil }
        return session.grant?.scope
    }

    func revokeGrants(userID: UUID, clientRowID: UUID, reason: String) throws(StoreError) -> Int {
        let ending = auth.sessions.values.filter {
            $0.userID == userID && $0.grant?.clientRowID == clientRowID && auth.isLive($0)
        }
        for session in ending { auth.revokeGrant(session.id, reason: reason) }
        return ending.count
    }

    func revokeGrant(id: UUID, clientRowID: UUID, reason: String) throws(StoreError) -> UUID? {
        guard let session = auth.sessions[id], session.grant?.clientRowID == clientRowID, auth.isLive(session) else {
            return nil
        }
        auth.revokeGrant(id, reason: reason)
        return session.userID
    }
}
