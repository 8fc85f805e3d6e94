//! `relais bench publish`: the publishing engine under load against the sandbox simulator,
//! printing throughput, publish lag and the exactly-once check.

use super::{Db, percentile};
use anyhow::{Context, bail};
use clap::Args;
use relais_core::secrets::{SecretBox, SecretKey};
use relais_core::{Locale, Name, TimeZoneName, now_ms};
use relais_jobs::{Publisher, Worker, WorkerConfig};
use relais_networks::Registry;
use relais_networks::sandbox::{Sandbox, SandboxConfig};
use relais_store::{SocialAccount, Store};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Args, Debug)]
pub struct PublishBench {
    #[arg(long, default_value_t = 100_000)]
    posts: usize,
    #[arg(long, default_value_t = 10_000)]
    accounts: usize,
    /// Simulated latency of every sandbox call, in ms.
    #[arg(long, default_value_t = 50)]
    latency_ms: u64,
    /// The posts fall due evenly over this many seconds.
    #[arg(long, default_value_t = 60)]
    spread_s: i64,
    /// A PostgreSQL server (postgres://USER@HOST:PORT): a fresh database is created there and
    /// dropped afterwards. Without it, a fresh SQLite file.
    #[arg(long)]
    postgres: Option<String>,
    /// Worker processes to start (`relais worker`); 0 runs the workers in this process.
    #[arg(long, default_value_t = 0)]
    processes: usize,
    /// Worker loops per process.
    #[arg(long, default_value_t = 4)]
    workers: usize,
    /// Jobs each loop claims and runs at once.
    #[arg(long, default_value_t = 128)]
    batch: i64,
}

pub async fn run(b: PublishBench) -> anyhow::Result<()> {
    if b.postgres.is_none() && b.processes > 0 {
        bail!("worker processes need a shared PostgreSQL database: add --postgres postgres://USER@HOST:PORT");
    }
    let (db, url) = Db::fresh(b.postgres.as_deref()).await?;
    let result = publish_on(&b, &url).await;
    db.remove().await;
    result
}

async fn publish_on(b: &PublishBench, url: &str) -> anyhow::Result<()> {
    let backend = if b.postgres.is_some() { "PostgreSQL" } else { "SQLite" };
    println!(
        "relais bench publish: {} posts over {} sandbox accounts, {} ms latency, due over {} s, {backend}",
        b.posts, b.accounts, b.latency_ms, b.spread_s
    );
    let store = Store::open(url).await?;
    let key = SecretKey::generate();
    let secrets = SecretBox::new(&key);
    let seeding = Instant::now();
    let org = store.create_organisation(&Name::parse("org", "Bench")?).await?;
    let ws = store.create_workspace(&org.id, &Name::parse("workspace", "Bench")?, &TimeZoneName::parse("UTC")?, Locale::Fr).await?;
    let accounts =
        store.bulk_sandbox_accounts(&ws.id, b.accounts, |id| secrets.seal("bench-token", &SocialAccount::credentials_context(id))).await?;
    let seeded_due = now_ms() + 3_600_000;
    store.bulk_due_posts(&ws.id, &accounts, b.posts, seeded_due, b.spread_s * 1000).await?;
    // The clock starts now: the first post falls due in two seconds.
    store.shift_all_due(now_ms() + 2_000 - seeded_due).await?;
    println!("seeded in {:.1} s", seeding.elapsed().as_secs_f64());

    let cancel = CancellationToken::new();
    let mut children: Vec<Child> = vec![];
    let mut tasks = tokio::task::JoinSet::new();
    let sandbox = SandboxConfig { latency: Duration::from_millis(b.latency_ms), failure_rate: 0.0, rate_limit_per_minute: None };
    if b.processes == 0 {
        let publisher = Arc::new(Publisher {
            store: store.clone(),
            networks: Registry::default().with(Arc::new(Sandbox::new(store.clone(), sandbox))),
            secrets: secrets.clone(),
            // The benchmark's posts have no media.
            media: None,
        });
        for i in 0..b.workers {
            let config = WorkerConfig { batch: b.batch, lease_ms: 120_000, idle_poll: Duration::from_millis(20) };
            let worker = Worker::new(store.clone(), format!("bench:{i}"), config).register(publisher.clone());
            let c = cancel.clone();
            tasks.spawn(async move { worker.run(c).await });
        }
    } else {
        let exe = std::env::current_exe().context("cannot find the relais executable")?;
        let dir = std::env::temp_dir().join(format!("relais-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        for _ in 0..b.processes {
            children.push(
                Command::new(&exe)
                    .args(["worker", "--data-dir"])
                    .arg(&dir)
                    .env("RELAIS_DATABASE_URL", url)
                    .env("RELAIS_SECRET_KEY", key.to_base64())
                    .env("RELAIS_WORKERS", b.workers.to_string())
                    .env("RELAIS_JOB_BATCH", b.batch.to_string())
                    .env("RELAIS_JOB_LEASE_MS", "120000")
                    .env("RELAIS_SANDBOX_LATENCY_MS", b.latency_ms.to_string())
                    .env("RELAIS_SANDBOX_RATE_LIMIT", "0")
                    .env("RELAIS_LOG", "warn")
                    .stdout(Stdio::null())
                    .spawn()?,
            );
        }
    }

    let deadline = Instant::now() + Duration::from_secs(1800);
    let mut last_print = Instant::now();
    loop {
        let done = store.sandbox_post_count().await? as usize;
        if done >= b.posts {
            break;
        }
        if last_print.elapsed() > Duration::from_secs(5) {
            println!("  {done} published");
            last_print = Instant::now();
        }
        if Instant::now() > deadline {
            bail!("gave up after 30 minutes with {done} of {} posts published", b.posts);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Let the last outcomes be recorded.
    tokio::time::sleep(Duration::from_millis(500 + b.latency_ms)).await;
    cancel.cancel();
    while tasks.join_next().await.is_some() {}
    for mut c in children {
        let _ = Command::new("kill").args(["-TERM", &c.id().to_string()]).status();
        let _ = c.wait();
    }

    let times = store.publish_times(&ws.id).await?;
    let mut lags: Vec<i64> = times.iter().map(|(due, at)| at - due).collect();
    lags.sort_unstable();
    let first = times.iter().map(|t| t.0).min().unwrap_or(0);
    let last = times.iter().map(|t| t.1).max().unwrap_or(0);
    let posted = store.sandbox_post_count().await?;
    let duplicates = store.sandbox_duplicate_keys().await?;
    let seconds = (last - first).max(1) as f64 / 1000.0;
    println!("published {} of {} posts (recorded: {})", posted, b.posts, times.len());
    println!("throughput: {:.0} posts/s (first due → last published: {:.1} s)", times.len() as f64 / seconds, seconds);
    println!(
        "publish lag: p50 {} ms, p99 {} ms, max {} ms",
        percentile(&lags, 50.0),
        percentile(&lags, 99.0),
        lags.last().copied().unwrap_or(0)
    );
    let exactly_once = posted as usize == b.posts && duplicates == 0 && times.len() == b.posts;
    println!("exactly once: {}", if exactly_once { "yes" } else { "NO" });
    store.close().await;
    if !exactly_once {
        bail!("{duplicates} idempotency keys were posted more than once, or some posts are missing");
    }
    Ok(())
}
