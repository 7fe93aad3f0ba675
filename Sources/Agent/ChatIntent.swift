import Foundation
import Store

/// Which task an intent is about, as the person named it.
enum TaskReference: Equatable {
    /// "task 3", "#3", "3".
    case id(Int64)
    /// "it", "that one": the task the conversation last touched.
    case previous
    /// Part of the title, e.g. "milk".
    case title(String)
}

/// What an English message asks for: the built-in agent's reading of one message.
enum ChatIntent: Equatable {
    case add(title: String, description: String?)
    case list(TaskStatusFilter)
    case complete(TaskReference)
    case update(TaskReference, title: String?, description: String?)
    case delete(TaskReference)
    case greeting
    case thanks
    case help
    /// A number too large to be a task id.
    case unknownID(String)
    /// Only a task number ("3", "task 3"): the answer to "which one?".
    case choice(Int64)
    case notUnderstood

    /// Parses one message. Patterns are anchored at the verb, so "remind me to delete old mail" adds a task rather
    /// than deleting one; the words a person chose for a title keep their case. Deleting is tried before listing
    /// ("get rid of …" is not "get my tasks"), listing before completing ("what's done" is not "… is done").
    init(parsing message: String) {
        let bare = message.trimmingCharacters(in: CharacterSet(charactersIn: ".!").union(.whitespacesAndNewlines))
            .lowercased()
        let text = Self.stripped(message)
        let lower = text.lowercased()
        if Self.greetingPattern.matches(bare) {
            self = .greeting
        } else if Self.thanksPattern.matches(bare) {
            self = .thanks
        } else if text.isEmpty || Self.helpPattern.matches(lower) {
            self = .help
        } else if let intent = Self.update(text) ?? Self.delete(text) ?? Self.list(text, lower) ?? Self.add(text)
            ?? Self.complete(text)
        {
            self = intent
        } else if let digits = Self.idPattern.captures(in: lower)?[0] {
            self = Int64(digits).map(ChatIntent.choice) ?? .unknownID(digits)
        } else {
            self = .notUnderstood
        }
    }

    // MARK: Intents

    private static func list(_ text: String, _ lower: String) -> ChatIntent? {
        let asks =
            listPattern.matches(lower) && listSubjectPattern.contains(lower)
        guard asks || bareListPattern.matches(lower) else { return nil }
        // "unfinished", "incomplete" and "not done" contain the words for completed: pending is checked first.
        if pendingWordsPattern.contains(lower) { return .list(.pending) }
        if completedWordsPattern.contains(lower) { return .list(.completed) }
        return .list(.all)
    }

    private static func add(_ text: String) -> ChatIntent? {
        guard let captures = addPattern.captures(in: text) else { return nil }
        var title = captures[0]
        var description: String?
        if let parts = Self.descriptionSuffixPattern.captures(in: title) {
            title = parts[0]
            description = parts[1]
        }
        title = addTitlePrefixPattern.removingFirstMatch(from: title)
        title = listSuffixPattern.removingFirstMatch(from: title)
        title = unquoted(title)
        guard !title.isEmpty else { return .help }
        return .add(title: title, description: description)
    }

    private static func complete(_ text: String) -> ChatIntent? {
        for pattern in completePatterns {
            if let captures = pattern.captures(in: text) { return reference(captures[0], make: ChatIntent.complete) }
        }
        return nil
    }

    private static func update(_ text: String) -> ChatIntent? {
        if let captures = renamePattern.captures(in: text) {
            return reference(captures[0]) { .update($0, title: unquoted(captures[1]), description: nil) }
        }
        for (pattern, fieldFirst) in fieldPatterns {
            guard let captures = pattern.captures(in: text) else { continue }
            let (field, target) =
                fieldFirst ? (captures[0], captures[1]) : (captures[1], captures[0])
            let value = unquoted(captures[2])
            let isTitle = ["title", "name"].contains(field.lowercased())
            return reference(target) {
                .update($0, title: isTitle ? value : nil, description: isTitle ? nil : value)
            }
        }
        if let captures = describePattern.captures(in: text) {
            // Two spellings, each with its own target group: "describe X as …", "add a description to X: …".
            let target = captures[0].isEmpty ? captures[1] : captures[0]
            return reference(target) { .update($0, title: nil, description: unquoted(captures[2])) }
        }
        if let captures = changeToPattern.captures(in: text) {
            return reference(captures[0]) { .update($0, title: unquoted(captures[1]), description: nil) }
        }
        return nil
    }

    private static func delete(_ text: String) -> ChatIntent? {
        guard let captures = deletePattern.captures(in: text) else { return nil }
        return reference(captures[0], make: ChatIntent.delete)
    }

    /// Reads "task 3", "it" or a title fragment and builds the intent for it.
    private static func reference(_ words: String, make: (TaskReference) -> ChatIntent) -> ChatIntent {
        let words = listSuffixPattern.removingFirstMatch(from: words).trimmingCharacters(in: .whitespaces)
        let lower = words.lowercased()
        if previousPattern.matches(lower) { return make(.previous) }
        if let digits = idPattern.captures(in: lower)?[0] {
            guard let id = Int64(digits) else { return .unknownID(digits) }
            return make(.id(id))
        }
        var fragment = fragmentPrefixPattern.removingFirstMatch(from: words)
        fragment = fragmentSuffixPattern.removingFirstMatch(from: fragment)
        fragment = unquoted(fragment)
        return fragment.isEmpty ? make(.previous) : make(.title(fragment))
    }

    // MARK: Text helpers

    /// Without surrounding space, closing punctuation, and politeness ("please", "can you") around the command.
    private static func stripped(_ message: String) -> String {
        var text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        text = politePrefixPattern.removingFirstMatch(from: text)
        text = politeSuffixPattern.removingFirstMatch(from: text)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func unquoted(_ text: String) -> String {
        text.trimmingCharacters(in: CharacterSet(charactersIn: "\"'“”‘’`").union(.whitespacesAndNewlines))
    }

    // MARK: Patterns (ICU syntax, matched ignoring case)

    private static let politePrefixPattern = TextPattern(
        #"^(?:(?:please|pls|ok|okay|hey|so|now|also|then|and|kindly|just|could you|can you|would you|"#
            + #"will you)\b[,]?\s*)+"#
    )
    private static let politeSuffixPattern = TextPattern(#"(?:[\s,]*(?:please|pls|thanks|thank you))*[\s.!?]*$"#)
    private static let helpPattern = TextPattern(
        #"help|\?|what can you do\??|what do you do\??|how does this work\??|how do (?:i|you) use (?:this|"#
            + #"you)\??|commands"#
    )
    private static let greetingPattern = TextPattern(
        #"(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|yo)(?: there)?[!.]*"#)
    private static let thanksPattern = TextPattern(
        #"(?:thanks|thank you|thx|cheers|great|cool|nice|perfect)[!.]*(?: a lot| so much)?"#)

    private static let listPattern = TextPattern(
        #"(?:list|show|display|view|see|get|give me|tell me|read|what|which|do i have|any|how many)\b.*"#)
    private static let listSubjectPattern = TextPattern(
        #"\b(?:tasks?|todos?|to-dos?|list|everything|left|still|to do|pending|open|remaining|done|"#
            + #"completed|finished|outstanding|agenda|plate)\b"#
    )
    private static let bareListPattern = TextPattern(
        #"(?:my |all |all my )?(?:pending |open |completed |done |finished )?(?:tasks|todos|to-dos|"#
            + #"todo list|to-do list|list)"#
    )
    private static let pendingWordsPattern = TextPattern(
        #"\b(?:pending|open|remaining|left|unfinished|incomplete|not done|not completed|not finished|"#
            + #"outstanding|still|undone|active|uncompleted)\b"#
    )
    private static let completedWordsPattern = TextPattern(
        #"\b(?:done|completed|complete|finished|checked off|ticked off)\b"#)

    private static let addPattern = TextPattern(
        #"(?:add|create|new|remember|remind me|note|jot down|put|schedule|i need to|i have to|i must|"#
            + #"i should|don'?t let me forget|do not let me forget|todo|to-do)\b(?:\s+to\b)?[:]?\s*(.+)"#
    )
    private static let addTitlePrefixPattern = TextPattern(
        #"^(?:(?:a|an)\s+)?(?:new\s+)?(?:task|todo|to-do|item|reminder|note)\b(?:\s+(?:to|called|named|"#
            + #"titled|for|that says))?[:]?\s*"#
    )
    private static let descriptionSuffixPattern = TextPattern(
        #"(.+?)[\s,;]+(?:with (?:the |a )?(?:description|details|note)|described as)[:]?\s+(.+)"#)
    private static let listSuffixPattern = TextPattern(
        #"\s+(?:to|on|in|from|off)\s+(?:my|the)\s+(?:list|todo list|to-do list|tasks|task list|todos)$"#)

    private static let completePatterns = [
        #"(?:mark|set|check|tick)\s+(.+?)\s+(?:as\s+)?(?:done|complete|completed|finished|checked|"#
            + #"checked off|ticked off)"#,
        #"(?:complete|finish|close|done with|check off|tick off|cross off|i(?:'ve| have)?\s+(?:finished|"#
            + #"completed|done|did)|i'?m done with|i am done with|mark)\s+(.+)"#,
        #"(.+?)(?:\s+is|\s+are|'s)\s+(?:now\s+)?(?:done|complete|completed|finished)"#,
    ].map(TextPattern.init)

    private static let renamePattern = TextPattern(#"rename\s+(.+?)\s+(?:to|as|into)\s+(.+)"#)
    private static let fieldOfPattern = TextPattern(
        #"(?:change|update|set|edit|modify|make)\s+the\s+(title|name|description|details|notes?)\s+(?:of|"#
            + #"for|on)\s+(.+?)\s+to\s+(.+)"#
    )
    private static let possessiveFieldPattern = TextPattern(
        #"(?:change|update|set|edit|modify|make)\s+(.+?)'s\s+(title|name|description|details|notes?)\s+to\s+(.+)"#)
    /// Each with whether the field's group comes before the task's.
    private static let fieldPatterns = [
        (fieldOfPattern, fieldFirst: true), (possessiveFieldPattern, fieldFirst: false),
    ]
    private static let describePattern = TextPattern(
        #"(?:describe\s+(.+?)\s+as|(?:add|set)\s+(?:a |the )?(?:description|details|note)\s+(?:to|for|on|"#
            + #"of)\s+(.+?)(?::|\s+saying))\s*(.+)"#
    )
    private static let changeToPattern = TextPattern(#"(?:change|update|edit|modify)\s+(.+?)\s+to\s+(.+)"#)

    private static let deletePattern = TextPattern(
        #"(?:delete|remove|drop|erase|cancel|trash|discard|forget about|forget|get rid of|scrap|throw away)\s+(.+)"#)

    private static let previousPattern = TextPattern(
        #"(?:it|that|this|that one|this one|the last one|the last task|that task|this task|"#
            + #"the one i just added|the task|the previous one|the same one)"#
    )
    private static let idPattern = TextPattern(#"(?:(?:the\s+)?(?:task|number|no\.?|item|todo)\s*)?#?\s*(\d+)"#)
    private static let fragmentPrefixPattern = TextPattern(
        #"^(?:(?:the|my|a|an)\s+)?(?:(?:task|todo|item)\s+(?:called|named|titled|about|to)?\s*)?"#)
    private static let fragmentSuffixPattern = TextPattern(#"\s+(?:task|one|item|todo)$"#)
}
