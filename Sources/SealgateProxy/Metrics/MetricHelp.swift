/// The `# HELP` text of every metric family sealgate exposes, by name.
public enum MetricHelp {
    /// The help text of `name`, or an empty string (no `# HELP` line) for a family not listed here.
    public static func text(for name: String) -> String { Self.texts[name] ?? "" }

    static let texts: [String: String] = [
        "sealgate_build_info": "Always 1; the version label names the running sealgate.",
        "sealgate_requests_total": "Requests answered, by route and status code.",
        "sealgate_request_duration_seconds": "Time from a request's first byte to the end of its response, by route.",
        "sealgate_rejected_requests_total": "Requests refused by sealgate, by problem code.",
        "sealgate_open_connections": "Client connections open now.",
        "sealgate_tls_handshake_failures_total": "Failed client TLS handshakes, by reason.",
        "sealgate_rejected_connections_total": "Client connections closed at once because max_connections were open.",
        "sealgate_received_bytes_total": "Body bytes received from clients.",
        "sealgate_sent_bytes_total": "Body bytes sent to clients.",
        "sealgate_fields_encrypted_total": "Field values encrypted in requests, by route and key.",
        "sealgate_fields_decrypted_total": "Field values decrypted in responses, by route and key.",
        "sealgate_tokens_undecryptable_total": "Tokens at rule paths of responses that did not decrypt, by route.",
        "sealgate_key_reloads_total": "Key vault loads, by result.",
        "sealgate_key_primary_age_seconds": "How long each key name's primary key has encrypted, in seconds.",
        "sealgate_key_rotation_due_timestamp_seconds": "When each key name with a rotation period is due for a new primary, as Unix time.",
        "sealgate_kek_operations_total": "Uses of the key-encryption key, by provider, operation and result.",
        "sealgate_kek_operation_duration_seconds": "How long each use of the key-encryption key took, by provider.",
        "sealgate_certificate_reloads_total": "Certificate and CA bundle reloads, by result.",
        "sealgate_certificate_expiration_timestamp_seconds": "Not-after of each watched certificate, as Unix time.",
        "sealgate_certificate_not_before_timestamp_seconds": "Not-before of each watched certificate, as Unix time.",
        "sealgate_certificate_expires_in_seconds": "Seconds until each watched certificate's not-after; negative once expired.",
        "sealgate_certificate_info": "Always 1 for each watched certificate; the issuer label names its issuer.",
        "sealgate_crl_next_update_timestamp_seconds": "nextUpdate of each configured certificate revocation list, as Unix time; past it the list is stale.",
        "sealgate_certificate_file_errors": "1 for each monitor.watch file that could not be read as certificates.",
        "sealgate_alert_notifications_total": "Expiry alert webhook deliveries after retries, by format and result.",
    ]
}
