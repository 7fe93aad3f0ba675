/// What an MCP client may be allowed to do with a person's tasks (docs/oauth.md, "Scopes").
public enum OAuthScope: String, CaseIterable, Sendable, Comparable {
    case tasksRead = "tasks:read"
    case tasksWrite = "tasks:write"

    /// How the consent page and the account page put it to the person.
    public var description: String {
        switch self {
        case .tasksRead: "See your tasks"
        case .tasksWrite: "Add, change, complete and delete your tasks"
        }
    }

    /// The scopes of a space-separated list (RFC 6749 §3.3), in `allCases` order without repeats; nil when one is
    /// unknown or the list is malformed (empty, or spaced other than by single spaces).
    public static func parse(_ text: String) -> [OAuthScope]? {
        let names = text.split(separator: " ", omittingEmptySubsequences: false)
        guard !text.isEmpty else { return nil }
        var scopes: Set<OAuthScope> = []
        for name in names {
            guard let scope = OAuthScope(rawValue: String(name)) else { return nil }
            scopes.insert(scope)
        }
        return scopes.sorted()
    }

    /// The scopes as a space-separated list, in `allCases` order.
    public static func text(_ scopes: some Sequence<OAuthScope>) -> String {
        Set(scopes).sorted().map(\.rawValue).joined(separator: " ")
    }

    public static func < (lhs: OAuthScope, rhs: OAuthScope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
