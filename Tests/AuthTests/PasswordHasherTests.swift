import XCTest

@testable import Auth

final class PasswordHasherTests: XCTestCase {
    private let hasher = PasswordHasher(cost: 4)

    /// Known-answer vectors from pyca/bcrypt and Openwall crypt_blowfish (their test suites).
    func testKnownBcryptVectorsVerify() {
        let vectors = [
            ("Kk4DQuMMfZL9o", "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"),
            ("9IeRXmnGxMYbs", "$2b$04$pQ7gRO7e6wx/936oXhNjrOUNOHL1D0h1N2IDbJZYs.1ppzSof6SPy"),
            ("xVQVbwa1S0M8r", "$2b$04$SQe9knOzepOVKoYXo9xTteNYr6MBwVz4tpriJVe3PNgYufGIsgKcW"),
            ("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
        ]
        for (password, hash) in vectors {
            XCTAssertTrue(hasher.verify(password, against: hash), password)
            XCTAssertFalse(hasher.verify(password + "x", against: hash), password)
        }
    }

    func testPasswordsPastSeventyTwoBytesAreRefusedNotTruncated() {
        let seventyTwo = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        let openwallHash = "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"
        XCTAssertEqual(seventyTwo.utf8.count, 72)
        XCTAssertTrue(hasher.verify(seventyTwo, against: openwallHash))
        XCTAssertFalse(hasher.verify(seventyTwo + "chars after 72 are ignored", against: openwallHash))
        XCTAssertThrowsError(try hasher.hash(seventyTwo + "x"))
        XCTAssertNotNil(PasswordPolicy.problem(with: String(repeating: "€", count: 25)), "75 bytes")
        XCTAssertNil(PasswordPolicy.problem(with: String(repeating: "€", count: 24)), "72 bytes")
    }

    func testHashesAreBcrypt2bWithTheConfiguredCostAndVerify() throws {
        let hash = try hasher.hash("correct horse battery")
        XCTAssertTrue(hash.hasPrefix("$2b$04$"), hash)
        XCTAssertEqual(hash.count, 60)
        XCTAssertTrue(hasher.verify("correct horse battery", against: hash))
        XCTAssertFalse(hasher.verify("correct horse batterz", against: hash))
        XCTAssertNotEqual(try hasher.hash("correct horse battery"), hash, "each hash has its own salt")
    }

    func testNulBytesAndShortPasswordsAreRefused() {
        XCTAssertNotNil(PasswordPolicy.problem(with: "secret\0anything"))
        XCTAssertNotNil(PasswordPolicy.problem(with: "short"))
        XCTAssertThrowsError(try hasher.hash("secret\0anything"))
        XCTAssertFalse(hasher.verify("secret\0anything", against: (try? hasher.hash("secretanything")) ?? ""))
    }

    func testMalformedStoredHashNeverVerifies() {
        for stored in ["", "*0", "$2b$04$short", "plaintext-password", "$1$abc$def"] {
            XCTAssertFalse(hasher.verify("plaintext-password", against: stored), stored)
        }
    }

    func testDummyHashIsAValidHashThatNothingPredictableMatches() {
        let dummy = hasher.makeDummyHash()
        XCTAssertTrue(dummy.hasPrefix("$2b$04$"))
        XCTAssertFalse(hasher.verify("password123", against: dummy))
    }
}
