use relais_core::password::{self, HashCost};
use relais_core::{Email, Locale, Name, Role, TimeZoneName};
use relais_store::Store;
use relais_store::testing::TestDb;
use relais_web::{AppState, WebConfig};
use std::net::SocketAddr;

pub const PASSWORD: &str = "correct horse battery";

/// Two organisations: an agency with two client workspaces and one member per role, and
/// another agency whose admin must never see the first one's data.
pub struct Fixture {
    pub bank: String,
    pub coffee: String,
    pub foreign: String,
    pub admin: String,
    pub smm: String,
    pub cm: String,
}

pub const ADMIN: &str = "admin@agence.example";
pub const SMM: &str = "smm@agence.example";
pub const CM: &str = "cm@agence.example";
pub const CLIENT: &str = "client@banque.example";
pub const OUTSIDER: &str = "admin@concurrent.example";

pub struct TestApp {
    pub url: String,
    pub store: Store,
    pub f: Fixture,
    /// The media library's directory, removed when the test ends.
    pub media_dir: tempfile::TempDir,
}

async fn user(store: &Store, email: &str, name: &str) -> String {
    let hash = password::hash(PASSWORD, HashCost::FAST).unwrap();
    store.create_user(&Email::parse(email).unwrap(), &Name::parse("n", name).unwrap(), &hash).await.unwrap().id
}

async fn workspace(store: &Store, org: &str, name: &str) -> String {
    let tz = TimeZoneName::parse("Europe/Paris").unwrap();
    store.create_workspace(org, &Name::parse("n", name).unwrap(), &tz, Locale::Fr).await.unwrap().id
}

/// Starts the app on `db`. The caller keeps `db` alive for as long as the app runs.
pub async fn spawn(db: &TestDb) -> TestApp {
    spawn_with(db, relais_networks::Registry::default(), relais_networks::outbound::Outbound::public_only()).await
}

/// The app with real connectors (Bluesky, Mastodon) allowed to reach loopback servers: the
/// local AT Protocol network and mastodon-mock.
pub async fn spawn_live(db: &TestDb) -> TestApp {
    let networks = relais_networks::Registry::default()
        .with(std::sync::Arc::new(relais_networks::testing::bluesky()))
        .with(std::sync::Arc::new(relais_networks::testing::mastodon()));
    spawn_with(db, networks, relais_networks::outbound::Outbound::allowing("127.0.0.0/8, ::1").unwrap()).await
}

async fn spawn_with(db: &TestDb, networks: relais_networks::Registry, outbound: relais_networks::outbound::Outbound) -> TestApp {
    let store = db.store.clone();
    let agency = store.create_organisation(&Name::parse("n", "Agence Rivage").unwrap()).await.unwrap();
    let rival = store.create_organisation(&Name::parse("n", "Concurrent").unwrap()).await.unwrap();
    let bank = workspace(&store, &agency.id, "Banque de Bourgogne").await;
    let coffee = workspace(&store, &agency.id, "Cafés Morvan").await;
    let foreign = workspace(&store, &rival.id, "Autre marque").await;
    let admin = user(&store, ADMIN, "Claire Admin").await;
    let smm = user(&store, SMM, "Sophie SMM").await;
    let cm = user(&store, CM, "Lucas CM").await;
    let client = user(&store, CLIENT, "Hélène Client").await;
    let outsider = user(&store, OUTSIDER, "Olivier Outsider").await;
    for (ws, u, r) in [
        (&bank, &admin, Role::Admin),
        (&coffee, &admin, Role::Admin),
        (&bank, &smm, Role::Smm),
        (&bank, &cm, Role::Cm),
        (&coffee, &cm, Role::Cm),
        (&bank, &client, Role::Client),
        (&foreign, &outsider, Role::Admin),
    ] {
        store.set_membership(ws, u, r).await.unwrap();
    }
    let media_dir = tempfile::tempdir().unwrap();
    let config = WebConfig {
        hash_cost: HashCost::FAST,
        body_limit: 256 * 1024,
        media_dir: media_dir.path().to_path_buf(),
        outbound,
        ..WebConfig::default()
    };
    let secrets = relais_core::secrets::SecretBox::new(&relais_core::secrets::SecretKey::generate());
    let app = relais_web::router(AppState::new(store.clone(), config, secrets).with_networks(networks));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    TestApp { url, store, f: Fixture { bank, coffee, foreign, admin, smm, cm }, media_dir }
}

/// Runs a test against an app on SQLite and on PostgreSQL.
macro_rules! app_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = relais_store::testing::TestDb::sqlite().await;
                ($body)($crate::helpers::spawn(&db).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = relais_store::testing::TestDb::postgres().await else { return };
                ($body)($crate::helpers::spawn(&db).await).await;
            }
        }
    };
}
pub(crate) use app_test;

/// [`app_test!`] with real connectors ([`spawn_live`]).
macro_rules! live_app_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = relais_store::testing::TestDb::sqlite().await;
                ($body)($crate::helpers::spawn_live(&db).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = relais_store::testing::TestDb::postgres().await else { return };
                ($body)($crate::helpers::spawn_live(&db).await).await;
            }
        }
    };
}
pub(crate) use live_app_test;

/// A browser stand-in: keeps cookies, does not follow redirects, knows the page's CSRF token.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// Whether the page shows `text`, read as a person would (HTML entities decoded).
    pub fn assert_contains(&self, text: &str) -> &Self {
        let shown = unescape(&self.body);
        assert!(shown.contains(text), "expected {text:?} in page (status {}):\n{}", self.status, self.body);
        self
    }
}

pub fn unescape(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The value of the first hidden `_csrf` field of a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let at = html.find("name=\"_csrf\" value=\"")?;
    let rest = &html[at + "name=\"_csrf\" value=\"".len()..];
    Some(rest[..rest.find('"')?].to_string())
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self::with_language(app, "fr-FR,fr;q=0.9")
    }

    pub fn with_language(app: &TestApp, accept_language: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::ACCEPT_LANGUAGE, accept_language.parse().unwrap());
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap();
        Browser { http, base: app.url.clone(), csrf: String::new() }
    }

    async fn page(resp: reqwest::Response) -> Page {
        let status = resp.status().as_u16();
        let location = resp.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        let body = resp.text().await.unwrap();
        Page { status, location, body }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let page = Self::page(self.http.get(format!("{}{path}", self.base)).send().await.unwrap()).await;
        if let Some(t) = csrf_of(&page.body) {
            self.csrf = t;
        }
        page
    }

    /// Posts a form with the CSRF token of the last page seen.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut form: Vec<(&str, &str)> = vec![("_csrf", &self.csrf)];
        form.extend_from_slice(fields);
        let page = Self::page(self.http.post(format!("{}{path}", self.base)).form(&form).send().await.unwrap()).await;
        if let Some(t) = csrf_of(&page.body) {
            self.csrf = t;
        }
        page
    }

    /// Posts a form exactly as given (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let mut req = self.http.post(format!("{}{path}", self.base)).form(fields);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::page(req.send().await.unwrap()).await
    }

    pub async fn sign_in(&mut self, email: &str) -> Page {
        self.get("/signin").await;
        let page = self.post("/signin", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(page.status, 303, "sign-in of {email} failed: {}", page.body);
        // The session has its own CSRF token: pick it up from a page.
        self.get("/profile").await;
        page
    }

    pub async fn signed_in(app: &TestApp, email: &str) -> Browser {
        let mut b = Browser::new(app);
        b.sign_in(email).await;
        b
    }
}
