/// Settings the routes need, read once at start-up by the executable.
public struct ApplicationConfiguration: Sendable {
    /// Larger bodies get 413 before any handler runs; 1 MiB leaves room for long chat messages.
    public var maxBodyBytes: Int
    public var auth: AuthConfiguration

    public init(maxBodyBytes: Int = 1 << 20, auth: AuthConfiguration) {
        self.maxBodyBytes = maxBodyBytes
        self.auth = auth
    }
}
