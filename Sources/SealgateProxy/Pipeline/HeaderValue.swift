extension StringProtocol where SubSequence == Substring {
    /// The value without leading and trailing optional white space (RFC 9110 OWS: space and tab).
    var trimmedOWS: Substring {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = self.firstIndex(where: { !isOWS($0) }), let last = self.lastIndex(where: { !isOWS($0) }) else {
            return self[self.endIndex...]
        }
        return self[first...last]
    }
}
