import Foundation
import Logging

/// `serve`: migrate, open the listening sockets (the pool's and the password lane's), then hand over to the supervisor until the pool stops.
enum ServeCommand {
    static func run(configuration: Configuration, environment: [String: String], logger: Logger) -> Int32 {
        let migrated = MigrateCommand.run(configuration: configuration, logger: logger, waitForDatabase: true)
        guard migrated == 0 else { return migrated }
        do {
            let socket = try ListeningSocket(
                address: configuration.listening.address, backlog: configuration.listening.backlog,
                socketMode: configuration.listening.socketMode, socketGroup: configuration.listening.socketGroup)
            let passwordSocket = try ListeningSocket(
                address: configuration.listening.passwordAddress, backlog: configuration.listening.backlog,
                socketMode: configuration.listening.socketMode, socketGroup: configuration.listening.socketGroup)
            var supervisor = try Supervisor(
                configuration: configuration, executablePath: executablePath(), environment: environment,
                listeningSocket: socket, passwordListeningSocket: passwordSocket, logger: logger)
            return supervisor.run()
        } catch {
            logger.error("cannot start the pool", ["error": .string(error.description)])
            return 1
        }
    }

    /// The binary's path, resolved once: a SIGHUP roll after an upgrade in place starts the new binary.
    private static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
