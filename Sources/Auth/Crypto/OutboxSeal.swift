import COpenSSL
import Foundation
import Mail
import TextFormats

/// Seals a message for the outbox with AES-256-GCM, so that the table holds no usable link: a reset or
/// verification message carries a token that is stored only as a hash everywhere else. The pool seals as it
/// writes the row; the sender, which has the same settings, opens it just before delivery, and the row's text is
/// erased once it is delivered or given up.
///
/// Sealed text: `v1.<key id in hex>.<base64 of 12-byte nonce, ciphertext, 16-byte tag>`. The key id names which key
/// sealed it, so messages written before a key rotation still open with the previous key. The outbox row's
/// recipient is authenticated with the text (GCM's additional data), so a sealed message cannot be moved to a row
/// addressed to someone else.
public struct OutboxSeal: MessageOpener {
    /// A 32-byte key and the id it is known by; the first of `keys` seals.
    public struct Key: Sendable {
        public let id: String
        let bytes: [UInt8]

        /// nil unless `bytes` is 32 bytes.
        public init?(id: String, bytes: [UInt8]) {
            guard bytes.count == 32 else { return nil }
            self.id = id
            self.bytes = bytes
        }
    }

    private let keys: [Key]

    /// nil without a key.
    public init?(keys: [Key]) {
        guard !keys.isEmpty else { return nil }
        self.keys = keys
    }

    /// The sealed form of `text`, bound to `context` (the recipient: what the row says the message is for).
    public func seal(_ text: String, context: String) -> String {
        let key = keys[0]
        var nonce = [UInt8](repeating: 0, count: 12)
        precondition(RAND_bytes(&nonce, 12) == 1, "RAND_bytes failed")
        let (ciphertext, tag) = Self.crypt(
            Array(text.utf8), key: key.bytes, nonce: nonce, additional: Array(context.utf8), sealing: true,
            tag: nil)!
        return "v1.\(Hex.lowercased(Array(key.id.utf8))).\(Data(nonce + ciphertext + tag).base64EncodedString())"
    }

    /// The text, or nil when it was sealed by a key not in `keys`, for another context, or was altered.
    public func open(_ sealed: String, context: String) -> String? {
        let parts = sealed.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1",
            let key = keys.first(where: { Hex.lowercased(Array($0.id.utf8)) == parts[1] }),
            let data = Data(base64Encoded: String(parts[2])), data.count >= 28
        else { return nil }
        let bytes = Array(data)
        guard
            let (plaintext, _) = Self.crypt(
                Array(bytes[12..<(bytes.count - 16)]), key: key.bytes, nonce: Array(bytes[0..<12]),
                additional: Array(context.utf8), sealing: false, tag: Array(bytes[(bytes.count - 16)...]))
        else { return nil }
        return String(validating: plaintext, as: UTF8.self)
    }

    /// One AES-256-GCM pass through OpenSSL's EVP interface; opening fails (nil) when the tag does not match.
    private static func crypt(
        _ input: [UInt8], key: [UInt8], nonce: [UInt8], additional: [UInt8], sealing: Bool, tag: [UInt8]?
    ) -> (output: [UInt8], tag: [UInt8])? {
        guard let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        let cipher = EVP_aes_256_gcm()
        let initialised =
            sealing
            ? EVP_EncryptInit_ex(context, cipher, nil, key, nonce)
            : EVP_DecryptInit_ex(context, cipher, nil, key, nonce)
        guard initialised == 1 else { return nil }
        var length: Int32 = 0
        if !additional.isEmpty {
            let added =
                sealing
                ? EVP_EncryptUpdate(context, nil, &length, additional, Int32(additional.count))
                : EVP_DecryptUpdate(context, nil, &length, additional, Int32(additional.count))
            guard added == 1 else { return nil }
        }
        var output = [UInt8](repeating: 0, count: input.count + 16)
        var written: Int32 = 0
        if !input.isEmpty {
            let updated =
                sealing
                ? EVP_EncryptUpdate(context, &output, &written, input, Int32(input.count))
                : EVP_DecryptUpdate(context, &output, &written, input, Int32(input.count))
            guard updated == 1 else { return nil }
        }
        var tagBytes = tag ?? [UInt8](repeating: 0, count: 16)
        if !sealing {
            guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, 16, &tagBytes) == 1 else { return nil }
        }
        var finalLength: Int32 = 0
        let finished =
            output.withUnsafeMutableBufferPointer { buffer in
                sealing
                    ? EVP_EncryptFinal_ex(context, buffer.baseAddress! + Int(written), &finalLength)
                    : EVP_DecryptFinal_ex(context, buffer.baseAddress! + Int(written), &finalLength)
            }
        guard finished == 1 else { return nil }
        if sealing {
            guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, 16, &tagBytes) == 1 else { return nil }
        }
        return (Array(output[0..<Int(written + finalLength)]), tagBytes)
    }
}
