import Dispatch
import Synchronization

/// Admits work to a fixed number of lanes in arrival order, and sheds what could not start in time.
///
/// The password lane's acceptor submits every request it reads; its hashing threads take them one at a time,
/// so at most that many hash at once whatever arrives. An item that has waited `maximumWait` is handed back
/// to be refused (`shedExpired`, or `next` when a lane finds one) before any of its work is done; when
/// `capacity` items are waiting, `submit` refuses at once. Nothing here knows what the items are, so the
/// policy is tested on its own (docs/pool.md, "The password lane").
final class AdmissionQueue<Item: Sendable>: Sendable {
    /// What a lane is given: an item to start, or an item that waited too long and must be refused.
    enum Admission {
        case start(Item)
        case shed(Item)
    }

    let capacity: Int
    let maximumWait: Duration

    private struct Waiting {
        var item: Item
        var arrivedAt: ContinuousClock.Instant
    }
    private struct State {
        /// Oldest first; `head` skips taken items so taking one is O(1), compacted when half is dead.
        var waiting: [Waiting?] = []
        var head = 0
        var isStopped = false

        var count: Int { waiting.count - head }

        mutating func removeFirst() -> Waiting? {
            guard head < waiting.count else { return nil }
            let first = waiting[head]
            waiting[head] = nil
            head += 1
            if head == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 64 && head * 2 > waiting.count {
                waiting.removeFirst(head)
                head = 0
            }
            return first
        }
    }

    private let state = Mutex(State())
    /// Signalled once per submitted item (and once per lane on stop); a lane that wakes to find its item
    /// already shed just waits again.
    private let submitted = DispatchSemaphore(value: 0)
    private let laneCount: Int

    init(capacity: Int, maximumWait: Duration, laneCount: Int) {
        self.capacity = capacity
        self.maximumWait = maximumWait
        self.laneCount = laneCount
    }

    /// Items waiting for a lane.
    var depth: Int { state.withLock { $0.count } }

    /// Queues `item`; nil when it was queued, the item itself when the queue is full or stopped (refuse it now).
    func submit(_ item: Item, arrivedAt: ContinuousClock.Instant = .now) -> Item? {
        let accepted = state.withLock { state in
            guard !state.isStopped, state.count < capacity else { return false }
            state.waiting.append(Waiting(item: item, arrivedAt: arrivedAt))
            return true
        }
        guard accepted else { return item }
        submitted.signal()
        return nil
    }

    /// Blocks a lane until there is an item; nil once the queue is stopped and empty.
    func next() -> Admission? {
        while true {
            submitted.wait()
            let (waiting, isStopped) = state.withLock { state in (state.removeFirst(), state.isStopped) }
            if let waiting {
                return ContinuousClock.now - waiting.arrivedAt >= maximumWait
                    ? .shed(waiting.item) : .start(waiting.item)
            }
            if isStopped {
                submitted.signal()  // let the next lane see the stop too
                return nil
            }
        }
    }

    /// Takes out every item that has waited `maximumWait` or longer by `now`, oldest first.
    func shedExpired(now: ContinuousClock.Instant = .now) -> [Item] {
        state.withLock { state in
            var expired: [Item] = []
            while state.head < state.waiting.count, let first = state.waiting[state.head],
                now - first.arrivedAt >= maximumWait
            {
                expired.append(first.item)
                _ = state.removeFirst()
            }
            return expired
        }
    }

    /// When the oldest waiting item expires; nil when none waits.
    var nextExpiry: ContinuousClock.Instant? {
        state.withLock { state in
            state.head < state.waiting.count ? state.waiting[state.head].map { $0.arrivedAt + maximumWait } : nil
        }
    }

    /// Refuses new items; lanes finish what is queued (starting or shedding each), then `next` returns nil.
    func stop() {
        state.withLock { $0.isStopped = true }
        for _ in 0..<laneCount { submitted.signal() }
    }
}
