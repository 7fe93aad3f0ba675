/// How a tool acts on the user's list, for a client deciding whether to ask the person before calling it or whether
/// a retry is safe: the four hints of MCP's `ToolAnnotations` (schema 2025-03-26 and later). They are hints, not
/// guarantees, so every one is given explicitly rather than left to MCP's defaults (destructive and open-world
/// unless said otherwise).
public struct TaskToolHints: Sendable, Equatable {
    /// The tool changes nothing (`readOnlyHint`).
    public let readOnly: Bool
    /// The tool may overwrite or remove what the person wrote, rather than only add to it (`destructiveHint`).
    public let destructive: Bool
    /// Calling it again with the same arguments has no further effect on the list (`idempotentHint`).
    public let idempotent: Bool
    /// The tool reaches beyond the person's own list, to entities outside it (`openWorldHint`).
    public let openWorld: Bool
}
