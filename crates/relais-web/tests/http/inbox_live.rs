//! The live inbox over HTTP, on SQLite and PostgreSQL: the event stream (roles, tenancy, an
//! ingested message arriving rendered, `Last-Event-ID` resuming without repeats, a conversation's
//! stream carrying only its own events), the presence heartbeat (CSRF, who else is there), and
//! the second-answer check (held back with a warning, then sent when confirmed).

use crate::helpers::*;
use relais_core::inbox::MessageStatus;
use relais_store::{Incoming, SocialAccount};
use serde_json::Value;
use std::time::{Duration, Instant};

async fn account(app: &TestApp, ws: &str, handle: &str) -> SocialAccount {
    app.store.create_social_account(ws, "sandbox", handle, handle, |_| "sealed".into()).await.unwrap()
}

fn mention(remote_id: &str, text: &str, at: i64) -> Incoming {
    Incoming {
        remote_id: remote_id.into(),
        kind: "mention".into(),
        author_remote_id: format!("author-{remote_id}"),
        author_handle: "@julie".into(),
        author_name: Some("Julie Morel".into()),
        text: text.into(),
        created_at: at,
        ..Incoming::default()
    }
}

/// The stream a page listens to (its `data-live-events`).
fn live_path(html: &str) -> String {
    let at = html.find("data-live-events=\"").expect("the page names its stream") + "data-live-events=\"".len();
    unescape(&html[at..at + html[at..].find('"').unwrap()])
}

/// An open event stream and the events read from it so far.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

/// One server-sent event: its id and its JSON.
#[derive(Debug)]
struct Sent {
    id: i64,
    data: Value,
}

impl Stream {
    async fn open(b: &Browser, path: &str, last_event_id: Option<i64>) -> Stream {
        let mut req = b.http.get(format!("{}{path}", b.base));
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        let response = req.send().await.unwrap();
        assert_eq!(response.status(), 200, "the stream opens");
        let kind = response.headers().get("content-type").unwrap().to_str().unwrap().to_string();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        Stream { response, buffer: String::new() }
    }

    /// The complete events received within `wait` (stops early once `enough` of them came).
    async fn read(&mut self, enough: usize, wait: Duration) -> Vec<Sent> {
        let deadline = Instant::now() + wait;
        loop {
            let events = self.parsed();
            if events.len() >= enough {
                return events;
            }
            let Some(left) = deadline.checked_duration_since(Instant::now()) else { return events };
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Ok(None)) => panic!("the stream ended"),
                Ok(Err(e)) => panic!("the stream failed: {e}"),
                Err(_) => return self.parsed(),
            }
        }
    }

    fn parsed(&self) -> Vec<Sent> {
        let complete = &self.buffer[..self.buffer.rfind("\n\n").map_or(0, |i| i + 2)];
        complete
            .split("\n\n")
            .filter_map(|block| {
                let field = |name: &str| block.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim_start().to_string());
                Some(Sent { id: field("id:")?.parse().unwrap(), data: serde_json::from_str(&field("data:")?).unwrap() })
            })
            .collect()
    }
}

app_test!(the_feed_is_for_members_of_the_workspace_who_use_the_inbox, |app: TestApp| async move {
    let bank = account(&app, &app.f.bank, "@banque").await;
    let coffee = account(&app, &app.f.coffee, "@cafes").await;
    let ours = app.store.ingest_activity(&bank, &[mention("m1", "Bonjour", 1)], None).await.unwrap().messages.remove(0);
    let theirs = app.store.ingest_activity(&coffee, &[mention("c1", "Café ?", 1)], None).await.unwrap().messages.remove(0);
    let path = format!("/w/{}/inbox/events", app.f.bank);

    let mut client = Browser::signed_in(&app, CLIENT).await;
    assert_eq!(client.get(&path).await.status, 403, "a client does not read the inbox");
    let mut outsider = Browser::signed_in(&app, OUTSIDER).await;
    assert_eq!(outsider.get(&path).await.status, 404, "another organisation's workspace does not exist");
    let mut anonymous = Browser::new(&app);
    assert_eq!(anonymous.get(&path).await.status, 303, "sign in first");
    let cm = Browser::signed_in(&app, CM).await;
    Stream::open(&cm, &path, None).await;
    // A conversation stream names a message of this workspace only.
    let resp = cm.http.get(format!("{}{path}?message={theirs}", app.url)).send().await.unwrap();
    assert_eq!(resp.status(), 404, "the coffee shop's message through the bank");
    Stream::open(&cm, &format!("{path}?message={ours}"), None).await;
    // The SMM reads the inbox too.
    let smm = Browser::signed_in(&app, SMM).await;
    Stream::open(&smm, &path, None).await;
});

app_test!(an_ingested_message_arrives_rendered_and_a_reconnection_resumes_without_repeats, |app: TestApp| async move {
    let acc = account(&app, &app.f.bank, "@banque").await;
    let coffee = account(&app, &app.f.coffee, "@cafes").await;
    let mut cm = Browser::signed_in(&app, CM).await;
    let list = cm.get(&format!("/w/{}/inbox", app.f.bank)).await;
    assert!(list.body.contains("data-live-insert=\"1\""), "the unfiltered first page takes new messages in");
    let path = live_path(&list.body);
    let mut stream = Stream::open(&cm, &path, None).await;

    let first = app.store.ingest_activity(&acc, &[mention("m1", "Vos agences ouvrent-elles samedi ?", 1_000)], None).await.unwrap();
    // Another brand's message is not for this stream.
    app.store.ingest_activity(&coffee, &[mention("c1", "Secret du café", 1_000)], None).await.unwrap();
    let events = stream.read(1, Duration::from_secs(10)).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0].data;
    assert_eq!(e["kind"], "message_new");
    assert_eq!(e["message_id"], first.messages[0].as_str());
    assert_eq!(e["mine"], false);
    let html = unescape(e["html"].as_str().unwrap());
    assert!(html.contains("Vos agences ouvrent-elles samedi ?") && html.contains("Julie Morel"), "{html}");
    assert!(
        html.contains(&format!("data-message=\"{}\"", first.messages[0])) && html.contains("ouvert"),
        "rendered as a French row: {html}"
    );
    let seen = events[0].id;

    // Another member changes it: the row comes again, redrawn.
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    admin.get(&format!("/w/{}/inbox/{}", app.f.bank, first.messages[0])).await;
    let moved = admin.post(&format!("/w/{}/inbox/{}/assign", app.f.bank, first.messages[0]), &[("assignee", &app.f.cm)]).await;
    assert_eq!(moved.status, 303);
    let events = stream.read(2, Duration::from_secs(10)).await;
    let changed = events.iter().find(|e| e.data["kind"] == "message_changed").expect("the change arrives");
    assert_eq!(changed.data["assignee"], "Lucas CM");
    assert!(unescape(changed.data["html"].as_str().unwrap()).contains("assigné à Lucas CM"));
    drop(stream);

    // Two more messages while the page was away; the browser reconnects with Last-Event-ID,
    // which wins over the page's `since`.
    let later = app
        .store
        .ingest_activity(&acc, &[mention("m2", "Deuxième", 2_000), mention("m3", "Troisième", 3_000)], None)
        .await
        .unwrap()
        .messages;
    app.store.set_message_status(&later[0], MessageStatus::Pending).await.unwrap();
    let mut resumed = Stream::open(&cm, &path, Some(seen)).await;
    let events = resumed.read(4, Duration::from_secs(10)).await;
    assert_eq!(
        events.iter().map(|e| (e.data["kind"].as_str().unwrap(), e.data["message_id"].as_str().unwrap())).collect::<Vec<_>>(),
        [
            ("message_changed", first.messages[0].as_str()),
            ("message_new", later[0].as_str()),
            ("message_new", later[1].as_str()),
            ("message_changed", later[0].as_str())
        ],
        "everything after the last event seen, once, in order"
    );
    assert!(events.windows(2).all(|w| w[1].id > w[0].id));
    assert!(events.iter().all(|e| e.id > seen));
    // Nothing else comes (no repeat of what was seen).
    assert_eq!(resumed.read(5, Duration::from_millis(2500)).await.len(), 4);
});

app_test!(a_filtered_list_counts_new_messages_instead_of_inserting_them, |app: TestApp| async move {
    let mut cm = Browser::signed_in(&app, CM).await;
    let filtered = cm.get(&format!("/w/{}/inbox?status=pending", app.f.bank)).await;
    assert_eq!(filtered.status, 200);
    assert!(filtered.body.contains("data-live-insert=\"0\""), "a filtered page only counts");
    assert!(filtered.body.contains("data-live-many=\"__N__ nouveaux messages\""));
    let mut en = Browser::with_language(&app, "en");
    en.sign_in(CM).await;
    en.get(&format!("/w/{}/inbox", app.f.bank)).await.assert_contains("Reload");
});

app_test!(a_conversation_stream_carries_only_its_conversation_and_others_presence, |app: TestApp| async move {
    let acc = account(&app, &app.f.bank, "@banque").await;
    let ids = app
        .store
        .ingest_activity(&acc, &[mention("m1", "Premier sujet", 1_000), mention("m2", "Autre sujet", 2_000)], None)
        .await
        .unwrap()
        .messages;
    let mut cm = Browser::signed_in(&app, CM).await;
    let page = cm.get(&format!("/w/{}/inbox/{}", app.f.bank, ids[0])).await;
    assert!(!page.body.contains("aussi sur cette conversation"), "alone for now");
    let path = live_path(&page.body);
    assert!(path.ends_with(&format!("&message={}", ids[0])), "{path}");
    let mut stream = Stream::open(&cm, &path, None).await;

    // The admin opens the same conversation; a change to the other conversation is not sent.
    app.store.set_message_status(&ids[1], MessageStatus::Resolved).await.unwrap();
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    admin.get(&format!("/w/{}/inbox/{}", app.f.bank, ids[0])).await.assert_contains("Lucas CM est aussi sur cette conversation");
    let events = stream.read(1, Duration::from_secs(10)).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].data["kind"], "presence");
    assert_eq!(events[0].data["actor"], "Claire Admin");
    assert_eq!(events[0].data["text"], "Claire Admin est aussi sur cette conversation");
    // She writes a note and answers: the CM is told, in French.
    admin.post(&format!("/w/{}/inbox/{}/notes", app.f.bank, ids[0]), &[("body", "Client connu")]).await;
    admin.post(&format!("/w/{}/inbox/{}/reply", app.f.bank, ids[0]), &[("text", "Oui !"), ("seen_answer", "")]).await;
    let events = stream.read(3, Duration::from_secs(10)).await;
    assert_eq!(events[1].data["kind"], "note_added");
    assert_eq!(events[1].data["text"], "Claire Admin a ajouté une note interne.");
    assert_eq!(events[2].data["kind"], "reply_sent");
    let warning = events[2].data["text"].as_str().unwrap();
    assert!(warning.starts_with("Claire Admin a envoyé une réponse le ") && warning.contains("lisez-la avant de répondre"), "{warning}");
    // A new message of this conversation would be rendered the conversation's way.
    assert!(page.body.contains(&format!("data-message=\"{}\"", ids[0])));
});

app_test!(the_heartbeat_needs_csrf_and_says_who_else_is_there, |app: TestApp| async move {
    let acc = account(&app, &app.f.bank, "@banque").await;
    let id = app.store.ingest_activity(&acc, &[mention("m1", "Bonjour", 1_000)], None).await.unwrap().messages.remove(0);
    let path = format!("/w/{}/inbox/{id}/presence", app.f.bank);
    let mut cm = Browser::signed_in(&app, CM).await;
    let page = cm.get(&format!("/w/{}/inbox/{id}", app.f.bank)).await;
    assert!(page.body.contains(&format!("data-presence=\"{path}\"")));
    assert_eq!(cm.post_raw(&path, &[], &[]).await.status, 403, "no CSRF token");
    assert_eq!(cm.post_raw(&path, &[], &[("X-CSRF-Token", "csrf_forged")]).await.status, 403, "a wrong token");
    let alone = cm.post_raw(&path, &[], &[("X-CSRF-Token", &cm.csrf)]).await;
    assert_eq!(alone.status, 200, "{}", alone.body);
    let answer: Value = serde_json::from_str(&alone.body).unwrap();
    assert_eq!(answer["others"], serde_json::json!([]));

    let mut admin = Browser::signed_in(&app, ADMIN).await;
    admin.get("/profile").await;
    let with = admin.post(&path, &[]).await;
    assert_eq!(with.status, 200);
    let answer: Value = serde_json::from_str(&with.body).unwrap();
    assert_eq!(answer["others"], serde_json::json!(["Lucas CM"]));
    assert_eq!(answer["text"], "Lucas CM est aussi sur cette conversation");
    let mut en = Browser::with_language(&app, "en");
    en.sign_in(SMM).await;
    let answer: Value = serde_json::from_str(&en.post(&path, &[]).await.body).unwrap();
    assert_eq!(answer["text"], "Claire Admin, Lucas CM are here too");
    // The CM closes the page: gone at once.
    assert_eq!(cm.post_raw(&path, &[("_csrf", &cm.csrf), ("leave", "1")], &[]).await.status, 200);
    let answer: Value = serde_json::from_str(&admin.post(&path, &[]).await.body).unwrap();
    assert_eq!(answer["others"], serde_json::json!(["Sophie SMM"]));

    // A client may not, nor may anyone through another workspace.
    let mut client = Browser::signed_in(&app, CLIENT).await;
    client.get("/profile").await;
    assert_eq!(client.post(&path, &[]).await.status, 403);
    assert_eq!(admin.post(&format!("/w/{}/inbox/{id}/presence", app.f.coffee), &[]).await.status, 404);
});

app_test!(a_second_answer_is_held_back_with_a_warning_then_sent_when_confirmed, |app: TestApp| async move {
    let acc = account(&app, &app.f.bank, "@banque").await;
    let id = app.store.ingest_activity(&acc, &[mention("m1", "Ouvert samedi ?", 1_000)], None).await.unwrap().messages.remove(0);
    let conversation = app.store.inbox_message(&id).await.unwrap().conversation_id;
    let page_path = format!("/w/{}/inbox/{id}", app.f.bank);
    let reply_path = format!("{page_path}/reply");
    let hidden = |html: &str, name: &str| -> Option<String> {
        let at = html.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
        Some(html[at..at + html[at..].find('"')?].to_string())
    };
    // Both open the conversation before anyone answers.
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    let mut cm = Browser::signed_in(&app, CM).await;
    let admin_page = admin.get(&page_path).await;
    let cm_page = cm.get(&page_path).await;
    assert_eq!(hidden(&cm_page.body, "seen_answer").as_deref(), Some(""));
    assert!(hidden(&cm_page.body, "second_answer").is_none());
    let seen = hidden(&admin_page.body, "seen_answer").unwrap();
    assert_eq!(admin.post(&reply_path, &[("text", "Oui, de 9 h à 12 h."), ("seen_answer", &seen)]).await.status, 303);

    // The CM sends from the page he loaded: held back, his draft kept, who answered named.
    let warned = cm.post(&reply_path, &[("text", "Bonjour, oui le matin."), ("seen_answer", "")]).await;
    assert_eq!(warned.status, 409);
    warned
        .assert_contains("Réponse non envoyée : un autre membre a déjà répondu.")
        .assert_contains("Claire Admin a répondu le ")
        .assert_contains("« Oui, de 9 h à 12 h. »")
        .assert_contains("Bonjour, oui le matin.</textarea>")
        .assert_contains("Envoyer quand même");
    assert_eq!(app.store.conversation_replies(&conversation).await.unwrap().len(), 1, "nothing sent");
    let first = app.store.conversation_replies(&conversation).await.unwrap().remove(0);
    assert_eq!(hidden(&warned.body, "seen_answer").as_deref(), Some(first.id.as_str()));
    assert_eq!(hidden(&warned.body, "second_answer").as_deref(), Some("1"));

    // "Send anyway": the form as the warning page gives it.
    let sent = cm.post(&reply_path, &[("text", "Bonjour, oui le matin."), ("seen_answer", &first.id), ("second_answer", "1")]).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let replies = app.store.conversation_replies(&conversation).await.unwrap();
    assert_eq!(replies.iter().map(|r| r.author_label.as_str()).collect::<Vec<_>>(), ["Claire Admin", "Lucas CM"]);
    let audit = app.store.audit_entries(&app.f.bank, None, 50).await.unwrap();
    assert!(
        audit.iter().any(|e| e.action == "inbox.replied" && e.details["second_answer"] == true),
        "the audit log says it was knowingly a second answer"
    );
    // A form without the field (an older page) is judged as having seen no answer.
    let again = admin.post(&reply_path, &[("text", "Et le dimanche ?")]).await;
    assert_eq!(again.status, 409);
    again.assert_contains("Lucas CM a répondu le ");
});
