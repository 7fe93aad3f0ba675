import Foundation

// Before anything can start a thread: every thread and every spawned worker inherits this signal mask.
ProcessSignals.blockInCurrentThread()
exit(CommandLineInterface.run(arguments: CommandLine.arguments, environment: ProcessInfo.processInfo.environment))
