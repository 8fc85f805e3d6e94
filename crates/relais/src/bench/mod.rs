//! `relais bench …`: load benchmarks that print their figures. Benchmarks, not tests: run them
//! by hand on a release build and copy the figures into the README.

mod analytics;
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
    /// Load two years of published posts with a hundred readings each, then time the workspace
    /// overview of the Analytics section per scope and period, against a plain GROUP BY over
    /// the raw readings.
    Analytics(analytics::AnalyticsBench),
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Publish(b) => publish::run(b).await,
        BenchCommand::Inbox(b) => inbox::run(b).await,
        BenchCommand::Analytics(b) => analytics::run(b).await,
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

/// Prints a case's line (p50, p95, max in ms); returns its p95 in µs.
fn report(name: &str, times: &mut [i64]) -> i64 {
    times.sort_unstable();
    let ms = |us: i64| us as f64 / 1000.0;
    let p95 = percentile(times, 95.0);
    println!("{name:<28} {:>8.1} {:>8.1} {:>8.1}", ms(percentile(times, 50.0)), ms(p95), ms(times.last().copied().unwrap_or(0)));
    p95
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
