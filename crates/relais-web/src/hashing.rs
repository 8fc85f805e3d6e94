//! Password hashing off the async threads: argon2 takes tens of milliseconds of CPU by design,
//! which would stall every other request served by the same thread.

use relais_core::password::{self, HashCost, HashError};

pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || password::verify(&password, &stored)).await.unwrap_or(false)
}

pub async fn hash(password: String, cost: HashCost) -> Result<String, HashError> {
    match tokio::task::spawn_blocking(move || password::hash(&password, cost)).await {
        Ok(r) => r,
        Err(e) => Err(HashError::from_task(e.to_string())),
    }
}
