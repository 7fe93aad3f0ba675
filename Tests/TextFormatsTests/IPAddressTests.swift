import Glibc
import TextFormats
import XCTest

/// The one reading of IP addresses: text and socket addresses agree, and the IPv4 forms of IPv6 are told apart.
final class IPAddressTests: XCTestCase {
    func testAMappedAddressIsItsIPv4OneOnlyWhenAskedAndNAT64OnlyAsEmbedded() throws {
        let mapped = try XCTUnwrap(IPAddress("::ffff:10.0.0.2"))
        XCTAssertEqual(mapped.family, .v6)
        XCTAssertEqual(mapped.mappedIPv4, IPAddress("10.0.0.2"))
        XCTAssertEqual(mapped.embeddedIPv4, IPAddress("10.0.0.2"))
        let translated = try XCTUnwrap(IPAddress("64:ff9b::10.0.0.2"))
        XCTAssertNil(translated.mappedIPv4)
        XCTAssertEqual(translated.embeddedIPv4, IPAddress("10.0.0.2"))
        XCTAssertNil(IPAddress("10.0.0.2")?.mappedIPv4)
        XCTAssertEqual(IPAddress("fd00:0::2"), IPAddress("fd00::2"))
    }

    func testLoopbackIsOneHundredTwentySevenSlashEightAndColonColonOne() {
        for text in ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"] {
            XCTAssertEqual(IPAddress(text)?.isLoopback, true, text)
        }
        for text in ["128.0.0.1", "10.0.0.1", "::2", "::", "64:ff9b::127.0.0.1"] {
            XCTAssertEqual(IPAddress(text)?.isLoopback, false, text)
        }
    }

    func testASocketAddressReadsAsItsText() {
        var v4 = sockaddr_in()
        v4.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "192.0.2.7", &v4.sin_addr)
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: v4) { raw.copyBytes(from: $0) } }
        XCTAssertEqual(IPAddress(socketAddress: storage), IPAddress("192.0.2.7"))
        var unix = sockaddr_storage()
        unix.ss_family = sa_family_t(AF_UNIX)
        XCTAssertNil(IPAddress(socketAddress: unix))
    }
}
