import HTTP

/// Counters in memory that several processes may share: the executable passes a region of the pool's
/// scoreboard, so every worker of a host adds to the same histogram; tests pass an array.
public protocol SharedCounters: Sendable {
    /// How many counters there are; indexes run from 0 to `count - 1`.
    var count: Int { get }
    func add(_ delta: Int64, at index: Int)
    func load(_ index: Int) -> Int64
}

/// How long requests take, per route template, method and status class: the Prometheus histogram
/// `todo_chatbot_request_duration_seconds`, kept in `SharedCounters` so that it is the host's, not one
/// worker's, and survives worker restarts.
///
/// A request that reached no route (404, 405, a body refused before routing) counts under the route
/// `unmatched` with its method (or `OTHER`), so an unknown path cannot add a series. Each request costs three
/// relaxed atomic additions; a series appears in `/metrics` once it has a request.
public struct RequestDurationHistogram: Sendable {
    /// Upper bounds in seconds, from the 1 ms of a health check to the 10 s past any timeout here.
    static let bucketBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// The methods an unmatched request is counted under; any other is `OTHER`.
    static let unmatchedMethods: [HTTPMethod] = [.get, .head, .post, .put, .patch, .delete, .options]
    static let statusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"]
    /// Per series: one counter per bucket (not cumulative), then the count, then the sum in microseconds.
    private static let wordsPerSeries = bucketBounds.count + 2

    private let operations: [(path: String, method: HTTPMethod)]
    private let counters: any SharedCounters

    /// How many counters a histogram over `operationCount` routes needs (the supervisor sizes the scoreboard).
    public static func counterCount(operationCount: Int) -> Int {
        (operationCount + unmatchedMethods.count + 1) * statusClasses.count * wordsPerSeries
    }

    /// nil when `counters` is too small for these operations (a scoreboard from an older build during a roll).
    public init?(operations: [(path: String, method: HTTPMethod)], counters: any SharedCounters) {
        guard counters.count >= Self.counterCount(operationCount: operations.count) else { return nil }
        self.operations = operations
        self.counters = counters
    }

    /// Counts one answered request; `operation` is the route's index in `operations`, nil when none matched.
    public func record(operation: Int?, method: HTTPMethod, status: HTTPStatus, duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let microseconds = max(0, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        let elapsed = Double(microseconds) / 1e6
        let bucket = Self.bucketBounds.firstIndex { elapsed <= $0 } ?? Self.bucketBounds.count
        let base = seriesIndex(operation: operation, method: method, status: status) * Self.wordsPerSeries
        if bucket < Self.bucketBounds.count { counters.add(1, at: base + bucket) }
        counters.add(1, at: base + Self.bucketBounds.count)
        counters.add(microseconds, at: base + Self.bucketBounds.count + 1)
    }

    private func seriesIndex(operation: Int?, method: HTTPMethod, status: HTTPStatus) -> Int {
        let statusClass = min(4, max(0, status.code / 100 - 1))
        let group: Int
        if let operation, operations.indices.contains(operation) {
            group = operation
        } else {
            group = operations.count + (Self.unmatchedMethods.firstIndex(of: method) ?? Self.unmatchedMethods.count)
        }
        return group * Self.statusClasses.count + statusClass
    }

    /// The histogram in the Prometheus text format, series with no request left out.
    public func prometheusText() -> String {
        var text = """
            # HELP todo_chatbot_request_duration_seconds Time from a worker having read a request to its answer, by route template, method and status class, since the pool started.
            # TYPE todo_chatbot_request_duration_seconds histogram

            """
        let groupCount = operations.count + Self.unmatchedMethods.count + 1
        for group in 0..<groupCount {
            let (route, method) =
                group < operations.count
                ? (operations[group].path, operations[group].method.rawValue)
                : (
                    "unmatched",
                    Self.unmatchedMethods.indices.contains(group - operations.count)
                        ? Self.unmatchedMethods[group - operations.count].rawValue : "OTHER"
                )
            for (statusIndex, statusClass) in Self.statusClasses.enumerated() {
                let base = (group * Self.statusClasses.count + statusIndex) * Self.wordsPerSeries
                let count = counters.load(base + Self.bucketBounds.count)
                guard count > 0 else { continue }
                let labels =
                    "method=\"\(method)\",route=\"\(PrometheusText.escapedLabelValue(route))\",status=\"\(statusClass)\""
                var cumulative: Int64 = 0
                for (bucket, bound) in Self.bucketBounds.enumerated() {
                    cumulative += counters.load(base + bucket)
                    text += "todo_chatbot_request_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(cumulative)\n"
                }
                text += "todo_chatbot_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(count)\n"
                let sum = PrometheusText.seconds(microseconds: counters.load(base + Self.bucketBounds.count + 1))
                text += "todo_chatbot_request_duration_seconds_sum{\(labels)} \(sum)\n"
                text += "todo_chatbot_request_duration_seconds_count{\(labels)} \(count)\n"
            }
        }
        return text
    }
}

/// The pieces of the Prometheus text format (version 0.0.4) that more than one series needs.
enum PrometheusText {
    /// A label value with `\`, `"` and newlines escaped as the format requires.
    static func escapedLabelValue(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Microseconds as seconds with six decimals, without the exponent `Double`'s description may use.
    static func seconds(microseconds: Int64) -> String {
        let whole = microseconds / 1_000_000
        let fraction = String(abs(microseconds % 1_000_000))
        return "\(whole).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }
}
