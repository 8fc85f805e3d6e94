//! The imitation as the tests use it: accounts, raw calls, fault injection.

use relais_networks::mastodon;
use relais_networks::{AccountRef, PublishRequest};
use serde_json::{Value, json};

pub struct Mock {
    pub base: String,
    pub http: reqwest::Client,
    /// Faults apply to every caller of a path: the tests take turns.
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The test server, or `None` (with a loud message) when none is configured.
pub async fn mock() -> Option<Mock> {
    let required = std::env::var("RELAIS_TEST_REQUIRE_MASTODON").is_ok_and(|v| v == "1");
    let Ok(base) = std::env::var("RELAIS_TEST_MASTODON_URL") else {
        assert!(!required, "RELAIS_TEST_REQUIRE_MASTODON=1 but RELAIS_TEST_MASTODON_URL is not set");
        skipped("RELAIS_TEST_MASTODON_URL is not set (.ci/run starts mastodon-mock and sets it)");
        return None;
    };
    let turn = TURN.lock().await;
    let http = reqwest::Client::new();
    let answers = http.get(format!("{base}/api/v1/instance")).send().await.is_ok_and(|r| r.status().is_success());
    if !answers {
        assert!(!required, "the Mastodon test server at {base} does not answer");
        skipped(&format!("the Mastodon test server at {base} does not answer"));
        return None;
    }
    Some(Mock { base, http, _turn: turn })
}

/// Said on stderr directly, past the test harness's capture, so a skip is seen.
fn skipped(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n!!! Mastodon live test SKIPPED: {reason}\n");
}

impl Mock {
    /// A fresh account of the imitation, as Relais would hold it after connecting it.
    pub async fn account(&self) -> AccountRef {
        let user: Value = self.post_json("/api/v1/_mock/dev_user", json!({})).await;
        let creds = mastodon::Credentials { instance: self.base.clone(), access_token: user["access_token"].as_str().unwrap().into() };
        AccountRef {
            id: relais_core::new_id(),
            handle: user["username"].as_str().unwrap().into(),
            credentials: serde_json::to_string(&creds).unwrap(),
        }
    }

    pub async fn post_json(&self, path: &str, body: Value) -> Value {
        let r = self.http.post(format!("{}{path}", self.base)).json(&body).send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// A call made as `account` (the fan's actions: reply, favourite, boost, follow…).
    pub async fn act(&self, account: &AccountRef, path: &str, body: Value) -> Value {
        let creds = mastodon::Credentials::parse(&account.credentials).unwrap();
        let r = self.http.post(format!("{}{path}", self.base)).bearer_auth(creds.access_token).json(&body).send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// The HTTP status of a GET made as `account`.
    pub async fn status_of(&self, account: &AccountRef, path: &str) -> u16 {
        let creds = mastodon::Credentials::parse(&account.credentials).unwrap();
        self.http.get(format!("{}{path}", self.base)).bearer_auth(creds.access_token).send().await.unwrap().status().as_u16()
    }

    pub async fn get(&self, account: &AccountRef, path: &str) -> Value {
        let creds = mastodon::Credentials::parse(&account.credentials).unwrap();
        let r = self.http.get(format!("{}{path}", self.base)).bearer_auth(creds.access_token).send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// The account's statuses, newest first.
    pub async fn statuses(&self, account: &AccountRef) -> Vec<Value> {
        let me = self.get(account, "/api/v1/accounts/verify_credentials").await;
        let id = me["id"].as_str().unwrap();
        self.get(account, &format!("/api/v1/accounts/{id}/statuses?limit=40")).await.as_array().unwrap().clone()
    }

    /// A status's text as written (statuses themselves carry only HTML, as on Mastodon).
    pub async fn source(&self, account: &AccountRef, id: &Value) -> String {
        let id = id.as_str().unwrap();
        self.get(account, &format!("/api/v1/statuses/{id}/source")).await["text"].as_str().unwrap().to_string()
    }

    /// Makes the next `count` calls matching `method path` answer as `effect` says.
    pub async fn fault(&self, method: &str, path: &str, effect: Value, count: u32) {
        self.post_json("/api/v1/_mock/faults", json!({ "match": { "methods": [method], "path": path }, "effect": effect, "count": count }))
            .await;
    }
}

pub fn request(text: &str, key: &str) -> PublishRequest {
    PublishRequest {
        text: text.into(),
        link: None,
        media: vec![],
        thread: vec![],
        first_comment: None,
        content_warning: None,
        visibility: None,
        idempotency_key: key.into(),
    }
}

pub fn key() -> String {
    relais_core::new_id()
}
