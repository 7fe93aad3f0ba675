import Foundation
import Glibc
import Logging
import Mail
import Store

/// `mail`: delivers the outbox until SIGTERM or SIGINT, over SMTP (`SMTP_URL`) or, without one, into `.eml`
/// files under `MAIL_DROP_DIRECTORY` with their links printed (a local run). Its own process and systemd unit
/// (deploy/todo-chatbot-mail.service), so that the pool serves requests only and mail can be stopped, restarted
/// or run on one host or several without touching it; docs/mail.md says why.
enum MailCommand {
    static func run(configuration: Configuration, logger: Logger) -> Int32 {
        let signals: SignalDescriptor
        do throws(SystemCallError) {
            signals = try SignalDescriptor()
        } catch {
            logger.error("cannot set up the mail sender", ["error": .string(error.description)])
            return 1
        }
        let settings = configuration.mail
        let transport: any MailTransport
        if let relay = settings.relay {
            transport = SMTPTransport(relay: relay, caFile: settings.caFile)
            logger.info("mail sender starting", ["relay": .string(relay.description)])
        } else {
            transport = MailDropTransport(directory: settings.dropDirectory) { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            logger.warning(
                "mail sender starting without SMTP_URL: messages go to files, their links to the console",
                ["directory": .string(settings.dropDirectory)])
        }
        let connection = PostgresConnection(
            url: configuration.database.url,
            settings: PostgresConnection.Settings(
                connectTimeoutSeconds: configuration.database.connectTimeoutSeconds,
                statementTimeoutMilliseconds: configuration.database.statementTimeoutMilliseconds,
                applicationName: "todo-chatbot-mail"),
            logger: logger)
        let sender = MailSender(
            outbox: PostgresOutboxStore(connection: connection), transport: transport,
            opener: configuration.outboxSeal, envelopeSender: settings.from.address,
            maximumAttempts: settings.maximumAttempts, firstRetrySeconds: settings.firstRetrySeconds, logger: logger)
        while !stopRequested(signals) {
            do throws(StoreError) {
                // A round of at most 20, so that a SIGTERM during a long backlog waits for 20 messages at most.
                if try sender.deliverDue(limit: 20) == 20 { continue }
            } catch {
                logger.warning("the outbox cannot be read; trying again", ["error": .string(String(describing: error))])
            }
            // Between rounds: wait for the poll interval or a signal, whichever comes first.
            var descriptor = pollfd(fd: signals.fileDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, Int32(settings.pollIntervalMilliseconds))
        }
        connection.close()
        logger.info("mail sender stopped")
        return 0
    }

    private static func stopRequested(_ signals: borrowing SignalDescriptor) -> Bool {
        signals.drain().contains { [SIGTERM, SIGINT, SIGQUIT].contains($0) }
    }
}
