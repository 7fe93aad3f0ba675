import Foundation
import Glibc
import Logging

/// The executable's commands; `serve` is what systemd and `./run` start.
enum CommandLineInterface {
    static let usage = """
        usage: fcgi-app <command>

        commands:
          serve     migrate the database, open the FastCGI socket and run the worker pool (SIGTERM drains,
                    SIGHUP rolls the workers, SIGUSR1 logs the pool's status)
          migrate   apply pending database migrations and exit (safe to run on several hosts at once)
          purge     delete expired refresh tokens and sessions and old rate-limit windows (run periodically)
          mail      deliver the mail outbox until SIGTERM: over SMTP_URL, or without it into .eml files under
                    MAIL_DROP_DIRECTORY with their links printed (a local run)
          claim-legacy --legacy-user-id <id> --email <email>
                    attach the older app's tasks and conversations of that user id to the registered account
                    with that email, in one transaction (until then nobody sees them)
          help      show this text

        Settings come from the environment; see README.md ("Configuration").
        """

    /// Runs the command named in `arguments` and returns the process exit status.
    static func run(arguments: [String], environment: [String: String]) -> Int32 {
        let command = arguments.dropFirst().first ?? "help"
        switch command {
        case "serve", "worker", "migrate", "purge", "mail", "claim-legacy":
            let configuration: Configuration
            do throws(ConfigurationError) {
                configuration = try Configuration(environment: environment)
            } catch {
                FileHandle.standardError.write(Data("fcgi-app: \(error)\n".utf8))
                return 2
            }
            // `worker LANE [SCOREBOARD_ENTRY]` is how the supervisor starts its workers (WorkerProcess.spawn).
            let lane: Scoreboard.Lane = arguments.dropFirst(2).first == "password" ? .password : .interactive
            let role =
                command == "mail"
                ? "mail" : command != "worker" ? "supervisor" : lane == .password ? "password-worker" : "worker"
            let logger = Logger(
                minimumLevel: configuration.logLevel,
                baseFields: ["role": .string(role), "pid": .int(Int(getpid()))])
            switch command {
            case "serve":
                return ServeCommand.run(configuration: configuration, environment: environment, logger: logger)
            case "migrate":
                return MigrateCommand.run(configuration: configuration, logger: logger, waitForDatabase: false)
            case "purge": return PurgeCommand.run(configuration: configuration, logger: logger)
            case "mail": return MailCommand.run(configuration: configuration, logger: logger)
            case "claim-legacy":
                return ClaimLegacyCommand.run(
                    arguments: Array(arguments.dropFirst(2)), configuration: configuration, logger: logger)
            default:
                return Worker.run(
                    configuration: configuration, lane: lane,
                    scoreboardEntry: arguments.dropFirst(3).first.flatMap { Int($0) }, logger: logger)
            }
        case "help", "-h", "--help":
            print(usage)
            return 0
        default:
            FileHandle.standardError.write(Data("fcgi-app: unknown command \"\(command)\"\n\n\(usage)\n".utf8))
            return 2
        }
    }
}
