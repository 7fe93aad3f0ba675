/// A route path such as `/api/tasks/{id}`, split into literal and parameter segments.
struct RoutePattern: Hashable, Sendable {
    enum Segment: Hashable, Sendable {
        case literal(String)
        /// Matches one non-empty segment; the name is kept apart so `{id}` and `{taskID}` share a node.
        case parameter
    }

    let segments: [Segment]
    let parameterNames: [String]

    /// Patterns are written by the program at start-up, so a malformed one traps at once.
    init(_ text: String) {
        precondition(text.hasPrefix("/"), "route pattern must start with '/': \(text)")
        var segments: [Segment] = []
        var parameterNames: [String] = []
        for piece in Self.split(text) {
            if piece.hasPrefix("{") && piece.hasSuffix("}") && piece.count > 2 {
                let name = String(piece.dropFirst().dropLast())
                precondition(!parameterNames.contains(name), "route pattern repeats {\(name)}: \(text)")
                parameterNames.append(name)
                segments.append(.parameter)
            } else {
                precondition(!piece.contains("{") && !piece.contains("}"), "malformed route pattern: \(text)")
                segments.append(.literal(String(piece)))
            }
        }
        self.segments = segments
        self.parameterNames = parameterNames
    }

    /// Splits a path after its leading `/`, keeping empty segments so `/a/` is not `/a`.
    static func split(_ path: String) -> [Substring] {
        path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map(Substring.init)
    }
}
