import Testing

extension Trait where Self == ConditionTrait {
    /// Runs the test when the tools exist, always under CI (where a missing tool is a failure).
    public static func requires(_ tools: String...) -> Self {
        .enabled(
            if: TestEnvironment.isCI || tools.allSatisfy(TestEnvironment.has),
            "needs \(tools.joined(separator: ", ")) (installed by .ci/run)"
        )
    }
}
