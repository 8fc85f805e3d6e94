//! Helpers for the live tests against a local AT Protocol network (`tools/atproto-net/`) and
//! against `mastodon-mock` (both started by `.ci/run`), shared by this crate's tests and the
//! scheduler's.

use serde_json::{Value, json};
use std::future::Future;
use std::time::{Duration, Instant};

/// The local PDS named by `RELAIS_TEST_ATPROTO_PDS`, or `None` after saying loudly that the test
/// is skipped; with `RELAIS_TEST_REQUIRE_ATPROTO=1` (set by CI) a missing or silent network fails.
pub async fn local_pds() -> Option<String> {
    let required = std::env::var("RELAIS_TEST_REQUIRE_ATPROTO").is_ok_and(|v| v == "1" || v == "true");
    let Ok(url) = std::env::var("RELAIS_TEST_ATPROTO_PDS") else {
        assert!(!required, "RELAIS_TEST_REQUIRE_ATPROTO=1 but RELAIS_TEST_ATPROTO_PDS is not set");
        eprintln!("\n*** SKIPPED: Bluesky live test (set RELAIS_TEST_ATPROTO_PDS; see tools/atproto-net/up.sh) ***\n");
        return None;
    };
    let health = reqwest::get(format!("{url}/xrpc/_health")).await;
    if !health.as_ref().is_ok_and(|r| r.status().is_success()) {
        assert!(!required, "the AT Protocol network is required (RELAIS_TEST_REQUIRE_ATPROTO=1) but {url} does not answer: {health:?}");
        eprintln!("\n*** SKIPPED: Bluesky live test ({url} does not answer) ***\n");
        return None;
    }
    Some(url)
}

/// An account created on the local PDS.
pub struct PdsAccount {
    pub did: String,
    pub handle: String,
    /// The credentials JSON Relais keeps (sealed) for it.
    pub credentials: String,
}

/// A new account on the PDS, its handle made unique from `name`.
pub async fn pds_account(pds: &str, name: &str) -> PdsAccount {
    let unique = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let handle = format!("{name}-{unique}.test");
    let password = format!("pw-{unique}");
    let answer: Value = reqwest::Client::new()
        .post(format!("{pds}/xrpc/com.atproto.server.createAccount"))
        .json(&json!({"handle": handle, "email": format!("{name}-{unique}@example.com"), "password": password}))
        .send()
        .await
        .expect("createAccount")
        .json()
        .await
        .expect("createAccount answer");
    let did = answer["did"].as_str().unwrap_or_else(|| panic!("createAccount: {answer}")).to_string();
    let credentials =
        crate::bluesky::Credentials { service: pds.to_string(), identifier: handle.clone(), app_password: password }.to_json();
    PdsAccount { did, handle, credentials }
}

/// An access token for the account whose credentials JSON Relais keeps (as any app logs in).
pub async fn pds_session(pds: &str, credentials: &str) -> String {
    let creds: Value = serde_json::from_str(credentials).expect("credentials JSON");
    let session: Value = reqwest::Client::new()
        .post(format!("{pds}/xrpc/com.atproto.server.createSession"))
        .json(&json!({"identifier": creds["identifier"], "password": creds["app_password"]}))
        .send()
        .await
        .expect("createSession")
        .json()
        .await
        .expect("createSession answer");
    session["accessJwt"].as_str().unwrap_or_else(|| panic!("createSession: {session}")).to_string()
}

/// Every post record of the account on the PDS, newest first.
pub async fn pds_posts(pds: &str, did: &str) -> Vec<Value> {
    let answer: Value = reqwest::Client::new()
        .get(format!("{pds}/xrpc/com.atproto.repo.listRecords"))
        .query(&[("repo", did), ("collection", "app.bsky.feed.post"), ("limit", "100")])
        .send()
        .await
        .expect("listRecords")
        .json()
        .await
        .expect("listRecords answer");
    answer["records"].as_array().cloned().unwrap_or_default()
}

/// What the live tests may call: the loopback servers they start.
pub fn loopback() -> crate::outbound::Outbound {
    crate::outbound::Outbound::allowing("127.0.0.0/8, ::1").expect("loopback blocks")
}

/// A Mastodon connector allowed to reach mastodon-mock on loopback.
pub fn mastodon() -> crate::mastodon::Mastodon {
    crate::mastodon::Mastodon::with_outbound(loopback())
}

/// A Bluesky connector allowed to reach the local network.
pub fn bluesky() -> crate::bluesky::Bluesky {
    crate::bluesky::Bluesky::with_outbound(loopback())
}

/// The `mastodon-mock` server named by `RELAIS_TEST_MASTODON_URL` (an imitation of Mastodon, not
/// a real instance), or `None` after saying loudly that the test is skipped; with
/// `RELAIS_TEST_REQUIRE_MASTODON=1` (set by CI) a missing or silent server fails.
pub async fn mastodon_mock() -> Option<String> {
    let required = std::env::var("RELAIS_TEST_REQUIRE_MASTODON").is_ok_and(|v| v == "1");
    let Ok(base) = std::env::var("RELAIS_TEST_MASTODON_URL") else {
        assert!(!required, "RELAIS_TEST_REQUIRE_MASTODON=1 but RELAIS_TEST_MASTODON_URL is not set");
        eprintln!("\n*** SKIPPED: Mastodon live test (set RELAIS_TEST_MASTODON_URL; .ci/run starts mastodon-mock) ***\n");
        return None;
    };
    let answers = reqwest::get(format!("{base}/api/v1/instance")).await.is_ok_and(|r| r.status().is_success());
    if !answers {
        assert!(!required, "the Mastodon test server is required (RELAIS_TEST_REQUIRE_MASTODON=1) but {base} does not answer");
        eprintln!("\n*** SKIPPED: Mastodon live test ({base} does not answer) ***\n");
        return None;
    }
    Some(base)
}

/// A fresh account of the imitation (its own helper creates it with a token).
pub struct MockAccount {
    pub username: String,
    pub access_token: String,
    /// The credentials JSON Relais keeps (sealed) for it.
    pub credentials: String,
}

pub async fn mastodon_mock_account(base: &str) -> MockAccount {
    let user: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/_mock/dev_user"))
        .json(&json!({}))
        .send()
        .await
        .expect("dev_user")
        .json()
        .await
        .expect("dev_user answer");
    let access_token = user["access_token"].as_str().unwrap_or_else(|| panic!("dev_user: {user}")).to_string();
    let credentials =
        serde_json::to_string(&crate::mastodon::Credentials { instance: base.to_string(), access_token: access_token.clone() }).unwrap();
    MockAccount { username: user["username"].as_str().unwrap_or_default().to_string(), access_token, credentials }
}

/// A call to the imitation's API as `account`, the way any Mastodon app would make it (`body`
/// `None`: a GET). Panics on an error answer.
pub async fn mastodon_mock_call(base: &str, account: &MockAccount, path: &str, body: Option<Value>) -> Value {
    let http = reqwest::Client::new();
    let request = match body {
        Some(b) => http.post(format!("{base}{path}")).json(&b),
        None => http.get(format!("{base}{path}")),
    };
    let response = request.bearer_auth(&account.access_token).send().await.expect("mastodon-mock call");
    let status = response.status();
    let answer: Value = response.json().await.expect("mastodon-mock answer");
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

/// The account's statuses on the imitation, newest first.
pub async fn mastodon_mock_statuses(base: &str, account: &MockAccount) -> Vec<Value> {
    let http = reqwest::Client::new();
    let get = |path: String| http.get(format!("{base}{path}")).bearer_auth(&account.access_token).send();
    let me: Value = get("/api/v1/accounts/verify_credentials".into()).await.expect("verify_credentials").json().await.unwrap();
    let id = me["id"].as_str().unwrap_or_default();
    get(format!("/api/v1/accounts/{id}/statuses?limit=40"))
        .await
        .expect("statuses")
        .json::<Value>()
        .await
        .unwrap()
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// How long the live tests wait for the AppView to show what the PDS stored.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Polls `attempt` until it answers something, failing after [`PATIENCE`].
pub async fn eventually<T, F, Fut>(what: &str, mut attempt: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    let deadline = started + PATIENCE;
    loop {
        if let Some(found) = attempt().await {
            eprintln!("{what}: seen after {:?}", started.elapsed());
            return found;
        }
        assert!(Instant::now() < deadline, "{what}: not there after {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Another account of the network, writing records the way any Bluesky app does.
pub struct Person {
    pub pds: String,
    pub did: String,
    pub handle: String,
    token: String,
    http: reqwest::Client,
}

impl Person {
    pub async fn new(pds: &str, name: &str) -> Person {
        let a = pds_account(pds, name).await;
        let token = pds_session(pds, &a.credentials).await;
        Person { pds: pds.to_string(), did: a.did, handle: a.handle, token, http: reqwest::Client::new() }
    }

    /// Writes a record and returns its strong reference `{uri, cid}`.
    pub async fn write(&self, collection: &str, mut record: Value) -> Value {
        record["$type"] = json!(collection);
        record["createdAt"] = json!(jiff::Timestamp::now().to_string());
        let answer: Value = self
            .http
            .post(format!("{}/xrpc/com.atproto.repo.createRecord", self.pds))
            .bearer_auth(&self.token)
            .json(&json!({"repo": self.did, "collection": collection, "record": record}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(answer["uri"].is_string(), "createRecord {collection}: {answer}");
        json!({"uri": answer["uri"], "cid": answer["cid"]})
    }

    /// Waits until the AppView shows the post: a reply indexed before its parent never makes a
    /// reply notification there, so reactions wait for the post as a person would.
    pub async fn sees(&self, post: &Value) {
        let uri = post["uri"].as_str().unwrap();
        eventually("the post indexed by the AppView", || async {
            let answer = self.view("app.bsky.feed.getPosts", &[("uris", uri)]).await;
            answer["posts"].as_array().is_some_and(|p| !p.is_empty()).then_some(())
        })
        .await
    }

    pub async fn reply(&self, root: &Value, parent: &Value, text: &str) -> Value {
        self.write("app.bsky.feed.post", json!({"text": text, "langs": ["fr"], "reply": {"root": root, "parent": parent}})).await
    }

    /// An AppView query, as this person.
    pub async fn view(&self, nsid: &str, query: &[(&str, &str)]) -> Value {
        let response = self.http.get(format!("{}/xrpc/{nsid}", self.pds)).bearer_auth(&self.token).query(query).send().await.unwrap();
        response.json().await.unwrap()
    }
}

/// The record's strong reference `{uri, cid}`, read from its repository on the PDS.
pub async fn record_ref(pds: &str, uri: &str) -> Value {
    let parts: Vec<&str> = uri.trim_start_matches("at://").split('/').collect();
    let record: Value = reqwest::Client::new()
        .get(format!("{pds}/xrpc/com.atproto.repo.getRecord"))
        .query(&[("repo", parts[0]), ("collection", parts[1]), ("rkey", parts[2])])
        .send()
        .await
        .expect("getRecord")
        .json()
        .await
        .expect("getRecord answer");
    assert!(record["cid"].is_string(), "getRecord {uri}: {record}");
    json!({"uri": record["uri"], "cid": record["cid"]})
}
