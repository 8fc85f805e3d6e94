//! Moderation over HTTP, on SQLite and PostgreSQL: who may do what, CSRF, the public house
//! rules link (on, off, regenerated), rule validation naming the field, the dry run that changes
//! nothing, the log with undo, and hiding or deleting by hand where the network offers it.

use crate::helpers::*;
use relais_core::now_ms;
use relais_store::{Incoming, LogFilter, SocialAccount};

async fn account(app: &TestApp, network: &str, handle: &str) -> SocialAccount {
    app.store.create_social_account(&app.f.bank, network, handle, handle, |_| "sealed".into()).await.unwrap()
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

fn moderation(app: &TestApp) -> String {
    format!("/w/{}/inbox/moderation", app.f.bank)
}

/// The rule form's fields for a simple word rule, plus `extra`.
fn rule_form<'a>(name: &'a str, words: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![("name", name), ("enabled", "1"), ("words", words), ("op", "save")];
    f.extend_from_slice(extra);
    f
}

app_test!(only_the_team_moderates_and_only_admins_and_smms_write_the_house_rules, |app: TestApp| async move {
    let page = moderation(&app);
    let mut client = Browser::signed_in(&app, CLIENT).await;
    assert_eq!(client.get(&page).await.status, 403);
    assert_eq!(client.get(&format!("{page}/log")).await.status, 403);

    let mut smm = Browser::signed_in(&app, SMM).await;
    smm.get(&page).await.assert_contains("Charte de modération").assert_contains("name=\"body\"");
    let saved = smm.post(&format!("{page}/house-rules"), &[("body", "Soyez courtois.\n\n<b>Pas</b> de publicité.")]).await;
    assert_eq!(saved.status, 303);
    // The SMM may not publish the link: that is the admin's.
    assert_eq!(smm.post(&format!("{page}/house-rules/public"), &[("op", "on")]).await.status, 403);

    let mut cm = Browser::signed_in(&app, CM).await;
    let read = cm.get(&page).await;
    assert_eq!(read.status, 200);
    read.assert_contains("<p>Soyez courtois.</p>");
    assert!(read.body.contains("<p>&#60;b&#62;Pas&#60;/b&#62; de publicité.</p>"), "the text, escaped: {}", read.body);
    assert!(!read.body.contains("<b>Pas"), "the house rules are escaped, never HTML");
    assert!(!read.body.contains("name=\"body\""), "a CM reads the house rules without an editor");
    assert_eq!(cm.post(&format!("{page}/house-rules"), &[("body", "Changé")]).await.status, 403);
    // A CM manages rules.
    assert_eq!(cm.post(&format!("{page}/rules"), &rule_form("Arnaques", "arnaque", &[("flag", "1")])).await.status, 303);
    assert_eq!(app.store.moderation_rules(&app.f.bank).await.unwrap().len(), 1);
    assert_eq!(client.post(&format!("{page}/rules"), &rule_form("X", "x", &[("flag", "1")])).await.status, 403);
    // Another workspace's admin sees nothing of it.
    let mut outsider = Browser::signed_in(&app, OUTSIDER).await;
    assert!(matches!(outsider.get(&page).await.status, 403 | 404));
});

app_test!(forms_without_the_csrf_token_are_refused, |app: TestApp| async move {
    let page = moderation(&app);
    let mut cm = Browser::signed_in(&app, CM).await;
    cm.get(&page).await;
    let refused = cm.post_raw(&format!("{page}/rules"), &rule_form("Arnaques", "arnaque", &[("flag", "1")]), &[]).await;
    assert_eq!(refused.status, 403);
    assert!(app.store.moderation_rules(&app.f.bank).await.unwrap().is_empty());
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    admin.get(&page).await;
    assert_eq!(admin.post_raw(&format!("{page}/house-rules"), &[("body", "x")], &[]).await.status, 403);
    assert!(app.store.house_rules(&app.f.bank).await.unwrap().is_none());
});

app_test!(the_public_house_rules_link_is_readable_without_signing_in_only_while_on, |app: TestApp| async move {
    let page = moderation(&app);
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    admin.post(&format!("{page}/house-rules"), &[("body", "Soyez courtois.\n\nPas de publicité.")]).await;
    let slug = app.store.house_rules(&app.f.bank).await.unwrap().unwrap().public_slug;
    let public = format!("/house-rules/{slug}");
    let mut anyone = Browser::new(&app);
    assert_eq!(anyone.get(&public).await.status, 404, "off until an admin turns it on");
    admin.get(&page).await.assert_contains("Le lien public est désactivé.");
    assert_eq!(admin.post(&format!("{page}/house-rules/public"), &[("op", "on")]).await.status, 303);
    let read = anyone.get(&public).await;
    assert_eq!(read.status, 200);
    read.assert_contains("<p>Soyez courtois.</p>").assert_contains("<p>Pas de publicité.</p>").assert_contains("Banque");
    admin.get(&page).await.assert_contains(&public);
    // A new address kills the old one.
    assert_eq!(admin.post(&format!("{page}/house-rules/public"), &[("op", "regenerate")]).await.status, 303);
    assert_eq!(anyone.get(&public).await.status, 404);
    let new_slug = app.store.house_rules(&app.f.bank).await.unwrap().unwrap().public_slug;
    assert_eq!(anyone.get(&format!("/house-rules/{new_slug}")).await.status, 200);
    admin.post(&format!("{page}/house-rules/public"), &[("op", "off")]).await;
    assert_eq!(anyone.get(&format!("/house-rules/{new_slug}")).await.status, 404);
    assert_eq!(anyone.get("/house-rules/rules_guess").await.status, 404);
    // In English.
    admin.post(&format!("{page}/house-rules/public"), &[("op", "on")]).await;
    let mut en = Browser::with_language(&app, "en");
    en.get(&format!("/house-rules/{new_slug}")).await.assert_contains("House rules");
});

app_test!(an_invalid_rule_is_refused_naming_the_field, |app: TestApp| async move {
    let page = moderation(&app);
    let mut cm = Browser::signed_in(&app, CM).await;
    cm.get(&format!("{page}/rules/new")).await.assert_contains("Nouvelle règle");
    let bad_regex = cm.post(&format!("{page}/rules"), &rule_form("Numéros", "", &[("patterns", "ok\n(unclosed"), ("flag", "1")])).await;
    assert_eq!(bad_regex.status, 422);
    bad_regex.assert_contains(r#"Expressions régulières : the pattern "(unclosed" is not a valid regular expression"#);
    bad_regex.assert_contains("(unclosed</textarea>");
    let nothing = cm.post(&format!("{page}/rules"), &rule_form("Vide", "", &[("flag", "1")])).await;
    assert_eq!(nothing.status, 422);
    nothing.assert_contains("Conditions : a rule needs at least one condition");
    let no_action = cm.post(&format!("{page}/rules"), &rule_form("Sans action", "arnaque", &[])).await;
    assert_eq!(no_action.status, 422);
    no_action.assert_contains("Actions : a rule needs at least one action");
    let toxicity = cm.post(&format!("{page}/rules"), &rule_form("Toxique", "", &[("toxicity_above", "beaucoup"), ("flag", "1")])).await;
    assert_eq!(toxicity.status, 422);
    toxicity.assert_contains(r#"Toxicité au-dessus de : "beaucoup" is not a whole number"#);
    let tag = cm.post(&format!("{page}/rules"), &rule_form("Étiquette", "x", &[("tag", "a/b")])).await;
    assert_eq!(tag.status, 422);
    tag.assert_contains("Étiquette :");
    assert!(app.store.moderation_rules(&app.f.bank).await.unwrap().is_empty());
    let mut en = Browser::with_language(&app, "en");
    en.sign_in(CM).await;
    en.get(&format!("{page}/rules/new")).await;
    en.post(&format!("{page}/rules"), &rule_form("Empty", "", &[("flag", "1")])).await.assert_contains("Conditions: a rule needs");
});

app_test!(rules_are_edited_reordered_disabled_and_deleted, |app: TestApp| async move {
    let page = moderation(&app);
    let mut cm = Browser::signed_in(&app, CM).await;
    cm.get(&page).await;
    cm.post(&format!("{page}/rules"), &rule_form("Premier", "un", &[("flag", "1")])).await;
    cm.post(&format!("{page}/rules"), &rule_form("Second", "deux", &[("tag", "Spam")])).await;
    let rules = app.store.moderation_rules(&app.f.bank).await.unwrap();
    let (first, second) = (rules[0].id.clone(), rules[1].id.clone());
    assert_eq!(cm.post(&format!("{page}/rules/{second}/op"), &[("op", "up")]).await.status, 303);
    let names: Vec<String> = app.store.moderation_rules(&app.f.bank).await.unwrap().into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["Second", "Premier"]);
    cm.post(&format!("{page}/rules/{first}/op"), &[("op", "disable")]).await;
    cm.get(&page).await.assert_contains("désactivée");
    let edit = cm.get(&format!("{page}/rules/{second}")).await;
    edit.assert_contains("value=\"spam\"");
    assert_eq!(cm.post(&format!("{page}/rules/{second}"), &rule_form("Second bis", "deux\ntrois", &[("tag", "spam")])).await.status, 303);
    let r = app.store.moderation_rule(&app.f.bank, &second).await.unwrap();
    assert_eq!((r.name.as_str(), r.conditions.words.len()), ("Second bis", 2));
    cm.post(&format!("{page}/rules/{first}/op"), &[("op", "delete")]).await;
    assert_eq!(app.store.moderation_rules(&app.f.bank).await.unwrap().len(), 1);
    assert_eq!(cm.post(&format!("{page}/rules/{first}/op"), &[("op", "enable")]).await.status, 404);
});

app_test!(the_dry_run_shows_counts_and_examples_and_changes_nothing, |app: TestApp| async move {
    let acc = account(&app, "sandbox", "@banque").await;
    let day = 86_400_000;
    let now = now_ms();
    let page: Vec<Incoming> = (0..30)
        .map(|i| mention(&format!("m{i}"), if i % 3 == 0 { "C'est une ARNAQUE" } else { "Merci pour tout" }, now - day + i))
        .chain([mention("old", "arnaque d'il y a longtemps", now - 40 * day)])
        .collect();
    app.store.ingest_activity(&acc, &page, None).await.unwrap();
    let base = moderation(&app);
    let mut cm = Browser::signed_in(&app, CM).await;
    cm.get(&format!("{base}/rules/new")).await;
    let run = cm
        .post(&format!("{base}/rules"), &[("name", "Arnaques"), ("words", "arnaque"), ("hide", "1"), ("tag", "arnaque"), ("op", "dry_run")])
        .await;
    assert_eq!(run.status, 200);
    run.assert_contains("Sur les 30 derniers jours : 10 messages retenus sur 30.");
    run.assert_contains("<td class=\"dry-run-count\">10</td>").assert_contains("C'est une ARNAQUE").assert_contains("@julie");
    assert!(!run.body.contains("il y a longtemps"), "older than 30 days");
    assert!(app.store.moderation_rules(&app.f.bank).await.unwrap().is_empty(), "a dry run saves nothing");
    assert!(app.store.moderation_log(&app.f.bank, &LogFilter::default(), 10).await.unwrap().is_empty());
    assert!(app.store.claim_jobs("probe", 10, 60_000).await.unwrap().is_empty());
    // The whole saved set.
    cm.post(&format!("{base}/rules"), &rule_form("Merci", "merci", &[("flag", "1")])).await;
    cm.get(&format!("{base}?dry_run=1")).await.assert_contains("20 messages retenus sur 30");
});

app_test!(the_log_lists_what_rules_did_and_undoes_what_can_be_undone, |app: TestApp| async move {
    let acc = account(&app, "sandbox", "@banque").await;
    let base = moderation(&app);
    let mut cm = Browser::signed_in(&app, CM).await;
    cm.get(&format!("{base}/rules/new")).await;
    let smm_id = app.f.smm.clone();
    let created = cm
        .post(&format!("{base}/rules"), &rule_form("Arnaques", "arnaque", &[("tag", "arnaque"), ("flag", "1"), ("notify", &smm_id)]))
        .await;
    assert_eq!(created.status, 303);
    let id = app.store.ingest_activity(&acc, &[mention("m1", "Une arnaque !", now_ms())], None).await.unwrap().messages.remove(0);
    app.store.ingest_activity(&acc, &[mention("m2", "Bonjour, une question", now_ms())], None).await.unwrap();

    // The inbox's "flagged" filter shows the flagged message alone, marked.
    let flagged = cm.get(&format!("/w/{}/inbox?flagged=1", app.f.bank)).await;
    flagged.assert_contains("Une arnaque !").assert_contains("Signalé par une règle");
    assert!(!flagged.body.contains("Bonjour, une question"));
    assert!(cm.get(&format!("/w/{}/inbox", app.f.bank)).await.body.contains("Bonjour, une question"));
    cm.get(&format!("/w/{}/inbox?flagged=oui", app.f.bank)).await.assert_contains("Le filtre « flagged »");

    let log = cm.get(&format!("{base}/log")).await;
    log.assert_contains("Arnaques").assert_contains("Étiqueter").assert_contains("Signaler").assert_contains("Prévenir");
    log.assert_contains("Une arnaque !").assert_contains("Une notification envoyée ne se reprend pas.");
    let only_tags = cm.get(&format!("{base}/log?action=tag")).await;
    assert!(!only_tags.body.contains("Signaler</td>"));
    let entries = app.store.moderation_log(&app.f.bank, &LogFilter::default(), 10).await.unwrap();
    let tag = entries.iter().find(|e| e.action == "tag").unwrap().id.clone();
    let notify = entries.iter().find(|e| e.action == "notify").unwrap().id.clone();
    assert_eq!(cm.post_raw(&format!("{base}/log/{tag}/undo"), &[], &[]).await.status, 403, "no CSRF token");
    let undone = cm.post(&format!("{base}/log/{tag}/undo"), &[]).await;
    assert_eq!(undone.status, 303);
    assert!(!app.store.message_tags(std::slice::from_ref(&id)).await.unwrap().contains_key(&id));
    cm.get(undone.location.as_deref().unwrap()).await.assert_contains("Action annulée.").assert_contains("annulé par Lucas CM");
    let refused = cm.post(&format!("{base}/log/{notify}/undo"), &[]).await;
    assert_eq!(refused.status, 409);
    refused.assert_contains("Une notification envoyée ne se reprend pas.");
    let mut client = Browser::signed_in(&app, CLIENT).await;
    client.get(&format!("/w/{}", app.f.bank)).await;
    assert_eq!(client.post(&format!("{base}/log/{notify}/undo"), &[]).await.status, 403);
    // The SMM was notified.
    assert_eq!(app.store.notifications(&app.f.smm, &app.f.bank, 10).await.unwrap()[0].kind, "moderation");
});

app_test!(hiding_and_deleting_by_hand_only_where_the_network_offers_it, |app: TestApp| async move {
    let sandbox = account(&app, "sandbox", "@banque").await;
    let mastodon = account(&app, "mastodon", "@banque@mastodon.example").await;
    let s = app.store.ingest_activity(&sandbox, &[mention("s1", "Spam ici", now_ms())], None).await.unwrap().messages.remove(0);
    let m = app.store.ingest_activity(&mastodon, &[mention("t1", "Spam là", now_ms())], None).await.unwrap().messages.remove(0);
    let mut cm = Browser::signed_in(&app, CM).await;
    let conv = cm.get(&format!("/w/{}/inbox/{s}", app.f.bank)).await;
    conv.assert_contains("value=\"hide\"").assert_contains("value=\"delete\"");
    let hidden = cm.post(&format!("/w/{}/inbox/{s}/moderate", app.f.bank), &[("action", "hide")]).await;
    assert_eq!(hidden.status, 303);
    let jobs = app.store.claim_jobs("probe", 10, 60_000).await.unwrap();
    assert_eq!(jobs.iter().filter(|j| j.kind == relais_store::MODERATION_JOB).count(), 1);
    cm.get(hidden.location.as_deref().unwrap()).await.assert_contains("Action en cours sur le réseau");
    let log = app.store.moderation_log(&app.f.bank, &LogFilter::default(), 10).await.unwrap();
    app.store.finish_network_moderation(&log[0].id, "done", None).await.unwrap();
    cm.get(&format!("/w/{}/inbox/{s}", app.f.bank)).await.assert_contains("Masqué sur le réseau").assert_contains("value=\"unhide\"");

    let on_mastodon = cm.get(&format!("/w/{}/inbox/{m}", app.f.bank)).await;
    on_mastodon.assert_contains("Masquer une réponse n'est pas proposé par Mastodon");
    on_mastodon.assert_contains("Supprimer le commentaire d'autrui n'est pas proposé par Mastodon");
    assert!(!on_mastodon.body.contains("value=\"hide\""));
    assert_eq!(cm.post(&format!("/w/{}/inbox/{m}/moderate", app.f.bank), &[("action", "hide")]).await.status, 409);
    let mut client = Browser::signed_in(&app, CLIENT).await;
    client.get(&format!("/w/{}", app.f.bank)).await;
    assert_eq!(client.post(&format!("/w/{}/inbox/{s}/moderate", app.f.bank), &[("action", "delete")]).await.status, 403);
});

app_test!(the_api_manages_rules_and_dry_runs_them, |app: TestApp| async move {
    use crate::api::{call, token};
    use relais_core::Role;
    use reqwest::Method;
    let acc = account(&app, "sandbox", "@banque").await;
    app.store
        .ingest_activity(&acc, &[mention("m1", "Une ARNAQUE", now_ms() - 1_000), mention("m2", "Merci", now_ms())], None)
        .await
        .unwrap();
    let cm = token(&app, &app.f.bank, Role::Cm).await;
    let client = token(&app, &app.f.bank, Role::Client).await;
    let rules = format!("/api/v1/workspaces/{}/moderation/rules", app.f.bank);
    assert_eq!(call(&app, Method::GET, &rules, Some(&client), None).await.0, 403);
    let body =
        r#"{"name": "Arnaques", "conditions": {"words": ["arnaque"]}, "actions": [{"type": "tag", "tag": "Arnaque"}, {"type": "hide"}]}"#;
    let (status, _, created) = call(&app, Method::POST, &rules, Some(&cm), Some(body)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["actions"][0]["tag"], "arnaque");
    let rule = created["id"].as_str().unwrap().to_string();
    let bad = r#"{"name": "Bad", "conditions": {"patterns": ["(x"]}, "actions": [{"type": "flag"}]}"#;
    let (status, _, problem) = call(&app, Method::POST, &rules, Some(&cm), Some(bad)).await;
    assert_eq!(status, 422);
    assert_eq!(problem["field"], "patterns");
    assert!(problem["detail"].as_str().unwrap().contains("\"(x\""), "{problem}");
    let dry = format!("/api/v1/workspaces/{}/moderation/dry-run", app.f.bank);
    let (status, _, run) = call(&app, Method::POST, &dry, Some(&cm), Some("{}")).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!((run["scanned"].as_u64(), run["matched"].as_u64()), (Some(2), Some(1)));
    assert_eq!(run["lines"][1]["action"], "hide");
    assert_eq!(run["examples"][0]["text"], "Une ARNAQUE");
    let one = r#"{"rule": {"name": "Merci", "conditions": {"words": ["merci"]}, "actions": [{"type": "flag"}]}}"#;
    let (_, _, run) = call(&app, Method::POST, &dry, Some(&cm), Some(one)).await;
    assert_eq!(run["examples"][0]["text"], "Merci");
    let update = r#"{"name": "Arnaques 2", "enabled": false, "conditions": {"words": ["arnaque"]}, "actions": [{"type": "flag"}]}"#;
    let (status, _, updated) = call(&app, Method::PUT, &format!("{rules}/{rule}"), Some(&cm), Some(update)).await;
    assert_eq!((status, updated["name"].as_str(), updated["enabled"].as_bool()), (200, Some("Arnaques 2"), Some(false)));
    let (_, _, list) = call(&app, Method::GET, &rules, Some(&cm), None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(call(&app, Method::DELETE, &format!("{rules}/{rule}"), Some(&cm), None).await.0, 204);
    assert_eq!(call(&app, Method::DELETE, &format!("{rules}/{rule}"), Some(&cm), None).await.0, 404);
    assert!(app.store.moderation_log(&app.f.bank, &LogFilter::default(), 10).await.unwrap().is_empty(), "dry runs changed nothing");
});
