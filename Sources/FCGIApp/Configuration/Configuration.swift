import Agent
import Auth
import Curl
import Foundation
import Logging
import Mail
import Routes

/// Every setting of the pool, read once from the environment, section by section; see the README's Configuration
/// section.
struct Configuration: Sendable {
    var database: Database
    var tokens: Tokens
    var accounts: Accounts
    var listening: Listening
    var pool: Pool
    var passwordLane: PasswordLane
    var mail: Mail
    var authorization: Authorization
    var logLevel: Logger.Level
    /// The OpenAI-compatible chat provider; nil (no `OPENAI_API_KEY`) runs the offline built-in agent.
    var openAI: OpenAICompatibleConfiguration?

    /// Reads and validates the environment, reporting every problem of every section at once.
    init(environment: [String: String]) throws(ConfigurationError) {
        var reader = EnvironmentReader(environment: environment)
        let database = Database(reading: &reader)
        let tokens = Tokens(reading: &reader)
        accounts = Accounts(reading: &reader)
        let listening = Listening(reading: &reader)
        pool = Pool(reading: &reader)
        passwordLane = PasswordLane(reading: &reader)
        let mail = Mail(reading: &reader, publicOrigin: accounts.publicOrigin)
        authorization = Authorization(reading: &reader)
        let levelText = reader.string("LOG_LEVEL", default: "info")
        if Logger.Level(name: levelText) == nil {
            reader.problems.append("LOG_LEVEL must be one of debug, info, warning, error")
        }
        openAI = Self.openAIConfiguration(&reader)
        guard reader.problems.isEmpty, let database, let tokens, let listening, let mail,
            let logLevel = Logger.Level(name: levelText)
        else { throw ConfigurationError(problems: reader.problems) }
        self.database = database
        self.mail = mail
        self.tokens = tokens
        self.listening = listening
        self.logLevel = logLevel
    }

    /// Where PostgreSQL is and how long a worker waits for it.
    struct Database: Sendable {
        var url: String
        var statementTimeoutMilliseconds: Int
        var connectTimeoutSeconds: Int

        fileprivate init?(reading reader: inout EnvironmentReader) {
            let url = reader.required("DATABASE_URL")
            statementTimeoutMilliseconds = reader.integer(
                "DB_STATEMENT_TIMEOUT_MS", default: 5000, range: 100...600_000)
            connectTimeoutSeconds = reader.integer("DB_CONNECT_TIMEOUT_SECONDS", default: 2, range: 1...60)
            guard let url else { return nil }
            guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") || url.contains("=") else {
                reader.problems.append("DATABASE_URL must be a postgresql:// URL or a libpq key=value string")
                return nil
            }
            self.url = url
        }
    }

    /// How access tokens are signed and checked.
    struct Tokens: Sendable {
        /// The key new access tokens are signed with, then keys still accepted for verification (rotation).
        var signingKeys: [SigningSecret]
        var issuer: String
        var audience: String
        var accessTokenLifetimeSeconds: Int
        var clockLeewaySeconds: Int

        fileprivate init?(reading reader: inout EnvironmentReader) {
            let secretText = reader.required("JWT_SECRET")
            let keyID = reader.string("JWT_KEY_ID", default: "1")
            let previousSecretsText = reader.string("JWT_PREVIOUS_SECRETS", default: "")
            issuer = reader.string("JWT_ISSUER", default: "todo-chatbot")
            audience = reader.string("JWT_AUDIENCE", default: "todo-chatbot-api")
            accessTokenLifetimeSeconds = reader.integer("ACCESS_TOKEN_TTL_SECONDS", default: 900, range: 1...86400)
            clockLeewaySeconds = reader.integer("JWT_LEEWAY_SECONDS", default: 30, range: 0...300)
            signingKeys = []
            if let secretText {
                do throws(SigningSecretError) {
                    signingKeys.append(try SigningSecret(validating: secretText, keyID: keyID))
                } catch {
                    reader.problems.append("JWT_SECRET \(error)")
                }
            }
            for (index, entry) in previousSecretsText.split(separator: ",").enumerated() {
                let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty else {
                    reader.problems.append("JWT_PREVIOUS_SECRETS entry \(index + 1) must be key-id:secret")
                    continue
                }
                do throws(SigningSecretError) {
                    signingKeys.append(try SigningSecret(validating: parts[1], keyID: parts[0]))
                } catch {
                    reader.problems.append("JWT_PREVIOUS_SECRETS entry \(index + 1) \(error)")
                }
            }
            if Set(signingKeys.map(\.keyID)).count != signingKeys.count {
                reader.problems.append("JWT_KEY_ID and the key ids in JWT_PREVIOUS_SECRETS must all differ")
            }
            guard !signingKeys.isEmpty else { return nil }
        }
    }

    /// Passwords, sessions, refresh tokens and the limits on trying them.
    struct Accounts: Sendable {
        var bcryptCost: Int
        var refreshTokenLifetimeSeconds: Int
        var sessionLifetimeSeconds: Int
        var refreshGraceSeconds: Int
        /// Days a revoked session stays listed in the database (for audits) before `purge` deletes it.
        var revokedSessionRetentionDays: Int
        /// `https://host[:port]` that browsers show; nil derives it from each request's Host header.
        var publicOrigin: String?
        var rateLimits: RateLimits
        /// `REQUIRE_VERIFIED_EMAIL`: sign-in waits for a verified address.
        var requireVerifiedEmail: Bool

        fileprivate init(reading reader: inout EnvironmentReader) {
            bcryptCost = reader.integer("BCRYPT_COST", default: 12, range: 4...31)
            refreshTokenLifetimeSeconds = reader.integer(
                "REFRESH_TOKEN_TTL_SECONDS", default: 604_800, range: 60...31_536_000)
            sessionLifetimeSeconds = reader.integer("SESSION_TTL_SECONDS", default: 2_592_000, range: 60...31_536_000)
            refreshGraceSeconds = reader.integer("REFRESH_GRACE_SECONDS", default: 10, range: 0...300)
            revokedSessionRetentionDays = reader.integer(
                "REVOKED_SESSION_RETENTION_DAYS", default: 30, range: 0...3650)
            let origin = reader.string("PUBLIC_ORIGIN", default: "")
            publicOrigin = origin.isEmpty ? nil : origin
            if let publicOrigin,
                !(publicOrigin.hasPrefix("https://") || publicOrigin.hasPrefix("http://"))
                    || publicOrigin.hasSuffix("/")
            {
                reader.problems.append("PUBLIC_ORIGIN must look like https://todo.example.com (scheme, host, no path)")
            }
            let passwordResetLimit = RateLimits.Limit(
                count: reader.integer("RATE_LIMIT_PASSWORD_RESET_PER_MINUTE", default: 5, range: 1...1_000_000),
                windowSeconds: 60)
            requireVerifiedEmail = reader.boolean("REQUIRE_VERIFIED_EMAIL", default: false)
            let verificationMailsPerAccount = RateLimits.Limit(
                count: reader.integer("VERIFICATION_MAILS_PER_ACCOUNT_PER_HOUR", default: 5, range: 1...1_000_000),
                windowSeconds: 3600)
            let passwordResetsPerAccount = RateLimits.Limit(
                count: reader.integer("PASSWORD_RESETS_PER_ADDRESS_PER_HOUR", default: 3, range: 1...1_000_000),
                windowSeconds: 3600)
            rateLimits = RateLimits(
                register: .init(
                    count: reader.integer("RATE_LIMIT_REGISTER_PER_MINUTE", default: 5, range: 1...1_000_000),
                    windowSeconds: 60),
                login: .init(
                    count: reader.integer("RATE_LIMIT_LOGIN_PER_MINUTE", default: 10, range: 1...1_000_000),
                    windowSeconds: 60),
                refresh: .init(
                    count: reader.integer("RATE_LIMIT_REFRESH_PER_MINUTE", default: 30, range: 1...1_000_000),
                    windowSeconds: 60),
                failedLoginsPerAccount: .init(
                    count: reader.integer("LOGIN_FAILURES_PER_ACCOUNT", default: 5, range: 1...1_000_000),
                    windowSeconds: reader.integer("LOGIN_FAILURE_WINDOW_SECONDS", default: 900, range: 1...86400)),
                passwordReset: passwordResetLimit, passwordResetPerAccount: passwordResetsPerAccount,
                verificationMailPerAccount: verificationMailsPerAccount)
        }
    }

    /// The authorization server of `/api/mcp` (docs/oauth.md); it runs only with `PUBLIC_ORIGIN`, its issuer.
    struct Authorization: Sendable {
        /// `OAUTH_ACCESS_TOKEN_TTL_SECONDS`: how long a grant's access token lives.
        var accessTokenLifetimeSeconds: Int
        var registrationLimit: RateLimits.Limit
        var tokenLimit: RateLimits.Limit
        var metadataFetchLimit: RateLimits.Limit
        /// `OAUTH_CLIENT_METADATA_DOCUMENTS`: whether a `client_id` may be a metadata document's URL.
        var fetchesMetadataDocuments: Bool
        /// `OAUTH_METADATA_ALLOWED_ADDRESSES`: CIDR ranges the document fetch may reach although they are private or
        /// local, for tests only; empty by default.
        var metadataAllowedAddresses: [AddressRange]
        /// `OAUTH_METADATA_CA_FILE`: certificates trusted for document hosts besides the system's, for tests.
        var metadataCAFile: String?

        fileprivate init(reading reader: inout EnvironmentReader) {
            accessTokenLifetimeSeconds = reader.integer(
                "OAUTH_ACCESS_TOKEN_TTL_SECONDS", default: 300, range: 1...86_400)
            registrationLimit = RateLimits.Limit(
                count: reader.integer("RATE_LIMIT_CLIENT_REGISTRATIONS_PER_HOUR", default: 20, range: 1...1_000_000),
                windowSeconds: 3600)
            tokenLimit = RateLimits.Limit(
                count: reader.integer("RATE_LIMIT_OAUTH_TOKEN_PER_MINUTE", default: 60, range: 1...1_000_000),
                windowSeconds: 60)
            metadataFetchLimit = RateLimits.Limit(
                count: reader.integer("RATE_LIMIT_METADATA_FETCHES_PER_MINUTE", default: 10, range: 1...1_000_000),
                windowSeconds: 60)
            fetchesMetadataDocuments = reader.boolean("OAUTH_CLIENT_METADATA_DOCUMENTS", default: true)
            metadataAllowedAddresses = []
            for text in reader.string("OAUTH_METADATA_ALLOWED_ADDRESSES", default: "").split(separator: ",") {
                let cidr = text.trimmingCharacters(in: .whitespaces)
                guard let range = AddressRange(cidr: cidr) else {
                    reader.problems.append("OAUTH_METADATA_ALLOWED_ADDRESSES: \(cidr) is not an address or CIDR range")
                    continue
                }
                metadataAllowedAddresses.append(range)
            }
            let caFile = reader.string("OAUTH_METADATA_CA_FILE", default: "")
            metadataCAFile = caFile.isEmpty ? nil : caFile
        }
    }

    /// Account mail: what the pool needs to write a message into the outbox, and what `fcgi-app mail` needs to
    /// deliver it (docs/mail.md).
    struct Mail: Sendable {
        /// `MAIL_FROM`: the messages' From, and the envelope sender.
        var from: MailAddress
        /// `SMTP_URL`; nil writes each message as an `.eml` file under `dropDirectory` and prints its links.
        var relay: SMTPTransport.Relay?
        var caFile: String?
        var dropDirectory: String
        var resetTokenLifetimeSeconds: Int
        var verificationTokenLifetimeSeconds: Int
        var pollIntervalMilliseconds: Int
        var firstRetrySeconds: Int
        var maximumAttempts: Int

        fileprivate init?(reading reader: inout EnvironmentReader, publicOrigin: String?) {
            let relayText = reader.string("SMTP_URL", default: "")
            let originHost = publicOrigin.flatMap { URLComponents(string: $0)?.host } ?? "localhost"
            let fromText = reader.string("MAIL_FROM", default: "Todo Chatbot <no-reply@\(originHost)>")
            let caText = reader.string("SMTP_CA_FILE", default: "")
            caFile = caText.isEmpty ? nil : caText
            dropDirectory = reader.string("MAIL_DROP_DIRECTORY", default: ".local/mail")
            resetTokenLifetimeSeconds = reader.integer("PASSWORD_RESET_TTL_SECONDS", default: 3600, range: 60...86400)
            verificationTokenLifetimeSeconds = reader.integer(
                "EMAIL_VERIFICATION_TTL_SECONDS", default: 86400, range: 3600...2_592_000)
            pollIntervalMilliseconds = reader.integer("MAIL_POLL_INTERVAL_MS", default: 1000, range: 50...60_000)
            firstRetrySeconds = reader.integer("MAIL_RETRY_SECONDS", default: 30, range: 1...3600)
            maximumAttempts = reader.integer("MAIL_MAX_ATTEMPTS", default: 12, range: 1...100)
            if relayText.isEmpty {
                relay = nil
            } else if let relay = SMTPTransport.Relay(url: relayText) {
                self.relay = relay
                if publicOrigin == nil {
                    reader.problems.append("PUBLIC_ORIGIN is required with SMTP_URL: mailed links are built from it")
                }
            } else {
                // Never echo the value: it may hold the relay's password.
                reader.problems.append("SMTP_URL must be smtp://[user[:password]@]host[:port] or smtps://…")
                return nil
            }
            guard let from = MailAddress(parsing: fromText) else {
                reader.problems.append("MAIL_FROM must be an address or \"Name <address>\"")
                return nil
            }
            self.from = from
        }
    }

    /// The sockets nginx connects to.
    struct Listening: Sendable {
        var address: ListenAddress
        /// The password lane's socket, which nginx sends login, register and password change to.
        var passwordAddress: ListenAddress
        /// Permission bits of a unix listening socket; nginx needs read and write.
        var socketMode: UInt32
        /// Group given to a unix listening socket so nginx's user can connect (empty: leave it).
        var socketGroup: String?
        /// A backlog of 4 turned bursts into immediate 502s; 1024 lets them queue (docs/pool.md).
        var backlog: Int32
        /// Who may connect to a TCP listening socket; nil: anyone, which only a loopback address may leave so.
        var allowedClients: AllowedClients?

        fileprivate init?(reading reader: inout EnvironmentReader) {
            let listenText = reader.string("FCGI_LISTEN", default: "/run/todo-chatbot/fcgi.sock")
            let passwordListenText = reader.string("FCGI_PASSWORD_LISTEN", default: "")
            socketMode = reader.octal("FCGI_SOCKET_MODE", default: 0o660)
            let group = reader.string("FCGI_SOCKET_GROUP", default: "")
            socketGroup = group.isEmpty ? nil : group
            backlog = Int32(reader.integer("FCGI_BACKLOG", default: 1024, range: 1...65535))
            let address = ListenAddress(parsing: listenText)
            if address == nil {
                reader.problems.append(
                    "FCGI_LISTEN must be an absolute unix socket path (under 108 bytes) or host:port with an explicit "
                        + "host")
            }
            let passwordAddress = Self.passwordAddress(passwordListenText, besides: address, reader: &reader)
            let allowedText = reader.string("FCGI_ALLOWED_CLIENTS", default: "")
            if !allowedText.isEmpty {
                allowedClients = AllowedClients(parsing: allowedText)
                if allowedClients == nil {
                    reader.problems.append(
                        "FCGI_ALLOWED_CLIENTS must be IP addresses separated by commas (e.g. 10.0.0.2,10.0.0.3), or any"
                    )
                }
            } else if let exposed = [address, passwordAddress].compactMap({ $0 }).first(where: \.acceptsOtherHosts) {
                reader.problems.append(
                    "FCGI_ALLOWED_CLIENTS is required to listen on \(exposed): FastCGI has no authentication, so "
                        + "name the nginx hosts that may connect (e.g. 10.0.0.2,10.0.0.3), or say any")
            }
            guard let address, let passwordAddress else { return nil }
            self.address = address
            self.passwordAddress = passwordAddress
        }

        /// FCGI_PASSWORD_LISTEN, or by default `password.sock` beside a unix FCGI_LISTEN; a TCP pool must name
        /// its password address (an explicit host and port, as FCGI_LISTEN's).
        private static func passwordAddress(
            _ text: String, besides listenAddress: ListenAddress?, reader: inout EnvironmentReader
        ) -> ListenAddress? {
            let address: ListenAddress?
            if !text.isEmpty {
                address = ListenAddress(parsing: text)
                if address == nil {
                    reader.problems.append(
                        "FCGI_PASSWORD_LISTEN must be an absolute unix socket path (under 108 bytes) or host:port "
                            + "with an explicit host")
                }
            } else if case .unix(let path) = listenAddress {
                let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
                address = ListenAddress(parsing: directory.joined(separator: "/") + "/password.sock")
            } else {
                if listenAddress != nil {
                    reader.problems.append(
                        "FCGI_PASSWORD_LISTEN is required when FCGI_LISTEN is host:port (e.g. the same host, another "
                            + "port)")
                }
                address = nil
            }
            if let address, address == listenAddress {
                reader.problems.append("FCGI_PASSWORD_LISTEN must differ from FCGI_LISTEN")
            }
            return address
        }
    }

    /// The worker processes and their threads.
    struct Pool: Sendable {
        var workerCount: Int
        var threadsPerWorker: Int
        var maxBodyBytes: Int
        /// How long SIGTERM waits for in-flight requests before a worker gives up on them.
        var shutdownTimeoutSeconds: Int
        /// Recycle a worker after about this many requests (jittered ±10%); 0 never recycles.
        var workerMaxRequests: Int
        /// A worker that dies this many times within `crashWindowSeconds` stops the pool loudly for systemd.
        var crashLimit: Int
        var crashWindowSeconds: Int
        /// Requests this slow or slower are logged at warning; 0 turns that off.
        var slowRequestMilliseconds: Int
        /// A request still running after this many seconds is logged and its worker replaced (PHP-FPM's
        /// `request_terminate_timeout`); 0 turns that off.
        var requestTerminateSeconds: Int

        fileprivate init(reading reader: inout EnvironmentReader) {
            workerCount = reader.integer("WORKERS", default: 2, range: 1...64)
            threadsPerWorker = reader.integer("THREADS_PER_WORKER", default: 4, range: 1...256)
            maxBodyBytes = reader.integer("MAX_BODY_BYTES", default: 1_048_576, range: 1024...(64 << 20))
            shutdownTimeoutSeconds = reader.integer("SHUTDOWN_TIMEOUT_SECONDS", default: 20, range: 1...3600)
            workerMaxRequests = reader.integer("WORKER_MAX_REQUESTS", default: 0, range: 0...Int(Int32.max))
            crashLimit = reader.integer("WORKER_CRASH_LIMIT", default: 10, range: 1...1000)
            crashWindowSeconds = reader.integer("WORKER_CRASH_WINDOW_SECONDS", default: 60, range: 1...3600)
            slowRequestMilliseconds = reader.integer("SLOW_REQUEST_MS", default: 1000, range: 0...3_600_000)
            requestTerminateSeconds = reader.integer("REQUEST_TERMINATE_SECONDS", default: 0, range: 0...86400)
        }
    }

    /// The password lane: login, register and password change, hashed by a bounded set of low-priority threads.
    struct PasswordLane: Sendable {
        /// Password hashes computed at once on this host (the lane's hashing threads): its CPU count.
        var hashingConcurrency: Int
        /// How long a password request may wait for a hashing thread before it is answered 503 `server_busy`.
        var queueTimeoutMilliseconds: Int
        /// The hashing threads' nice value: above 0, so a busy CPU serves the other routes first.
        var hashingNice: Int

        /// `Retry-After` of a shed password request: one queue timeout, rounded up to whole seconds.
        var retryAfterSeconds: Int { max(1, (queueTimeoutMilliseconds + 999) / 1000) }

        fileprivate init(reading reader: inout EnvironmentReader) {
            hashingConcurrency = reader.integer(
                "PASSWORD_HASHING_CONCURRENCY", default: ProcessInfo.processInfo.activeProcessorCount, range: 1...256)
            // Well inside nginx's fastcgi_read_timeout (30 s), so the 503 is ours and not nginx's 504.
            queueTimeoutMilliseconds = reader.integer("PASSWORD_QUEUE_TIMEOUT_MS", default: 3000, range: 10...20_000)
            hashingNice = reader.integer("PASSWORD_HASHING_NICE", default: 10, range: 0...19)
        }
    }
}

extension Configuration {
    /// The provider settings, checked even without a key so a typo is caught before the key is added. The timeout
    /// bounds a whole chat turn and should stay below nginx's fastcgi_read_timeout (30 s).
    fileprivate static func openAIConfiguration(_ reader: inout EnvironmentReader) -> OpenAICompatibleConfiguration? {
        let apiKey = reader.string("OPENAI_API_KEY", default: "")
        let baseURLText = reader.string("OPENAI_BASE_URL", default: OpenAICompatibleConfiguration.defaultBaseURL)
        let model = reader.string("OPENAI_MODEL", default: OpenAICompatibleConfiguration.defaultModel)
        let timeoutSeconds = reader.integer("OPENAI_TIMEOUT_SECONDS", default: 20, range: 1...120)
        let maxSteps = reader.integer("OPENAI_MAX_STEPS", default: 5, range: 1...10)
        if let problem = OpenAICompatibleConfiguration.problem(withBaseURL: baseURLText) {
            reader.problems.append("OPENAI_BASE_URL \(problem)")
            return nil
        }
        if apiKey.contains(where: { $0.isWhitespace || $0.isNewline }) {
            // Never echoed: the message names the setting only.
            reader.problems.append("OPENAI_API_KEY must not contain spaces or line breaks")
            return nil
        }
        guard !apiKey.isEmpty, let baseURL = URL(string: baseURLText) else { return nil }
        return OpenAICompatibleConfiguration(
            baseURL: baseURL, apiKey: ProviderAPIKey(apiKey), model: model, timeoutSeconds: timeoutSeconds,
            maxSteps: maxSteps)
    }
}

/// Every reason the environment was refused; printed one per line before the process exits.
struct ConfigurationError: Error, CustomStringConvertible {
    var problems: [String]
    var description: String { "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n") }
}

/// Reads typed values from the environment and collects problems instead of stopping at the first.
private struct EnvironmentReader {
    let environment: [String: String]
    var problems: [String] = []

    mutating func required(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else {
            problems.append("\(name) is required")
            return nil
        }
        return value
    }

    func string(_ name: String, default defaultValue: String) -> String {
        environment[name].flatMap { $0.isEmpty ? nil : $0 } ?? defaultValue
    }

    mutating func integer(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) -> Int {
        guard let text = environment[name], !text.isEmpty else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            problems.append("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
            return defaultValue
        }
        return value
    }

    mutating func boolean(_ name: String, default defaultValue: Bool) -> Bool {
        switch environment[name]?.lowercased() {
        case nil, "": return defaultValue
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            problems.append("\(name) must be true or false (1/0, yes/no, on/off)")
            return defaultValue
        }
    }

    mutating func octal(_ name: String, default defaultValue: UInt32) -> UInt32 {
        guard let text = environment[name], !text.isEmpty else { return defaultValue }
        guard let value = UInt32(text, radix: 8), value <= 0o777 else {
            problems.append("\(name) must be octal permission bits such as 0660")
            return defaultValue
        }
        return value
    }
}
