/// A finite decimal number, normalized so that two texts of the same value compare equal:
/// the value is 0.d₁d₂…dₙ × 10^exponent, with no leading or trailing zero digit.
struct DecimalNumber: Equatable {
    var isNegative: Bool
    /// ASCII digits; empty for zero.
    var digits: [UInt8]
    var exponent: Int

    /// Reads a JSON number, or a finite `Double.description` such as `1.0e-07`.
    init(parsing text: some Sequence<UInt8>) {
        var isNegative = false
        var digits: [UInt8] = []
        var pointPosition: Int?
        var inExponent = false
        var exponentIsNegative = false
        var exponent = 0
        for byte in text {
            switch byte {
            case UInt8(ascii: "-"):
                if inExponent { exponentIsNegative = true } else { isNegative = true }
            case UInt8(ascii: "."):
                pointPosition = digits.count
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                inExponent = true
            case UInt8(ascii: "0")...UInt8(ascii: "9") where inExponent:
                // Saturates far beyond any exponent a double reaches, whatever the digit count.
                exponent = min(exponent * 10 + Int(byte - UInt8(ascii: "0")), 1 << 40)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(byte)
            default:
                break
            }
        }
        let point = pointPosition ?? digits.count
        let leadingZeros = digits.prefix { $0 == UInt8(ascii: "0") }.count
        digits.removeFirst(leadingZeros)
        while digits.last == UInt8(ascii: "0") {
            digits.removeLast()
        }
        self.isNegative = isNegative && !digits.isEmpty
        self.digits = digits
        self.exponent = digits.isEmpty ? 0 : point - leadingZeros + (exponentIsNegative ? -exponent : exponent)
    }

    /// The RFC 8785 text of a JSON number: ECMAScript's form of the nearest IEEE double.
    /// - Returns: `nil` if that text would denote another value than `text` does (more
    ///   precision than a double holds, out of range, or underflowing to zero).
    static func canonicalText(ofJSONNumber text: ArraySlice<UInt8>) -> [UInt8]? {
        guard let double = Double(String(decoding: text, as: UTF8.self)), double.isFinite else {
            return nil
        }
        // `description` is the shortest text that reads back as the same double, which is
        // the digit string ECMAScript's Number::toString chooses.
        let nearest = Self(parsing: double.description.utf8)
        guard nearest == Self(parsing: text) else {
            return nil
        }
        return nearest.ecmaScriptText
    }

    /// The text ECMAScript's Number::toString gives for this value (ECMA-262 §6.1.6.1.20),
    /// assuming its digits are the shortest that identify a double.
    var ecmaScriptText: [UInt8] {
        guard !self.digits.isEmpty else {
            return [UInt8(ascii: "0")]
        }
        let (digits, count, point) = (self.digits, self.digits.count, self.exponent)
        var text: [UInt8] = self.isNegative ? [UInt8(ascii: "-")] : []
        if count <= point, point <= 21 {
            text += digits + Array(repeating: UInt8(ascii: "0"), count: point - count)
        } else if 0 < point, point <= 21 {
            text += digits[..<point] + [UInt8(ascii: ".")] + digits[point...]
        } else if -6 < point, point <= 0 {
            text += Array("0.".utf8) + Array(repeating: UInt8(ascii: "0"), count: -point) + digits
        } else {
            text.append(digits[0])
            if count > 1 {
                text += [UInt8(ascii: ".")] + digits[1...]
            }
            text += Array((point - 1 < 0 ? "e-" : "e+").utf8) + Array(String((point - 1).magnitude).utf8)
        }
        return text
    }
}
