/// Collects routes at start-up; `build()` turns them into the immutable `Router` every thread shares.
public struct RouterBuilder<Context> {
    /// A handler runs synchronously on the worker thread that owns the request.
    public typealias Handler = @Sendable (Request, Context) throws -> Response

    private var routes: [(path: String, pattern: RoutePattern, method: HTTPMethod, handler: Handler)] = []

    /// An empty table; route groups add to it through their `register(on:)` functions.
    public init() {}

    /// The routes registered so far, as path pattern and method, in the order `Router.operations` will list them.
    public var operations: [(path: String, method: HTTPMethod)] { routes.map { ($0.path, $0.method) } }

    /// Adds a route; registering the same method for the same path shape twice is a bug and traps.
    public mutating func on(_ path: String, method: HTTPMethod, use handler: @escaping Handler) {
        let pattern = RoutePattern(path)
        precondition(
            !routes.contains { $0.pattern.segments == pattern.segments && $0.method == method },
            "route \(method) \(path) is registered twice")
        routes.append((path, pattern, method, handler))
    }

    /// Shorthands for `on(_:method:use:)`.
    public mutating func get(_ path: String, use handler: @escaping Handler) { on(path, method: .get, use: handler) }
    public mutating func post(_ path: String, use handler: @escaping Handler) { on(path, method: .post, use: handler) }
    public mutating func patch(_ path: String, use handler: @escaping Handler) {
        on(path, method: .patch, use: handler)
    }
    public mutating func delete(_ path: String, use handler: @escaping Handler) {
        on(path, method: .delete, use: handler)
    }

    /// The routes as a tree of path segments, built once.
    public func build() -> Router<Context> {
        var root = Router<Context>.Node()
        for (operation, route) in routes.enumerated() {
            root.insert(
                Router<Context>.Endpoint(
                    operation: operation, parameterNames: route.pattern.parameterNames, handler: route.handler),
                method: route.method, at: route.pattern.segments[...])
        }
        return Router(root: root, operations: operations)
    }
}
