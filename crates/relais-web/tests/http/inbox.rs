//! The inbox over HTTP, on SQLite and PostgreSQL: the filtered, keyset-paginated list, the
//! conversation, replies (CSRF, roles), status and assignment, tenancy, the JSON API, and the
//! community figures on the post and accounts pages.

use crate::api::{call, token};
use crate::helpers::*;
use relais_core::Role;
use relais_store::{AccountMetricSample, Actor, Incoming, NewPost, NewVariant, PostMetricSample, SocialAccount, VariantOutcome};
use reqwest::Method;
use serde_json::{Value, json};

async fn account(app: &TestApp, ws: &str, network: &str, handle: &str) -> SocialAccount {
    app.store.create_social_account(ws, network, handle, handle, |_| "sealed".into()).await.unwrap()
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
        language: Some("fr".into()),
        ..Incoming::default()
    }
}

/// One message in the bank's inbox; returns its id.
async fn one_message(app: &TestApp) -> (SocialAccount, String) {
    let acc = account(app, &app.f.bank, "sandbox", "@banque").await;
    let id = app
        .store
        .ingest_activity(&acc, &[mention("m-1", "Bonjour, vos agences sont-elles ouvertes samedi ?", 1_700_000_000_000)], None)
        .await
        .unwrap()
        .messages
        .remove(0);
    (acc, id)
}

app_test!(a_cm_reads_the_inbox_newest_first_with_filters_and_older_pages, |app: TestApp| async move {
    let sandbox = account(&app, &app.f.bank, "sandbox", "@banque").await;
    let bluesky = account(&app, &app.f.bank, "bluesky", "banque.bsky.social").await;
    let coffee = account(&app, &app.f.coffee, "sandbox", "@cafes").await;
    let base = 1_700_000_000_000;
    let many: Vec<Incoming> = (0..55).map(|i| mention(&format!("s{i}"), &format!("Question numéro {i}"), base + i * 1000)).collect();
    app.store.ingest_activity(&sandbox, &many, None).await.unwrap();
    app.store.ingest_activity(&bluesky, &[mention("b1", "Message venu de Bluesky", base + 100_000)], None).await.unwrap();
    app.store.ingest_activity(&coffee, &[mention("c1", "Secret du café", base + 200_000)], None).await.unwrap();

    let mut b = Browser::signed_in(&app, CM).await;
    let first = b.get(&format!("/w/{}/inbox", app.f.bank)).await;
    assert_eq!(first.status, 200);
    first.assert_contains("Message venu de Bluesky").assert_contains("Question numéro 54").assert_contains("Messagerie");
    assert!(!first.body.contains("Secret du café"), "another workspace's message");
    assert!(!first.body.contains("Question numéro 4<"), "the oldest are on the next page");
    let at = first.body.find("rel=\"next\" href=\"").expect("a link to older messages") + "rel=\"next\" href=\"".len();
    let next = unescape(&first.body[at..at + first.body[at..].find('"').unwrap()]);
    let older = b.get(next.trim_start_matches(&app.url)).await;
    older.assert_contains("Question numéro 4<").assert_contains("Question numéro 0");
    assert!(!older.body.contains("Message venu de Bluesky"));

    let only_bluesky = b.get(&format!("/w/{}/inbox?network=bluesky", app.f.bank)).await;
    only_bluesky.assert_contains("Message venu de Bluesky");
    assert!(!only_bluesky.body.contains("Question numéro"));
    let by_account = b.get(&format!("/w/{}/inbox?account={}&kind=mention&status=open", app.f.bank, sandbox.id)).await;
    by_account.assert_contains("Question numéro 54");
    assert!(!by_account.body.contains("Message venu de Bluesky"));
    b.get(&format!("/w/{}/inbox?status=resolved", app.f.bank)).await.assert_contains("Aucun message ne correspond");
    b.get(&format!("/w/{}/inbox?kind=review", app.f.bank)).await.assert_contains("« kind » n'est pas valable");
    // The English inbox.
    let mut en = Browser::with_language(&app, "en");
    en.sign_in(CM).await;
    en.get(&format!("/w/{}/inbox?status=pending", app.f.bank)).await.assert_contains("No message matches these filters.");
});

app_test!(the_list_filters_by_assignee_and_by_days_of_the_workspace, |app: TestApp| async move {
    let acc = account(&app, &app.f.bank, "sandbox", "@banque").await;
    // 2024-03-10 23:30 and 2024-03-11 00:30 in Paris (UTC+1): one day apart for the team.
    let late = 1_710_109_800_000;
    let early = late + 3_600_000;
    let ids = app
        .store
        .ingest_activity(&acc, &[mention("d1", "Dimanche soir", late), mention("d2", "Lundi matin", early)], None)
        .await
        .unwrap()
        .messages;
    app.store.assign_message(&ids[1], Some(&app.f.cm)).await.unwrap();

    let mut cm = Browser::signed_in(&app, CM).await;
    let mine = cm.get(&format!("/w/{}/inbox?assignee={}", app.f.bank, app.f.cm)).await;
    mine.assert_contains("Lundi matin").assert_contains("Personne (non assigné)");
    assert!(!mine.body.contains("Dimanche soir"));
    let nobody = cm.get(&format!("/w/{}/inbox?assignee=none", app.f.bank)).await;
    nobody.assert_contains("Dimanche soir");
    assert!(!nobody.body.contains("Lundi matin"));
    let monday = cm.get(&format!("/w/{}/inbox?from=2024-03-11&to=2024-03-11", app.f.bank)).await;
    monday.assert_contains("Lundi matin");
    assert!(!monday.body.contains("Dimanche soir"), "23:30 in Paris is Sunday, whatever UTC says");
    cm.get(&format!("/w/{}/inbox?from=2024-03-32", app.f.bank)).await.assert_contains("« from » n'est pas valable");
    cm.get(&format!("/w/{}/inbox?from=2024-03-12&to=2024-03-11", app.f.bank))
        .await
        .assert_contains("the last day comes before the first one");

    let t = token(&app, &app.f.bank, Role::Cm).await;
    let (status, _, body) =
        call(&app, Method::GET, &format!("/api/v1/workspaces/{}/inbox?to=2024-03-10", app.f.bank), Some(&t), None).await;
    assert_eq!(status, 200);
    let texts: Vec<&str> = body["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Dimanche soir"]);
    let (status, _, body) =
        call(&app, Method::GET, &format!("/api/v1/workspaces/{}/inbox?from=10/03/2024", app.f.bank), Some(&t), None).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("from")));
});

app_test!(a_client_never_sees_the_inbox_and_an_smm_reads_it_without_answering, |app: TestApp| async move {
    let (_, id) = one_message(&app).await;
    let mut client = Browser::signed_in(&app, CLIENT).await;
    assert_eq!(client.get(&format!("/w/{}/inbox", app.f.bank)).await.status, 403);
    assert_eq!(client.get(&format!("/w/{}/inbox/{id}", app.f.bank)).await.status, 403);
    let overview = client.get(&format!("/w/{}", app.f.bank)).await;
    assert!(!overview.body.contains(&format!("/w/{}/inbox\"", app.f.bank)));

    let mut smm = Browser::signed_in(&app, SMM).await;
    let page = smm.get(&format!("/w/{}/inbox/{id}", app.f.bank)).await;
    page.assert_contains("vos agences sont-elles ouvertes");
    assert!(!page.body.contains("/reply\""), "no reply form for an SMM");
    assert_eq!(smm.post(&format!("/w/{}/inbox/{id}/reply", app.f.bank), &[("text", "Oui")]).await.status, 403);
    assert_eq!(smm.post(&format!("/w/{}/inbox/{id}/status", app.f.bank), &[("status", "pending")]).await.status, 303);
    assert_eq!(app.store.inbox_message(&id).await.unwrap().status, "pending");

    // A message of another workspace is not found through this one.
    let cafes = account(&app, &app.f.coffee, "sandbox", "@cafes").await;
    let theirs = app.store.ingest_activity(&cafes, &[mention("c1", "Chez les cafés", 1)], None).await.unwrap().messages.remove(0);
    let mut admin = Browser::signed_in(&app, OUTSIDER).await;
    assert_eq!(admin.get(&format!("/w/{}/inbox/{theirs}", app.f.foreign)).await.status, 404);
    assert_eq!(smm.get(&format!("/w/{}/inbox/{theirs}", app.f.bank)).await.status, 404);
});

app_test!(a_cm_replies_once_with_csrf_and_sees_the_reply_in_the_conversation, |app: TestApp| async move {
    let (_, id) = one_message(&app).await;
    let mut cm = Browser::signed_in(&app, CM).await;
    let page = cm.get(&format!("/w/{}/inbox/{id}", app.f.bank)).await;
    page.assert_contains("Votre réponse à Julie Morel");
    let path = format!("/w/{}/inbox/{id}/reply", app.f.bank);
    assert_eq!(cm.post_raw(&path, &[("text", "Oui, de 9 h à 12 h.")], &[]).await.status, 403, "no CSRF token");
    assert!(app.store.conversation_replies(&app.store.inbox_message(&id).await.unwrap().conversation_id).await.unwrap().is_empty());

    let empty = cm.post(&path, &[("text", "   ")]).await;
    assert_eq!(empty.status, 422);
    empty.assert_contains("La réponse est vide.");
    let long = "a".repeat(501);
    let too_long = cm.post(&path, &[("text", &long)]).await;
    assert_eq!(too_long.status, 422);
    too_long.assert_contains("La réponse fait 501 caractères ; Sandbox (simulator) en accepte 500 au plus.");

    let sent = cm.post(&path, &[("text", "Oui, de 9 h à 12 h.")]).await;
    assert_eq!(sent.status, 303);
    let conversation = app.store.inbox_message(&id).await.unwrap().conversation_id;
    let replies = app.store.conversation_replies(&conversation).await.unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(
        (replies[0].state.as_str(), replies[0].text.as_str(), replies[0].author_label.as_str()),
        ("pending", "Oui, de 9 h à 12 h.", "Lucas CM")
    );
    let jobs = app.store.claim_jobs("probe", 10, 60_000).await.unwrap();
    assert_eq!(jobs.iter().filter(|j| j.kind == "send_reply").count(), 1);
    let after = cm.get(sent.location.as_deref().unwrap()).await;
    after.assert_contains("Réponse en file").assert_contains("Oui, de 9 h à 12 h.").assert_contains("envoi en cours…");
    let audit = app.store.audit_entries(&app.f.bank, None, 50).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "inbox.replied"));
});

app_test!(status_and_assignment_go_to_members_who_use_the_inbox, |app: TestApp| async move {
    let (_, id) = one_message(&app).await;
    let mut cm = Browser::signed_in(&app, CM).await;
    cm.get(&format!("/w/{}/inbox/{id}", app.f.bank)).await;
    let resolved = cm.post(&format!("/w/{}/inbox/{id}/status", app.f.bank), &[("status", "resolved")]).await;
    assert_eq!(resolved.status, 303);
    let m = app.store.inbox_message(&id).await.unwrap();
    assert_eq!(m.status, "resolved");
    assert!(m.resolved_at.is_some());
    assert_eq!(cm.post(&format!("/w/{}/inbox/{id}/status", app.f.bank), &[("status", "closed")]).await.status, 422);
    assert_eq!(cm.post(&format!("/w/{}/inbox/{id}/assign", app.f.bank), &[("assignee", &app.f.smm)]).await.status, 303);
    assert_eq!(app.store.inbox_message(&id).await.unwrap().assignee_id.as_deref(), Some(app.f.smm.as_str()));
    let client = app.store.members(&app.f.bank).await.unwrap().into_iter().find(|m| m.role == Role::Client).unwrap();
    let refused = cm.post(&format!("/w/{}/inbox/{id}/assign", app.f.bank), &[("assignee", &client.user_id)]).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("seuls les membres qui utilisent la messagerie");
    cm.get(&format!("/w/{}/inbox/{id}", app.f.bank)).await.assert_contains("Sophie SMM");
});

app_test!(the_api_lists_pages_shows_and_answers_messages, |app: TestApp| async move {
    let acc = account(&app, &app.f.bank, "sandbox", "@banque").await;
    let items: Vec<Incoming> = (0..5).map(|i| mention(&format!("a{i}"), &format!("Demande {i}"), 1_000 + i)).collect();
    app.store.ingest_activity(&acc, &items, None).await.unwrap();
    let cm = token(&app, &app.f.bank, Role::Cm).await;
    let path = format!("/api/v1/workspaces/{}/inbox", app.f.bank);
    let (s, _, page) = call(&app, Method::GET, &format!("{path}?limit=2"), Some(&cm), None).await;
    assert_eq!(s, 200, "{page}");
    let texts = |p: &Value| p["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(texts(&page), ["Demande 4", "Demande 3"]);
    let next = page["next"].as_str().unwrap().to_string();
    let (_, _, page2) = call(&app, Method::GET, &format!("{path}?limit=2&after={next}"), Some(&cm), None).await;
    assert_eq!(texts(&page2), ["Demande 2", "Demande 1"]);
    let (s, _, bad) = call(&app, Method::GET, &format!("{path}?status=closed"), Some(&cm), None).await;
    assert_eq!((s, bad["field"].as_str()), (422, Some("status")));
    let (s, _, bad) = call(&app, Method::GET, &format!("{path}?limit=0"), Some(&cm), None).await;
    assert_eq!((s, bad["field"].as_str()), (422, Some("limit")));

    let id = page["messages"][0]["id"].as_str().unwrap().to_string();
    let (s, _, one) = call(&app, Method::GET, &format!("{path}/{id}"), Some(&cm), None).await;
    assert_eq!((s, one["message"]["status"].as_str(), one["conversation"]["kind"].as_str()), (200, Some("open"), Some("single")));
    let (s, _, reply) =
        call(&app, Method::POST, &format!("{path}/{id}/reply"), Some(&cm), Some(&json!({"text": "Bonjour !"}).to_string())).await;
    assert_eq!((s, reply["state"].as_str()), (202, Some("pending")), "{reply}");
    let (_, _, one) = call(&app, Method::GET, &format!("{path}/{id}"), Some(&cm), None).await;
    assert_eq!(one["conversation"]["replies"][0]["text"], "Bonjour !");
    let (s, _, p) = call(&app, Method::POST, &format!("{path}/{id}/reply"), Some(&cm), Some(&json!({"text": ""}).to_string())).await;
    assert_eq!((s, p["field"].as_str()), (422, Some("text")));

    let smm = token(&app, &app.f.bank, Role::Smm).await;
    assert_eq!(call(&app, Method::POST, &format!("{path}/{id}/reply"), Some(&smm), Some(&json!({"text": "x"}).to_string())).await.0, 403);
    let client = token(&app, &app.f.bank, Role::Client).await;
    assert_eq!(call(&app, Method::GET, &path, Some(&client), None).await.0, 403);
    let coffee = token(&app, &app.f.coffee, Role::Admin).await;
    assert_eq!(call(&app, Method::GET, &format!("/api/v1/workspaces/{}/inbox/{id}", app.f.coffee), Some(&coffee), None).await.0, 404);
    assert_eq!(call(&app, Method::GET, &path, Some(&coffee), None).await.0, 404);
});

app_test!(the_post_page_shows_the_communitys_activity_and_the_latest_metrics, |app: TestApp| async move {
    let acc = account(&app, &app.f.bank, "sandbox", "@banque").await;
    let post = app
        .store
        .create_post(
            &NewPost {
                workspace_id: app.f.bank.clone(),
                title: "Prêt Artisan".into(),
                pillar: None,
                campaign: None,
                variants: vec![NewVariant::text(acc.id.clone(), "Le prêt Artisan", None)],
            },
            &Actor::system(),
        )
        .await
        .unwrap();
    let variant = app.store.variants(&post.id).await.unwrap().remove(0).id;
    app.store.begin_publish_attempts(std::slice::from_ref(&variant)).await.unwrap();
    app.store.finish_variant(&variant, &VariantOutcome::Published { remote_id: "sbx-post".into(), remote_url: None }).await.unwrap();
    let like = |i: i64| Incoming {
        kind: "like".into(),
        text: String::new(),
        subject_remote_id: Some("sbx-post".into()),
        ..mention(&format!("l{i}"), "", i)
    };
    let reply = Incoming {
        kind: "reply".into(),
        parent_remote_id: Some("sbx-post".into()),
        root_remote_id: Some("sbx-post".into()),
        ..mention("r1", "Super !", 10)
    };
    app.store.ingest_activity(&acc, &[like(1), like(2), like(3), reply], None).await.unwrap();
    let sample = PostMetricSample {
        variant_id: variant.clone(),
        taken_at: 1_700_000_000_000,
        likes: 7,
        replies: 2,
        reposts: 1,
        quotes: 0,
        impressions: None,
        reach: None,
        link_clicks: None,
    };
    app.store.record_post_metrics(&[sample]).await.unwrap();
    app.store
        .record_account_metrics(&AccountMetricSample {
            account_id: acc.id.clone(),
            taken_at: 1_700_000_000_000,
            followers: 321,
            following: 12,
            posts: 40,
        })
        .await
        .unwrap();
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    let page = admin.get(&format!("/w/{}/posts/{}", app.f.bank, post.id)).await;
    page.assert_contains("3 j'aime · 0 partages · 1 réponses · 0 citations").assert_contains("7 j'aime · 2 réponses · 1 partages");
    let accounts = admin.get(&format!("/w/{}/strategy/accounts", app.f.bank)).await;
    accounts.assert_contains("321 abonnés · 12 abonnements · 40 publications");
    // The conversation shows the post the reply answers.
    let id = app.store.inbox_page(&app.f.bank, &Default::default(), 10).await.unwrap().messages.remove(0).id;
    admin.get(&format!("/w/{}/inbox/{id}", app.f.bank)).await.assert_contains("Notre publication").assert_contains("Le prêt Artisan");
});

app_test!(a_cm_filters_the_inbox_by_sentiment_and_language_read_on_arrival, |app: TestApp| async move {
    let acc = account(&app, &app.f.bank, "sandbox", "@banque").await;
    let base = 1_700_000_000_000;
    let mut english = mention("e1", "Thank you so much, the adviser was brilliant and really helpful!", base + 2_000);
    english.language = None;
    let items = [
        mention("n1", "Toujours pas remboursé après trois semaines, c'est inadmissible", base),
        mention("q1", "Bonjour, quels sont vos horaires samedi ?", base + 1_000),
        english,
        mention("t1", "Bande de connards, rendez-moi mon argent", base + 3_000),
    ];
    app.store.ingest_activity(&acc, &items, None).await.unwrap();

    let mut b = Browser::signed_in(&app, CM).await;
    let all = b.get(&format!("/w/{}/inbox", app.f.bank)).await;
    all.assert_contains("sentiment-negative").assert_contains("Négatif").assert_contains("Ressenti");
    assert_eq!(all.body.matches("Toxique ou spam possible").count(), 1, "only the insult is marked");
    let negative = b.get(&format!("/w/{}/inbox?sentiment=negative", app.f.bank)).await;
    negative.assert_contains("Toujours pas remboursé");
    assert!(!negative.body.contains("quels sont vos horaires") && !negative.body.contains("Thank you"));
    let french = b.get(&format!("/w/{}/inbox?language=fr", app.f.bank)).await;
    french.assert_contains("quels sont vos horaires");
    assert!(!french.body.contains("Thank you"));
    let english = b.get(&format!("/w/{}/inbox?language=en", app.f.bank)).await;
    english.assert_contains("Thank you so much");
    assert!(!english.body.contains("Toujours pas"));
    b.get(&format!("/w/{}/inbox?sentiment=angry", app.f.bank)).await.assert_contains("« sentiment » n'est pas valable");

    let cm = token(&app, &app.f.bank, Role::Cm).await;
    let path = format!("/api/v1/workspaces/{}/inbox", app.f.bank);
    let (s, _, page) = call(&app, Method::GET, &format!("{path}?sentiment=positive&language=en"), Some(&cm), None).await;
    assert_eq!(s, 200, "{page}");
    let messages = page["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{page}");
    assert_eq!((messages[0]["remote_id"].as_str(), messages[0]["language"].as_str()), (Some("e1"), Some("en")));
    assert!(messages[0]["sentiment_score"].as_f64().unwrap() > 0.25 && messages[0]["toxicity"].as_f64() == Some(0.0), "{page}");
    let (s, _, bad) = call(&app, Method::GET, &format!("{path}?language=FR!"), Some(&cm), None).await;
    assert_eq!((s, bad["field"].as_str()), (422, Some("language")), "{bad}");
});

app_test!(a_cm_tags_messages_filters_by_tag_and_leaves_internal_notes, |app: TestApp| async move {
    let (acc, id) = one_message(&app).await;
    app.store.ingest_activity(&acc, &[mention("m-2", "Merci pour votre accueil !", 1_700_000_100_000)], None).await.unwrap();
    let bank = app.f.bank.clone();
    let mut cm = Browser::signed_in(&app, CM).await;
    let page = cm.get(&format!("/w/{bank}/inbox/{id}")).await;
    page.assert_contains("Notes internes").assert_contains("question récurrente");

    let added = cm.post(&format!("/w/{bank}/inbox/{id}/tags"), &[("tag", "recurring-question")]).await;
    assert_eq!(added.status, 303, "{}", added.body);
    cm.post(&format!("/w/{bank}/inbox/{id}/tags"), &[("tag", "  Horaires  Samedi ")]).await;
    let page = cm.get(&format!("/w/{bank}/inbox/{id}")).await;
    page.assert_contains("horaires-samedi").assert_contains("question récurrente");
    let refused = cm.post(&format!("/w/{bank}/inbox/{id}/tags"), &[("tag", "prix/€")]).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("'/'");

    // The list filters by tag and offers the tags in use.
    let list = cm.get(&format!("/w/{bank}/inbox?tag=recurring-question")).await;
    list.assert_contains("vos agences sont-elles ouvertes");
    assert!(!list.body.contains("Merci pour votre accueil"), "untagged messages are filtered out");
    cm.get(&format!("/w/{bank}/inbox")).await.assert_contains("question récurrente (1)");
    cm.post(&format!("/w/{bank}/inbox/{id}/tags"), &[("tag", "recurring-question"), ("op", "remove")]).await;
    assert!(!cm.get(&format!("/w/{bank}/inbox?tag=recurring-question")).await.body.contains("vos agences"));

    // Internal notes stay with the conversation and never reach the network.
    let noted = cm.post(&format!("/w/{bank}/inbox/{id}/notes"), &[("body", "Client fidèle, rappeler lundi")]).await;
    assert_eq!(noted.status, 303, "{}", noted.body);
    cm.get(&format!("/w/{bank}/inbox/{id}")).await.assert_contains("Client fidèle, rappeler lundi").assert_contains("Lucas CM");
    assert_eq!(cm.post(&format!("/w/{bank}/inbox/{id}/notes"), &[("body", "   ")]).await.status, 422);
    assert_eq!(app.store.sandbox_post_count().await.unwrap(), 0, "nothing was sent");

    // Clients never see the inbox, so they cannot tag or note.
    let mut client = Browser::signed_in(&app, CLIENT).await;
    assert_eq!(client.post(&format!("/w/{bank}/inbox/{id}/tags"), &[("tag", "praise")]).await.status, 403);
    assert_eq!(client.post(&format!("/w/{bank}/inbox/{id}/notes"), &[("body", "x")]).await.status, 403);
});

app_test!(the_api_can_refuse_a_second_answer_the_caller_has_not_seen, |app: TestApp| async move {
    let (_, id) = one_message(&app).await;
    let cm = token(&app, &app.f.bank, Role::Cm).await;
    let path = format!("/api/v1/workspaces/{}/inbox/{id}/reply", app.f.bank);
    let send = |body: Value| {
        let (app, cm, path) = (&app, cm.clone(), path.clone());
        async move { call(app, Method::POST, &path, Some(&cm), Some(&body.to_string())).await }
    };
    // Nobody answered yet: the guarded reply goes out.
    let (s, _, first) = send(json!({"text": "Oui, de 9 h à 12 h.", "unless_answered": true})).await;
    assert_eq!(s, 202, "{first}");
    let first_id = first["id"].as_str().unwrap().to_string();
    // A second guarded reply that has not seen the first is refused, naming it.
    let (s, _, p) = send(json!({"text": "Bonjour, oui.", "unless_answered": true})).await;
    assert_eq!((s, p["type"].as_str().map(|t| t.ends_with("answered-meanwhile"))), (409, Some(true)), "{p}");
    assert!(p["detail"].as_str().unwrap().contains(&first_id), "{p}");
    // Having seen it, the caller may add to it.
    let (s, _, second) = send(json!({"text": "Et le dimanche, fermé.", "unless_answered": true, "seen_answer": first_id})).await;
    assert_eq!(s, 202, "{second}");
    // Unguarded, as before: always queued.
    assert_eq!(send(json!({"text": "Bonne journée"})).await.0, 202);
    let replies = app.store.conversation_replies(&app.store.inbox_message(&id).await.unwrap().conversation_id).await.unwrap();
    assert_eq!(replies.len(), 3, "the refused reply was not stored");
});
