import TextFormats

/// The immutable route table: finds the handler for a request's method and raw path and runs it.
///
/// Literal segments win over parameters; a parameter matches one non-empty segment and is
/// percent-decoded on its own, so an encoded `/` stays inside its parameter.
public struct Router<Context>: Sendable {
    struct Endpoint: Sendable {
        /// Its place in `operations`.
        let operation: Int
        let parameterNames: [String]
        let handler: RouterBuilder<Context>.Handler
    }

    struct Node: Sendable {
        var children: [RoutePattern.Segment: Node] = [:]
        var endpoints: [HTTPMethod: Endpoint] = [:]

        mutating func insert(_ endpoint: Endpoint, method: HTTPMethod, at segments: ArraySlice<RoutePattern.Segment>) {
            guard let first = segments.first else {
                endpoints[method] = endpoint
                return
            }
            children[first, default: Node()].insert(endpoint, method: method, at: segments.dropFirst())
        }

        /// The deepest node for `segments` with any endpoint, and the raw parameter values on the way.
        /// Backtracks from a literal to a parameter, so `/tasks/stats/x` can still reach `/tasks/{id}/x`.
        func find(_ segments: ArraySlice<Substring>, captured: [Substring]) -> (node: Node, captured: [Substring])? {
            guard let first = segments.first else { return endpoints.isEmpty ? nil : (self, captured) }
            if let literal = children[.literal(String(first))],
                let found = literal.find(segments.dropFirst(), captured: captured)
            {
                return found
            }
            if !first.isEmpty, let parameter = children[.parameter] {
                return parameter.find(segments.dropFirst(), captured: captured + [first])
            }
            return nil
        }
    }

    private let root: Node
    /// Every registered path pattern and method, in registration order: what the OpenAPI test compares with the
    /// document.
    public let operations: [(path: String, method: HTTPMethod)]

    init(root: Node, operations: [(path: String, method: HTTPMethod)]) {
        self.root = root
        self.operations = operations
    }

    /// Runs the matching handler: 404 for an unknown path, 405 with `Allow` for a known path and
    /// another method, 400 for a parameter that is not valid percent-encoded UTF-8.
    public func respond(to request: Request, context: Context) throws -> Response {
        try match(request).respond(to: request, context: context)
    }

    /// The route a request reaches, before its handler runs, so that the caller knows which operation answered
    /// even when the handler throws (the request-duration metrics are per route template). Throws 404 for an
    /// unknown path and 405 with `Allow` for a known path and another method.
    public func match(_ request: Request) throws -> Match {
        guard request.path.hasPrefix("/"),
            let (node, rawValues) = root.find(RoutePattern.split(request.path)[...], captured: [])
        else {
            throw APIError.notFound
        }
        // HEAD is answered by the GET handler; nginx drops the body (RFC 9110 §9.3.2).
        let endpoint = node.endpoints[request.method] ?? (request.method == .head ? node.endpoints[.get] : nil)
        guard let endpoint else {
            var allowed = Set(node.endpoints.keys)
            if allowed.contains(.get) { allowed.insert(.head) }
            throw APIError.methodNotAllowed(allowed: allowed.sorted())
        }
        return Match(endpoint: endpoint, rawValues: rawValues)
    }

    /// A request's route: its operation, and the handler with the path's raw parameter values.
    public struct Match {
        fileprivate let endpoint: Endpoint
        fileprivate let rawValues: [Substring]

        /// The index of the route in `operations` (HEAD answered by a GET route is that GET route).
        public var operation: Int { endpoint.operation }

        /// Decodes the path parameters (400 for one that is not valid percent-encoded UTF-8) and runs the handler.
        public func respond(to request: Request, context: Context) throws -> Response {
            var values: [String: String] = [:]
            for (name, rawValue) in zip(endpoint.parameterNames, rawValues) {
                guard let value = PercentDecoding.decodePathSegment(rawValue) else {
                    throw APIError.invalidParameter(name: name)
                }
                values[name] = value
            }
            var request = request
            request.parameters = Parameters(values)
            return try endpoint.handler(request, context)
        }
    }
}
