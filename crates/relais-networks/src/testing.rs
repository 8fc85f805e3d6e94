//! Helpers for the live tests against a local AT Protocol network (`tools/atproto-net/`) and
//! against `mastodon-mock` (both started by `.ci/run`), shared by this crate's tests and the
//! scheduler's.

use serde_json::{Value, json};

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
