import Foundation

extension UUID {
    /// RFC 9562 §4 recommends lower case on output; Foundation's `uuidString` is upper case.
    var lowercasedString: String { uuidString.lowercased() }
}
