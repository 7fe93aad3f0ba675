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

    func testPlainBcryptHashesAreNotMatchedByALongerPasswordThatBcryptWouldCut() {
        let seventyTwo = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        let openwallHash = "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"
        XCTAssertEqual(seventyTwo.utf8.count, 72)
        XCTAssertTrue(hasher.verify(seventyTwo, against: openwallHash))
        XCTAssertFalse(hasher.verify(seventyTwo + "chars after 72 are ignored", against: openwallHash))
    }

    func testLongPasswordsHashAndVerifyWithEveryCharacterCounting() throws {
        let passphrase = String(repeating: "sesame ", count: 28) + "open"
        XCTAssertEqual(passphrase.unicodeScalars.count, 200)
        let hash = try hasher.hash(passphrase)
        XCTAssertTrue(hasher.verify(passphrase, against: hash))
        let sameFirstSeventyTwoBytes = String(passphrase.dropLast()) + "s"
        XCTAssertEqual(Array(sameFirstSeventyTwoBytes.utf8).prefix(72), Array(passphrase.utf8).prefix(72))
        XCTAssertFalse(hasher.verify(sameFirstSeventyTwoBytes, against: hash), "bcrypt alone would match this")

        let longestInBytes = String(repeating: "🔑", count: PasswordPolicy.maximumCharacters)
        XCTAssertEqual(longestInBytes.utf8.count, PasswordPolicy.maximumBytes)
        XCTAssertTrue(hasher.verify(longestInBytes, against: try hasher.hash(longestInBytes)))
    }

    func testThePolicyCountsCharactersAsJSONSchemaDoes() {
        XCTAssertEqual(PasswordPolicy.problem(with: "seven77"), "must be at least 8 characters long")
        XCTAssertNil(PasswordPolicy.problem(with: "eight888"))
        XCTAssertNil(PasswordPolicy.problem(with: String(repeating: "x", count: 256)))
        XCTAssertEqual(
            PasswordPolicy.problem(with: String(repeating: "x", count: 257)),
            "must be at most 256 characters long (it is 257)")
        XCTAssertNil(PasswordPolicy.problem(with: "€uro€€€€"), "8 characters in 20 bytes")
        XCTAssertNotNil(PasswordPolicy.problem(with: "€€€€€€€"), "7 characters in 21 bytes")
        XCTAssertNil(PasswordPolicy.problem(with: String(repeating: "🔑", count: 256)), "1024 bytes")
        let combiningAccents = String(repeating: "e\u{301}", count: 4)
        XCTAssertEqual(combiningAccents.count, 4, "4 characters as Swift counts them")
        XCTAssertNil(PasswordPolicy.problem(with: combiningAccents), "8 code points, as JSON Schema counts them")
        XCTAssertEqual(PasswordPolicy.problem(with: "secret\0anything"), "must not contain NUL characters")
    }

    func testPasswordsThatTheRulesOfTheirDayAllowedSurviveTheUpgrade() throws {
        let eightBytesFourCharacters = "äöüß"
        XCTAssertNotNil(PasswordPolicy.problem(with: eightBytesFourCharacters))
        XCTAssertThrowsError(try hasher.hash(eightBytesFourCharacters))
        let upgraded = try hasher.upgradedHash(of: eightBytesFourCharacters)
        XCTAssertTrue(hasher.verify(eightBytesFourCharacters, against: upgraded))
    }

    func testNewHashesAreBcrypt2bOverThePreHashBehindTheSchemeMarker() throws {
        let hash = try hasher.hash("correct horse battery")
        XCTAssertTrue(hash.hasPrefix("$bcrypt-hmac-sha256$v=1$2b$04$"), hash)
        XCTAssertEqual(hash.count, 23 + 60, "the marker, then bcrypt's own 60 characters")
        XCTAssertTrue(hasher.verify("correct horse battery", against: hash))
        XCTAssertFalse(hasher.verify("correct horse batterz", against: hash))
        XCTAssertNotEqual(try hasher.hash("correct horse battery"), hash, "each hash has its own salt")
        let bcryptHash = String(hash.dropFirst(PasswordHasher.schemeMarker.count))
        XCTAssertFalse(hasher.verify("correct horse battery", against: bcryptHash), "no marker: the password itself")
    }

    /// Expected values from Python: `base64.b64encode(hmac.new(b"todo-chatbot password v1", password.encode(),
    /// hashlib.sha256).digest())`.
    func testPreHashIsBase64OfHMACSHA256UnderTheSchemeKey() {
        let vectors = [
            ("correct horse battery staple", "3ccjsAuspH5D+N1VeeKFSBbSZO/CQ8gBPlZ5M6FbW6Y="),
            ("pässwörd 🔑", "EkXP+E+tgrtLTkZIE4bc1qE2kCCRdPG8pZLvgpfisn0="),
            ("", "FgLHPi1jlQyD07dbvWHxCi9xCllnwlmh2EiPI6qWrqs="),
        ]
        for (password, expected) in vectors {
            XCTAssertEqual(PasswordPreHash.withPreHash(of: password) { String(cString: $0) }, expected, password)
        }
    }

    /// Made by pyca/bcrypt over the pre-hash above: `bcrypt.hashpw(preHash, bcrypt.gensalt(4))`.
    func testAHashMadeByAnotherImplementationOfTheSchemeVerifies() {
        let hash = "$bcrypt-hmac-sha256$v=1$2b$04$tXf.0wkQImmncVwVlDKPSegRb4O3DoEng8m.0xkr77IDOHFySIQEq"
        XCTAssertTrue(hasher.verify("correct horse battery staple", against: hash))
        XCTAssertFalse(hasher.verify("correct horse battery stapler", against: hash))
        XCTAssertFalse(hasher.needsUpgrade(hash))
    }

    func testPlainBcryptHashesFromBeforeThePreHashVerifyAndNeedAnUpgrade() throws {
        let legacy = "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"
        XCTAssertTrue(hasher.verify("Kk4DQuMMfZL9o", against: legacy))
        XCTAssertTrue(hasher.needsUpgrade(legacy))
        let upgraded = try hasher.upgradedHash(of: "Kk4DQuMMfZL9o")
        XCTAssertTrue(hasher.verify("Kk4DQuMMfZL9o", against: upgraded))
        XCTAssertFalse(hasher.needsUpgrade(upgraded))
        XCTAssertFalse(hasher.needsUpgrade(try hasher.hash("correct horse battery")))
    }

    func testAHashOfAnotherCostNeedsAnUpgrade() throws {
        let costlier = PasswordHasher(cost: 5)
        let hash = try costlier.hash("correct horse battery")
        XCTAssertTrue(hasher.verify("correct horse battery", against: hash), "the stored cost is the one that counts")
        XCTAssertTrue(hasher.needsUpgrade(hash))
        XCTAssertFalse(costlier.needsUpgrade(hash))
        XCTAssertTrue(PasswordHasher(cost: 12).needsUpgrade(hash))
    }

    func testNulBytesAndShortPasswordsAreRefused() {
        XCTAssertNotNil(PasswordPolicy.problem(with: "secret\0anything"))
        XCTAssertNotNil(PasswordPolicy.problem(with: "short"))
        XCTAssertThrowsError(try hasher.hash("secret\0anything"))
        XCTAssertFalse(hasher.verify("secret\0anything", against: (try? hasher.hash("secretanything")) ?? ""))
    }

    func testMalformedStoredHashNeverVerifies() {
        let marker = PasswordHasher.schemeMarker
        for stored in [
            "", "*0", "$2b$04$short", "plaintext-password", "$1$abc$def", marker, marker + "$2b$04$short",
            marker + "$1$abc$def",
        ] {
            XCTAssertFalse(hasher.verify("plaintext-password", against: stored), stored)
        }
    }

    func testDummyHashIsAValidHashThatNothingPredictableMatches() {
        let dummy = hasher.makeDummyHash()
        XCTAssertTrue(dummy.hasPrefix("$bcrypt-hmac-sha256$v=1$2b$04$"), "the scheme and cost of a real account")
        XCTAssertFalse(hasher.verify("password123", against: dummy))
    }
}
