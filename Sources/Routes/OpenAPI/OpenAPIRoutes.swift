import HTTP

/// `GET /api/openapi.json`: the OpenAPI 3.1 document that describes this API.
///
/// The bytes are compiled in (`OpenAPIDocument`, generated from `openapi/openapi.json` by `openapi/embed.sh`):
/// the deployment copies one binary, so a document read from disk or a resource bundle could be missing or
/// belong to another build, while a literal always describes the code that serves it.
enum OpenAPIRoutes {
    /// Converted once: every request then shares the same buffer (copy-on-write, never copied).
    static let documentBytes = Array(OpenAPIDocument.json.utf8)

    static func register(on router: inout RouterBuilder<RequestContext>) {
        router.get("/api/openapi.json", use: document)
    }

    /// `application/json` rather than `application/vnd.oai.openapi+json`: every tool and browser reads it.
    /// Public for five minutes: the document is the same for everyone and holds nothing private, and a deployment
    /// shows within minutes.
    @Sendable static func document(_ request: Request, context: RequestContext) throws -> Response {
        Response(
            status: .ok,
            headers: ["Content-Type": "application/json; charset=utf-8", "Cache-Control": "public, max-age=300"],
            body: documentBytes)
    }
}
