//! Customer care over HTTP, on SQLite and PostgreSQL: saved replies (variables checked, filled
//! into the reply form, sent once through the normal reply path), bulk actions on the inbox list
//! and the API (tenancy, roles, CSRF), business-hours settings validation, the care figures
//! page and API, and the satisfaction question.

use crate::api::{call, token};
use crate::helpers::*;
use relais_core::Role;
use relais_core::inbox::MessageStatus;
use relais_store::{Actor, BulkAction, Incoming, ReplyOutcome, SocialAccount};
use reqwest::Method;
use serde_json::json;

async fn account(app: &TestApp, ws: &str, handle: &str) -> SocialAccount {
    app.store.create_social_account(ws, "sandbox", handle, handle, |_| "sealed".into()).await.unwrap()
}

fn mention(remote_id: &str, author: &str, name: Option<&str>, text: &str, at: i64) -> Incoming {
    Incoming {
        remote_id: remote_id.into(),
        kind: "mention".into(),
        author_remote_id: format!("did:{author}"),
        author_handle: format!("@{author}"),
        author_name: name.map(str::to_string),
        text: text.into(),
        url: Some(format!("https://sandbox.example/{remote_id}")),
        created_at: at,
        ..Incoming::default()
    }
}

async fn ingest(app: &TestApp, acc: &SocialAccount, item: Incoming) -> String {
    app.store.ingest_activity(acc, &[item], None).await.unwrap().messages.remove(0)
}

app_test!(a_saved_reply_with_variables_is_checked_filled_and_sent_once, |app: TestApp| async move {
    let acc = account(&app, &app.f.bank, "@banque").await;
    let id = ingest(&app, &acc, mention("m1", "julie", None, "Vos horaires ?", 1_700_000_000_000)).await;
    let mut cm = Browser::signed_in(&app, CM).await;
    let base = format!("/w/{}/inbox/saved-replies", app.f.bank);
    cm.get(&base).await.assert_contains("Réponses enregistrées");

    // An unknown variable is refused with its name and position; so is a link not saved yet.
    let bad = cm.post(&base, &[("title", "Horaires"), ("body", "Bonjour {autor_name} !")]).await;
    assert_eq!(bad.status, 422);
    bad.assert_contains("{autor_name} at character 9");
    let no_link = cm.post(&base, &[("title", "Horaires"), ("body", "Voir {lien:faq}")]).await;
    assert_eq!(no_link.status, 422);
    no_link.assert_contains("no saved link named");
    assert!(app.store.saved_replies(&app.f.bank).await.unwrap().is_empty());

    assert_eq!(
        cm.post(&format!("/w/{}/inbox/links", app.f.bank), &[("name", "FAQ"), ("url", "https://banque.example/faq")]).await.status,
        303
    );
    let body = "Bonjour {author_name}, nos horaires sont sur {lien:faq} (message : {link}) — {account} sur {network}";
    let created = cm.post(&base, &[("title", "Horaires"), ("body", body), ("shortcut", "/horaires"), ("language", "fr")]).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let saved = app.store.saved_replies(&app.f.bank).await.unwrap().remove(0);
    assert_eq!(saved.shortcut.as_deref(), Some("horaires"));

    // The conversation offers it; "insert" fills the form for this message (the handle stands in
    // for the missing name).
    let page = cm.get(&format!("/w/{}/inbox/{id}", app.f.bank)).await;
    page.assert_contains("Réponse enregistrée").assert_contains(&format!("value=\"{}\"", saved.id));
    page.assert_contains("Horaires — Bonjour @julie, nos horaires sont sur https://banque.example/faq (mess…");
    let filled = cm.get(&format!("/w/{}/inbox/{id}?saved={}", app.f.bank, saved.id)).await;
    let expected = "Bonjour @julie, nos horaires sont sur https://banque.example/faq (message : https://sandbox.example/m1) — @banque sur Sandbox (simulator)";
    filled.assert_contains(expected);
    // Sent through the ordinary reply path: one reply, one job.
    assert_eq!(cm.post(&format!("/w/{}/inbox/{id}/reply", app.f.bank), &[("text", expected)]).await.status, 303);
    let conversation = app.store.inbox_message(&id).await.unwrap().conversation_id;
    let replies = app.store.conversation_replies(&conversation).await.unwrap();
    assert_eq!(replies.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(), [expected]);

    // A client may not manage saved replies; another workspace does not see them.
    let mut client = Browser::signed_in(&app, CLIENT).await;
    assert_eq!(client.get(&base).await.status, 403);
    let mut outsider = Browser::signed_in(&app, OUTSIDER).await;
    assert!(!outsider.get(&format!("/w/{}/inbox/saved-replies", app.f.foreign)).await.body.contains("Horaires"));
    // The link is in use: it cannot be deleted.
    assert_eq!(cm.post(&format!("/w/{}/inbox/links/faq/delete", app.f.bank), &[]).await.status, 422);
});

app_test!(bulk_actions_apply_to_the_selection_and_refuse_foreign_ids, |app: TestApp| async move {
    let acc = account(&app, &app.f.bank, "@banque").await;
    let cafes = account(&app, &app.f.coffee, "@cafes").await;
    let m1 = ingest(&app, &acc, mention("m1", "julie", Some("Julie"), "Un", 1_700_000_000_000)).await;
    let m2 = ingest(&app, &acc, mention("m2", "paul", Some("Paul"), "Deux", 1_700_000_001_000)).await;
    let m3 = ingest(&app, &acc, mention("m3", "zoe", Some("Zoé"), "Trois", 1_700_000_002_000)).await;
    let theirs = ingest(&app, &cafes, mention("c1", "eve", None, "Café", 1_700_000_003_000)).await;
    let mut cm = Browser::signed_in(&app, CM).await;
    let list = cm.get(&format!("/w/{}/inbox", app.f.bank)).await;
    list.assert_contains("Tout sélectionner sur cette page").assert_contains(&format!("name=\"ids\" value=\"{m1}\""));
    let bulk = format!("/w/{}/inbox/bulk", app.f.bank);

    let done = cm.post(&bulk, &[("ids", &m1), ("ids", &m2), ("op", "status"), ("status", "resolved")]).await;
    assert_eq!(done.status, 303);
    assert_eq!(app.store.inbox_message(&m1).await.unwrap().status, "resolved");
    assert_eq!(app.store.inbox_message(&m2).await.unwrap().resolved_by.as_deref(), Some(app.f.cm.as_str()));
    assert_eq!(app.store.inbox_message(&m3).await.unwrap().status, "open", "not selected");

    // "Select all on this page" takes the page's ids.
    let pages =
        [("page", m1.as_str()), ("page", m2.as_str()), ("page", m3.as_str()), ("all", "1"), ("op", "tag"), ("tag", "Question fréquente")];
    assert_eq!(cm.post(&bulk, &pages).await.status, 303);
    let tags = app.store.message_tags(&[m1.clone(), m2.clone(), m3.clone()]).await.unwrap();
    assert!(tags.values().all(|t| t == &["question-fréquente"]) && tags.len() == 3, "{tags:?}");
    assert_eq!(cm.post(&bulk, &[("ids", &m3), ("op", "assign"), ("assignee", &app.f.cm)]).await.status, 303);
    assert_eq!(app.store.inbox_message(&m3).await.unwrap().assignee_id.as_deref(), Some(app.f.cm.as_str()));

    // A foreign id refuses the whole action, naming it.
    let refused = cm.post(&bulk, &[("ids", &m3), ("ids", &theirs), ("op", "status"), ("status", "pending")]).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains(&format!("message {theirs} is not in this workspace"));
    assert_eq!(app.store.inbox_message(&m3).await.unwrap().status, "open");
    assert_eq!(cm.post(&bulk, &[("ids", &m3), ("op", "status"), ("status", "closed")]).await.status, 422);
    // No CSRF token, or a client: refused.
    assert_eq!(cm.post_raw(&bulk, &[("ids", &m3), ("op", "unassign")], &[]).await.status, 403);
    let mut client = Browser::signed_in(&app, CLIENT).await;
    client.get("/profile").await;
    assert_eq!(client.post(&bulk, &[("ids", &m3), ("op", "unassign")]).await.status, 403);

    // The API: same rules.
    let t = token(&app, &app.f.bank, Role::Cm).await;
    let path = format!("/api/v1/workspaces/{}/inbox/bulk", app.f.bank);
    let (status, _, body) = call(
        &app,
        Method::POST,
        &path,
        Some(&t),
        Some(&json!({"ids": [m3, theirs], "op": "untag", "value": "question-fréquente"}).to_string()),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "ids");
    let (status, _, body) = call(
        &app,
        Method::POST,
        &path,
        Some(&t),
        Some(&json!({"ids": [m1, m3], "op": "untag", "value": "question-fréquente"}).to_string()),
    )
    .await;
    assert_eq!((status, body["changed"].as_u64()), (200, Some(2)));
    let client_token = token(&app, &app.f.bank, Role::Client).await;
    let (status, ..) =
        call(&app, Method::POST, &path, Some(&client_token), Some(&json!({"ids": [m1], "op": "unassign"}).to_string())).await;
    assert_eq!(status, 403);
});

app_test!(business_hours_are_validated_naming_the_field, |app: TestApp| async move {
    let mut smm = Browser::signed_in(&app, SMM).await;
    let path = format!("/w/{}/care/settings", app.f.bank);
    smm.get(&path).await.assert_contains("Horaires d'ouverture").assert_contains("09:00-18:00");
    let late = smm.post(&path, &[("monday", "09:00-25:00")]).await;
    assert_eq!(late.status, 422);
    late.assert_contains("Le champ « Lundi » n'est pas valable").assert_contains("25:00");
    let overlap = smm.post(&path, &[("friday", "09:00-14:30, 14:00-18:00")]).await;
    assert_eq!(overlap.status, 422);
    overlap.assert_contains("Vendredi").assert_contains("overlap");
    let ok = smm
        .post(
            &path,
            &[
                ("monday", "09:00-12:30, 14:00-18:00"),
                ("tuesday", "9h-12h"),
                ("closed_days", "2026-12-24"),
                ("french_holidays", "1"),
                ("survey_enabled", "1"),
                ("question_fr", "Une note de 1 à 5 ?"),
                ("question_en", "A rating from 1 to 5?"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let s = app.store.care_settings(&app.f.bank).await.unwrap();
    assert_eq!(relais_core::business_hours::format_day(&s.week[0]), "09:00-12:30, 14:00-18:00");
    assert_eq!(relais_core::business_hours::format_day(&s.week[1]), "09:00-12:00");
    assert!(s.week[2].is_empty() && s.french_holidays && s.survey_enabled);
    // A CM does not change the hours; a client sees no care page.
    let mut cm = Browser::signed_in(&app, CM).await;
    assert_eq!(cm.get(&path).await.status, 403);
    let mut client = Browser::signed_in(&app, CLIENT).await;
    assert_eq!(client.get(&format!("/w/{}/care", app.f.bank)).await.status, 403);
});

app_test!(the_care_page_and_api_show_the_period_figures, |app: TestApp| async move {
    let acc = account(&app, &app.f.bank, "@banque").await;
    let now = relais_core::now_ms();
    let hour = 3_600_000;
    let m1 = ingest(&app, &acc, mention("m1", "julie", Some("Julie"), "Un", now - 5 * hour)).await;
    let m2 = ingest(&app, &acc, mention("m2", "paul", Some("Paul"), "Deux", now - 4 * hour)).await;
    ingest(&app, &acc, mention("m3", "zoe", None, "Trois", now - 3 * hour)).await;
    ingest(&app, &acc, mention("m4", "leo", None, "Quatre", now - 2 * hour)).await;
    let cm = Actor { id: Some(app.f.cm.clone()), label: "CM".into() };
    // m1 answered after exactly one hour by the CM; m2 resolved without an answer.
    let r = app.store.create_reply(&m1, "Bonjour", &cm).await.unwrap();
    app.store.begin_reply_attempt(&r.id).await.unwrap();
    app.store.finish_reply_at(&r.id, &ReplyOutcome::Sent { remote_id: "x1".into(), remote_url: None }, now - 4 * hour).await.unwrap();
    app.store.bulk_inbox(&app.f.bank, &[m2], &BulkAction::SetStatus(MessageStatus::Resolved), &cm, now - 3 * hour).await.unwrap();

    let mut smm = Browser::signed_in(&app, SMM).await;
    let page = smm.get(&format!("/w/{}/care", app.f.bank)).await;
    assert_eq!(page.status, 200);
    // Four received, one answered (25 %), one resolved (25 %), first response one hour of wall clock.
    page.assert_contains("Relation client").assert_contains("<td>4</td>").assert_contains("25 % <small class=\"muted\">(1)</small>");
    page.assert_contains("1 h 00 / 1 h 00");
    let bad = smm.get(&format!("/w/{}/care?from=2026-13-01", app.f.bank)).await;
    assert_eq!(bad.status, 422);
    bad.assert_contains("« from »");

    let t = token(&app, &app.f.bank, Role::Smm).await;
    let (status, _, body) = call(&app, Method::GET, &format!("/api/v1/workspaces/{}/care", app.f.bank), Some(&t), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["workspace"]["received"], 4);
    assert_eq!(body["workspace"]["answered"], 1);
    assert_eq!(body["workspace"]["response_rate"], 0.25);
    assert_eq!(body["workspace"]["first_response_wall"]["median_ms"], hour);
    assert_eq!(body["members"][0]["id"], app.f.cm.as_str());
    assert_eq!(body["members"][0]["received"], 1);
    let client_token = token(&app, &app.f.bank, Role::Client).await;
    let (status, ..) = call(&app, Method::GET, &format!("/api/v1/workspaces/{}/care", app.f.bank), Some(&client_token), None).await;
    assert_eq!(status, 403);
});

app_test!(a_cm_resolving_sends_the_satisfaction_question_and_the_rating_shows_in_the_conversation, |app: TestApp| async move {
    let acc = account(&app, &app.f.bank, "@banque").await;
    let settings = relais_store::CareSettings { survey_enabled: true, ..Default::default() };
    app.store.save_care_settings(&app.f.bank, &settings).await.unwrap();
    let now = relais_core::now_ms();
    let dm = |remote_id: &str, text: &str, at: i64| Incoming {
        kind: "direct_message".into(),
        ..mention(remote_id, "julie", Some("Julie"), text, at)
    };
    let id = ingest(&app, &acc, dm("d1", "Ma carte est bloquée", now - 60_000)).await;
    let mut cm = Browser::signed_in(&app, CM).await;
    cm.get(&format!("/w/{}/inbox/{id}", app.f.bank)).await;
    assert_eq!(cm.post(&format!("/w/{}/inbox/{id}/status", app.f.bank), &[("status", "resolved")]).await.status, 303);
    let page = cm.get(&format!("/w/{}/inbox/{id}", app.f.bank)).await;
    page.assert_contains("question de satisfaction").assert_contains("Sur une échelle de 1 à 5");
    let conversation = app.store.inbox_message(&id).await.unwrap().conversation_id;
    let replies = app.store.conversation_replies(&conversation).await.unwrap();
    assert_eq!(replies.iter().map(|r| r.purpose.as_str()).collect::<Vec<_>>(), ["survey"], "asked once, as a survey");

    let rating = ingest(&app, &acc, dm("d2", "note : 4", now + 60_000)).await;
    let page = cm.get(&format!("/w/{}/inbox/{rating}", app.f.bank)).await;
    page.assert_contains("Note : 4/5");
    assert_eq!(app.store.inbox_message(&rating).await.unwrap().status, "resolved");
    // The figures count it once, as a satisfaction score.
    let t = token(&app, &app.f.bank, Role::Cm).await;
    let (_, _, body) = call(&app, Method::GET, &format!("/api/v1/workspaces/{}/care", app.f.bank), Some(&t), None).await;
    assert_eq!((body["workspace"]["received"].as_u64(), body["workspace"]["satisfaction_average"].as_f64()), (Some(1), Some(4.0)));
    assert_eq!(body["workspace"]["satisfaction_distribution"], json!([0, 0, 0, 1, 0]));
});

app_test!(saved_replies_over_the_api_are_checked_scoped_and_audited, |app: TestApp| async move {
    let cm = token(&app, &app.f.bank, Role::Cm).await;
    let base = format!("/api/v1/workspaces/{}/saved-replies", app.f.bank);
    // A variable Relais does not know is refused, naming the field; nothing is stored.
    let bad = json!({"title": "Horaires", "body": "Bonjour {autor_name}"}).to_string();
    let (status, _, body) = call(&app, Method::POST, &base, Some(&cm), Some(&bad)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "body");
    assert!(body["detail"].as_str().unwrap().contains("{autor_name}"), "{body}");
    assert!(app.store.saved_replies(&app.f.bank).await.unwrap().is_empty());

    let good = json!({"title": "Horaires", "body": "Bonjour {author_name} !", "shortcut": "/horaires", "language": "fr"}).to_string();
    let (status, _, created) = call(&app, Method::POST, &base, Some(&cm), Some(&good)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["shortcut"], "horaires");
    let id = created["id"].as_str().unwrap().to_string();
    // The same shortcut twice is a conflict.
    let again = json!({"title": "Autre", "body": "Bonjour", "shortcut": "horaires"}).to_string();
    assert_eq!(call(&app, Method::POST, &base, Some(&cm), Some(&again)).await.0, 409);

    let edit = json!({"title": "Horaires d'été", "body": "Bonjour {author_name}, nous ouvrons à 10 h."}).to_string();
    let (status, _, updated) = call(&app, Method::PUT, &format!("{base}/{id}"), Some(&cm), Some(&edit)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["title"], "Horaires d'été");
    assert_eq!(updated["shortcut"], serde_json::Value::Null);
    let (_, _, list) = call(&app, Method::GET, &base, Some(&cm), None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    // A client's token may not read them; another workspace's token does not see them.
    let client = token(&app, &app.f.bank, Role::Client).await;
    assert_eq!(call(&app, Method::GET, &base, Some(&client), None).await.0, 403);
    let coffee = token(&app, &app.f.coffee, Role::Admin).await;
    assert_eq!(call(&app, Method::GET, &base, Some(&coffee), None).await.0, 404);
    let coffee_path = format!("/api/v1/workspaces/{}/saved-replies/{id}", app.f.coffee);
    assert_eq!(call(&app, Method::DELETE, &coffee_path, Some(&coffee), None).await.0, 404);

    assert_eq!(call(&app, Method::DELETE, &format!("{base}/{id}"), Some(&cm), None).await.0, 204);
    assert!(app.store.saved_replies(&app.f.bank).await.unwrap().is_empty());
    let audit = app.store.audit_entries(&app.f.bank, None, 20).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    for expected in ["inbox.saved_reply_created", "inbox.saved_reply_updated", "inbox.saved_reply_deleted"] {
        assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
    }
});

app_test!(care_settings_over_the_api_round_trip_and_name_the_faulty_day, |app: TestApp| async move {
    let smm = token(&app, &app.f.bank, Role::Smm).await;
    let path = format!("/api/v1/workspaces/{}/care/settings", app.f.bank);
    let (status, _, current) = call(&app, Method::GET, &path, Some(&smm), None).await;
    assert_eq!(status, 200, "{current}");
    assert_eq!(current["survey_enabled"], false);

    let mut wanted = current.clone();
    wanted["saturday"] = json!("10:00-13:00");
    wanted["closed_days"] = json!(["2026-12-24"]);
    wanted["french_holidays"] = json!(true);
    wanted["survey_enabled"] = json!(true);
    let (status, _, saved) = call(&app, Method::PUT, &path, Some(&smm), Some(&wanted.to_string())).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["saturday"], "10:00-13:00");
    assert_eq!(saved["closed_days"], json!(["2026-12-24"]));
    let stored = app.store.care_settings(&app.f.bank).await.unwrap();
    assert!(stored.survey_enabled && stored.french_holidays);
    assert_eq!(stored.week[5].len(), 1);

    // A backwards range is refused naming the day; nothing changes.
    let mut bad = wanted.clone();
    bad["tuesday"] = json!("18:00-09:00");
    let (status, _, problem) = call(&app, Method::PUT, &path, Some(&smm), Some(&bad.to_string())).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["field"], "tuesday");
    assert_eq!(app.store.care_settings(&app.f.bank).await.unwrap(), stored);

    // A CM reads them but may not change them, like on the page.
    let cm = token(&app, &app.f.bank, Role::Cm).await;
    assert_eq!(call(&app, Method::GET, &path, Some(&cm), None).await.0, 200);
    assert_eq!(call(&app, Method::PUT, &path, Some(&cm), Some(&wanted.to_string())).await.0, 403);
});
