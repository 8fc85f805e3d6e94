//! SQLite's WAL checkpoints, off the writer. By default the connection whose commit pushes the
//! WAL past its limit copies the WAL back into the database itself, inside that commit: at
//! ingestion rates that was a large share of the one writer's time. A reader connection
//! checkpoints every second instead (a passive checkpoint never blocks the writer nor readers);
//! the writer's own automatic checkpoint stays as the bound on the WAL's size, and finds little
//! left to copy when it runs.

use sqlx::AnyPool;
use std::time::Duration;

/// WAL pages (4 KiB) past which the writer's commit checkpoints itself: about 40 MiB.
pub(crate) const WRITER_AUTOCHECKPOINT_PAGES: u32 = 10_000;
const EVERY: Duration = Duration::from_secs(1);

/// The background checkpoints of one store; they stop when the last clone of it is dropped.
pub(crate) struct Checkpointer(tokio::task::JoinHandle<()>);

impl Checkpointer {
    pub(crate) fn start(readers: AnyPool) -> Checkpointer {
        Checkpointer(tokio::spawn(async move {
            let mut tick = tokio::time::interval(EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if readers.is_closed() {
                    return;
                }
                // A failure (the database busy, the pool closing) only delays the copy: the
                // writer's automatic checkpoint still bounds the WAL.
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&readers).await {
                    tracing::debug!("background checkpoint skipped: {e}");
                }
            }
        }))
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}
