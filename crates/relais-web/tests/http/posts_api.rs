//! Accounts and posts through the API: the workflow's roles, validation against the network's
//! capabilities, scheduling at a wall-clock time of the workspace.

use crate::api::{call, token};
use crate::helpers::*;
use relais_core::Role;
use reqwest::Method;
use serde_json::{Value, json};

async fn connect(app: &TestApp, t: &str, handle: &str) -> String {
    let body = json!({"network": "sandbox", "handle": handle, "credentials": "tok"}).to_string();
    let (s, _, a) = call(app, Method::POST, &format!("/api/v1/workspaces/{}/accounts", app.f.bank), Some(t), Some(&body)).await;
    assert_eq!(s, 201, "{a}");
    a["id"].as_str().unwrap().to_string()
}

/// A draft on a new sandbox account of the bank; returns its id.
pub async fn draft(app: &TestApp, admin_token: &str) -> String {
    let account = connect(app, admin_token, "banque_bourgogne").await;
    let body = json!({"title": "Prêt Artisan", "variants": [{"account_id": account, "text": "Le prêt Artisan arrive !"}]}).to_string();
    let (s, _, p) = call(app, Method::POST, &format!("/api/v1/workspaces/{}/posts", app.f.bank), Some(admin_token), Some(&body)).await;
    assert_eq!(s, 201, "{p}");
    p["id"].as_str().unwrap().to_string()
}

async fn act(app: &TestApp, t: &str, post: &str, body: Value) -> (u16, Value) {
    let (s, _, v) =
        call(app, Method::POST, &format!("/api/v1/workspaces/{}/posts/{post}/actions", app.f.bank), Some(t), Some(&body.to_string())).await;
    (s, v)
}

app_test!(a_cm_drafts_and_submits_an_smm_approves_and_the_cm_schedules_at_paris_time, |app: TestApp| async move {
    let admin = token(&app, &app.f.bank, Role::Admin).await;
    let (cm, smm) = (token(&app, &app.f.bank, Role::Cm).await, token(&app, &app.f.bank, Role::Smm).await);
    let account = connect(&app, &admin, "banque").await;
    let body = json!({"title": "Prêt Artisan", "pillar": "offres", "variants": [{"account_id": account, "text": "Artisans : le prêt qui vous suit."}]}).to_string();
    let (s, _, post) = call(&app, Method::POST, &format!("/api/v1/workspaces/{}/posts", app.f.bank), Some(&cm), Some(&body)).await;
    assert_eq!((s, post["state"].as_str()), (201, Some("draft")), "{post}");
    let id = post["id"].as_str().unwrap().to_string();

    assert_eq!(act(&app, &cm, &id, json!({"action": "submit_for_review"})).await.0, 200);
    let (s, refused) = act(&app, &cm, &id, json!({"action": "approve"})).await;
    assert_eq!(s, 403, "a CM cannot approve: {refused}");
    let (s, approved) = act(&app, &smm, &id, json!({"action": "approve", "comment": "Parfait"})).await;
    assert_eq!((s, approved["state"].as_str()), (200, Some("approved")));

    let (s, p) = act(&app, &cm, &id, json!({"action": "schedule", "at": "2099-03-29T09:30"})).await;
    assert_eq!((s, p["state"].as_str()), (200, Some("scheduled")), "{p}");
    assert_eq!(p["scheduled_local"], "2099-03-29T09:30");
    assert_eq!(p["scheduled_zone"], "Europe/Paris");
    // 09:30 in Paris on that (summer-time) day is 07:30 UTC.
    let at = jiff::Timestamp::from_millisecond(p["scheduled_at"].as_i64().unwrap()).unwrap();
    assert_eq!(at.to_string(), "2099-03-29T07:30:00Z");
    let history: Vec<&str> = p["history"].as_array().unwrap().iter().map(|e| e["to"].as_str().unwrap()).collect();
    assert_eq!(history, ["draft", "in_review", "approved", "scheduled"]);
    assert_eq!(p["history"][2]["comment"], "Parfait");
    let jobs = app.store.claim_jobs("probe", 10, 1).await.unwrap();
    assert!(jobs.is_empty(), "the publish job waits for 2099");
});

app_test!(a_time_that_does_not_exist_or_is_past_is_refused_with_a_suggestion, |app: TestApp| async move {
    let admin = token(&app, &app.f.bank, Role::Admin).await;
    let id = draft(&app, &admin).await;
    act(&app, &admin, &id, json!({"action": "submit_for_review"})).await;
    act(&app, &admin, &id, json!({"action": "approve"})).await;
    let (s, p) = act(&app, &admin, &id, json!({"action": "schedule", "at": "2099-03-29T02:30"})).await;
    assert_eq!((s, p["field"].as_str()), (422, Some("at")));
    assert!(p["detail"].as_str().unwrap().contains("2099-03-29T03:00"), "{p}");
    let (s, p) = act(&app, &admin, &id, json!({"action": "schedule", "at": "2001-01-01T10:00"})).await;
    assert_eq!(s, 422);
    assert!(p["detail"].as_str().unwrap().contains("in the past"), "{p}");
    let (s, p) = act(&app, &admin, &id, json!({"action": "schedule"})).await;
    assert_eq!(s, 422);
    assert!(p["detail"].as_str().unwrap().contains("Europe/Paris"), "{p}");
    let (s, _) = act(&app, &admin, &id, json!({"action": "unschedule"})).await;
    assert_eq!(s, 409, "a post that is approved cannot be unscheduled");
});

app_test!(a_post_is_checked_against_its_networks_limits_and_its_workspace, |app: TestApp| async move {
    let admin = token(&app, &app.f.bank, Role::Admin).await;
    let account = connect(&app, &admin, "banque").await;
    let path = format!("/api/v1/workspaces/{}/posts", app.f.bank);
    let long = "é".repeat(501);
    let body = json!({"title": "Trop long", "variants": [{"account_id": account, "text": long}]}).to_string();
    let (s, _, p) = call(&app, Method::POST, &path, Some(&admin), Some(&body)).await;
    assert_eq!((s, p["field"].as_str()), (422, Some("variants[0].text")));
    assert!(p["detail"].as_str().unwrap().contains("501"), "{p}");
    let body = json!({"title": "Ailleurs", "variants": [{"account_id": "not-ours", "text": "x"}]}).to_string();
    let (s, _, p) = call(&app, Method::POST, &path, Some(&admin), Some(&body)).await;
    assert_eq!((s, p["field"].as_str()), (422, Some("variants[0].account_id")));
    let body = json!({"network": "myspace", "handle": "x", "credentials": "y"}).to_string();
    let (s, _, p) = call(&app, Method::POST, &format!("/api/v1/workspaces/{}/accounts", app.f.bank), Some(&admin), Some(&body)).await;
    assert_eq!((s, p["field"].as_str()), (422, Some("network")));

    // A client may not draft; a token of another workspace does not see the post.
    let client = token(&app, &app.f.bank, Role::Client).await;
    let body = json!({"title": "Client", "variants": [{"account_id": account, "text": "x"}]}).to_string();
    assert_eq!(call(&app, Method::POST, &path, Some(&client), Some(&body)).await.0, 403);
    let id = draft(&app, &admin).await;
    let other = token(&app, &app.f.coffee, Role::Admin).await;
    let (s, _, _) = call(&app, Method::GET, &format!("/api/v1/workspaces/{}/posts/{id}", app.f.coffee), Some(&other), None).await;
    assert_eq!(s, 404);
    // The credentials are stored sealed, never in clear.
    let stored = app.store.social_account(&account).await.unwrap();
    assert!(stored.credentials.starts_with("v1.") && !stored.credentials.contains("tok"));
});

app_test!(with_client_approval_the_client_has_the_last_word_before_scheduling, |app: TestApp| async move {
    let admin = token(&app, &app.f.bank, Role::Admin).await;
    let (smm, client) = (token(&app, &app.f.bank, Role::Smm).await, token(&app, &app.f.bank, Role::Client).await);
    let ws = format!("/api/v1/workspaces/{}", app.f.bank);
    let (s, _, w) = call(&app, Method::PATCH, &ws, Some(&admin), Some(r#"{"client_approval": true}"#)).await;
    assert_eq!((s, w["client_approval"].as_bool()), (200, Some(true)), "{w}");
    let id = draft(&app, &admin).await;
    act(&app, &smm, &id, json!({"action": "submit_for_review"})).await;
    let (s, p) = act(&app, &smm, &id, json!({"action": "approve"})).await;
    assert_eq!((s, p["state"].as_str()), (200, Some("client_review")));
    assert_eq!(act(&app, &smm, &id, json!({"action": "schedule", "at": "2099-01-05T09:00"})).await.0, 409);
    assert_eq!(act(&app, &smm, &id, json!({"action": "client_approve"})).await.0, 403, "only the client answers");
    let (s, p) = act(&app, &client, &id, json!({"action": "client_approve", "comment": "Validé"})).await;
    assert_eq!((s, p["state"].as_str()), (200, Some("approved")), "{p}");

    // The same switch from the settings page.
    let mut b = Browser::signed_in(&app, ADMIN).await;
    let path = format!("/w/{}/settings", app.f.bank);
    b.get(&path).await.assert_contains("checked");
    let fields = [
        ("name", "Banque de Bourgogne"),
        ("time_zone", "Europe/Paris"),
        ("locale", "fr"),
        ("primary_colour", "#7a1f2b"),
        ("accent_colour", "#d4a017"),
    ];
    assert_eq!(b.post(&path, &fields).await.status, 303);
    assert_eq!(app.store.workspace(&app.f.bank).await.unwrap().client_approval, 0, "an unticked box turns it off");
});

app_test!(a_variant_carries_a_thread_a_first_comment_and_media_of_its_own_workspace, |app: TestApp| async move {
    let admin = token(&app, &app.f.bank, Role::Admin).await;
    let account = connect(&app, &admin, "banque").await;
    let url = format!("/api/v1/workspaces/{}/posts", app.f.bank);
    let body = json!({"title": "Fil", "variants": [{"account_id": account, "text": "1/3", "thread": ["2/3", "3/3"], "first_comment": "Lien en commentaire"}]});
    let (s, _, post) = call(&app, Method::POST, &url, Some(&admin), Some(&body.to_string())).await;
    assert_eq!(s, 201, "{post}");
    assert_eq!(post["variants"][0]["thread"], json!(["2/3", "3/3"]));
    assert_eq!(post["variants"][0]["first_comment"], "Lien en commentaire");
    let body = json!({"title": "Média", "variants": [{"account_id": account, "text": "x", "media_ids": ["someone-elses"]}]});
    let (s, _, problem) = call(&app, Method::POST, &url, Some(&admin), Some(&body.to_string())).await;
    assert_eq!((s, problem["field"].as_str()), (422, Some("variants[0].media_ids[0]")), "{problem}");
});

app_test!(a_content_warning_and_a_visibility_are_accepted_only_where_the_network_offers_them, |app: TestApp| async move {
    let admin = token(&app, &app.f.bank, Role::Admin).await;
    let creds = json!({"instance": "https://mastodon.example", "access_token": "tok"}).to_string();
    let body = json!({"network": "mastodon", "handle": "banque@mastodon.example", "credentials": creds}).to_string();
    let (s, _, m) = call(&app, Method::POST, &format!("/api/v1/workspaces/{}/accounts", app.f.bank), Some(&admin), Some(&body)).await;
    assert_eq!(s, 201, "{m}");
    let mastodon = m["id"].as_str().unwrap().to_string();
    let sandbox = connect(&app, &admin, "banque").await;
    let url = format!("/api/v1/workspaces/{}/posts", app.f.bank);
    let post = |variant: Value| json!({"title": "Film", "variants": [variant]}).to_string();

    let ok = post(json!({"account_id": mastodon, "text": "La fin", "content_warning": "Divulgâchage", "visibility": "followers"}));
    let (s, _, p) = call(&app, Method::POST, &url, Some(&admin), Some(&ok)).await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(
        (p["variants"][0]["content_warning"].as_str(), p["variants"][0]["visibility"].as_str()),
        (Some("Divulgâchage"), Some("followers"))
    );
    let stored = app.store.variants(p["id"].as_str().unwrap()).await.unwrap().remove(0);
    assert_eq!((stored.content_warning.as_deref(), stored.visibility.as_deref()), (Some("Divulgâchage"), Some("followers")));

    let refused = [
        (
            json!({"account_id": sandbox, "text": "x", "content_warning": "Attention"}),
            "variants[0].content_warning",
            "does not offer content warnings",
        ),
        (json!({"account_id": sandbox, "text": "x", "visibility": "direct"}), "variants[0].visibility", "it offers: public"),
        (
            json!({"account_id": mastodon, "text": "x", "visibility": "secret"}),
            "variants[0].visibility",
            "public, unlisted, followers, direct",
        ),
    ];
    for (variant, field, words) in refused {
        let (s, _, problem) = call(&app, Method::POST, &url, Some(&admin), Some(&post(variant))).await;
        assert_eq!((s, problem["field"].as_str()), (422, Some(field)), "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains(words), "{problem}");
    }
    // Mastodon counts the warning with the text.
    let long = post(json!({"account_id": mastodon, "text": "x".repeat(495), "content_warning": "Divulgâchage"}));
    let (s, _, problem) = call(&app, Method::POST, &url, Some(&admin), Some(&long)).await;
    assert_eq!((s, problem["field"].as_str()), (422, Some("variants[0].text")), "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("with its content warning counts 507 characters"), "{problem}");
    // Public is every network's, and a blank warning is none.
    let plain = post(json!({"account_id": sandbox, "text": "x", "content_warning": " ", "visibility": "public"}));
    let (s, _, p) = call(&app, Method::POST, &url, Some(&admin), Some(&plain)).await;
    assert_eq!((s, p["variants"][0]["content_warning"].clone()), (201, Value::Null), "{p}");
});
