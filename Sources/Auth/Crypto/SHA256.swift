import COpenSSL

/// SHA-256 through OpenSSL's libcrypto; refresh tokens are stored only as this hash.
public enum SHA256 {
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { digest in
                precondition(
                    EVP_Digest(input.baseAddress, input.count, digest.baseAddress, nil, EVP_sha256(), nil) == 1,
                    "EVP_Digest(SHA-256) failed")
            }
        }
        return output
    }
}
