//! Mailing reports over SMTP (lettre on tokio, TLS by rustls): the server, how to reach it and
//! whom the mail is from, as the binary's configuration gives them.

use crate::worker::JobError;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP upgraded with STARTTLS, which is required (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a test sink.
    None,
}

impl SmtpTls {
    pub fn parse(raw: &str) -> Result<SmtpTls, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "starttls" => Ok(SmtpTls::StartTls),
            "tls" => Ok(SmtpTls::Tls),
            "none" => Ok(SmtpTls::None),
            other => Err(format!("smtp_tls is {other:?}; use starttls, tls or none")),
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
            SmtpTls::None => 25,
        }
    }
}

#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, `reports@agency.example` or `Agence <reports@agency.example>`.
    pub from: String,
}

// The password stays out of logs and error reports.
impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "********"))
            .field("from", &self.from)
            .finish()
    }
}

/// A file attached to a mail.
pub struct MailFile {
    pub name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

/// One mail: `id` becomes its Message-ID, so that a copy delivered twice (by a relay retrying)
/// is recognisably the same message.
pub struct Mail<'a> {
    pub id: &'a str,
    pub to: &'a [String],
    pub subject: &'a str,
    pub body: &'a str,
    pub files: &'a [MailFile],
}

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish()
    }
}

impl Mailer {
    /// A mailer for `settings`; nothing is sent yet. Errors name the setting at fault.
    pub fn new(settings: &SmtpSettings) -> Result<Mailer, String> {
        let from: Mailbox = settings.from.parse().map_err(|e| format!("smtp_from {:?} is not an email address: {e}", settings.from))?;
        let builder = match settings.tls {
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host),
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host),
            SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)),
        }
        .map_err(|e| format!("smtp_host {:?}: {e}", settings.host))?;
        let mut builder = builder.port(settings.port).timeout(Some(Duration::from_secs(60)));
        match (&settings.username, &settings.password) {
            (Some(user), Some(password)) => builder = builder.credentials(Credentials::new(user.clone(), password.clone())),
            (None, None) => {}
            (Some(_), None) => return Err("smtp_username is set without smtp_password".into()),
            (None, Some(_)) => return Err("smtp_password is set without smtp_username".into()),
        }
        Ok(Mailer { transport: builder.build(), from })
    }

    /// Sends `mail`. A refusal the server calls permanent (5xx) is not worth retrying; anything
    /// else (unreachable, timeout, 4xx) is.
    pub async fn send(&self, mail: &Mail<'_>) -> Result<(), JobError> {
        let mut builder =
            Message::builder().from(self.from.clone()).subject(mail.subject).message_id(Some(format!("<{}@relais>", mail.id)));
        for to in mail.to {
            let mailbox: Mailbox = to.parse().map_err(|e| JobError::Permanent(format!("recipient {to:?} is not an email address: {e}")))?;
            builder = builder.to(mailbox);
        }
        let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(mail.body.to_string()));
        for file in mail.files {
            let mime = ContentType::parse(file.mime).map_err(|e| JobError::Permanent(format!("{}: {e}", file.mime)))?;
            parts = parts.singlepart(Attachment::new(file.name.clone()).body(file.bytes.clone(), mime));
        }
        let message = builder.multipart(parts).map_err(|e| JobError::Permanent(format!("cannot build the mail: {e}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(JobError::Permanent(format!("the SMTP server refused the mail: {e}"))),
            Err(e) => Err(JobError::Transient(format!("the SMTP server could not take the mail: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_and_the_password_stays_out_of_debug() {
        assert_eq!(SmtpTls::parse("STARTTLS"), Ok(SmtpTls::StartTls));
        assert!(SmtpTls::parse("ssl").unwrap_err().contains("smtp_tls"));
        let settings = SmtpSettings {
            host: "smtp.agency.example".into(),
            port: 587,
            tls: SmtpTls::StartTls,
            username: Some("reports".into()),
            password: Some("hunter2-secret".into()),
            from: "Agence <reports@agency.example>".into(),
        };
        assert!(!format!("{settings:?}").contains("hunter2"));
        assert!(Mailer::new(&settings).is_ok());
        let bad_from = SmtpSettings { from: "not an address".into(), ..settings.clone() };
        assert!(Mailer::new(&bad_from).unwrap_err().contains("smtp_from"));
        let half = SmtpSettings { password: None, ..settings };
        assert!(Mailer::new(&half).unwrap_err().contains("smtp_password"));
    }
}
