//! A real browser (Debian's chromium, driven through chromedriver) against `relais demo`: sign
//! in, switch workspace, read French, be refused a page the role may not see, sign out.
//!
//! Skipped loudly when chromedriver is missing, unless `RELAIS_TEST_REQUIRE_BROWSER=1` (CI).

use fantoccini::key::Key;
use fantoccini::{ClientBuilder, Locator};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<String> {
    let path = std::env::var("RELAIS_TEST_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    if std::path::Path::new(&path).exists() {
        return Some(path);
    }
    if std::env::var("RELAIS_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("RELAIS_TEST_REQUIRE_BROWSER=1 but {path} does not exist: install chromium and chromium-driver");
    }
    let _ =
        writeln!(std::io::stderr(), "\n!!! Browser test SKIPPED: no chromedriver at {path} (apt-get install chromium chromium-driver)\n");
    None
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_demo(dir: &std::path::Path) -> (Killed, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relais"))
        .args(["demo", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env_remove("RELAIS_DATABASE_URL")
        .env_remove("RELAIS_SECRET_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Keep reading both pipes for the life of the process, so it never blocks or gets EPIPE.
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || for _ in BufReader::new(stderr).lines().map_while(Result::ok) {});
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = None;
    let mut printed = String::new();
    for line in stdout.by_ref().map_while(Result::ok) {
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.strip_prefix("Relais demo: ") {
            url = Some(rest.trim().to_string());
        }
        if line.contains("helene.girard@banque-bourgogne.example") {
            break;
        }
    }
    std::thread::spawn(move || for _ in stdout.map_while(Result::ok) {});
    let url = url.unwrap_or_else(|| panic!("relais demo printed no URL:\n{printed}"));
    assert!(printed.contains("relais-demo-2026"), "the demo prints its logins:\n{printed}");
    (Killed(child), url)
}

/// Waits until the page shows `text`. Reading the body can fail while a navigation replaces the
/// document (a stale element); that is retried, not an error.
async fn wait_for_text(c: &fantoccini::Client, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = String::new();
    loop {
        if let Ok(body) = c.find(Locator::Css("body")).await
            && let Ok(t) = body.text().await
        {
            if t.contains(text) {
                return t;
            }
            last = t;
        }
        assert!(Instant::now() < deadline, "{text:?} never appeared; page shows:\n{last}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A headless Chromium session through the chromedriver on `port`, with its own profile (so
/// its own cookies: another person).
async fn browser(port: u16, profile: &std::path::Path) -> fantoccini::Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": std::env::var("RELAIS_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--lang=fr-FR", "--window-size=1280,900", format!("--user-data-dir={}", profile.display())],
            "prefs": {"intl.accept_languages": "fr-FR,fr"}
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match ClientBuilder::new(connector.clone()).capabilities(caps.clone()).connect(&format!("http://127.0.0.1:{port}")).await {
            Ok(c) => return c,
            Err(e) => {
                assert!(Instant::now() < deadline, "chromedriver did not start: {e}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

async fn sign_in(c: &fantoccini::Client, url: &str, email: &str) {
    c.goto(&format!("{url}/signin")).await.unwrap();
    c.find(Locator::Id("email")).await.unwrap().send_keys(email).await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys("relais-demo-2026").await.unwrap();
    c.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
}

async fn sign_out(c: &fantoccini::Client) {
    c.find(Locator::Css("form[action='/signout'] button")).await.unwrap().click().await.unwrap();
    wait_for_text(c, "Le poste de pilotage de vos réseaux sociaux.").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_signs_in_switches_workspace_is_refused_and_signs_out() {
    let Some(driver) = chromedriver() else { return };
    let dir = std::env::temp_dir().join(format!("relais-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (_demo, url) = start_demo(&dir);

    let port = free_port();
    let _driver = Killed(Command::new(driver).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    let c = browser(port, &dir.join("chromium-profile")).await;

    // An admin of two workspaces signs in and lands on the first one, in French.
    sign_in(&c, &url, "claire.dumont@agence-rivage.example").await;
    let body = wait_for_text(&c, "Vue d'ensemble").await;
    assert!(body.contains("Banque de Bourgogne") && body.contains("Administrateur"), "{body}");
    assert!(body.contains("Paramètres"));

    // The switcher opens the other brand.
    let bank = c.current_url().await.unwrap();
    assert!(bank.path().starts_with("/w/"), "{bank}");
    let select = c.find(Locator::Id("switch-ws")).await.unwrap();
    select.select_by_label("Cafés Morvan").await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.current_url().await.unwrap() == bank {
        assert!(Instant::now() < deadline, "the switcher did not leave {bank}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let here = c.find(Locator::Css("p.whoami strong")).await.unwrap().text().await.unwrap();
    assert_eq!(here, "Cafés Morvan");
    let png = c.screenshot().await.unwrap();
    let _ = std::fs::write(std::env::temp_dir().join("relais-browser-overview.png"), png);
    sign_out(&c).await;

    // The CM plans with the keyboard: Shift + right arrow moves a post one day later.
    sign_in(&c, &url, "lucas.bernard@agence-rivage.example").await;
    wait_for_text(&c, "Vue d'ensemble").await;
    let mut calendar = c.current_url().await.unwrap();
    calendar.set_path(&format!("{}/calendar", calendar.path()));
    calendar.set_query(Some("view=list"));
    c.goto(calendar.as_str()).await.unwrap();
    wait_for_text(&c, "Conseil : préparer son dossier de financement").await;
    let card = Locator::XPath("//a[@data-movable][.//strong[contains(., 'Conseil : préparer')]]");
    let before = c.find(card).await.unwrap().attr("data-local").await.unwrap().unwrap();
    c.find(card).await.unwrap().send_keys(&format!("{}{}", Key::Shift, Key::Right)).await.unwrap();
    wait_for_text(&c, "Déplacée au").await;
    let after = c.find(card).await.unwrap().attr("data-local").await.unwrap().unwrap();
    let next_day = before[..10].parse::<jiff::civil::Date>().unwrap().tomorrow().unwrap();
    assert_eq!(after, format!("{next_day}{}", &before[10..]), "moved one day, same time");
    let _ = std::fs::write(std::env::temp_dir().join("relais-browser-calendar.png"), c.screenshot().await.unwrap());

    // The launch post shows its visual from the media library, as a real image.
    c.find(Locator::XPath("//a[.//strong[contains(., 'Lancement du prêt Artisan')]]")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "Par réseau").await;
    let width = c.execute("return document.querySelector('.media-row img').naturalWidth", vec![]).await.unwrap();
    assert!(width.as_u64().unwrap_or(0) > 0, "the thumbnail loads: {width}");
    let mut compose = c.current_url().await.unwrap();
    compose.set_path(&format!("{}/edit", compose.path()));
    c.goto(compose.as_str()).await.unwrap();
    wait_for_text(&c, "Médias").await;
    let _ = std::fs::write(std::env::temp_dir().join("relais-browser-composer.png"), c.screenshot().await.unwrap());
    sign_out(&c).await;

    // The client of the bank sees what was sent to them, not the agency's drafts.
    sign_in(&c, &url, "helene.girard@banque-bourgogne.example").await;
    wait_for_text(&c, "Client").await;
    let mut calendar = c.current_url().await.unwrap();
    calendar.set_path(&format!("{}/calendar", calendar.path()));
    calendar.set_query(Some("view=list"));
    c.goto(calendar.as_str()).await.unwrap();
    let body = wait_for_text(&c, "Jours fériés : horaires des agences").await;
    assert!(body.contains("Chez le client") && !body.contains("Conseil : préparer"), "{body}");
    sign_out(&c).await;

    // The client of the bank may not open the settings.
    sign_in(&c, &url, "helene.girard@banque-bourgogne.example").await;
    wait_for_text(&c, "Client").await;
    let overview = c.current_url().await.unwrap();
    let mut settings = overview.clone();
    settings.set_path(&format!("{}/settings", overview.path()));
    c.goto(settings.as_str()).await.unwrap();
    let body = wait_for_text(&c, "Accès refusé").await;
    assert!(body.contains("Votre rôle dans cet espace (Client) ne permet pas cette action."), "{body}");
    c.goto(overview.as_str()).await.unwrap();
    sign_out(&c).await;

    // Signed out for real: the workspace now asks to sign in.
    c.goto(overview.as_str()).await.unwrap();
    wait_for_text(&c, "Se connecter").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/signin");
    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 5's live inbox in two real browsers: two members open the same conversation and each
/// sees the other there; a message stored by another process (the test, through the database)
/// appears in the open inbox list without a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_members_see_each_other_on_a_conversation_and_new_messages_arrive_live() {
    let Some(driver) = chromedriver() else { return };
    let dir = std::env::temp_dir().join(format!("relais-browser-live-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (_demo, url) = start_demo(&dir);
    let port = free_port();
    let _driver = Killed(Command::new(driver).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    let lucas = browser(port, &dir.join("profile-lucas")).await;
    let claire = browser(port, &dir.join("profile-claire")).await;

    // The demo's database, opened by this process as a second writer (what a sync job on another
    // process would be).
    let store = relais_store::Store::connect(&format!("sqlite://{}", dir.join("relais.db").display())).await.unwrap();
    sign_in(&claire, &url, "claire.dumont@agence-rivage.example").await;
    wait_for_text(&claire, "Vue d'ensemble").await;
    let bank = claire.current_url().await.unwrap();
    assert_eq!(claire.find(Locator::Css("p.whoami strong")).await.unwrap().text().await.unwrap(), "Banque de Bourgogne");
    let ws = bank.path().trim_start_matches("/w/").trim_end_matches('/').to_string();
    let account = store.social_accounts(&ws).await.unwrap().into_iter().find(|a| a.network == "sandbox").expect("a sandbox account");
    let mention = |remote_id: &str, text: &str| relais_store::Incoming {
        remote_id: remote_id.into(),
        kind: "mention".into(),
        author_remote_id: format!("did:live:{remote_id}"),
        author_handle: "@marc.live".into(),
        author_name: Some("Marc Live".into()),
        text: text.into(),
        created_at: relais_core::now_ms(),
        ..Default::default()
    };
    let question = store.ingest_activity(&account, &[mention("live-1", "Le prêt Artisan couvre-t-il un camion ?")], None).await.unwrap();
    let conversation = format!("{url}/w/{ws}/inbox/{}", question.messages[0]);

    // Lucas opens the conversation first, then Claire: she sees him at once (rendered by the
    // server), he sees her arrive without reloading (pushed to his page).
    sign_in(&lucas, &url, "lucas.bernard@agence-rivage.example").await;
    wait_for_text(&lucas, "Vue d'ensemble").await;
    lucas.goto(&conversation).await.unwrap();
    wait_for_text(&lucas, "Le prêt Artisan couvre-t-il un camion ?").await;
    lucas.execute("window.relaisNoReload = true", vec![]).await.unwrap();
    claire.goto(&conversation).await.unwrap();
    wait_for_text(&claire, "Lucas Bernard est aussi sur cette conversation").await;
    wait_for_text(&lucas, "Claire Dumont est aussi sur cette conversation").await;
    let kept = lucas.execute("return window.relaisNoReload === true", vec![]).await.unwrap();
    assert_eq!(kept, serde_json::json!(true), "Lucas's page was not reloaded");
    let _ = std::fs::write(std::env::temp_dir().join("relais-browser-presence.png"), lucas.screenshot().await.unwrap());

    // Claire goes to the inbox; a new message stored meanwhile appears at the top of her list.
    claire.goto(&format!("{url}/w/{ws}/inbox")).await.unwrap();
    wait_for_text(&claire, "Messagerie").await;
    claire.execute("window.relaisNoReload = true", vec![]).await.unwrap();
    let top = claire.find(Locator::Css("#inbox-list > li")).await.unwrap().attr("data-message").await.unwrap().unwrap();
    let new = store.ingest_activity(&account, &[mention("live-2", "Vos conseillers sont-ils joignables le samedi ?")], None).await.unwrap();
    wait_for_text(&claire, "Vos conseillers sont-ils joignables le samedi ?").await;
    let kept = claire.execute("return window.relaisNoReload === true", vec![]).await.unwrap();
    assert_eq!(kept, serde_json::json!(true), "the message came without a reload");
    // Above what was the top of the list (a demo sync may add its own messages meanwhile).
    let above = claire
        .execute(
            "const [a, b] = Array.from(arguments).map((id) => document.querySelector(`#inbox-list > li[data-message=\"${id}\"]`));
             return !!(a && b && (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING));",
            vec![serde_json::json!(new.messages[0]), serde_json::json!(top)],
        )
        .await
        .unwrap();
    assert_eq!(above, serde_json::json!(true), "inserted at the top of the list");
    let _ = std::fs::write(std::env::temp_dir().join("relais-browser-live-list.png"), claire.screenshot().await.unwrap());

    store.close().await;
    lucas.close().await.unwrap();
    claire.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
