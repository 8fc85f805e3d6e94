//! Listening: the workspace's queries, the posts they found, and where each network stream was
//! read up to. A post is stored once per query however many times it is found (by a search and
//! by the stream, by two processes): the insert does nothing on `(query, network, remote_id)`.

use crate::jobs::insert_job;
use crate::{NewJob, Result, Store, StoreError};
use relais_core::kpi::listening::Voice;
use relais_core::listening_query::ListeningQuery;
use relais_core::{Name, new_id, now_ms};
use sqlx::FromRow;

/// The job that runs a query's searches on the networks (payload `{"workspace", "query"}`).
pub const LISTEN_SEARCH_JOB: &str = "listen_search";

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ListeningQueryRecord {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    /// The query as written; it parsed when it was saved.
    pub query: String,
    pub active: bool,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub last_run_at: Option<i64>,
    /// What went wrong at the last search, in the network's words; `None` after a clean run.
    pub last_error: Option<String>,
    pub hits: i64,
    /// Whose mentions it counts for share of voice, if anyone's.
    pub voice: Option<Voice>,
}

/// Where a hit came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitSource {
    Search,
    Stream,
}

impl HitSource {
    pub fn as_str(self) -> &'static str {
        match self {
            HitSource::Search => "search",
            HitSource::Stream => "stream",
        }
    }
}

/// A post a query matched, as a job or the stream found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewListeningHit<'a> {
    pub query_id: &'a str,
    pub network: &'a str,
    pub remote_id: &'a str,
    pub author_remote_id: &'a str,
    pub author_handle: &'a str,
    pub author_name: Option<&'a str>,
    pub text: &'a str,
    pub url: Option<&'a str>,
    pub language: Option<&'a str>,
    pub posted_at: i64,
    pub source: HitSource,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ListeningHit {
    pub id: String,
    pub query_id: String,
    pub network: String,
    pub remote_id: String,
    pub author_remote_id: String,
    pub author_handle: String,
    pub author_name: Option<String>,
    pub text: String,
    pub url: Option<String>,
    pub language: Option<String>,
    pub posted_at: i64,
    pub found_at: i64,
    pub source: String,
}

/// `active` is a BIGINT 0/1 in both databases.
#[derive(FromRow)]
struct Row {
    id: String,
    workspace_id: String,
    name: String,
    query: String,
    active: i64,
    created_by: Option<String>,
    created_at: i64,
    last_run_at: Option<i64>,
    last_error: Option<String>,
    hits: i64,
    voice: Option<String>,
    competitor: Option<String>,
}

impl From<Row> for ListeningQueryRecord {
    fn from(r: Row) -> Self {
        ListeningQueryRecord {
            id: r.id,
            workspace_id: r.workspace_id,
            name: r.name,
            query: r.query,
            active: r.active != 0,
            created_by: r.created_by,
            created_at: r.created_at,
            last_run_at: r.last_run_at,
            last_error: r.last_error,
            hits: r.hits,
            // Saved through `Voice`, so it reads back; anything else counts for no one.
            voice: Voice::parse(r.voice.as_deref().unwrap_or(""), r.competitor.as_deref().unwrap_or("")).ok().flatten(),
        }
    }
}

const SELECT: &str = "SELECT q.id, q.workspace_id, q.name, q.query, q.active, q.created_by, q.created_at, q.last_run_at, q.last_error,
       (SELECT COUNT(*) FROM listening_hits h WHERE h.query_id = q.id) AS hits, q.voice, q.competitor
  FROM listening_queries q";

fn name_taken(name: &Name) -> StoreError {
    StoreError::Conflict(format!("a listening query named “{}” already exists in this workspace", name.as_str()))
}

impl Store {
    pub async fn create_listening_query(
        &self,
        workspace_id: &str,
        name: &Name,
        query: &ListeningQuery,
        created_by: &str,
    ) -> Result<ListeningQueryRecord> {
        let id = new_id();
        let now = now_ms();
        let res = sqlx::query(
            "INSERT INTO listening_queries (id, workspace_id, name, query, active, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 1, $5, $6, $6)",
        )
        .bind(&id)
        .bind(workspace_id)
        .bind(name.as_str())
        .bind(query.source())
        .bind(created_by)
        .bind(now)
        .execute(self.writer())
        .await;
        match res {
            Ok(_) => self.listening_query(workspace_id, &id).await,
            Err(e) if StoreError::is_unique_violation(&e) => Err(name_taken(name)),
            Err(e) => Err(e.into()),
        }
    }

    /// Renames, rewrites, (de)activates a query of the workspace. A new query text clears the
    /// last error, which was about the old one.
    pub async fn update_listening_query(
        &self,
        workspace_id: &str,
        id: &str,
        name: &Name,
        query: &ListeningQuery,
        active: bool,
    ) -> Result<ListeningQueryRecord> {
        let res = sqlx::query(
            "UPDATE listening_queries SET name = $1, query = $2, active = $3, updated_at = $4,
                    last_error = CASE WHEN query = $2 THEN last_error ELSE NULL END
              WHERE id = $5 AND workspace_id = $6",
        )
        .bind(name.as_str())
        .bind(query.source())
        .bind(i64::from(active))
        .bind(now_ms())
        .bind(id)
        .bind(workspace_id)
        .execute(self.writer())
        .await;
        match res {
            Ok(r) if r.rows_affected() == 0 => Err(StoreError::NotFound("listening query")),
            Ok(_) => self.listening_query(workspace_id, id).await,
            Err(e) if StoreError::is_unique_violation(&e) => Err(name_taken(name)),
            Err(e) => Err(e.into()),
        }
    }

    /// Marks whose mentions a query of the workspace counts for share of voice (`None`: no one's).
    pub async fn set_listening_voice(&self, workspace_id: &str, id: &str, voice: Option<&Voice>) -> Result<()> {
        let n =
            sqlx::query("UPDATE listening_queries SET voice = $1, competitor = $2, updated_at = $3 WHERE id = $4 AND workspace_id = $5")
                .bind(voice.map(Voice::key))
                .bind(voice.and_then(Voice::competitor))
                .bind(now_ms())
                .bind(id)
                .bind(workspace_id)
                .execute(self.writer())
                .await?
                .rows_affected();
        if n == 0 { Err(StoreError::NotFound("listening query")) } else { Ok(()) }
    }

    pub async fn set_listening_query_active(&self, workspace_id: &str, id: &str, active: bool) -> Result<()> {
        let n = sqlx::query("UPDATE listening_queries SET active = $1, updated_at = $2 WHERE id = $3 AND workspace_id = $4")
            .bind(i64::from(active))
            .bind(now_ms())
            .bind(id)
            .bind(workspace_id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 { Err(StoreError::NotFound("listening query")) } else { Ok(()) }
    }

    /// A query of the workspace, with its hit count; another workspace's is `NotFound`.
    pub async fn listening_query(&self, workspace_id: &str, id: &str) -> Result<ListeningQueryRecord> {
        let sql = format!("{SELECT} WHERE q.id = $1 AND q.workspace_id = $2");
        let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).bind(workspace_id).fetch_optional(self.pool()).await?;
        row.map(Into::into).ok_or(StoreError::NotFound("listening query"))
    }

    /// The workspace's queries, active first, by name.
    pub async fn listening_queries(&self, workspace_id: &str) -> Result<Vec<ListeningQueryRecord>> {
        let sql = format!("{SELECT} WHERE q.workspace_id = $1 ORDER BY q.active DESC, q.name");
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(workspace_id).fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Every active query of every workspace: what the stream matches posts against and the
    /// scheduler enqueues. Read every minute by every process, so hits are not counted (`hits`
    /// is 0).
    pub async fn active_listening_queries(&self) -> Result<Vec<ListeningQueryRecord>> {
        let sql = "SELECT q.id, q.workspace_id, q.name, q.query, q.active, q.created_by, q.created_at, q.last_run_at, q.last_error,
                          CAST(0 AS BIGINT) AS hits, q.voice, q.competitor
                     FROM listening_queries q WHERE q.active = 1 ORDER BY q.workspace_id, q.id";
        let rows: Vec<Row> = sqlx::query_as(sql).fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Records a search run of the query: when, and what went wrong (`None`: nothing).
    pub async fn record_listening_run(&self, id: &str, error: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE listening_queries SET last_run_at = $1, last_error = $2 WHERE id = $3")
            .bind(now_ms())
            .bind(error)
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Stores the hits in one transaction; those already stored for their query are skipped,
    /// as are hits of a query deleted meanwhile. Returns how many were new.
    pub async fn store_listening_hits(&self, hits: &[NewListeningHit<'_>]) -> Result<u64> {
        if hits.is_empty() {
            return Ok(0);
        }
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let mut added = 0;
        for h in hits {
            added += sqlx::query(
                "INSERT INTO listening_hits (id, workspace_id, query_id, network, remote_id, author_remote_id, author_handle, author_name,
                                             text, url, language, posted_at, found_at, source)
                 SELECT $1, q.workspace_id, q.id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM listening_queries q WHERE q.id = $13
                 ON CONFLICT (query_id, network, remote_id) DO NOTHING",
            )
            .bind(new_id())
            .bind(h.network)
            .bind(h.remote_id)
            .bind(h.author_remote_id)
            .bind(h.author_handle)
            .bind(h.author_name)
            .bind(h.text)
            .bind(h.url)
            .bind(h.language)
            .bind(h.posted_at)
            .bind(now)
            .bind(h.source.as_str())
            .bind(h.query_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(added)
    }

    /// A query's hits, newest post first; `NotFound` when the query is not the workspace's.
    pub async fn listening_hits(&self, workspace_id: &str, query_id: &str, limit: i64) -> Result<Vec<ListeningHit>> {
        self.listening_query(workspace_id, query_id).await?;
        Ok(sqlx::query_as(
            "SELECT id, query_id, network, remote_id, author_remote_id, author_handle, author_name, text, url, language, posted_at,
                    found_at, source
               FROM listening_hits WHERE query_id = $1 AND workspace_id = $2 ORDER BY posted_at DESC, id DESC LIMIT $3",
        )
        .bind(query_id)
        .bind(workspace_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Enqueues a search run of the query, once per `slot` (a time slot of the periodic
    /// schedule, or of the "search now" button): every process may ask, one job runs. Returns
    /// whether a job was added.
    pub async fn enqueue_listening_search(&self, query: &ListeningQueryRecord, slot: &str) -> Result<bool> {
        let job = NewJob {
            kind: LISTEN_SEARCH_JOB.into(),
            payload: serde_json::json!({"workspace": query.workspace_id, "query": query.id}),
            run_at: now_ms(),
            unique_key: Some(format!("{LISTEN_SEARCH_JOB}:{}:{slot}", query.id)),
            max_attempts: 3,
        };
        Ok(insert_job(self.writer(), &job).await?.is_some())
    }

    /// Where the stream of `network` at `service` was read up to.
    pub async fn stream_cursor(&self, network: &str, service: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT cursor FROM listening_stream_cursors WHERE network = $1 AND service = $2")
            .bind(network)
            .bind(service)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Moves the stream's cursor forward; an older cursor (a slower process) never moves it back.
    pub async fn save_stream_cursor(&self, network: &str, service: &str, cursor: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO listening_stream_cursors (network, service, cursor, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (network, service) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
             WHERE listening_stream_cursors.cursor < excluded.cursor",
        )
        .bind(network)
        .bind(service)
        .bind(cursor)
        .bind(now_ms())
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
