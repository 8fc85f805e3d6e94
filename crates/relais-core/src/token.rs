//! Random bearer secrets (session ids, API tokens, invitation links) and the digests under which
//! the store keeps them, so a leaked database does not hand out live credentials.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes, URL-safe, with a readable prefix naming what the token is for.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The SHA-256 digest, hex-encoded, under which a token is stored and looked up. A fast hash is
/// right here: the tokens carry 256 bits of entropy, unlike passwords.
pub fn digest(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_prefixed_and_digests_are_stable() {
        let a = generate("rls");
        let b = generate("rls");
        assert_ne!(a, b);
        assert!(a.starts_with("rls_") && a.len() > 40);
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), digest(&b));
        assert_eq!(digest(&a).len(), 64);
    }
}
