//! `relais bench …`: load benchmarks that print their figures. Benchmarks, not tests: run them
//! by hand on a release build and copy the figures into the README.

mod inbox;
mod publish;

use clap::Subcommand;
use relais_core::now_ms;
use relais_store::Store;

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Schedule many posts over many sandbox accounts, all due within one minute, publish them
    /// and report throughput, lag and whether each was published exactly once.
    Publish(publish::PublishBench),
    /// Ingest many inbox messages (understanding and moderation rules applied), then time the
    /// inbox list under each filter and the conversation view.
    Inbox(inbox::InboxBench),
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Publish(b) => publish::run(b).await,
        BenchCommand::Inbox(b) => inbox::run(b).await,
    }
}

/// The throw-away database of a run.
enum Db {
    Sqlite(std::path::PathBuf),
    Postgres { server: String, name: String },
}

impl Db {
    async fn fresh(postgres: Option<&str>) -> anyhow::Result<(Db, String)> {
        let tag = format!("relais_bench_{}_{}", std::process::id(), now_ms());
        Ok(match postgres {
            Some(server) => {
                let url = Store::create_postgres_database(server, &tag).await?;
                (Db::Postgres { server: server.to_string(), name: tag }, url)
            }
            None => {
                let path = std::env::temp_dir().join(format!("{tag}.db"));
                let url = format!("sqlite://{}", path.display());
                (Db::Sqlite(path), url)
            }
        })
    }

    async fn remove(self) {
        match self {
            Db::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Db::Postgres { server, name } => {
                if let Err(e) = Store::drop_postgres_database(&server, &name).await {
                    eprintln!("could not drop the benchmark database {name}: {e}");
                }
            }
        }
    }
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 51);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&v, 100.0), 100);
        assert_eq!(percentile(&[], 50.0), 0);
    }
}
