//! Configuration: flags, then `RELAIS_*` environment variables, then an optional TOML file, then
//! defaults. The secret key, when not given, is generated on first start and kept in the data
//! directory, readable by its owner only.

use anyhow::{Context, bail};
use clap::Args;
use relais_core::secrets::SecretKey;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct GlobalArgs {
    /// A TOML file with any of the settings below (flags and environment win over it).
    #[arg(long, env = "RELAIS_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Where Relais keeps its SQLite database, secret key and files [default: ./relais-data,
    /// or ./relais-demo for `relais demo`].
    #[arg(long, env = "RELAIS_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// `sqlite://PATH` or `postgres://USER@HOST:PORT/DB` [default: SQLite in the data directory].
    #[arg(long, env = "RELAIS_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// 32 bytes in base64 that encrypt secrets at rest [default: generated into DATA_DIR/secret.key].
    #[arg(long, env = "RELAIS_SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<String>,
    /// `pretty` for people, `json` for log collectors [default: pretty].
    #[arg(long, env = "RELAIS_LOG_FORMAT", global = true)]
    pub log_format: Option<LogFormat>,
    /// Log filter, such as `info` or `relais_web=debug,info` [default: info].
    #[arg(long, env = "RELAIS_LOG", global = true)]
    pub log: Option<String>,
}

/// How background work runs; shared by `serve`, `worker` and `demo`.
#[derive(Args, Debug, Default, Clone)]
pub struct EngineArgs {
    /// How long a worker holds a claimed job before another may take it over (it must exceed the
    /// longest network call) [default: 300000].
    #[arg(long, env = "RELAIS_JOB_LEASE_MS")]
    pub job_lease_ms: Option<i64>,
    /// Jobs a worker loop claims and runs at once [default: 16].
    #[arg(long, env = "RELAIS_JOB_BATCH")]
    pub job_batch: Option<i64>,
    /// Sandbox simulator: simulated latency of a call, in ms [default: 50].
    #[arg(long, env = "RELAIS_SANDBOX_LATENCY_MS")]
    pub sandbox_latency_ms: Option<u64>,
    /// Sandbox simulator: share of calls failing with a transient error, 0 to 1 [default: 0].
    #[arg(long, env = "RELAIS_SANDBOX_FAILURE_RATE")]
    pub sandbox_failure_rate: Option<f64>,
    /// Sandbox simulator: posts per account per minute, 0 for no limit [default: 60].
    #[arg(long, env = "RELAIS_SANDBOX_RATE_LIMIT")]
    pub sandbox_rate_limit: Option<i64>,
    /// Private address blocks that user-given servers (a self-hosted PDS or instance) may be
    /// at, e.g. "10.0.0.0/8, fd00::/8"; by default only public addresses are called.
    #[arg(long, env = "RELAIS_OUTBOUND_ALLOW")]
    pub outbound_allow: Option<String>,
    /// Seconds between two syncs of an account's inbox (replies, mentions, likes…) [default: 120].
    #[arg(long, env = "RELAIS_INBOX_SYNC_SECS")]
    pub inbox_sync_secs: Option<u64>,
    /// Seconds between two collections of an account's metrics [default: 3600].
    #[arg(long, env = "RELAIS_METRICS_SECS")]
    pub metrics_secs: Option<u64>,
    /// Published posts are measured for this many days [default: 30].
    #[arg(long, env = "RELAIS_METRICS_DAYS")]
    pub metrics_days: Option<i64>,
    /// Listening: minutes between two network searches of each active query [default: 15].
    #[arg(long, env = "RELAIS_LISTEN_EVERY_MINUTES")]
    pub listen_every_minutes: Option<i64>,
    /// Listening: a Bluesky firehose to match every new post against the queries, e.g.
    /// wss://bsky.network (a relay) or a PDS's address [default: none, off].
    #[arg(long, env = "RELAIS_BLUESKY_FIREHOSE")]
    pub bluesky_firehose: Option<String>,
    /// Scheduled reports: where their files are written, one folder per workspace
    /// [default: DATA_DIR/reports].
    #[arg(long, env = "RELAIS_REPORTS_DIR")]
    pub reports_dir: Option<PathBuf>,
    /// Scheduled reports: the SMTP server that mails them [default: none, files only].
    #[arg(long, env = "RELAIS_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port [default: 587 for starttls, 465 for tls, 25 for none].
    #[arg(long, env = "RELAIS_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// `starttls` (required), `tls` (from the first byte) or `none` (a local relay only)
    /// [default: starttls].
    #[arg(long, env = "RELAIS_SMTP_TLS")]
    pub smtp_tls: Option<String>,
    /// SMTP user name, with smtp_password [default: none, no authentication].
    #[arg(long, env = "RELAIS_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    /// SMTP password (prefer the environment or the file to a flag).
    #[arg(long, env = "RELAIS_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The reports' sender, e.g. "Agence <reports@agency.example>" (required with smtp_host).
    #[arg(long, env = "RELAIS_SMTP_FROM")]
    pub smtp_from: Option<String>,
}

#[derive(Args, Debug, Default)]
pub struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "RELAIS_BIND")]
    pub bind: Option<String>,
    /// Background workers to run in this process [default: 2].
    #[arg(long, env = "RELAIS_WORKERS")]
    pub workers: Option<usize>,
    /// The address users reach Relais at, for links in invitations (e.g. https://relais.example.org).
    #[arg(long, env = "RELAIS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Trust X-Forwarded-For from a reverse proxy for the client's address.
    #[arg(long, env = "RELAIS_TRUST_PROXY")]
    pub trust_proxy: Option<bool>,
    /// Mark cookies Secure [default: true when the public URL is https].
    #[arg(long, env = "RELAIS_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
    /// The largest image the media library takes, in MB (1 MB = 1,048,576 bytes) [default: 20].
    #[arg(long, env = "RELAIS_MEDIA_MAX_IMAGE_MB")]
    pub media_max_image_mb: Option<u64>,
    /// The largest video the media library takes, in MB [default: 100].
    #[arg(long, env = "RELAIS_MEDIA_MAX_VIDEO_MB")]
    pub media_max_video_mb: Option<u64>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Args, Debug, Default)]
pub struct WorkerArgs {
    /// Worker loops to run [default: 2].
    #[arg(long, env = "RELAIS_WORKERS")]
    pub workers: Option<usize>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Clone, Copy, Deserialize, clap::ValueEnum, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

/// The optional file. Unknown keys are an error, so a typo does not pass silently.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub secret_key: Option<String>,
    pub log_format: Option<LogFormat>,
    pub log: Option<String>,
    pub bind: Option<String>,
    pub workers: Option<usize>,
    pub public_url: Option<String>,
    pub trust_proxy: Option<bool>,
    pub secure_cookies: Option<bool>,
    pub media_max_image_mb: Option<u64>,
    pub media_max_video_mb: Option<u64>,
    pub job_lease_ms: Option<i64>,
    pub job_batch: Option<i64>,
    pub sandbox_latency_ms: Option<u64>,
    pub sandbox_failure_rate: Option<f64>,
    pub sandbox_rate_limit: Option<i64>,
    pub outbound_allow: Option<String>,
    pub listen_every_minutes: Option<i64>,
    pub bluesky_firehose: Option<String>,
    pub inbox_sync_secs: Option<u64>,
    pub metrics_secs: Option<u64>,
    pub metrics_days: Option<i64>,
    pub reports_dir: Option<PathBuf>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_tls: Option<String>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_from: Option<String>,
}

/// How often the per-account jobs run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    pub inbox_sync_ms: i64,
    pub metrics_ms: i64,
    pub metrics_days: i64,
}

/// Everything resolved.
#[derive(Debug)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub secret_key: SecretKey,
    pub log_format: LogFormat,
    pub log: String,
    pub file: FileConfig,
}

impl Settings {
    pub fn resolve(args: &GlobalArgs, demo: bool) -> anyhow::Result<Settings> {
        let mut file = match &args.config {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).with_context(|| format!("cannot read the configuration file {}", path.display()))?;
                toml::from_str::<FileConfig>(&text).with_context(|| format!("the configuration file {} is invalid", path.display()))?
            }
            None => FileConfig::default(),
        };
        let default_dir = if demo { "relais-demo" } else { "relais-data" };
        let data_dir = args.data_dir.clone().or(file.data_dir.take()).unwrap_or_else(|| PathBuf::from(default_dir));
        std::fs::create_dir_all(&data_dir).with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
        let database_url = args
            .database_url
            .clone()
            .or(file.database_url.take())
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("relais.db").display()));
        let secret_key = match args.secret_key.clone().or(file.secret_key.take()) {
            Some(text) => SecretKey::from_base64(&text).context("RELAIS_SECRET_KEY / secret_key")?,
            None => load_or_create_key(&data_dir.join("secret.key"))?,
        };
        Ok(Settings {
            log_format: args.log_format.or(file.log_format).unwrap_or_default(),
            log: args.log.clone().or(file.log.take()).unwrap_or_else(|| "info,sqlx=warn,tower_http=info".into()),
            data_dir,
            database_url,
            secret_key,
            file,
        })
    }

    pub fn bind(&self, args: &ServeArgs) -> String {
        args.bind.clone().or(self.file.bind.clone()).unwrap_or_else(|| "127.0.0.1:8080".into())
    }

    pub fn workers(&self, flag: Option<usize>) -> usize {
        flag.or(self.file.workers).unwrap_or(2)
    }

    pub fn worker_config(&self, e: &EngineArgs) -> relais_jobs::WorkerConfig {
        relais_jobs::WorkerConfig {
            lease_ms: e.job_lease_ms.or(self.file.job_lease_ms).unwrap_or(300_000),
            batch: e.job_batch.or(self.file.job_batch).unwrap_or(16).max(1),
            ..relais_jobs::WorkerConfig::default()
        }
    }

    pub fn sandbox(&self, e: &EngineArgs) -> anyhow::Result<relais_networks::sandbox::SandboxConfig> {
        let failure_rate = e.sandbox_failure_rate.or(self.file.sandbox_failure_rate).unwrap_or(0.0);
        if !(0.0..=1.0).contains(&failure_rate) {
            bail!("sandbox_failure_rate is {failure_rate}; it must be between 0 and 1");
        }
        let limit = e.sandbox_rate_limit.or(self.file.sandbox_rate_limit).unwrap_or(60);
        Ok(relais_networks::sandbox::SandboxConfig {
            latency: std::time::Duration::from_millis(e.sandbox_latency_ms.or(self.file.sandbox_latency_ms).unwrap_or(50)),
            failure_rate,
            rate_limit_per_minute: (limit > 0).then_some(limit),
        })
    }

    /// Which addresses user-given servers may be at.
    pub fn outbound(&self, e: &EngineArgs) -> anyhow::Result<relais_networks::outbound::Outbound> {
        match e.outbound_allow.as_deref().or(self.file.outbound_allow.as_deref()) {
            None => Ok(relais_networks::outbound::Outbound::public_only()),
            Some(blocks) => relais_networks::outbound::Outbound::allowing(blocks).map_err(|e| anyhow::anyhow!("outbound_allow: {e}")),
        }
    }

    /// How often the per-account jobs run.
    pub fn cadence(&self, e: &EngineArgs) -> anyhow::Result<Cadence> {
        let sync = e.inbox_sync_secs.or(self.file.inbox_sync_secs).unwrap_or(120);
        let metrics = e.metrics_secs.or(self.file.metrics_secs).unwrap_or(3600);
        let days = e.metrics_days.or(self.file.metrics_days).unwrap_or(30);
        if sync < 10 {
            bail!("inbox_sync_secs is {sync}; it must be at least 10 seconds");
        }
        if metrics < 60 {
            bail!("metrics_secs is {metrics}; it must be at least 60 seconds");
        }
        if !(1..=365).contains(&days) {
            bail!("metrics_days is {days}; it must be between 1 and 365");
        }
        Ok(Cadence { inbox_sync_ms: sync as i64 * 1000, metrics_ms: metrics as i64 * 1000, metrics_days: days })
    }

    /// Listening: how often each active query is searched on the networks, in ms.
    pub fn listen_every_ms(&self, e: &EngineArgs) -> anyhow::Result<i64> {
        match e.listen_every_minutes.or(self.file.listen_every_minutes).unwrap_or(15) {
            m @ 1..=1440 => Ok(m * 60_000),
            m => bail!("listen_every_minutes is {m}; it must be between 1 and 1440"),
        }
    }

    /// Listening: the Bluesky firehose to read, if any.
    pub fn bluesky_firehose(&self, e: &EngineArgs) -> Option<String> {
        e.bluesky_firehose.clone().or(self.file.bluesky_firehose.clone()).filter(|s| !s.trim().is_empty())
    }

    /// Where scheduled reports are written. Several processes on one PostgreSQL need it on
    /// shared storage only if people read the files from there.
    pub fn reports_dir(&self, e: &EngineArgs) -> PathBuf {
        e.reports_dir.clone().or(self.file.reports_dir.clone()).unwrap_or_else(|| self.data_dir.join("reports"))
    }

    /// The SMTP server that mails scheduled reports, when one is configured.
    pub fn mailer(&self, e: &EngineArgs) -> anyhow::Result<Option<relais_jobs::Mailer>> {
        let pick = |flag: &Option<String>, file: &Option<String>| flag.clone().or(file.clone()).filter(|v| !v.trim().is_empty());
        let Some(host) = pick(&e.smtp_host, &self.file.smtp_host) else {
            return Ok(None);
        };
        let tls = match pick(&e.smtp_tls, &self.file.smtp_tls) {
            Some(t) => relais_jobs::SmtpTls::parse(&t).map_err(anyhow::Error::msg)?,
            None => relais_jobs::SmtpTls::StartTls,
        };
        let Some(from) = pick(&e.smtp_from, &self.file.smtp_from) else {
            bail!("smtp_host is set but smtp_from is not: give the address reports are sent from");
        };
        let settings = relais_jobs::SmtpSettings {
            host,
            port: e.smtp_port.or(self.file.smtp_port).unwrap_or(tls.default_port()),
            tls,
            username: pick(&e.smtp_username, &self.file.smtp_username),
            password: pick(&e.smtp_password, &self.file.smtp_password),
            from,
        };
        relais_jobs::Mailer::new(&settings).map(Some).map_err(anyhow::Error::msg)
    }

    /// The media library's files. Several processes on one PostgreSQL (web and workers) need
    /// this directory on shared storage.
    pub fn media_dir(&self) -> std::path::PathBuf {
        self.data_dir.join("media")
    }

    pub fn web_config(&self, args: &ServeArgs) -> anyhow::Result<relais_web::WebConfig> {
        let public_url = args.public_url.clone().or(self.file.public_url.clone());
        if let Some(u) = &public_url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            bail!("public_url {u:?} must start with http:// or https://");
        }
        let https = public_url.as_deref().is_some_and(|u| u.starts_with("https://"));
        let defaults = relais_core::media::MediaLimits::default();
        let megabytes = |name: &str, value: Option<u64>, default: u64| -> anyhow::Result<u64> {
            match value {
                None => Ok(default),
                Some(mb @ 1..=4096) => Ok(mb * 1024 * 1024),
                Some(mb) => bail!("{name} is {mb}; it must be between 1 and 4096 (MB)"),
            }
        };
        let media_limits = relais_core::media::MediaLimits {
            max_image_bytes: megabytes(
                "media_max_image_mb",
                args.media_max_image_mb.or(self.file.media_max_image_mb),
                defaults.max_image_bytes,
            )?,
            max_video_bytes: megabytes(
                "media_max_video_mb",
                args.media_max_video_mb.or(self.file.media_max_video_mb),
                defaults.max_video_bytes,
            )?,
            ..defaults
        };
        Ok(relais_web::WebConfig {
            secure_cookies: args.secure_cookies.or(self.file.secure_cookies).unwrap_or(https),
            trust_proxy: args.trust_proxy.or(self.file.trust_proxy).unwrap_or(false),
            public_url,
            media_dir: self.media_dir(),
            media_limits,
            outbound: self.outbound(&args.engine)?,
            ..relais_web::WebConfig::default()
        })
    }
}

/// Reads the key file, or creates it with mode 0600. A key readable by others is refused: it
/// decrypts every stored network token. Creation is atomic (a complete temporary file is linked
/// into place), so processes starting together agree on one key and never read a partial file.
fn load_or_create_key(path: &Path) -> anyhow::Result<SecretKey> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if !path.exists() {
        let key = SecretKey::generate();
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .with_context(|| format!("cannot create the secret key file {}", tmp.display()))?;
        writeln!(f, "{}", key.to_base64())?;
        f.sync_all()?;
        drop(f);
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => return Ok(key),
            // Another process won the race: use its key.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("cannot create the secret key file {}", path.display())),
        }
    }
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        bail!(
            "the secret key file {} can be read by other users (mode {:o}); run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        );
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    SecretKey::from_base64(&text).with_context(|| format!("the secret key file {} is damaged", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(dir: &Path) -> GlobalArgs {
        GlobalArgs { config: None, data_dir: Some(dir.to_path_buf()), database_url: None, secret_key: None, log_format: None, log: None }
    }

    #[test]
    fn the_secret_key_is_generated_once_with_owner_only_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("relais-cfg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = Settings::resolve(&args(&dir), false).unwrap();
        let mode = std::fs::metadata(dir.join("secret.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = Settings::resolve(&args(&dir), false).unwrap();
        assert_eq!(first.secret_key.to_base64(), again.secret_key.to_base64());
        assert!(first.database_url.starts_with("sqlite://") && first.database_url.ends_with("relais.db"));

        std::fs::set_permissions(dir.join("secret.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Settings::resolve(&args(&dir), false).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn flags_win_over_the_file_and_unknown_keys_are_refused() {
        let dir = std::env::temp_dir().join(format!("relais-cfg2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("relais.toml");
        std::fs::write(&file, format!("data_dir = {:?}\nbind = \"0.0.0.0:9000\"\nworkers = 5\n", dir.display().to_string())).unwrap();
        let mut a = args(&dir);
        a.data_dir = None;
        a.config = Some(file.clone());
        let s = Settings::resolve(&a, false).unwrap();
        assert_eq!(s.bind(&ServeArgs::default()), "0.0.0.0:9000");
        assert_eq!(s.bind(&ServeArgs { bind: Some("127.0.0.1:1".into()), ..Default::default() }), "127.0.0.1:1");
        assert_eq!(s.workers(None), 5);
        assert_eq!(s.workers(Some(1)), 1);

        let web = s.web_config(&ServeArgs { media_max_video_mb: Some(250), ..Default::default() }).unwrap();
        assert_eq!(web.media_dir, dir.join("media"));
        assert_eq!((web.media_limits.max_image_bytes, web.media_limits.max_video_bytes), (20 * 1024 * 1024, 250 * 1024 * 1024));
        assert!(s.web_config(&ServeArgs { media_max_image_mb: Some(0), ..Default::default() }).is_err());

        assert_eq!(s.reports_dir(&EngineArgs::default()), dir.join("reports"));
        assert!(s.mailer(&EngineArgs::default()).unwrap().is_none(), "no SMTP host: files only");
        let smtp = EngineArgs { smtp_host: Some("127.0.0.1".into()), smtp_tls: Some("none".into()), ..Default::default() };
        assert!(format!("{:#}", s.mailer(&smtp).unwrap_err()).contains("smtp_from"));
        let smtp = EngineArgs { smtp_from: Some("reports@agence.example".into()), ..smtp };
        assert!(s.mailer(&smtp).unwrap().is_some());
        let smtp = EngineArgs { smtp_tls: Some("ssl".into()), ..smtp };
        assert!(format!("{:#}", s.mailer(&smtp).unwrap_err()).contains("smtp_tls"));

        std::fs::write(&file, "bnid = \"oops\"\n").unwrap();
        let err = format!("{:#}", Settings::resolve(&a, false).unwrap_err());
        assert!(err.contains("bnid"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
