/// How two route patterns relate, for refusing configurations that would skip a route (and with it its rules):
/// routes are chosen by path alone, first match wins.
extension PathPattern {
    /// Whether every path `other` matches is matched by this pattern too, so that a route with `other` placed after
    /// one with this pattern is never chosen.
    ///
    /// Decided on the patterns' segments: a literal covers only itself, `*` any one segment (`*` included), `**` any
    /// run of segments. It answers no in a few rare cases where coverage holds only by counting segments, such as
    /// `/**/*` and `/*/**` (both one segment or more); those are then reported as overlaps.
    public func covers(_ other: PathPattern) -> Bool {
        Self.covers(self.globSegments[...], other.globSegments[...])
    }

    /// Whether some path is matched by both patterns.
    public func overlaps(_ other: PathPattern) -> Bool {
        Self.intersect(self.globSegments[...], other.globSegments[...])
    }

    /// Whether the two patterns have the same segments (`/v1/x` and `/v1/x/` are the same prefix).
    public func isSame(as other: PathPattern) -> Bool {
        self.globSegments == other.globSegments
    }

    private static func covers(_ outer: ArraySlice<Substring>, _ inner: ArraySlice<Substring>) -> Bool {
        guard let first = outer.first else { return inner.isEmpty }
        if first == "**" {
            // `**` takes none, or one more of the inner pattern's segments (whatever they are).
            if covers(outer.dropFirst(), inner) { return true }
            return !inner.isEmpty && covers(outer, inner.dropFirst())
        }
        guard let segment = inner.first, segment != "**" else { return false }
        guard first == "*" || first == segment else { return false }
        return covers(outer.dropFirst(), inner.dropFirst())
    }

    private static func intersect(_ a: ArraySlice<Substring>, _ b: ArraySlice<Substring>) -> Bool {
        if a.first == "**" { return intersect(a.dropFirst(), b) || (!b.isEmpty && intersect(a, b.dropFirst())) }
        if b.first == "**" { return intersect(a, b.dropFirst()) || (!a.isEmpty && intersect(a.dropFirst(), b)) }
        guard let x = a.first, let y = b.first else { return a.isEmpty && b.isEmpty }
        guard x == "*" || y == "*" || x == y else { return false }
        return intersect(a.dropFirst(), b.dropFirst())
    }
}
