import SealgateCrypto
import SealgateJSON

/// What a person reads for an error of the libraries: the message and where, without the internal
/// code name (`numberNotExact: …`) that their `description` starts with.
enum ErrorText {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as SealgateJSONError:
            let rule = error.rulePath.map { " (rule \($0))" } ?? ""
            return "\(error.message) at byte offset \(error.byteOffset)\(rule)"
        case let error as SealgateCryptoError:
            return error.message
        default:
            return "\(error)"
        }
    }
}
