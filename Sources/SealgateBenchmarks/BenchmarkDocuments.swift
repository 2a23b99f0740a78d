/// The documents the benchmark rewrites.
enum BenchmarkDocuments {
    /// The rule paths of ``small``, all encrypted.
    static let smallPaths = ["$.ssn", "$.email", "$.dob"]

    /// A document of about 1 KB with three fields to encrypt.
    static let small: [UInt8] = {
        let filler = (1...14).map { #""note\#($0)":"observation \#($0) recorded during the visit, unremarkable""# }
        let text = #"{"id":4711,"name":"Ann Example","ssn":"123-45-6789","email":"ann@example.com","#
            + #""dob":{"d":17,"m":5,"y":1990},"# + filler.joined(separator: ",") + "}"
        return Array(text.utf8)
    }()

    /// The rule paths of ``large``: two of its values, one deep in its records.
    static let largePaths = ["$.meta.ssn", "$.records[4000].ssn"]

    /// A document of about 1 MB: many records, of which the rules match two values.
    static let large: [UInt8] = {
        let records = (0..<8000).map { index in
            #"{"id":\#(index),"name":"Patient \#(index)","ssn":"123-45-\#(index)","tags":["a","b"],"score":\#(index).25}"#
        }
        let text = #"{"meta":{"ssn":"000-00-0000","version":3},"records":["# + records.joined(separator: ",") + "]}"
        return Array(text.utf8)
    }()
}
