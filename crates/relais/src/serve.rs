//! Running: the web server and workers in one process, or workers alone; both stop cleanly on
//! SIGTERM or Ctrl-C, finishing requests and jobs in flight.

use crate::config::{EngineArgs, ServeArgs, Settings, WorkerArgs};
use anyhow::Context;
use relais_core::secrets::SecretBox;
use relais_jobs::{
    ActivitySync, FirehoseListener, Housekeeping, ListenSearch, MetricsCollector, NetworkModerator, Publisher, ReplySender, ReportSender,
    RollupRebuilder, SyncSettings, Withdrawer, Worker,
};
use relais_networks::Registry;
use relais_networks::bluesky::Bluesky;
use relais_networks::sandbox::Sandbox;
use relais_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub async fn serve(settings: &Settings, args: &ServeArgs) -> anyhow::Result<()> {
    let store = open(settings).await?;
    serve_store(settings, args, store, None).await
}

/// Serves an opened store; `banner` is printed once the port is bound.
pub async fn serve_store(settings: &Settings, args: &ServeArgs, store: Store, banner: Option<String>) -> anyhow::Result<()> {
    let bind = settings.bind(args);
    let listener = tokio::net::TcpListener::bind(&bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    let addr = listener.local_addr()?;
    let cancel = CancellationToken::new();
    spawn_signal_handler(cancel.clone());
    let mut tasks = start_workers(settings, &args.engine, &store, settings.workers(args.workers), &cancel)?;

    let state = relais_web::AppState::new(store.clone(), settings.web_config(args)?, SecretBox::new(&settings.secret_key))
        .with_networks(networks(settings, &args.engine, &store)?)
        .with_shutdown(cancel.clone());
    let app = relais_web::router(state);
    tracing::info!(%addr, backend = ?store.backend(), "relais is serving");
    if let Some(b) = banner {
        println!("{}", b.replace("{url}", &format!("http://{addr}")));
    } else {
        println!("Relais is serving on http://{addr}");
    }
    let shutdown = cancel.clone();
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
        .context("the web server failed")?;
    cancel.cancel();
    while tasks.join_next().await.is_some() {}
    store.close().await;
    tracing::info!("shutdown complete");
    Ok(())
}

/// Connects, migrates and checks the secret key: what every long-running command does first.
pub async fn open(settings: &Settings) -> anyhow::Result<Store> {
    let store = Store::open(&settings.database_url).await?;
    crate::keycheck::verify(&store, &settings.secret_key).await?;
    if store.autovacuum_off().await? {
        tracing::warn!(
            "PostgreSQL's autovacuum is off: table statistics will go stale and the inbox's queries slow down as it grows; \
             turn it on (autovacuum = on, PostgreSQL's default) or run ANALYZE regularly"
        );
    }
    Ok(store)
}

pub async fn workers_only(settings: &Settings, args: &WorkerArgs) -> anyhow::Result<()> {
    let store = open(settings).await?;
    let cancel = CancellationToken::new();
    spawn_signal_handler(cancel.clone());
    let mut tasks = start_workers(settings, &args.engine, &store, settings.workers(args.workers), &cancel)?;
    tracing::info!(backend = ?store.backend(), "relais worker running");
    while tasks.join_next().await.is_some() {}
    store.close().await;
    tracing::info!("shutdown complete");
    Ok(())
}

/// The networks this process publishes to. The sandbox simulator is always there; real
/// connectors join it as they are built.
fn networks(settings: &Settings, engine: &EngineArgs, store: &Store) -> anyhow::Result<Registry> {
    Ok(Registry::default()
        .with(Arc::new(Sandbox::new(store.clone(), settings.sandbox(engine)?)))
        .with(Arc::new(Bluesky::with_outbound(settings.outbound(engine)?)))
        .with(Arc::new(relais_networks::mastodon::Mastodon::with_outbound(settings.outbound(engine)?))))
}

fn start_workers(
    settings: &Settings,
    engine: &EngineArgs,
    store: &Store,
    count: usize,
    cancel: &CancellationToken,
) -> anyhow::Result<JoinSet<()>> {
    let mut set = JoinSet::new();
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    let publisher = Arc::new(Publisher {
        store: store.clone(),
        networks: networks(settings, engine, store)?,
        secrets: SecretBox::new(&settings.secret_key),
        media: Some(relais_store::MediaFiles::new(settings.media_dir())),
    });
    let registry = networks(settings, engine, store)?;
    let secrets = SecretBox::new(&settings.secret_key);
    let cadence = settings.cadence(engine)?;
    let sync = Arc::new(ActivitySync {
        store: store.clone(),
        networks: registry.clone(),
        secrets: secrets.clone(),
        settings: SyncSettings::default(),
    });
    let replies = Arc::new(ReplySender { store: store.clone(), networks: registry.clone(), secrets: secrets.clone() });
    let moderator = Arc::new(NetworkModerator { store: store.clone(), networks: registry.clone(), secrets: secrets.clone() });
    let metrics =
        Arc::new(MetricsCollector { store: store.clone(), networks: registry.clone(), secrets, lookback_days: cadence.metrics_days });
    let withdrawer =
        Arc::new(Withdrawer { store: store.clone(), networks: registry.clone(), secrets: SecretBox::new(&settings.secret_key) });
    let listen_search = Arc::new(ListenSearch {
        store: store.clone(),
        networks: registry.clone(),
        secrets: SecretBox::new(&settings.secret_key),
        pages: 2,
    });
    let reports = Arc::new(ReportSender {
        store: store.clone(),
        renderer: Arc::new(relais_web::scheduled_reports::AnalyticsReports {
            store: store.clone(),
            media: relais_store::MediaFiles::new(settings.media_dir()),
        }),
        folder: settings.reports_dir(engine),
        mailer: settings.mailer(engine)?,
    });
    let config = settings.worker_config(engine);
    for i in 0..count {
        let worker = Worker::new(store.clone(), format!("{host}:{}:{i}", std::process::id()), config.clone())
            .register(Arc::new(Housekeeping { store: store.clone() }))
            .register(Arc::new(RollupRebuilder { store: store.clone() }))
            .register(publisher.clone())
            .register(withdrawer.clone())
            .register(sync.clone())
            .register(replies.clone())
            .register(moderator.clone())
            .register(metrics.clone())
            .register(listen_search.clone())
            .register(reports.clone());
        let c = cancel.clone();
        set.spawn(async move { worker.run(c).await });
    }
    spawn_listening(settings, engine, store, &mut set, cancel)?;
    // Every process asks for the hourly housekeeping; the unique key keeps it to one run.
    let (s, c) = (store.clone(), cancel.clone());
    set.spawn(async move {
        loop {
            if let Err(e) = Housekeeping::schedule(&s).await {
                tracing::warn!(error = %e, "could not schedule housekeeping");
            }
            tokio::select! {
                _ = c.cancelled() => break,
                _ = tokio::time::sleep(Duration::from_secs(600)) => {}
            }
        }
    });
    // Every process looks for due reports each minute; a delivery's run key keeps it to one.
    let (s, c) = (store.clone(), cancel.clone());
    set.spawn(async move {
        loop {
            if let Err(e) = ReportSender::schedule(&s, jiff::Timestamp::now()).await {
                tracing::warn!(error = %e, "could not schedule the reports");
            }
            tokio::select! {
                _ = c.cancelled() => break,
                _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            }
        }
    });
    // Every process asks for each account's sync and metrics of the current slot; the jobs'
    // unique keys (account + slot) keep it to one job per slot across the deployment.
    let (s, c) = (store.clone(), cancel.clone());
    set.spawn(async move {
        let tick = Duration::from_millis((cadence.inbox_sync_ms / 4).clamp(5_000, 60_000) as u64);
        loop {
            if let Err(e) = ActivitySync::schedule(&s, &registry, cadence.inbox_sync_ms).await {
                tracing::warn!(error = %e, "could not schedule the inbox syncs");
            }
            if let Err(e) = MetricsCollector::schedule(&s, &registry, cadence.metrics_ms).await {
                tracing::warn!(error = %e, "could not schedule the metrics collections");
            }
            tokio::select! {
                _ = c.cancelled() => break,
                _ = tokio::time::sleep(tick) => {}
            }
        }
    });
    Ok(set)
}

/// Listening: every process enqueues each query's periodic search (the unique key keeps it to one
/// run per period) and, when a firehose is configured, reads it.
fn spawn_listening(
    settings: &Settings,
    engine: &EngineArgs,
    store: &Store,
    set: &mut JoinSet<()>,
    cancel: &CancellationToken,
) -> anyhow::Result<()> {
    let every_ms = settings.listen_every_ms(engine)?;
    let (s, c) = (store.clone(), cancel.clone());
    set.spawn(async move {
        loop {
            if let Err(e) = ListenSearch::schedule(&s, every_ms).await {
                tracing::warn!(error = %e, "could not schedule listening searches");
            }
            tokio::select! {
                _ = c.cancelled() => break,
                _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            }
        }
    });
    if let Some(service) = settings.bluesky_firehose(engine) {
        let listener =
            FirehoseListener { store: store.clone(), service, outbound: settings.outbound(engine)?, refresh: Duration::from_secs(60) };
        let c = cancel.clone();
        set.spawn(async move {
            if let Err(e) = listener.run(c).await {
                tracing::error!(error = %e, "the Bluesky firehose listener cannot start");
            }
        });
    }
    Ok(())
}

fn spawn_signal_handler(cancel: CancellationToken) {
    tokio::spawn(async move {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await
                }
            }
        };
        tokio::select! {
            _ = term => tracing::info!("SIGTERM received: finishing requests and jobs in flight"),
            _ = tokio::signal::ctrl_c() => tracing::info!("interrupt received: finishing requests and jobs in flight"),
        }
        cancel.cancel();
    });
}
