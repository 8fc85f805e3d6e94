//! The Bluesky firehose listener: a long-running task (not a job) that reads every new post of a
//! relay or PDS (`com.atproto.sync.subscribeRepos`) and matches it against every active listening
//! query of every workspace. Matches are stored as hits with source `stream`; the same post found
//! later by a search is not stored twice.
//!
//! The queries are read from the database and refreshed every `refresh` (a query written after
//! the start is picked up then). The stream's cursor is saved every few seconds and on the way
//! out, and a reconnection resumes from it, with exponential backoff between attempts. Several
//! processes may run one: hits are idempotent and the cursor only moves forward, at the cost of
//! reading the stream twice.

use crate::listen_search::hit;
use relais_core::listening_query::{FoldedText, ListeningQuery};
use relais_networks::bluesky::firehose::{Firehose, FirehoseEvent, FirehosePost};
use relais_networks::outbound::Outbound;
use relais_store::{HitSource, NewListeningHit, Store};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const NETWORK: &str = "bluesky";
const CURSOR_EVERY: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

pub struct FirehoseListener {
    pub store: Store,
    /// `https://…`, `wss://…` (a relay such as `wss://bsky.network`, or a PDS).
    pub service: String,
    /// The policy the service's address must obey.
    pub outbound: Outbound,
    /// How often the active queries are read again.
    pub refresh: Duration,
}

/// A query ready to match, with what a hit needs.
struct Active {
    id: String,
    query: ListeningQuery,
}

impl FirehoseListener {
    /// The service as an http(s) address, for the outbound check and the subscription.
    fn http_service(&self) -> String {
        let s = self.service.trim_end_matches('/');
        match s.split_once("://") {
            Some(("wss", rest)) => format!("https://{rest}"),
            Some(("ws", rest)) => format!("http://{rest}"),
            _ => s.to_string(),
        }
    }

    /// Reads the stream until `cancel` fires. Returns an error, without retrying, only when the
    /// service's address is refused by the outbound policy or is not an address at all.
    pub async fn run(&self, cancel: CancellationToken) -> Result<(), String> {
        let service = self.http_service();
        self.outbound.check_server(&service).await.map_err(|e| format!("Bluesky firehose {}: {e}", self.service))?;
        let mut backoff = Duration::from_secs(1);
        let mut queries = Queries::default();
        while !cancel.is_cancelled() {
            let cursor = match self.store.stream_cursor(NETWORK, &service).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "firehose: cannot read the stored cursor");
                    None
                }
            };
            let connected = tokio::select! {
                _ = cancel.cancelled() => break,
                c = Firehose::subscribe(&service, cursor) => c,
            };
            match connected {
                Ok(mut firehose) => {
                    tracing::info!(service = %service, ?cursor, "firehose connected");
                    if self.read(&mut firehose, &service, &mut queries, &cancel, &mut backoff).await {
                        break;
                    }
                }
                Err(e) => tracing::warn!(error = %e, retry_in = ?backoff, "firehose: cannot connect"),
            }
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
        Ok(())
    }

    /// Reads one connection until it ends; true when cancelled.
    async fn read(
        &self,
        firehose: &mut Firehose,
        service: &str,
        queries: &mut Queries,
        cancel: &CancellationToken,
        backoff: &mut Duration,
    ) -> bool {
        let mut saved_at = Instant::now();
        let mut saved = firehose.cursor();
        let mut lost_a_post = false;
        let cancelled = loop {
            let event = tokio::select! {
                _ = cancel.cancelled() => break true,
                e = firehose.next() => e,
            };
            match event {
                None => {
                    tracing::info!("firehose: the server closed the stream");
                    break false;
                }
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "firehose: the stream ended");
                    break false;
                }
                Some(Ok(FirehoseEvent::Info { name, message })) => {
                    tracing::info!(name, message = message.as_deref().unwrap_or(""), "firehose notice")
                }
                Some(Ok(FirehoseEvent::Post(post))) => {
                    *backoff = Duration::from_secs(1);
                    queries.refresh_if_due(&self.store, self.refresh).await;
                    if let Err(e) = self.store_matches(&post, &queries.active).await {
                        // Not saving the cursor past it: the post is read again after a reconnection.
                        tracing::warn!(error = %e, "firehose: cannot store hits; reconnecting");
                        lost_a_post = true;
                        break false;
                    }
                }
            }
            if saved_at.elapsed() >= CURSOR_EVERY {
                saved = self.save_cursor(service, firehose.cursor(), saved).await;
                saved_at = Instant::now();
            }
        };
        if !lost_a_post {
            self.save_cursor(service, firehose.cursor(), saved).await;
        }
        cancelled
    }

    async fn store_matches(&self, post: &FirehosePost, active: &[Active]) -> relais_store::Result<u64> {
        let text = FoldedText::new(&post.text);
        let matching: Vec<&Active> = active.iter().filter(|a| a.query.matches_folded(&text)).collect();
        if matching.is_empty() {
            return Ok(0);
        }
        let remote = post.to_remote_post();
        let hits: Vec<NewListeningHit> = matching.iter().map(|a| hit(&a.id, NETWORK, &remote, HitSource::Stream)).collect();
        self.store.store_listening_hits(&hits).await
    }

    async fn save_cursor(&self, service: &str, cursor: Option<i64>, saved: Option<i64>) -> Option<i64> {
        match cursor {
            Some(c) if Some(c) != saved => match self.store.save_stream_cursor(NETWORK, service, c).await {
                Ok(()) => Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "firehose: cannot save the cursor");
                    saved
                }
            },
            _ => saved,
        }
    }
}

/// The active queries, read again when they are older than the refresh period.
#[derive(Default)]
struct Queries {
    active: Vec<Active>,
    read_at: Option<Instant>,
}

impl Queries {
    async fn refresh_if_due(&mut self, store: &Store, every: Duration) {
        if self.read_at.is_some_and(|at| at.elapsed() < every) {
            return;
        }
        match store.active_listening_queries().await {
            Ok(records) => {
                self.active = records
                    .into_iter()
                    // A stored query always parsed when it was saved; one that no longer does
                    // (a newer rule) is left out rather than matched wrongly.
                    .filter_map(|r| Some(Active { query: ListeningQuery::parse(&r.query).ok()?, id: r.id }))
                    .collect();
                self.read_at = Some(Instant::now());
            }
            Err(e) => tracing::warn!(error = %e, "firehose: cannot read the listening queries; keeping the previous ones"),
        }
    }
}
