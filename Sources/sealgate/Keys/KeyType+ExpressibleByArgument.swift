import ArgumentParser
import SealgateCrypto

/// `--type aes256-gcm|aes256-siv`.
extension KeyType: ExpressibleByArgument {}
