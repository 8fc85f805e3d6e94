use crate::config::{LogFormat, Settings};
use tracing_subscriber::EnvFilter;

/// Structured logs on stderr: human-readable by default, JSON lines for log collectors.
pub fn init(settings: &Settings) {
    let filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|e| {
        eprintln!("relais: ignoring the log filter {:?} ({e}); using `info`", settings.log);
        EnvFilter::new("info")
    });
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match settings.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}
