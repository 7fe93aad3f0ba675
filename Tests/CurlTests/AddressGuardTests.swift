import TextFormats
import XCTest

@testable import Curl

/// Which addresses a fetch may connect to: every refused range at both of its edges and just past them, the IPv6
/// forms of IPv4 addresses, and what an exemption lets through.
final class AddressGuardTests: XCTestCase {
    private func admits(_ text: String, exempt: [String] = [], file: StaticString = #filePath, line: UInt = #line)
        -> Bool
    {
        guard let address = IPAddress(text) else {
            XCTFail("\(text) is no address", file: file, line: line)
            return false
        }
        return AddressGuard(exemptions: exempt.map { AddressRange(cidr: $0)! }).admits(address)
    }

    private func assertRefused(_ addresses: String..., file: StaticString = #filePath, line: UInt = #line) {
        for address in addresses { XCTAssertFalse(admits(address), "\(address) is admitted", file: file, line: line) }
    }

    private func assertAdmitted(_ addresses: String..., file: StaticString = #filePath, line: UInt = #line) {
        for address in addresses { XCTAssertTrue(admits(address), "\(address) is refused", file: file, line: line) }
    }

    func testEveryRefusedIPv4RangeAtBothEdgesAndTheAddressesJustOutside() {
        assertRefused("0.0.0.0", "0.255.255.255")
        assertAdmitted("1.0.0.0", "9.255.255.255")
        assertRefused("10.0.0.0", "10.255.255.255")
        assertAdmitted("11.0.0.0", "100.63.255.255")
        assertRefused("100.64.0.0", "100.127.255.255")
        assertAdmitted("100.128.0.0", "126.255.255.255")
        assertRefused("127.0.0.0", "127.0.0.1", "127.255.255.255")
        assertAdmitted("128.0.0.0", "169.253.255.255")
        assertRefused("169.254.0.0", "169.254.169.254", "169.254.255.255")
        assertAdmitted("169.255.0.0", "172.15.255.255")
        assertRefused("172.16.0.0", "172.31.255.255")
        assertAdmitted("172.32.0.0", "191.255.255.255")
        assertRefused("192.0.0.0", "192.0.0.255")
        assertAdmitted("192.0.1.0", "192.0.1.255")
        assertRefused("192.0.2.0", "192.0.2.255")
        assertAdmitted("192.0.3.0", "192.167.255.255")
        assertRefused("192.168.0.0", "192.168.255.255")
        assertAdmitted("192.169.0.0", "198.17.255.255")
        assertRefused("198.18.0.0", "198.19.255.255")
        assertAdmitted("198.20.0.0", "198.51.99.255")
        assertRefused("198.51.100.0", "198.51.100.255")
        assertAdmitted("198.51.101.0", "203.0.112.255")
        assertRefused("203.0.113.0", "203.0.113.255")
        assertAdmitted("203.0.114.0", "223.255.255.255")
        assertRefused("224.0.0.0", "239.255.255.255", "240.0.0.0", "255.255.255.254", "255.255.255.255")
        assertAdmitted("8.8.8.8", "93.184.215.14")
    }

    func testEveryRefusedIPv6RangeAtBothEdgesAndTheAddressesJustOutside() {
        assertRefused("::", "::1", "::a00:1", "::ffff", "::1:0")
        assertAdmitted("0:0:0:0:0:1::")
        assertRefused("64:ff9b:1::", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff")
        assertAdmitted("64:ff9b:2::")
        assertRefused("100::", "100::ffff:ffff:ffff:ffff")
        assertAdmitted("100:0:0:1::")
        assertRefused("2001::", "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::", "2001:db8:ffff::1")
        assertAdmitted("2001:1::", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::")
        assertRefused("2002::", "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        assertAdmitted("2003::")
        assertRefused("fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        assertAdmitted("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe00::")
        assertRefused(
            "fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fec0::", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        assertAdmitted("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        assertRefused("ff00::", "ff02::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        assertAdmitted("2001:4860:4860::8888", "2606:4700:4700::1111")
    }

    /// A connection to either form reaches the IPv4 address, so the IPv4 address decides.
    func testIPv4MappedAndNAT64AddressesAreJudgedByTheIPv4AddressInside() {
        assertRefused("::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0")
        assertRefused("::ffff:7f00:1", "::ffff:ffff:ffff")
        assertAdmitted("::ffff:8.8.8.8", "::ffff:9.255.255.255")
        assertRefused("64:ff9b::127.0.0.1", "64:ff9b::10.0.0.1", "64:ff9b::c0a8:1", "64:ff9b::224.0.0.1")
        assertAdmitted("64:ff9b::8.8.8.8", "64:ff9b::11.0.0.0")
    }

    func testAnExemptionAdmitsItsRangeInEveryFormAndNothingMore() {
        XCTAssertTrue(admits("127.0.0.1", exempt: ["127.0.0.1/32"]))
        XCTAssertTrue(admits("::ffff:127.0.0.1", exempt: ["127.0.0.1/32"]))
        XCTAssertFalse(admits("127.0.0.2", exempt: ["127.0.0.1/32"]))
        XCTAssertFalse(admits("::1", exempt: ["127.0.0.1/32"]))
        XCTAssertTrue(admits("::1", exempt: ["::1/128"]))
        XCTAssertTrue(admits("10.20.30.40", exempt: ["10.20.0.0/16"]))
        XCTAssertFalse(admits("10.21.0.0", exempt: ["10.20.0.0/16"]))
        XCTAssertTrue(admits("fd12:3456::1", exempt: ["fd12:3456::/32"]))
        XCTAssertFalse(admits("fd12:3457::1", exempt: ["fd12:3456::/32"]))
    }

    func testTheRefusedAddressIsNamedInItsUsualText() {
        XCTAssertEqual(IPAddress("127.0.0.1")?.description, "127.0.0.1")
        XCTAssertEqual(IPAddress("0:0:0:0:0:0:0:1")?.description, "::1")
        XCTAssertEqual(IPAddress("::ffff:7f00:1")?.description, "::ffff:127.0.0.1")
        XCTAssertEqual(IPAddress("FE80::0001")?.description, "fe80::1")
    }
}

/// CIDR text as a deployment writes it in OAUTH_METADATA_ALLOWED_ADDRESSES.
final class AddressRangeTests: XCTestCase {
    private func assertRange(
        _ cidr: String, holds inside: [String], not outside: [String], file: StaticString = #filePath,
        line: UInt = #line
    ) {
        guard let range = AddressRange(cidr: cidr) else {
            return XCTFail("\(cidr) is no range", file: file, line: line)
        }
        for address in inside { XCTAssertTrue(range.contains(address), "\(cidr) ∌ \(address)", file: file, line: line) }
        for address in outside {
            XCTAssertFalse(range.contains(address), "\(cidr) ∋ \(address)", file: file, line: line)
        }
    }

    func testACIDRRangeHoldsItsAddressesAndNoOthers() {
        assertRange(
            "172.16.0.0/12", holds: ["172.16.0.0", "172.31.255.255"],
            not: ["172.32.0.0", "172.15.255.255", "not an address"])
        assertRange("fe80::/10", holds: ["fe80::", "febf::1"], not: ["fec0::", "169.254.0.1"])
    }

    func testABareAddressIsItselfAloneAndHostBitsAreIgnored() {
        assertRange("192.0.2.7", holds: ["192.0.2.7"], not: ["192.0.2.8", "192.0.2.6"])
        assertRange("127.0.0.1/8", holds: ["127.0.0.0", "127.255.255.255"], not: ["128.0.0.0"])
        XCTAssertEqual(AddressRange(cidr: "127.0.0.1/8"), AddressRange(cidr: "127.0.0.0/8"))
        XCTAssertEqual(AddressRange(cidr: "::1"), AddressRange(cidr: "::1/128"))
    }

    /// An IPv4 range holds the IPv6 forms of its addresses too; an IPv6 range holds no IPv4 address.
    func testPrefixZeroHoldsItsWholeFamily() {
        assertRange("0.0.0.0/0", holds: ["0.0.0.0", "255.255.255.255", "::ffff:10.0.0.1"], not: ["::1", "2001:db8::"])
        assertRange("::/0", holds: ["::", "ffff::"], not: ["10.0.0.1"])
    }

    func testAnythingElseIsNoRange() {
        for text in [
            "", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0/8",
            "10.0.0.0.0/8", "localhost/8", "10.0.0.0 /8", "10.0.0.0/ 8", "fe80::1%eth0/64", "10.0.0.0/٨",
        ] {
            XCTAssertNil(AddressRange(cidr: text), text)
        }
    }
}
