/// Why an access token was refused; each case is logged as a reason, the client only ever sees 401.
public enum AccessTokenError: Error, Equatable, Sendable {
    case tooLong
    case malformed
    case unsupportedAlgorithm
    case unknownKey
    case badSignature
    case expired
    case issuedInTheFuture
    case notYetValid
    case wrongType
    case wrongIssuer
    case wrongAudience
}
