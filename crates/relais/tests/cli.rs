//! The `relais` binary as an operator meets it: real processes, real databases, signals.

use relais_store::testing::TestDb;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn relais() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_relais"));
    c.env_remove("RELAIS_DATABASE_URL").env_remove("RELAIS_SECRET_KEY").env_remove("RELAIS_CONFIG").env("RELAIS_LOG", "info");
    c
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("relais-cli-{tag}-{}", uuid_like()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn uuid_like() -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{}-{n}-{nanos}", std::process::id())
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let Output { status, stdout, stderr } = cmd.output().unwrap();
    (status.success(), String::from_utf8_lossy(&stdout).into_owned(), String::from_utf8_lossy(&stderr).into_owned())
}

#[test]
fn every_subcommand_has_help_naming_its_environment_variables() {
    for sub in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["worker", "--help"],
        vec!["migrate", "--help"],
        vec!["demo", "--help"],
        vec!["user", "add", "--help"],
    ] {
        let (ok, out, _) = run(relais().args(&sub));
        assert!(ok, "{sub:?}");
        assert!(out.contains("Usage: relais"), "{sub:?}: {out}");
    }
    let (_, out, _) = run(relais().args(["serve", "--help"]));
    for var in ["RELAIS_BIND", "RELAIS_DATABASE_URL", "RELAIS_DATA_DIR", "RELAIS_SECRET_KEY", "RELAIS_CONFIG"] {
        assert!(out.contains(var), "serve --help lacks {var}");
    }
}

#[test]
fn an_unreachable_database_is_a_clear_error_not_a_panic() {
    let dir = temp_dir("unreachable");
    let (ok, _, err) =
        run(relais().args(["migrate", "--data-dir"]).arg(&dir).args(["--database-url", "postgres://relais:s3cret@127.0.0.1:1/relais"]));
    assert!(!ok);
    assert!(err.contains("cannot reach the database at postgres://relais:********@127.0.0.1:1/relais"), "{err}");
    assert!(!err.contains("s3cret") && !err.contains("panicked"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_migrated_by_a_newer_relais_is_refused() {
    let db = TestDb::sqlite().await;
    db.store.insert_fake_future_migration(9999).await.unwrap();
    let dir = temp_dir("newer");
    let (ok, _, err) = run(relais().args(["migrate", "--data-dir"]).arg(&dir).args(["--database-url", &db.url]));
    assert!(!ok);
    assert!(err.contains("schema is at version 9999, newer than this relais binary"), "{err}");
}

#[test]
fn users_are_added_listed_and_bad_input_is_named() {
    let dir = temp_dir("users");
    let add = |email: &str, pw: &str| {
        run(relais().args(["user", "add", "--data-dir"]).arg(&dir).args([
            "--email",
            email,
            "--name",
            "Claire",
            "--org",
            "Agence",
            "--workspace",
            "Marque",
            "--role",
            "smm",
            "--password",
            pw,
        ]))
    };
    let (ok, out, err) = add("claire@agence.example", "un bon mot de passe");
    assert!(ok, "{err}");
    assert!(out.contains("created claire@agence.example as smm"), "{out}");
    let (ok, _, err) = add("claire@agence.example", "un bon mot de passe");
    assert!(!ok && err.contains("already exists"), "{err}");
    let (ok, _, err) = add("pas-un-email", "un bon mot de passe");
    assert!(!ok && err.contains("is not an email address"), "{err}");
    let (ok, _, err) = add("lea@agence.example", "court");
    assert!(!ok && err.contains("at least 10"), "{err}");
    let (ok, out, _) = run(relais().args(["user", "list", "--data-dir"]).arg(&dir));
    assert!(ok);
    assert!(out.contains("claire@agence.example\tClaire\tMarque (smm)"), "{out}");
    assert!(!out.contains("lea@"));
    // The password can come from standard input.
    let mut child = relais()
        .args(["user", "set-password", "--data-dir"])
        .arg(&dir)
        .args(["--email", "claire@agence.example"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"un autre mot de passe\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("password of claire@agence.example changed"));
}

#[test]
fn a_different_secret_key_is_refused_at_start() {
    let dir = temp_dir("key");
    let (ok, _, err) = run(relais().args(["migrate", "--data-dir"]).arg(&dir));
    assert!(ok, "{err}");
    // `user add` opens the store but does not check the key; a server does.
    let other = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let mut first = spawn_serve(&dir, &[]);
    first.wait_ready();
    first.stop();
    let (ok, _, err) = run(relais().args(["worker", "--data-dir"]).arg(&dir).env("RELAIS_SECRET_KEY", other));
    assert!(!ok);
    assert!(err.contains("the secret key is not the one this database was set up with"), "{err}");
}

struct Server {
    child: Child,
    url: String,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

/// Starts `relais serve` on a free port and reads its URL from the first line it prints.
fn spawn_serve(dir: &std::path::Path, extra: &[&str]) -> Server {
    let mut child = relais()
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = log.clone();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push_str(&(line + "\n"));
        }
    });
    let mut url = String::new();
    for line in stdout.lines().map_while(Result::ok) {
        if let Some(at) = line.find("http://") {
            url = line[at..].trim().to_string();
            break;
        }
    }
    assert!(!url.is_empty(), "relais serve printed no URL: {}", log.lock().unwrap());
    Server { child, url, log }
}

impl Server {
    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(r) = http_get::status(&format!("{}/readyz", self.url))
                && r == 200
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("not ready: {}", self.log.lock().unwrap());
    }

    fn stop(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "relais did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

mod http_get {
    /// A tiny blocking GET returning the status, so these tests need no blocking HTTP client.
    pub fn status(url: &str) -> std::io::Result<u16> {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
        let mut s = std::net::TcpStream::connect(host)?;
        write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")?;
        let mut buf = String::new();
        s.read_to_string(&mut buf)?;
        Ok(buf.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0))
    }
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    let dir = temp_dir("sigterm");
    let mut server = spawn_serve(&dir, &["--log-format", "json"]);
    server.wait_ready();
    assert_eq!(http_get::status(&format!("{}/healthz", server.url)).unwrap(), 200);
    let status = server.stop();
    assert!(status.success(), "exit status {status:?}");
    let log = server.log.lock().unwrap().clone();
    assert!(log.contains("\"message\":\"SIGTERM received"), "{log}");
    assert!(log.contains("\"message\":\"shutdown complete\""), "{log}");
    // The log is structured: one JSON object a line.
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        assert!(line.starts_with('{'), "not JSON: {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_processes_share_one_postgresql_database() {
    let Some(db) = TestDb::postgres_unmigrated().await else { return };
    let dir = temp_dir("pg");
    // Two processes migrate the same empty database at once: one applies, the other waits.
    let spawn_migrate = || {
        relais()
            .args(["migrate", "--data-dir"])
            .arg(&dir)
            .args(["--database-url", &db.url])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn_migrate(), spawn_migrate());
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    db.store.ensure_schema_current().await.unwrap();
    // A web process and a worker process run side by side on it.
    let mut web = spawn_serve(&dir, &["--database-url", &db.url]);
    web.wait_ready();
    let mut worker =
        relais().args(["worker", "--data-dir"]).arg(&dir).args(["--database-url", &db.url]).stderr(Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(worker.try_wait().unwrap().is_none(), "the worker keeps running");
    let _ = Command::new("kill").args(["-TERM", &worker.id().to_string()]).status();
    assert!(worker.wait().unwrap().success());
    assert!(web.stop().success());
}

#[test]
fn the_publish_benchmark_runs_and_checks_exactly_once() {
    let (ok, out, err) =
        run(relais().args(["bench", "publish", "--posts", "300", "--accounts", "30", "--latency-ms", "5", "--spread-s", "1"]));
    assert!(ok, "{out}\n{err}");
    for line in ["published 300 of 300 posts", "throughput:", "publish lag: p50", "exactly once: yes"] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    let (ok, _, err) = run(relais().args(["bench", "publish", "--processes", "2"]));
    assert!(!ok && err.contains("need a shared PostgreSQL database"), "{err}");
}

/// Waits until the server's log shows `text`.
fn wait_for_log(server: &Server, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let log = server.log.lock().unwrap().clone();
        if log.contains(text) {
            return log;
        }
        assert!(Instant::now() < deadline, "the log never said {text:?}:\n{log}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn listening_settings_are_checked_and_the_firehose_obeys_the_outbound_policy() {
    let dir = temp_dir("listening");
    let (ok, _, err) = run(relais().args(["worker", "--listen-every-minutes", "0", "--data-dir"]).arg(&dir));
    assert!(!ok);
    assert!(err.contains("listen_every_minutes is 0; it must be between 1 and 1440"), "{err}");

    // A firehose at a private address without RELAIS_OUTBOUND_ALLOW: refused in words, the
    // server keeps serving.
    let mut server = spawn_serve(&dir, &["--bluesky-firehose", "ws://127.0.0.1:9"]);
    server.wait_ready();
    let log = wait_for_log(&server, "the Bluesky firehose listener cannot start");
    assert!(log.contains("127.0.0.1") && log.contains("RELAIS_OUTBOUND_ALLOW"), "{log}");
    assert!(server.stop().success());

    // With the local AT Protocol network, the listener connects when its address is allowed.
    if let Ok(pds) = std::env::var("RELAIS_TEST_ATPROTO_PDS") {
        let mut server = spawn_serve(&dir, &["--bluesky-firehose", &pds, "--outbound-allow", "127.0.0.0/8, ::1"]);
        server.wait_ready();
        wait_for_log(&server, "firehose connected");
        assert!(server.stop().success());
    }
}
