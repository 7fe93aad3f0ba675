import Foundation

extension Parameters {
    /// The value parsed as a UUID in either case; anything else answers 400 `invalid_parameter`.
    public func require(_ name: String, as type: UUID.Type) throws -> UUID {
        try require(name, parsedBy: UUID.init(uuidString:))
    }
}
