import Foundation
import Testing

/// Python tink (PyPI), an independent Tink, reads the vault files that `sealgate keys` writes with the KEK.
///
/// Runs when `python3 -c 'import tink'` works, and always under `CI=true`, where a missing tink fails.
@Suite(.enabled(if: KeysSandbox.canUsePythonTink, "needs Python tink: pip install tink"))
struct KeysTinkInteropTests {
    /// Reads `<vault>/<name>.json` with the KEK as Tink's `read_keyset_handle` does; prints the keyset info.
    static let readEncrypted = """
        import json, sys, tink
        from tink import aead, cleartext_keyset_handle, daead
        aead.register(); daead.register()
        kek = cleartext_keyset_handle.read(tink.JsonKeysetReader(open(sys.argv[1]).read())).primitive(aead.Aead)
        info = tink.read_keyset_handle(tink.JsonKeysetReader(open(sys.argv[2]).read()), kek).keyset_info()
        print(json.dumps({"primary": info.primary_key_id, "ids": [k.key_id for k in info.key_info],
                          "types": sorted({k.type_url for k in info.key_info})}))
        """

    @Test(arguments: [("aes256-gcm", "AesGcmKey"), ("aes256-siv", "AesSivKey")])
    func tinkReadsTheVault(type: String, tinkKey: String) async throws {
        let sandbox = try KeysSandbox()
        try await sandbox.succeed(["keys", "init"] + sandbox.local())
        try await sandbox.succeed(["keys", "create", "field", "--type", type] + sandbox.local())
        try await sandbox.succeed(["keys", "rotate", "field"] + sandbox.local())
        let listed = try await KeysListingJSON.read(sandbox, sandbox.local()).keys[0]

        let read = try await sandbox.run(
            ["python3", "-c", Self.readEncrypted, sandbox.path("kek.json"), sandbox.path("vault/field.json")],
            executable: "/usr/bin/env"
        )
        try #require(read.status == 0, "python3 with tink failed (pip install tink): \(read.stderr)")
        let info = try #require(JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any])
        #expect((info["primary"] as? NSNumber)?.uint32Value == listed.primaryKeyId)
        #expect((info["ids"] as? [NSNumber])?.map(\.uint32Value) == listed.keys.map(\.keyId))
        #expect(info["types"] as? [String] == ["type.googleapis.com/google.crypto.tink.\(tinkKey)"])
    }
}
