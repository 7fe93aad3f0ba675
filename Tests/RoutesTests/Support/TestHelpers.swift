import Foundation
import Logging
import XCTest

@testable import Routes

extension Response {
    /// The body parsed as a JSON object, or an empty dictionary.
    var jsonObject: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// The `error` object of an error body.
    var errorObject: [String: Any] { jsonObject["error"] as? [String: Any] ?? [:] }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// An application wired exactly as the worker wires it, with a capturing logger and a health double.
struct TestApplication {
    let application: Application
    let log: LogCapture
    var services: RequestServices

    init(health: InMemoryHealthStore = InMemoryHealthStore(), maxBodyBytes: Int = 1 << 20) {
        log = LogCapture()
        application = Application(
            configuration: ApplicationConfiguration(maxBodyBytes: maxBodyBytes), logger: log.logger)
        services = RequestServices(health: health)
    }

    func respond(to request: Request) -> Response {
        application.respond(to: request, services: services)
    }
}
