use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{0}")]
    Config(String),
    #[error("cannot reach the database at {url}: {reason}")]
    Unavailable { url: String, reason: String },
    #[error(
        "the database schema is at version {database}, newer than this relais binary understands \
         (up to version {binary}); run a newer relais, or restore a backup taken before the upgrade"
    )]
    SchemaTooNew { database: i64, binary: i64 },
    #[error("the database schema is at version {database}, but this relais needs version {binary}: run `relais migrate`")]
    SchemaTooOld { database: i64, binary: i64 },
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Whether the error is a unique-constraint violation, the way both backends report it.
    pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
        match err {
            sqlx::Error::Database(db) => db.is_unique_violation(),
            _ => false,
        }
    }
}
