extension QueryParameters {
    /// The integer query parameter `name` within `range`, `defaultValue` when absent; a problem for the 400's
    /// `fields` otherwise, so a handler can report every bad parameter at once.
    func integer(
        _ name: String, in range: ClosedRange<Int>, defaultValue: Int, problems: inout [String: String]
    ) -> Int {
        guard let text = self[name] else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            problems[name] = "must be an integer from \(range.lowerBound) to \(range.upperBound)"
            return defaultValue
        }
        return value
    }
}
