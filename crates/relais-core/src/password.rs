//! Password hashing with argon2id.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};

/// How expensive a hash is. Production uses OWASP's argon2id recommendation; tests and the demo
/// may lower it, and every hash records its own parameters, so verification works either way.
#[derive(Debug, Clone, Copy)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl HashCost {
    /// 19 MiB, 2 passes, 1 lane.
    pub const PRODUCTION: HashCost = HashCost { memory_kib: 19 * 1024, iterations: 2 };
    /// Cheap enough for test suites that sign in hundreds of times.
    pub const FAST: HashCost = HashCost { memory_kib: 1024, iterations: 1 };
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

impl HashError {
    /// For callers that run the hash elsewhere (a blocking thread) and lost it.
    pub fn from_task(reason: String) -> Self {
        HashError(reason)
    }
}

pub fn hash(password: &str, cost: HashCost) -> Result<String, HashError> {
    let params = Params::new(cost.memory_kib, cost.iterations, 1, None).map_err(|e| HashError(e.to_string()))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt = SaltString::generate(&mut OsRng);
    argon.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| HashError(e.to_string()))
}

/// Whether `password` matches the stored hash. A malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash of nothing anyone knows, verified against when the user does not exist, so that
/// "unknown user" and "wrong password" take the same time.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("relais-no-such-user", HashCost::PRODUCTION).expect("static params are valid"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery", HashCost::FAST).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterie", &h));
        assert!(!verify("anything", "not-a-hash"));
    }
}
