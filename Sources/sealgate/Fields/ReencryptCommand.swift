import ArgumentParser
import Foundation
import SealgateProxy

/// `sealgate reencrypt --config FILE --route PATH INPUT... (--output DIR | --in-place)`: re-seals every token at
/// the route's rule paths with the current primary key of its key name.
struct ReencryptCommand: FieldSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "reencrypt",
        abstract: "Re-seal the tokens of JSON or NDJSON files with the current primary keys.",
        discussion: """
            Tokens whose key id is not the primary's are decrypted and sealed again with the primary; other \
            values are left unchanged. NDJSON files (--ndjson, or names ending in .ndjson or .jsonl) are \
            streamed line by line into <output>.reencrypt.tmp, with the lines done checkpointed in \
            <output>.reencrypt.progress: run the same command again after an interruption to resume (the \
            checkpoint names its input and a hash of the part done, so a run onto another input is refused; \
            --restart starts over). The \
            result replaces the output (or, with --in-place, the input) only when complete. A token that does \
            not decrypt stops the run with exit status 1, naming the file, line and rule path.
            """
    )

    @OptionGroup var rules: FieldRulesOptions

    @Argument(help: ArgumentHelp("The JSON or NDJSON files to rewrite.", valueName: "input"))
    var inputs: [String]

    @Option(help: ArgumentHelp("Write each result to this directory, under the input's name.", valueName: "dir"))
    var output: String?

    @Flag(help: "Replace each input with its result, once complete.")
    var inPlace = false

    @Flag(help: "Read every input as NDJSON, whatever its name.")
    var ndjson = false

    @Option(help: ArgumentHelp("Lines between two checkpoints of an NDJSON file.", valueName: "lines"))
    var checkpointEvery = 1000

    @Flag(help: "Ignore the checkpoints of an interrupted run and start over.")
    var restart = false

    @Option(help: ArgumentHelp("Threads that rewrite NDJSON lines at once (output stays in input order).", valueName: "n"))
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("name at least one input file") }
        guard (output != nil) != inPlace else { throw ValidationError("pass either --output DIR or --in-place") }
        guard checkpointEvery > 0 else { throw ValidationError("--checkpoint-every must be positive") }
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs takes 1 to 256 threads") }
    }

    func execute() async throws {
        let fields = try await rules.rewriter(mode: .reencrypt)
        if let output {
            do {
                try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            } catch {
                throw CommandFailure("cannot create the output directory \(output)")
            }
        }
        let sizes = inputs.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? UInt64) ?? nil }
        var progress = ReencryptProgress(totalBytes: sizes.contains(nil) ? nil : sizes.reduce(0) { $0 + ($1 ?? 0) })
        for input in inputs {
            let name = URL(fileURLWithPath: input).lastPathComponent
            let file = FileReencryption(
                input: input,
                destination: output.map { URL(fileURLWithPath: $0).appendingPathComponent(name).path } ?? input,
                ndjson: ndjson || name.hasSuffix(".ndjson") || name.hasSuffix(".jsonl"),
                checkpointEvery: checkpointEvery,
                restart: restart,
                jobs: jobs
            )
            try file.run(fields, progress: &progress)
        }
        progress.summarize()
    }
}
