//! Scheduled reports, on SQLite and PostgreSQL: the SMM manages schedules on their page (errors
//! name the field, forms need their CSRF token, other roles and workspaces are refused), and a
//! due report goes through the real job, the real renderer and a real SMTP server on loopback:
//! mailed once with its PDF, written to the folder, never sent twice, retried after a failure.

use crate::helpers::*;
use base64::Engine;
use jiff::ToSpan;
use jiff::civil::Weekday;
use relais_core::kpi::Scope;
use relais_core::report_schedule::{Cadence, ReportFormat};
use relais_core::{Email, Locale};
use relais_jobs::{Mailer, ReportSender, SmtpSettings, SmtpTls, Worker, WorkerConfig};
use relais_store::{ReportSchedule, RunKind, RunStatus, ScheduleInput, Store};
use relais_web::scheduled_reports::AnalyticsReports;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A mail as the SMTP sink received it: the envelope and the raw message.
struct Received {
    to: Vec<String>,
    data: String,
}

type Inbox = Arc<Mutex<Vec<Received>>>;

/// An SMTP server on loopback that accepts every mail and keeps it. Returns its port.
async fn smtp_sink() -> (u16, Inbox) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox: Inbox = Arc::default();
    let kept = inbox.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let _ = smtp_session(socket, kept).await;
            });
        }
    });
    (port, inbox)
}

async fn smtp_session(socket: tokio::net::TcpStream, inbox: Inbox) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 sink ESMTP\r\n").await?;
    let mut to = vec![];
    let mut line = String::new();
    let address = |s: &str| s.trim().trim_start_matches('<').split('>').next().unwrap_or_default().to_string();
    loop {
        line.clear();
        if read.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink\r\n250-8BITMIME\r\n250 SIZE 20000000\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&command[8..]));
            b"250 OK\r\n"
        } else if upper.starts_with("MAIL FROM:") || upper.starts_with("HELO") || upper == "RSET" || upper == "NOOP" {
            b"250 OK\r\n"
        } else if upper == "DATA" {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if read.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                // Dot-stuffing (RFC 5321 4.5.2).
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            inbox.lock().unwrap().push(Received { to: std::mem::take(&mut to), data });
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

/// A header's value, unfolded, with RFC 2047 base64 words decoded.
fn header(message: &str, name: &str) -> Option<String> {
    let head = message.split("\r\n\r\n").next()?;
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let value = unfolded.lines().find_map(|l| l.strip_prefix(&format!("{name}: ")))?.to_string();
    // Whitespace between two encoded words is dropped (RFC 2047 6.2), kept anywhere else.
    let mut out = String::new();
    let mut after_encoded = None;
    for word in value.split(' ') {
        let encoded = word.to_ascii_lowercase().starts_with("=?utf-8?b?") && word.ends_with("?=");
        if after_encoded.is_some() && !(encoded && after_encoded == Some(true)) {
            out.push(' ');
        }
        match encoded {
            true => out.push_str(
                &String::from_utf8(base64::engine::general_purpose::STANDARD.decode(&word[10..word.len() - 2]).unwrap()).unwrap(),
            ),
            false => out.push_str(word),
        }
        after_encoded = Some(encoded);
    }
    Some(out)
}

/// The decoded body of the attachment called `name`.
fn attachment(message: &str, name: &str) -> Option<Vec<u8>> {
    // lettre names files the RFC 2231 way (`filename*0="…"`), which mail clients read.
    let named = |head: &str| {
        let head = head.replace("\r\n ", " ");
        head.contains(&format!("filename=\"{name}\"")) || head.contains(&format!("filename*0=\"{name}\""))
    };
    let (head, body) = message.split("\r\n--").filter_map(|p| p.split_once("\r\n\r\n")).find(|(head, _)| named(head))?;
    assert!(head.to_ascii_lowercase().contains("content-transfer-encoding: base64"), "{head}");
    let b64: String = body.lines().map(str::trim).collect();
    Some(base64::engine::general_purpose::STANDARD.decode(b64).unwrap())
}

fn weekly_for(recipients: &[&str], formats: Vec<ReportFormat>) -> ScheduleInput {
    ScheduleInput {
        scope: Scope::Workspace,
        cadence: Cadence::Weekly(Weekday::Monday),
        locale: Locale::Fr,
        formats,
        recipients: recipients.iter().map(|r| Email::parse(r).unwrap()).collect(),
        enabled: true,
    }
}

fn mailer(port: u16) -> Mailer {
    Mailer::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        username: None,
        password: None,
        from: "Agence Rivage <rapports@agence.example>".into(),
    })
    .unwrap()
}

fn sender(store: &Store, folder: &Path, mailer: Option<Mailer>) -> Arc<ReportSender> {
    Arc::new(ReportSender {
        store: store.clone(),
        // No post of these tests has an image: an empty media directory (the reports folder).
        renderer: Arc::new(AnalyticsReports { store: store.clone(), media: relais_store::MediaFiles::new(folder.join("media")) }),
        folder: folder.to_path_buf(),
        mailer,
    })
}

/// Runs the report jobs due now, as a worker process would.
async fn work(store: &Store, sender: Arc<ReportSender>) -> usize {
    Worker::new(store.clone(), "test-worker", WorkerConfig::default()).register(sender).run_once().await.unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

app_test!(a_due_report_is_mailed_once_with_its_pdf_and_written_to_the_folder, |app: TestApp| async move {
    let store = &app.store;
    let ws = &app.f.bank;
    let (port, inbox) = smtp_sink().await;
    let folder = tempfile::tempdir().unwrap();
    let recipients = ["direction@banque.example", "com@banque.example"];
    let schedule =
        store.save_report_schedule(ws, None, &weekly_for(&recipients, vec![ReportFormat::Pdf, ReportFormat::Xlsx]), None).await.unwrap();

    // Nothing is due before the schedule's first Monday 06:00 after it was saved.
    assert_eq!(ReportSender::schedule(store, jiff::Timestamp::now()).await.unwrap(), 0);
    // A week and a day later, one delivery is, however many processes ask.
    let later = jiff::Timestamp::now().checked_add((24 * 8).hours()).unwrap();
    let zone = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
    let period = schedule.cadence().unwrap().latest(later, &zone).unwrap().period;
    assert_eq!(ReportSender::schedule(store, later).await.unwrap(), 1);
    assert_eq!(ReportSender::schedule(store, later).await.unwrap(), 0);

    assert_eq!(work(store, sender(store, folder.path(), Some(mailer(port)))).await, 1);
    let (first, last) = (period.first().to_string(), period.last().to_string());
    {
        let mails = inbox.lock().unwrap();
        assert_eq!(mails.len(), 1);
        let mail = &mails[0];
        assert_eq!(mail.to, recipients);
        assert_eq!(header(&mail.data, "Subject").unwrap(), format!("Rapport hebdomadaire · Banque de Bourgogne · {first} – {last}"));
        assert!(header(&mail.data, "From").unwrap().contains("rapports@agence.example"));
        let pdf = attachment(&mail.data, &format!("workspace_{first}_{last}_fr.pdf")).expect("the PDF attached");
        assert!(pdf.starts_with(b"%PDF"), "{:?}", &pdf[..8.min(pdf.len())]);
        let xlsx = attachment(&mail.data, &format!("workspace_{first}_{last}_fr.xlsx")).expect("the XLSX attached");
        assert!(xlsx.starts_with(b"PK"), "an XLSX is a zip");

        // The same files in the workspace's folder, and no temporary file left behind.
        let dirs = files_in(folder.path());
        assert_eq!(dirs.len(), 1);
        assert!(dirs[0].starts_with("banque-de-bourgogne-"), "{dirs:?}");
        let dir = folder.path().join(&dirs[0]);
        assert_eq!(files_in(&dir), [format!("workspace_{first}_{last}_fr.pdf"), format!("workspace_{first}_{last}_fr.xlsx")]);
        assert_eq!(std::fs::read(dir.join(format!("workspace_{first}_{last}_fr.pdf"))).unwrap(), pdf);
    }
    let run = store.report_runs(ws, 10).await.unwrap().remove(0);
    assert_eq!((run.status(), run.attempts, run.file_list().len(), run.error), (RunStatus::Sent, 1, 2, None));

    // A restart: a new process schedules and works again, and sends nothing more.
    assert_eq!(ReportSender::schedule(store, later).await.unwrap(), 0);
    assert_eq!(work(store, sender(store, folder.path(), Some(mailer(port)))).await, 0);
    assert_eq!(inbox.lock().unwrap().len(), 1);

    // A run whose worker died while talking to the SMTP server is not sent again blindly.
    let interrupted = store.request_report_run(&schedule, &period, RunKind::Manual, None).await.unwrap().unwrap();
    assert!(store.move_report_run(&interrupted.id, &[RunStatus::Pending], RunStatus::Sending, None, None).await.unwrap());
    assert_eq!(work(store, sender(store, folder.path(), Some(mailer(port)))).await, 1);
    let checked = store.report_run(&interrupted.id).await.unwrap();
    assert_eq!(checked.status(), RunStatus::Failed);
    assert!(checked.error.as_deref().unwrap().contains("may or may not have been sent"), "{:?}", checked.error);
    assert_eq!(inbox.lock().unwrap().len(), 1);
});

app_test!(a_failed_delivery_is_visible_and_retried, |app: TestApp| async move {
    let store = &app.store;
    let ws = &app.f.bank;
    let folder = tempfile::tempdir().unwrap();
    let schedule =
        store.save_report_schedule(ws, None, &weekly_for(&["direction@banque.example"], vec![ReportFormat::Xlsx]), None).await.unwrap();
    let period = schedule.cadence().unwrap().latest(jiff::Timestamp::now(), &jiff::tz::TimeZone::UTC).unwrap().period;
    let run = store.request_report_run(&schedule, &period, RunKind::Manual, None).await.unwrap().unwrap();

    // No server listens on the port: the run fails with the reason and its job is retried.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    assert_eq!(work(store, sender(store, folder.path(), Some(mailer(closed_port)))).await, 1);
    let failed = store.report_run(&run.id).await.unwrap();
    assert_eq!((failed.status(), failed.attempts), (RunStatus::Failed, 1));
    assert!(failed.error.as_deref().unwrap().contains("SMTP"), "{:?}", failed.error);
    assert_eq!(failed.file_list().len(), 1, "the files were written before the mail failed");

    // The page shows it to the SMM.
    let mut smm = Browser::signed_in(&app, SMM).await;
    let page = smm.get(&format!("/w/{ws}/analytics/schedules")).await;
    page.assert_contains("Échec");
    assert!(page.body.contains("data-run-status=\"failed\""));

    // The retry, once the server is back, sends it.
    let (port, inbox) = smtp_sink().await;
    let retried = sender(store, folder.path(), Some(mailer(port)));
    let jobs = store.claim_jobs_at("test-worker", 10, 60_000, relais_core::now_ms() + 3_600_000).await.unwrap();
    assert_eq!(jobs.len(), 1);
    relais_jobs::JobHandler::run(retried.as_ref(), &jobs[0]).await.unwrap();
    let sent = store.report_run(&run.id).await.unwrap();
    assert_eq!((sent.status(), sent.attempts, sent.error), (RunStatus::Sent, 2, None));
    assert_eq!(inbox.lock().unwrap().len(), 1);

    // Without an SMTP server, a run is written to the folder and says why it was not mailed.
    let quiet = store.request_report_run(&schedule, &period, RunKind::Manual, None).await.unwrap().unwrap();
    assert_eq!(work(store, sender(store, folder.path(), None)).await, 1);
    let written = store.report_run(&quiet.id).await.unwrap();
    assert_eq!(written.status(), RunStatus::Written);
    assert!(written.error.as_deref().unwrap().contains("smtp_host"), "{:?}", written.error);
});

async fn only_schedule(store: &Store, ws: &str) -> ReportSchedule {
    let mut all = store.report_schedules(ws).await.unwrap();
    assert_eq!(all.len(), 1);
    all.remove(0)
}

app_test!(an_smm_manages_scheduled_reports_and_other_roles_cannot, |app: TestApp| async move {
    let ws = &app.f.bank;
    let path = format!("/w/{ws}/analytics/schedules");
    let mut smm = Browser::signed_in(&app, SMM).await;
    let analytics = smm.get(&format!("/w/{ws}/analytics")).await;
    assert!(analytics.body.contains(&format!("href=\"{path}\"")), "the analytics page links to the schedules");
    let page = smm.get(&path).await;
    assert_eq!(page.status, 200);
    page.assert_contains("Aucun rapport programmé");

    // Errors name the field: the address at fault, the missing format.
    let refused = smm
        .post(
            &path,
            &[
                ("scope", "workspace"),
                ("cadence", "weekly"),
                ("weekday", "monday"),
                ("locale", "fr"),
                ("recipients", "direction@banque.example, pas-une-adresse"),
                ("enabled", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("Destinataires : « pas-une-adresse » n'est pas une adresse e-mail.");
    refused.assert_contains("Formats : Choisissez au moins un format : PDF ou XLSX.");
    assert!(app.store.report_schedules(ws).await.unwrap().is_empty());

    let created = smm
        .post(
            &path,
            &[
                ("scope", "workspace"),
                ("cadence", "weekly"),
                ("weekday", "wednesday"),
                ("locale", "en"),
                ("pdf", "1"),
                ("xlsx", "1"),
                ("recipients", "Direction@Banque.example; com@banque.example"),
                ("enabled", "1"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let saved = only_schedule(&app.store, ws).await;
    assert_eq!(saved.cadence(), Some(Cadence::Weekly(Weekday::Wednesday)));
    assert_eq!(saved.recipients(), ["direction@banque.example", "com@banque.example"]);
    assert_eq!((saved.locale(), saved.formats()), (Locale::En, vec![ReportFormat::Pdf, ReportFormat::Xlsx]));
    let list = smm.get(&format!("{path}?done=report-schedule-created")).await;
    list.assert_contains("Rapport programmé ajouté.");
    list.assert_contains("Chaque semaine (Mercredi)");
    list.assert_contains("direction@banque.example, com@banque.example");
    list.assert_contains("PDF + XLSX");

    // Edited in place: monthly, paused.
    let form = smm.get(&format!("{path}/{}", saved.id)).await;
    form.assert_contains("Modifier le rapport programmé");
    let edited = smm
        .post(
            &format!("{path}/{}", saved.id),
            &[("scope", "workspace"), ("cadence", "monthly"), ("locale", "fr"), ("pdf", "1"), ("recipients", "")],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    let saved = only_schedule(&app.store, ws).await;
    assert_eq!((saved.cadence(), saved.is_enabled(), saved.recipients().len()), (Some(Cadence::Monthly), false, 0));
    smm.get(&path).await.assert_contains("En pause");

    // Forms need their token.
    let forged = smm.post_raw(&format!("{path}/{}/delete", saved.id), &[], &[]).await;
    assert_eq!(forged.status, 403);

    // "Send now" records a run of the last complete month, which the page lists.
    let sent = smm.post(&format!("{path}/{}/send", saved.id), &[]).await;
    assert_eq!(sent.status, 303);
    let runs = app.store.report_runs(ws, 10).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].kind.as_str(), runs[0].status()), ("manual", RunStatus::Pending));
    assert!(runs[0].first_day.ends_with("-01"), "{}", runs[0].first_day);
    let list = smm.get(&format!("{path}?done=report-send-requested")).await;
    list.assert_contains("Envoi immédiat");
    list.assert_contains("En attente");

    // CMs and clients neither see nor change schedules; another workspace does not find them.
    for who in [CM, CLIENT] {
        let mut b = Browser::signed_in(&app, who).await;
        assert_eq!(b.get(&path).await.status, 403, "{who}");
        assert_eq!(b.post(&format!("{path}/{}/send", saved.id), &[]).await.status, 403, "{who}");
        assert_eq!(b.post(&format!("{path}/{}/delete", saved.id), &[]).await.status, 403, "{who}");
        assert_eq!(b.post(&path, &[("scope", "workspace"), ("cadence", "monthly"), ("locale", "fr"), ("pdf", "1")]).await.status, 403);
    }
    let mut client = Browser::signed_in(&app, CLIENT).await;
    let analytics = client.get(&format!("/w/{ws}/analytics")).await;
    assert!(!analytics.body.contains(&format!("href=\"{path}\"")), "no link for a client");
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    let coffee = &app.f.coffee;
    assert_eq!(admin.get(&format!("/w/{coffee}/analytics/schedules/{}", saved.id)).await.status, 404);
    assert_eq!(admin.post(&format!("/w/{coffee}/analytics/schedules/{}/send", saved.id), &[]).await.status, 404);
    assert_eq!(admin.post(&format!("/w/{coffee}/analytics/schedules/{}/delete", saved.id), &[]).await.status, 404);
    let mut outsider = Browser::signed_in(&app, OUTSIDER).await;
    assert_eq!(outsider.get(&path).await.status, 404);
    assert_eq!(app.store.report_runs(ws, 10).await.unwrap().len(), 1);

    let deleted = smm.post(&format!("{path}/{}/delete", saved.id), &[]).await;
    assert_eq!(deleted.status, 303);
    assert!(app.store.report_schedules(ws).await.unwrap().is_empty());
    let audit: Vec<String> = app.store.audit_entries(ws, None, 20).await.unwrap().into_iter().map(|e| e.action).collect();
    for action in ["report_schedule.created", "report_schedule.updated", "report_schedule.sent_now", "report_schedule.deleted"] {
        assert!(audit.iter().any(|a| a == action), "{action} in {audit:?}");
    }
});
