import Auth
import Foundation
import Logging
import Store

/// `claim-legacy --legacy-user-id X --email Y`: attaches the older app's tasks and conversations of legacy user X
/// (rows migration 2 kept without an owner, visible to nobody) to the registered account with email Y, in one
/// transaction. Rows already claimed stay where they are, so running it twice is harmless.
enum ClaimLegacyCommand {
    static let usage = "usage: fcgi-app claim-legacy --legacy-user-id <older app's user id> --email <account email>"

    /// The two options, from `--name value` or `--name=value` arguments.
    struct Options: Equatable {
        var legacyUserID: String
        var email: EmailAddress

        /// The options, or a message for the operator when the arguments are incomplete, repeated, unknown or malformed.
        static func parse(_ arguments: [String]) -> Result<Options, OptionsError> {
            var values: [String: String] = [:]
            var remaining = arguments[...]
            while let argument = remaining.popFirst() {
                let (name, inlineValue) = split(argument)
                guard ["--legacy-user-id", "--email"].contains(name) else {
                    return .failure(OptionsError("unknown argument \"\(argument)\""))
                }
                guard values[name] == nil else { return .failure(OptionsError("\(name) is given twice")) }
                guard let value = inlineValue ?? remaining.popFirst(), !value.isEmpty, !value.hasPrefix("--") else {
                    return .failure(OptionsError("\(name) needs a value"))
                }
                values[name] = value
            }
            guard let legacyUserID = values["--legacy-user-id"], let emailText = values["--email"] else {
                return .failure(OptionsError("both --legacy-user-id and --email are required"))
            }
            guard let email = EmailAddress(emailText) else {
                return .failure(OptionsError("\"\(emailText)\" is not an email address"))
            }
            return .success(Options(legacyUserID: legacyUserID, email: email))
        }

        private static func split(_ argument: String) -> (name: String, value: String?) {
            guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
            return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
        }
    }

    /// Why the arguments were refused; shown with the usage line.
    struct OptionsError: Error, Equatable {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// Exit status 0 with a summary on stdout; 1 when the account does not exist or the database fails; 2 for bad
    /// arguments.
    static func run(arguments: [String], configuration: Configuration, logger: Logger) -> Int32 {
        let options: Options
        switch Options.parse(arguments) {
        case .success(let parsed): options = parsed
        case .failure(let error):
            FileHandle.standardError.write(Data("fcgi-app claim-legacy: \(error.message)\n\(usage)\n".utf8))
            return 2
        }
        let connection = PostgresConnection(
            url: configuration.database.url,
            settings: PostgresConnection.Settings(
                connectTimeoutSeconds: configuration.database.connectTimeoutSeconds,
                statementTimeoutMilliseconds: 60_000,
                applicationName: "todo-chatbot-claim-legacy"),
            logger: logger)
        defer { connection.close() }
        do throws(StoreError) {
            guard try Migrator(connection: connection, logger: logger).currentVersion() >= Migrations.latestVersion
            else {
                return fail("the database is not migrated to this build's schema; run `fcgi-app migrate` first")
            }
            switch try PostgresLegacyClaimStore(connection: connection).claim(
                legacyUserID: options.legacyUserID, email: options.email.normalized)
            {
            case .unknownEmail:
                return fail("no account has the email \(options.email); register it first, then run this again")
            case .claimed(let claim):
                print(
                    "attached \(claim.tasks) task(s) and \(claim.conversations) conversation(s) with "
                        + "\(claim.messages) message(s) of legacy user \"\(options.legacyUserID)\" to "
                        + "\(options.email) (user id \(claim.userID.uuidString.lowercased()))")
                logger.info(
                    "claimed legacy rows",
                    [
                        "user_id": .string(claim.userID.uuidString.lowercased()), "tasks": .int(claim.tasks),
                        "conversations": .int(claim.conversations), "messages": .int(claim.messages),
                    ])
                return 0
            }
        } catch {
            return fail("the database refused: \(error)")
        }
    }

    private static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("fcgi-app claim-legacy: \(message)\n".utf8))
        return 1
    }
}
