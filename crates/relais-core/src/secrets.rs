//! Encryption at rest for the secrets Relais keeps for its users (network tokens, app passwords).
//!
//! XChaCha20-Poly1305 under a key derived (HKDF-SHA256) from the instance's secret key. Each
//! ciphertext is bound to an "associated data" string naming what it belongs to (for example
//! `social_account:<id>:access_token`), so a ciphertext copied onto another row fails to open.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::fmt;

const VERSION_PREFIX: &str = "v1.";

/// The instance's 32-byte secret key. Its `Debug` never prints it.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<hidden>)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the secret key must be 32 bytes written in base64 (44 characters); got {0} bytes")]
    BadKeyLength(usize),
    #[error("the secret key is not valid base64: {0}")]
    BadKeyEncoding(String),
    #[error("the encrypted value is malformed: {0}")]
    Malformed(&'static str),
    #[error("the encrypted value could not be opened: wrong secret key, altered data, or it belongs to another record")]
    Unauthentic,
}

impl SecretKey {
    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        OsRng.fill_bytes(&mut k);
        SecretKey(k)
    }

    pub fn from_base64(text: &str) -> Result<Self, SecretError> {
        let bytes = STANDARD.decode(text.trim()).map_err(|e| SecretError::BadKeyEncoding(e.to_string()))?;
        let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| SecretError::BadKeyLength(bytes.len()))?;
        Ok(SecretKey(arr))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// A key for one purpose, so that encryption keys and any future signing keys never coincide.
    fn derive(&self, purpose: &str) -> [u8; 32] {
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"relais"), &self.0);
        let mut out = [0u8; 32];
        hk.expand(purpose.as_bytes(), &mut out).expect("32 bytes is a valid HKDF-SHA256 length");
        out
    }
}

/// Seals and opens secrets with the instance key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBox(<key hidden>)")
    }
}

impl SecretBox {
    pub fn new(key: &SecretKey) -> Self {
        let k = key.derive("secrets-at-rest/v1");
        SecretBox { cipher: XChaCha20Poly1305::new(&k.into()) }
    }

    /// Encrypts `plaintext` bound to `context`; the result is printable text for a TEXT column.
    pub fn seal(&self, plaintext: &str, context: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ct = self
            .cipher
            .encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: context.as_bytes() })
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory input");
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        format!("{VERSION_PREFIX}{}", URL_SAFE_NO_PAD.encode(blob))
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<String, SecretError> {
        let body = sealed.strip_prefix(VERSION_PREFIX).ok_or(SecretError::Malformed("unknown format version"))?;
        let blob = URL_SAFE_NO_PAD.decode(body).map_err(|_| SecretError::Malformed("not base64"))?;
        if blob.len() < 24 + 16 {
            return Err(SecretError::Malformed("too short"));
        }
        let (nonce, ct) = blob.split_at(24);
        let pt = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: context.as_bytes() })
            .map_err(|_| SecretError::Unauthentic)?;
        String::from_utf8(pt).map_err(|_| SecretError::Malformed("not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_the_same_key_and_context() {
        let b = SecretBox::new(&SecretKey::generate());
        let sealed = b.seal("app-password-1234", "account:1");
        assert!(!sealed.contains("app-password"));
        assert_eq!(b.open(&sealed, "account:1").unwrap(), "app-password-1234");
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts() {
        let b = SecretBox::new(&SecretKey::generate());
        assert_ne!(b.seal("x", "c"), b.seal("x", "c"));
    }

    #[test]
    fn another_key_another_context_or_a_flipped_bit_is_refused() {
        let key = SecretKey::generate();
        let b = SecretBox::new(&key);
        let sealed = b.seal("token", "account:1");
        assert_eq!(SecretBox::new(&SecretKey::generate()).open(&sealed, "account:1"), Err(SecretError::Unauthentic));
        assert_eq!(b.open(&sealed, "account:2"), Err(SecretError::Unauthentic));
        let mut bytes = URL_SAFE_NO_PAD.decode(&sealed[3..]).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = format!("v1.{}", URL_SAFE_NO_PAD.encode(bytes));
        assert_eq!(b.open(&tampered, "account:1"), Err(SecretError::Unauthentic));
        assert!(matches!(b.open("v0.abc", "account:1"), Err(SecretError::Malformed(_))));
    }

    #[test]
    fn keys_round_trip_through_base64_and_bad_keys_say_why() {
        let k = SecretKey::generate();
        let again = SecretKey::from_base64(&k.to_base64()).unwrap();
        let sealed = SecretBox::new(&k).seal("s", "c");
        assert_eq!(SecretBox::new(&again).open(&sealed, "c").unwrap(), "s");
        assert_eq!(SecretKey::from_base64("AAAA").unwrap_err(), SecretError::BadKeyLength(3));
        assert!(format!("{k:?}").contains("hidden"));
    }
}
