import Glibc

/// A failed system call, naming the function and the errno text so an operator can act on it.
struct SystemCallError: Error, CustomStringConvertible {
    let function: String
    let code: Int32

    init(_ function: String, code: Int32 = errno) {
        self.function = function
        self.code = code
    }

    var description: String { "\(function) failed: \(String(cString: strerror(code))) (errno \(code))" }
}

/// Runs a system call, retrying on EINTR, and throws when it returns -1.
@discardableResult
func checkedSystemCall<Result: BinaryInteger>(_ function: String, _ call: () -> Result) throws(SystemCallError)
    -> Result
{
    while true {
        let result = call()
        if result != -1 { return result }
        if errno != EINTR { throw SystemCallError(function) }
    }
}
