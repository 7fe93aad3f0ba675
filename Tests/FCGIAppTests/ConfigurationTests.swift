import Agent
import Foundation
import TextFormats
import XCTest

@testable import FCGIApp

final class ConfigurationTests: XCTestCase {
    private let validEnvironment = [
        "DATABASE_URL": "postgresql://todo@127.0.0.1:5432/todo",
        "JWT_SECRET": "q8J2vN5xT1mR7wK3pL9sD4fG6hZ0cB2nV8aE5yU1iO3=",
    ]

    func testDefaultsApplyWhenOnlyRequiredSettingsAreGiven() throws {
        let configuration = try Configuration(environment: validEnvironment)
        XCTAssertEqual(configuration.listening.address, .unix(path: "/run/todo-chatbot/fcgi.sock"))
        XCTAssertEqual(configuration.pool.workerCount, 2)
        XCTAssertEqual(configuration.pool.threadsPerWorker, 4)
        XCTAssertEqual(configuration.pool.maxBodyBytes, 1_048_576)
        XCTAssertEqual(configuration.listening.socketMode, 0o660)
        XCTAssertNil(configuration.listening.socketGroup)
        XCTAssertEqual(configuration.listening.backlog, 1024)
        XCTAssertEqual(configuration.pool.shutdownTimeoutSeconds, 20)
        XCTAssertEqual(configuration.database.statementTimeoutMilliseconds, 5000)
        XCTAssertEqual(configuration.logLevel, .info)
        XCTAssertEqual(configuration.pool.workerMaxRequests, 0)
        XCTAssertEqual(configuration.pool.slowRequestMilliseconds, 1000)
        XCTAssertEqual(configuration.applicationConfiguration.slowRequestThreshold, .seconds(1))
        XCTAssertEqual(configuration.listening.passwordAddress, .unix(path: "/run/todo-chatbot/password.sock"))
        XCTAssertEqual(configuration.passwordLane.hashingConcurrency, ProcessInfo.processInfo.activeProcessorCount)
        XCTAssertEqual(configuration.passwordLane.queueTimeoutMilliseconds, 3000)
        XCTAssertEqual(configuration.passwordLane.retryAfterSeconds, 3)
        XCTAssertEqual(configuration.passwordLane.hashingNice, 10)
    }

    func testEverySettingIsReadFromTheEnvironment() throws {
        var environment = validEnvironment
        environment["FCGI_LISTEN"] = "10.0.0.5:9000"
        environment["FCGI_PASSWORD_LISTEN"] = "10.0.0.5:9001"
        environment["FCGI_ALLOWED_CLIENTS"] = "10.0.0.2, fd00::2"
        environment["PASSWORD_HASHING_CONCURRENCY"] = "3"
        environment["PASSWORD_QUEUE_TIMEOUT_MS"] = "1500"
        environment["PASSWORD_HASHING_NICE"] = "5"
        environment["WORKERS"] = "3"
        environment["THREADS_PER_WORKER"] = "8"
        environment["MAX_BODY_BYTES"] = "65536"
        environment["FCGI_SOCKET_MODE"] = "0600"
        environment["FCGI_SOCKET_GROUP"] = "www-data"
        environment["LOG_LEVEL"] = "warning"
        environment["SHUTDOWN_TIMEOUT_SECONDS"] = "7"
        environment["WORKER_MAX_REQUESTS"] = "5000"
        environment["SLOW_REQUEST_MS"] = "0"
        let configuration = try Configuration(environment: environment)
        XCTAssertEqual(configuration.listening.address, .tcp(host: "10.0.0.5", port: 9000))
        XCTAssertEqual(configuration.listening.passwordAddress, .tcp(host: "10.0.0.5", port: 9001))
        XCTAssertEqual(
            configuration.listening.allowedClients,
            .addresses([IPAddress("10.0.0.2")!, IPAddress("fd00::2")!]))
        XCTAssertEqual(configuration.passwordLane.hashingConcurrency, 3)
        XCTAssertEqual(configuration.passwordLane.queueTimeoutMilliseconds, 1500)
        XCTAssertEqual(configuration.passwordLane.retryAfterSeconds, 2, "rounded up to whole seconds")
        XCTAssertEqual(configuration.passwordLane.hashingNice, 5)
        XCTAssertEqual(configuration.pool.workerCount, 3)
        XCTAssertEqual(configuration.pool.threadsPerWorker, 8)
        XCTAssertEqual(configuration.pool.maxBodyBytes, 65536)
        XCTAssertEqual(configuration.listening.socketMode, 0o600)
        XCTAssertEqual(configuration.listening.socketGroup, "www-data")
        XCTAssertEqual(configuration.logLevel, .warning)
        XCTAssertEqual(configuration.pool.shutdownTimeoutSeconds, 7)
        XCTAssertEqual(configuration.pool.workerMaxRequests, 5000)
        XCTAssertNil(configuration.applicationConfiguration.slowRequestThreshold, "0 turns the slow-request log off")
    }

    func testMissingRequiredSettingsAreAllReportedAtOnce() {
        XCTAssertThrowsError(try Configuration(environment: [:])) { error in
            let problems = (error as? ConfigurationError)?.problems ?? []
            XCTAssertTrue(problems.contains("DATABASE_URL is required"), "\(problems)")
            XCTAssertTrue(problems.contains("JWT_SECRET is required"), "\(problems)")
        }
    }

    func testShortOrExampleSecretsAreRefusedWithoutEchoingThem() {
        for secret in ["short-secret", "your-256-bit-secret", String(repeating: "a", count: 64)] {
            var environment = validEnvironment
            environment["JWT_SECRET"] = secret
            XCTAssertThrowsError(try Configuration(environment: environment), secret) { error in
                let text = String(describing: error)
                XCTAssertTrue(text.contains("JWT_SECRET"), text)
                XCTAssertFalse(text.contains(secret), "the message must not repeat the secret: \(text)")
            }
        }
    }

    func testOutOfRangeAndMalformedNumbersAreRefused() {
        for (name, value) in [
            ("WORKERS", "0"), ("WORKERS", "many"), ("THREADS_PER_WORKER", "1000"), ("MAX_BODY_BYTES", "-1"),
            ("FCGI_SOCKET_MODE", "0999"), ("LOG_LEVEL", "verbose"), ("FCGI_LISTEN", "relative/path.sock"),
            ("FCGI_LISTEN", ":9000"), ("DATABASE_URL", "mysql://x"), ("PASSWORD_HASHING_CONCURRENCY", "0"),
            ("PASSWORD_HASHING_CONCURRENCY", "all"), ("PASSWORD_QUEUE_TIMEOUT_MS", "5"),
            ("PASSWORD_QUEUE_TIMEOUT_MS", "30000"), ("PASSWORD_HASHING_NICE", "-5"), ("PASSWORD_HASHING_NICE", "20"),
            ("FCGI_PASSWORD_LISTEN", "password.sock"), ("FCGI_PASSWORD_LISTEN", "/run/todo-chatbot/fcgi.sock"),
        ] {
            var environment = validEnvironment
            environment[name] = value
            XCTAssertThrowsError(try Configuration(environment: environment), "\(name)=\(value)") { error in
                XCTAssertTrue(String(describing: error).contains(name), "\(error)")
            }
        }
    }

    func testPasswordSocketSitsBesideAUnixPoolSocketUnlessNamed() throws {
        var environment = validEnvironment
        environment["FCGI_LISTEN"] = "/srv/app/run/fcgi.sock"
        XCTAssertEqual(
            try Configuration(environment: environment).listening.passwordAddress,
            .unix(path: "/srv/app/run/password.sock")
        )
        environment["FCGI_PASSWORD_LISTEN"] = "unix:/srv/app/hash.sock"
        XCTAssertEqual(
            try Configuration(environment: environment).listening.passwordAddress, .unix(path: "/srv/app/hash.sock"))
    }

    func testATCPPoolMustNameItsPasswordAddress() {
        var environment = validEnvironment
        environment["FCGI_LISTEN"] = "10.0.0.5:9000"
        environment["FCGI_ALLOWED_CLIENTS"] = "any"
        XCTAssertThrowsError(try Configuration(environment: environment)) { error in
            let problems = (error as? ConfigurationError)?.problems ?? []
            XCTAssertEqual(problems.count, 1, "\(problems)")
            XCTAssertTrue(problems[0].hasPrefix("FCGI_PASSWORD_LISTEN is required"), "\(problems)")
        }
        environment["FCGI_PASSWORD_LISTEN"] = "10.0.0.5:9000"
        XCTAssertThrowsError(try Configuration(environment: environment)) { error in
            XCTAssertEqual(
                (error as? ConfigurationError)?.problems, ["FCGI_PASSWORD_LISTEN must differ from FCGI_LISTEN"])
        }
    }

    func testWithoutAnOpenAIKeyTheBuiltInAgentAnswers() throws {
        var environment = validEnvironment
        environment["OPENAI_MODEL"] = "llama3.1"
        let configuration = try Configuration(environment: environment)
        XCTAssertNil(configuration.openAI)
        XCTAssertTrue(configuration.applicationConfiguration.agent is BuiltInAgent)
    }

    func testOpenAISettingsAreReadWithDefaults() throws {
        var environment = validEnvironment
        environment["OPENAI_API_KEY"] = "sk-test-key"
        let defaults = try XCTUnwrap(try Configuration(environment: environment).openAI)
        XCTAssertEqual(defaults.baseURL.absoluteString, "https://api.openai.com/v1")
        XCTAssertEqual(defaults.chatCompletionsURL.absoluteString, "https://api.openai.com/v1/chat/completions")
        XCTAssertEqual(defaults.model, "gpt-4o-mini")
        XCTAssertEqual(defaults.timeoutSeconds, 20)
        XCTAssertEqual(defaults.maxSteps, 5)
        XCTAssertEqual(defaults.apiKey, ProviderAPIKey("sk-test-key"))

        environment["OPENAI_BASE_URL"] = "http://127.0.0.1:11434/v1/"
        environment["OPENAI_MODEL"] = "llama3.1"
        environment["OPENAI_TIMEOUT_SECONDS"] = "7"
        environment["OPENAI_MAX_STEPS"] = "10"
        let configuration = try Configuration(environment: environment)
        let local = try XCTUnwrap(configuration.openAI)
        XCTAssertEqual(local.chatCompletionsURL.absoluteString, "http://127.0.0.1:11434/v1/chat/completions")
        XCTAssertEqual(local.model, "llama3.1")
        XCTAssertEqual(local.timeoutSeconds, 7)
        XCTAssertEqual(local.maxSteps, 10)
        XCTAssertTrue(configuration.applicationConfiguration.agent is OpenAICompatibleAgent)
        XCTAssertFalse(String(describing: configuration).contains("sk-test-key"), "printing never shows the key")
    }

    func testInvalidOpenAISettingsAreRefusedWithoutEchoingTheKey() {
        for (name, value) in [
            ("OPENAI_BASE_URL", "http://api.openai.com/v1"), ("OPENAI_BASE_URL", "http://192.168.1.5:8080/v1"),
            ("OPENAI_BASE_URL", "ftp://127.0.0.1/v1"), ("OPENAI_BASE_URL", "api.openai.com"),
            ("OPENAI_TIMEOUT_SECONDS", "0"), ("OPENAI_TIMEOUT_SECONDS", "121"), ("OPENAI_TIMEOUT_SECONDS", "soon"),
            ("OPENAI_MAX_STEPS", "0"), ("OPENAI_MAX_STEPS", "11"), ("OPENAI_API_KEY", "sk-secret with space"),
        ] {
            var environment = validEnvironment
            environment["OPENAI_API_KEY"] = "sk-secret-key"
            environment[name] = value
            XCTAssertThrowsError(try Configuration(environment: environment), "\(name)=\(value)") { error in
                let text = String(describing: error)
                XCTAssertTrue(text.contains(name), text)
                XCTAssertFalse(text.contains("sk-secret"), "the message must not repeat the key: \(text)")
            }
        }
    }

    func testANonLoopbackTCPPoolMustSayWhoMayConnect() throws {
        var environment = validEnvironment
        environment["FCGI_LISTEN"] = "127.0.0.1:9000"
        environment["FCGI_PASSWORD_LISTEN"] = "10.0.0.5:9001"
        XCTAssertThrowsError(try Configuration(environment: environment)) { error in
            XCTAssertEqual(
                (error as? ConfigurationError)?.problems,
                [
                    "FCGI_ALLOWED_CLIENTS is required to listen on 10.0.0.5:9001: FastCGI has no authentication, so "
                        + "name the nginx hosts that may connect (e.g. 10.0.0.2,10.0.0.3), or say any"
                ])
        }
        environment["FCGI_ALLOWED_CLIENTS"] = "any"
        XCTAssertEqual(try Configuration(environment: environment).listening.allowedClients, .any)
        environment["FCGI_ALLOWED_CLIENTS"] = "10.0.0.2,nginx.internal"
        XCTAssertThrowsError(try Configuration(environment: environment)) { error in
            XCTAssertEqual((error as? ConfigurationError)?.problems.first?.hasPrefix("FCGI_ALLOWED_CLIENTS must"), true)
        }
        // Loopback and unix sockets reach only this host: no list needed.
        for (listen, password) in [("127.0.0.1:9000", "[::1]:9001"), ("localhost:9000", "127.0.0.2:9001")] {
            environment = validEnvironment
            environment["FCGI_LISTEN"] = listen
            environment["FCGI_PASSWORD_LISTEN"] = password
            XCTAssertNil(try Configuration(environment: environment).listening.allowedClients, listen)
        }
    }

    func testAllowedClientsMatchAddressesAsBytes() throws {
        let allowed = try XCTUnwrap(AllowedClients(parsing: "10.0.0.2,fd00::2"))
        XCTAssertTrue(allowed.admits(try XCTUnwrap(IPAddress("10.0.0.2"))))
        XCTAssertTrue(allowed.admits(try XCTUnwrap(IPAddress("::ffff:10.0.0.2"))), "IPv4 on a v6 socket")
        XCTAssertTrue(allowed.admits(try XCTUnwrap(IPAddress("fd00:0::2"))), "another spelling")
        XCTAssertFalse(allowed.admits(try XCTUnwrap(IPAddress("10.0.0.3"))))
        XCTAssertFalse(allowed.admits(try XCTUnwrap(IPAddress("fd00::3"))))
        XCTAssertTrue(AllowedClients.any.admits(try XCTUnwrap(IPAddress("203.0.113.9"))))
        for text in ["", ",", "10.0.0", "10.0.0.2/24", "any,10.0.0.2", "host.example"] {
            XCTAssertNil(AllowedClients(parsing: text), text)
        }
        XCTAssertEqual(IPAddress("::ffff:10.0.0.2").map(AllowedClients.peer)?.description, "10.0.0.2")
        XCTAssertEqual(IPAddress("127.9.9.9")?.isLoopback, true)
        XCTAssertEqual(IPAddress("::1")?.isLoopback, true)
        XCTAssertEqual(IPAddress("10.0.0.2")?.isLoopback, false)
    }

    func testListenAddressForms() {
        XCTAssertEqual(ListenAddress(parsing: "/tmp/a.sock"), .unix(path: "/tmp/a.sock"))
        XCTAssertEqual(ListenAddress(parsing: "unix:/tmp/a.sock"), .unix(path: "/tmp/a.sock"))
        XCTAssertEqual(ListenAddress(parsing: "127.0.0.1:9000"), .tcp(host: "127.0.0.1", port: 9000))
        XCTAssertEqual(ListenAddress(parsing: "[::1]:9000"), .tcp(host: "::1", port: 9000))
        XCTAssertNil(ListenAddress(parsing: "127.0.0.1:0"))
        XCTAssertNil(ListenAddress(parsing: "127.0.0.1:70000"))
        XCTAssertNil(ListenAddress(parsing: "/" + String(repeating: "x", count: 120)))
    }
}
