//! Listening: new posts as they are written, from the event stream
//! (`com.atproto.sync.subscribeRepos`) of a PDS or of a relay that gathers many PDSes.
//!
//! Each WebSocket message is two DAG-CBOR values: a header `{op, t}` and a body. A `#commit`
//! body lists the records its commit created, updated or deleted, and carries their blocks as a
//! CAR file; the posts created (`app.bsky.feed.post`) come out as [`FirehosePost`]s. `#info` is
//! passed on (an `OutdatedCursor` says events were missed); `#identity`, `#account` and `#sync`
//! only move the cursor; a frame that cannot be decoded is logged and skipped. An error frame
//! (`op = -1`) ends the stream, as the server closes it.
//!
//! Reconnecting is the caller's business: once [`Firehose::next`] answers `None` or an error, the
//! stream is over; subscribe again with [`Firehose::cursor`] to resume after the last commit
//! whose posts were all handed out (the server sends the events that came after it, as far back
//! as it keeps them).

use crate::{RemoteAuthor, RemotePost};
use cid::Cid;
use futures_util::StreamExt;
use serde::Deserialize;
use std::collections::VecDeque;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

const POST: &str = "app.bsky.feed.post";

/// A post created in a repository, as the stream showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirehosePost {
    /// The commit's sequence number on the server that streamed it.
    pub seq: i64,
    /// The author's DID (the stream carries no handle).
    pub repo: String,
    pub rkey: String,
    /// `at://<repo>/app.bsky.feed.post/<rkey>`.
    pub uri: String,
    pub cid: String,
    pub text: String,
    /// The record's `createdAt` (the author's clock), when it parses.
    pub created_at_ms: Option<i64>,
    pub langs: Vec<String>,
    pub parent_remote_id: Option<String>,
    pub root_remote_id: Option<String>,
}

impl FirehosePost {
    /// As a post read from the network; the author is known by DID only, which stands in for the
    /// handle until a profile is looked up.
    pub fn to_remote_post(&self) -> RemotePost {
        RemotePost {
            remote_id: self.uri.clone(),
            url: super::views::post_url(&self.repo, &self.uri),
            author: RemoteAuthor { remote_id: self.repo.clone(), handle: self.repo.clone(), display_name: None, avatar_url: None },
            text: self.text.clone(),
            created_at_ms: self.created_at_ms.unwrap_or_else(relais_core::now_ms),
            language: self.langs.first().cloned(),
            parent_remote_id: self.parent_remote_id.clone(),
            metrics: None,
        }
    }
}

/// What the stream says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirehoseEvent {
    Post(FirehosePost),
    /// The server's notice, e.g. `OutdatedCursor` (the cursor was older than what it keeps).
    Info {
        name: String,
        message: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FirehoseError {
    #[error("Bluesky firehose: cannot subscribe at {url}: {message}")]
    Connect { url: String, message: String },
    #[error("Bluesky firehose: the stream broke: {0}")]
    Stream(String),
    /// The server's error frame, e.g. `FutureCursor` or `ConsumerTooSlow`.
    #[error("Bluesky firehose: the server ended the stream: {error}: {message}")]
    Server { error: String, message: String },
}

/// A subscription to one server's event stream.
pub struct Firehose {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    pending: VecDeque<FirehosePost>,
    /// The sequence number of the commit whose posts are in `pending`.
    pending_seq: Option<i64>,
    cursor: Option<i64>,
}

impl Firehose {
    /// Subscribes at `service` (`https://…` or `http://…`, the `wss`/`ws` scheme is derived),
    /// from just after `cursor`, or from now on without one.
    pub async fn subscribe(service: &str, cursor: Option<i64>) -> Result<Firehose, FirehoseError> {
        let base = service.trim_end_matches('/');
        let base = match base.split_once("://") {
            Some(("https", rest)) => format!("wss://{rest}"),
            Some(("http", rest)) => format!("ws://{rest}"),
            _ => base.to_string(),
        };
        let mut url = format!("{base}/xrpc/com.atproto.sync.subscribeRepos");
        if let Some(cursor) = cursor {
            url.push_str(&format!("?cursor={cursor}"));
        }
        let (socket, _) =
            tokio_tungstenite::connect_async(url.as_str()).await.map_err(|e| FirehoseError::Connect { url, message: e.to_string() })?;
        Ok(Firehose { socket, pending: VecDeque::new(), pending_seq: None, cursor })
    }

    /// Where to resume: the last commit whose posts were all handed out.
    pub fn cursor(&self) -> Option<i64> {
        self.cursor
    }

    /// The next post or notice; `None` once the server closed the stream.
    pub async fn next(&mut self) -> Option<Result<FirehoseEvent, FirehoseError>> {
        loop {
            if let Some(post) = self.pending.pop_front() {
                if self.pending.is_empty() {
                    self.cursor = self.pending_seq.take().or(self.cursor);
                }
                return Some(Ok(FirehoseEvent::Post(post)));
            }
            let bytes = match self.socket.next().await? {
                Ok(Message::Binary(bytes)) => bytes,
                Ok(Message::Close(_)) => return None,
                Ok(_) => continue,
                Err(e) => return Some(Err(FirehoseError::Stream(e.to_string()))),
            };
            match decode_frame(&bytes).await {
                Ok(Frame::Commit { seq, posts }) if posts.is_empty() => self.cursor = Some(seq),
                Ok(Frame::Commit { seq, posts }) => {
                    self.pending.extend(posts);
                    self.pending_seq = Some(seq);
                }
                Ok(Frame::Other { seq }) => self.cursor = seq.or(self.cursor),
                Ok(Frame::Info { name, message }) => return Some(Ok(FirehoseEvent::Info { name, message })),
                Ok(Frame::Error { error, message }) => return Some(Err(FirehoseError::Server { error, message })),
                Err(problem) => tracing::warn!(%problem, "Bluesky firehose: a frame was skipped"),
            }
        }
    }
}

/// One message of the stream, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Frame {
    Commit {
        seq: i64,
        posts: Vec<FirehosePost>,
    },
    Info {
        name: String,
        message: Option<String>,
    },
    Error {
        error: String,
        message: String,
    },
    /// `#identity`, `#account`, `#sync` and types this version does not know.
    Other {
        seq: Option<i64>,
    },
}

#[derive(Deserialize)]
struct Header {
    op: i64,
    t: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    message: Option<String>,
}

#[derive(Deserialize)]
struct InfoBody {
    name: String,
    message: Option<String>,
}

#[derive(Deserialize)]
struct SeqBody {
    seq: Option<i64>,
}

#[derive(Deserialize)]
struct CommitBody {
    seq: i64,
    repo: String,
    #[serde(default)]
    ops: Vec<RepoOp>,
    #[serde(with = "serde_bytes")]
    blocks: Vec<u8>,
}

#[derive(Deserialize)]
struct RepoOp {
    action: String,
    path: String,
    cid: Option<Cid>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostRecord {
    #[serde(default)]
    text: String,
    created_at: Option<String>,
    #[serde(default)]
    langs: Vec<String>,
    reply: Option<ReplyRefs>,
}

#[derive(Deserialize)]
struct ReplyRefs {
    parent: Option<StrongRef>,
    root: Option<StrongRef>,
}

#[derive(Deserialize)]
struct StrongRef {
    uri: String,
}

async fn decode_frame(bytes: &[u8]) -> Result<Frame, String> {
    let mut reader = std::io::Cursor::new(bytes);
    let header: Header = serde_ipld_dagcbor::de::from_reader_once(&mut reader).map_err(|e| format!("header: {e}"))?;
    let body = &bytes[reader.position() as usize..];
    let decode_error = |e: serde_ipld_dagcbor::DecodeError<std::convert::Infallible>| format!("{:?} body: {e}", header.t);
    if header.op == -1 {
        let body: ErrorBody = serde_ipld_dagcbor::from_slice(body).map_err(decode_error)?;
        return Ok(Frame::Error { error: body.error, message: body.message.unwrap_or_default() });
    }
    match header.t.as_deref() {
        Some("#commit") => {
            let commit: CommitBody = serde_ipld_dagcbor::from_slice(body).map_err(decode_error)?;
            Ok(Frame::Commit { seq: commit.seq, posts: created_posts(&commit).await? })
        }
        Some("#info") => {
            let info: InfoBody = serde_ipld_dagcbor::from_slice(body).map_err(decode_error)?;
            Ok(Frame::Info { name: info.name, message: info.message })
        }
        _ => Ok(Frame::Other { seq: serde_ipld_dagcbor::from_slice::<SeqBody>(body).ok().and_then(|b| b.seq) }),
    }
}

/// The posts a commit created, read from its blocks; an op whose block is missing (a commit
/// too big to carry them) is left out.
async fn created_posts(commit: &CommitBody) -> Result<Vec<FirehosePost>, String> {
    let wanted: Vec<(&str, Cid)> = commit
        .ops
        .iter()
        .filter(|op| op.action == "create")
        .filter_map(|op| Some((op.path.strip_prefix(POST)?.strip_prefix('/')?, op.cid?)))
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut blocks = std::collections::HashMap::new();
    let mut car = iroh_car::CarReader::new(commit.blocks.as_slice()).await.map_err(|e| format!("commit {}: {e}", commit.seq))?;
    while let Some((cid, data)) = car.next_block().await.map_err(|e| format!("commit {}: {e}", commit.seq))? {
        blocks.insert(cid, data);
    }
    let mut posts = Vec::new();
    for (rkey, cid) in wanted {
        let Some(data) = blocks.get(&cid) else { continue };
        let record: PostRecord = serde_ipld_dagcbor::from_slice(data).map_err(|e| format!("post {rkey} of commit {}: {e}", commit.seq))?;
        let reply = record.reply.as_ref();
        posts.push(FirehosePost {
            seq: commit.seq,
            repo: commit.repo.clone(),
            rkey: rkey.to_string(),
            uri: format!("at://{}/{POST}/{rkey}", commit.repo),
            cid: cid.to_string(),
            text: record.text,
            created_at_ms: record.created_at.as_deref().and_then(super::views::parse_ms),
            langs: record.langs,
            parent_remote_id: reply.and_then(|r| Some(r.parent.as_ref()?.uri.clone())),
            root_remote_id: reply.and_then(|r| Some(r.root.as_ref()?.uri.clone())),
        });
    }
    Ok(posts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cid::multihash::Multihash;
    use serde::Serialize;
    use std::collections::BTreeMap;

    const DAG_CBOR: u64 = 0x71;
    const SHA2_256: u64 = 0x12;

    fn cid_of(data: &[u8]) -> Cid {
        use sha2::Digest;
        Cid::new_v1(DAG_CBOR, Multihash::wrap(SHA2_256, &sha2::Sha256::digest(data)).unwrap())
    }

    fn frame(header: &impl Serialize, body: &impl Serialize) -> Vec<u8> {
        let mut bytes = serde_ipld_dagcbor::to_vec(header).unwrap();
        bytes.extend(serde_ipld_dagcbor::to_vec(body).unwrap());
        bytes
    }

    #[derive(Serialize)]
    struct H {
        op: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        t: Option<&'static str>,
    }

    #[derive(Serialize)]
    struct Op {
        action: &'static str,
        path: String,
        cid: Option<Cid>,
    }

    #[derive(Serialize)]
    struct Commit {
        seq: i64,
        repo: &'static str,
        ops: Vec<Op>,
        #[serde(with = "serde_bytes")]
        blocks: Vec<u8>,
        #[serde(rename = "tooBig")]
        too_big: bool,
    }

    async fn car(blocks: &[(Cid, Vec<u8>)]) -> Vec<u8> {
        let mut writer = iroh_car::CarWriter::new(iroh_car::CarHeader::new_v1(vec![blocks[0].0]), Vec::new());
        for (cid, data) in blocks {
            writer.write(*cid, data).await.unwrap();
        }
        writer.finish().await.unwrap()
    }

    #[tokio::test]
    async fn a_commit_yields_the_posts_it_created() {
        #[derive(Serialize)]
        struct Reply {
            parent: BTreeMap<&'static str, &'static str>,
            root: BTreeMap<&'static str, &'static str>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Post {
            #[serde(rename = "$type")]
            kind: &'static str,
            text: &'static str,
            created_at: &'static str,
            langs: Vec<&'static str>,
            reply: Reply,
        }
        let parent = BTreeMap::from([("uri", "at://did:plc:brand/app.bsky.feed.post/3kparent"), ("cid", "bafy")]);
        let record = serde_ipld_dagcbor::to_vec(&Post {
            kind: "app.bsky.feed.post",
            text: "Été à Dijon",
            created_at: "2026-11-20T10:00:00.000Z",
            langs: vec!["fr"],
            reply: Reply { parent: parent.clone(), root: parent },
        })
        .unwrap();
        let like = serde_ipld_dagcbor::to_vec(&BTreeMap::from([("$type", "app.bsky.feed.like")])).unwrap();
        let (post_cid, like_cid) = (cid_of(&record), cid_of(&like));
        let commit = Commit {
            seq: 42,
            repo: "did:plc:alice",
            ops: vec![
                Op { action: "create", path: "app.bsky.feed.post/3kpost".into(), cid: Some(post_cid) },
                Op { action: "create", path: "app.bsky.feed.like/3klike".into(), cid: Some(like_cid) },
                Op { action: "delete", path: "app.bsky.feed.post/3kgone".into(), cid: None },
                Op { action: "create", path: "app.bsky.feed.post/3kmissing".into(), cid: Some(cid_of(b"absent")) },
            ],
            blocks: car(&[(post_cid, record), (like_cid, like)]).await,
            too_big: false,
        };
        let Frame::Commit { seq, posts } = decode_frame(&frame(&H { op: 1, t: Some("#commit") }, &commit)).await.unwrap() else {
            panic!("a commit")
        };
        assert_eq!(seq, 42);
        assert_eq!(posts.len(), 1, "the like, the deletion and the post without block are not new posts: {posts:?}");
        let p = &posts[0];
        assert_eq!(p.uri, "at://did:plc:alice/app.bsky.feed.post/3kpost");
        assert_eq!((p.repo.as_str(), p.rkey.as_str(), p.seq), ("did:plc:alice", "3kpost", 42));
        assert_eq!(p.cid, post_cid.to_string());
        assert_eq!(p.text, "Été à Dijon");
        assert_eq!(p.created_at_ms, crate::bluesky::views::parse_ms("2026-11-20T10:00:00Z"));
        assert_eq!(p.langs, ["fr"]);
        assert_eq!(p.parent_remote_id.as_deref(), Some("at://did:plc:brand/app.bsky.feed.post/3kparent"));
        let remote = p.to_remote_post();
        assert_eq!((remote.author.remote_id.as_str(), remote.language.as_deref()), ("did:plc:alice", Some("fr")));
    }

    #[tokio::test]
    async fn notices_errors_and_other_frames() {
        let info = frame(&H { op: 1, t: Some("#info") }, &BTreeMap::from([("name", "OutdatedCursor")]));
        assert_eq!(decode_frame(&info).await.unwrap(), Frame::Info { name: "OutdatedCursor".into(), message: None });
        let error = frame(&H { op: -1, t: None }, &BTreeMap::from([("error", "FutureCursor"), ("message", "Cursor in the future.")]));
        assert_eq!(
            decode_frame(&error).await.unwrap(),
            Frame::Error { error: "FutureCursor".into(), message: "Cursor in the future.".into() }
        );
        #[derive(Serialize)]
        struct Identity {
            seq: i64,
            did: &'static str,
        }
        let identity = frame(&H { op: 1, t: Some("#identity") }, &Identity { seq: 7, did: "did:plc:alice" });
        assert_eq!(decode_frame(&identity).await.unwrap(), Frame::Other { seq: Some(7) });
        assert!(decode_frame(b"\xff\x00").await.is_err(), "garbage is an error to skip, not a panic");
        let untyped = frame(&H { op: 1, t: None }, &BTreeMap::from([("x", "y")]));
        assert_eq!(decode_frame(&untyped).await.unwrap(), Frame::Other { seq: None });
        let truncated = &info[..info.len() - 3];
        assert!(decode_frame(truncated).await.is_err());
    }
}
