extension JSONPath {
    /// Whether some document has a value selected by both paths, or a value selected by one
    /// inside a value selected by the other (so that only one of the rules applies there).
    ///
    /// Use it to warn about overlapping rules when checking a configuration.
    /// - Parameters:
    ///   - other: The path to compare with.
    public func overlaps(_ other: JSONPath) -> Bool {
        let lhs = self.segments
        let rhs = other.segments
        // Walk both paths over the same keys; a recursive segment may also stay on a key.
        // The paths overlap as soon as one of them is complete: the other can go on below.
        var seen: Set<[Int]> = []
        var pending = [[0, 0]]
        while let positions = pending.popLast() {
            let (left, right) = (positions[0], positions[1])
            if left == lhs.count || right == rhs.count {
                return true
            }
            guard seen.insert(positions).inserted else {
                continue
            }
            if Self.intersect(lhs[left].selector, rhs[right].selector) {
                pending.append([left + 1, right + 1])
            }
            if rhs[right].isRecursive {
                pending.append([left + 1, right])
            }
            if lhs[left].isRecursive {
                pending.append([left, right + 1])
            }
        }
        return false
    }

    /// Whether some key is selected by both selectors.
    private static func intersect(_ lhs: Segment.Selector, _ rhs: Segment.Selector) -> Bool {
        switch (lhs, rhs) {
        case (.wildcard, _), (_, .wildcard):
            true
        case (.name(let left), .name(let right)):
            left == right
        case (.index(let left), .index(let right)):
            left == right
        default:
            false
        }
    }
}
