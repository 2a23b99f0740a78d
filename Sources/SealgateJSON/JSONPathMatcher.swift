/// Matches the ordered rule paths of a rewriter against the keys met while descending a document.
///
/// The segments of all rules are laid out in one array of steps; a state is the index of the
/// next step a rule expects (never past its last one: a value that completes a rule is matched
/// and not descended into). The states of a container's children are computed from the
/// container's states and the child's key. The rewriter keeps the states of all open containers
/// in one array, and member names are interned, so that descending allocates nothing once the
/// arrays have grown and compares integers only.
struct JSONPathMatcher: Sendable {
    /// The key of a child: a member name's position in ``names`` (-1 if absent) or an array index.
    enum Key {
        case name(Int)
        case index(Int)
    }

    private enum Selector {
        case name(Int)
        case index(Int)
        case wildcard
    }

    private struct Step {
        var rule: Int
        var selector: Selector
        var isRecursive: Bool
        var isLast: Bool
    }

    private let steps: [Step]
    /// The first step of each rule; `nil` for `$`, which matches the root itself.
    private let ruleStarts: [Int?]
    /// The distinct member names the rules select, as UTF-8.
    let names: [[UInt8]]

    init(paths: [JSONPath]) {
        var names: [[UInt8]] = []
        var steps: [Step] = []
        var ruleStarts: [Int?] = []
        for (rule, path) in paths.enumerated() {
            ruleStarts.append(path.segments.isEmpty ? nil : steps.count)
            for (position, segment) in path.segments.enumerated() {
                let selector: Selector
                switch segment.selector {
                case .name(let name):
                    if !names.contains(name) {
                        names.append(name)
                    }
                    selector = .name(names.firstIndex(of: name)!)
                case .index(let index):
                    selector = .index(index)
                case .wildcard:
                    selector = .wildcard
                }
                let isLast = position == path.segments.count - 1
                steps.append(Step(rule: rule, selector: selector, isRecursive: segment.isRecursive, isLast: isLast))
            }
        }
        self.steps = steps
        self.ruleStarts = ruleStarts
        self.names = names
    }

    /// Appends the states of the document root.
    /// - Returns: The first rule that matches the root itself, if any.
    func appendRootStates(to states: inout [Int]) -> Int? {
        states.append(contentsOf: self.ruleStarts.compactMap { $0 })
        return self.ruleStarts.firstIndex { $0 == nil }
    }

    /// Appends the states of a child, given the states of its parent.
    /// - Parameters:
    ///   - parent: Where the parent's states are in `states`.
    ///   - key: The child's member name or array index.
    ///   - states: The states of all open containers.
    /// - Returns: The first rule in configuration order that matches the child, if any.
    func appendChildStates(of parent: Range<Int>, key: Key, to states: inout [Int]) -> Int? {
        let childStart = states.count
        var matched: Int?
        for index in parent {
            let state = states[index]
            let step = self.steps[state]
            if step.isRecursive {
                Self.insert(state, into: &states, from: childStart)
            }
            switch (step.selector, key) {
            case (.wildcard, _):
                break
            case (.name(let expected), .name(let name)) where expected == name:
                break
            case (.index(let expected), .index(let index)) where expected == index:
                break
            default:
                continue
            }
            if step.isLast {
                matched = min(matched ?? step.rule, step.rule)
            } else {
                Self.insert(state + 1, into: &states, from: childStart)
            }
        }
        return matched
    }

    /// The first rule that would select a member named table name `name` in the container with states `parent`:
    /// a member whose name differs from that one in ASCII case only is then ambiguous.
    func rule(selectingName name: Int, in parent: Range<Int>, of states: [Int]) -> Int? {
        var rule: Int?
        for index in parent {
            let step = self.steps[states[index]]
            if case .name(let expected) = step.selector, expected == name { rule = min(rule ?? step.rule, step.rule) }
        }
        return rule
    }

    /// What becomes of the children no rule selects by key (see
    /// ``JSONTokenizer/UnselectedChildren``), given the states of their container: a wildcard
    /// (or, in an array, an index) may match them; a recursive segment searches inside those
    /// that are objects or arrays, with just the recursive states; otherwise they are skipped.
    func unselectedChildren(_ parent: Range<Int>, in states: [Int], isArray: Bool) -> JSONTokenizer.UnselectedChildren {
        var unselectedChildren = JSONTokenizer.UnselectedChildren.skip
        for index in parent {
            let step = self.steps[states[index]]
            switch step.selector {
            case .wildcard: return .report
            case .index where isArray: return .report
            default: break
            }
            if step.isRecursive {
                unselectedChildren = .reportContainers
            }
        }
        return unselectedChildren
    }

    private static func insert(_ state: Int, into states: inout [Int], from start: Int) {
        for index in start..<states.count where states[index] == state {
            return
        }
        states.append(state)
    }
}
