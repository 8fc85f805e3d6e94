//! Objectives over HTTP on SQLite and PostgreSQL: the SMM sets one with a target typed the French
//! way and reads where it stands; mistakes come back on their fields; CMs and clients cannot
//! change them; another workspace's objective is not found; the same over the API.

use crate::api::{call, token};
use crate::helpers::*;
use relais_core::Role;
use relais_store::AccountMetricSample;
use reqwest::Method;
use serde_json::json;

app_test!(an_smm_sets_an_objective_and_reads_where_it_stands, |app: TestApp| async move {
    let ws = &app.f.bank;
    let account = app.store.create_social_account(ws, "sandbox", "@banque", "@banque", |_| "sealed".into()).await.unwrap();
    // Followers measured 10 days ago and today: +120.
    let now = relais_core::now_ms();
    for (ago_days, followers) in [(10, 1000), (0, 1120)] {
        let sample = AccountMetricSample {
            account_id: account.id.clone(),
            taken_at: now - ago_days * 86_400_000,
            followers,
            following: 0,
            posts: 0,
        };
        app.store.record_account_metrics(&sample).await.unwrap();
    }
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Europe/Paris").unwrap()).date();
    let start = today.checked_sub(jiff::ToSpan::days(5)).unwrap().to_string();
    let end = today.checked_add(jiff::ToSpan::days(25)).unwrap().to_string();

    let mut smm = Browser::signed_in(&app, SMM).await;
    let page = smm.get(&format!("/w/{ws}/strategy/objectives")).await;
    page.assert_contains("Aucun objectif");
    page.assert_contains("Compte : Bac à sable · @@banque");

    // Mistakes are shown on their fields and nothing is saved.
    let bad = smm
        .post(
            &format!("/w/{ws}/strategy/objectives"),
            &[
                ("title", "Audience"),
                ("kpi", "follower_growth"),
                ("target", "12,5"),
                ("currency", "EUR"),
                ("starts_on", &start),
                ("ends_on", &start),
                ("scope", "workspace"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    bad.assert_contains("Cible : La cible n'est pas valable");
    assert!(bad.body.contains("id=\"objective-target\" name=\"target\" required size=\"10\" value=\"12,5\""), "the typed target stays");
    let wrong_scope = smm
        .post(
            &format!("/w/{ws}/strategy/objectives"),
            &[
                ("title", "CPC"),
                ("kpi", "cost_per_click"),
                ("target", "0,45"),
                ("currency", "EUR"),
                ("starts_on", &start),
                ("ends_on", &end),
                ("scope", "network:bluesky"),
            ],
        )
        .await;
    assert_eq!(wrong_scope.status, 422);
    wrong_scope.assert_contains("CTR, CPC, CPA et ROAS sont pour les campagnes");
    assert!(app.store.objectives(ws).await.unwrap().is_empty());

    let created = smm
        .post(
            &format!("/w/{ws}/strategy/objectives"),
            &[
                ("title", "Audience du mois"),
                ("kpi", "follower_growth"),
                ("target", "1 500"),
                ("currency", "EUR"),
                ("starts_on", &start),
                ("ends_on", &end),
                ("scope", &format!("account:{}", account.id)),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let list = smm.get(&format!("/w/{ws}/strategy/objectives?done=objective-created")).await;
    list.assert_contains("Objectif ajouté.");
    list.assert_contains("Audience du mois");
    list.assert_contains("Croissance des abonnés");
    // The account grew by 120 since the start (its sample before the start counts as the start).
    list.assert_contains("<td>120</td>");
    // About 20 a day over 30 days falls far short of 1,500.
    list.assert_contains("En retard");
    let saved = app.store.objectives(ws).await.unwrap().remove(0);
    assert_eq!(saved.target, 1500.0);

    // Edited in place.
    let form = smm.get(&format!("/w/{ws}/strategy/objectives/{}", saved.id)).await;
    form.assert_contains("Modifier l'objectif");
    assert!(form.body.contains("value=\"1500\""), "the target to edit");
    let edited = smm
        .post(
            &format!("/w/{ws}/strategy/objectives/{}", saved.id),
            &[
                ("title", "Audience du mois"),
                ("kpi", "follower_growth"),
                ("target", "150"),
                ("currency", "EUR"),
                ("starts_on", &start),
                ("ends_on", &end),
                ("scope", &format!("account:{}", account.id)),
            ],
        )
        .await;
    assert_eq!(edited.status, 303);
    assert_eq!(app.store.objectives(ws).await.unwrap()[0].target, 150.0);
    let list = smm.get(&format!("/w/{ws}/strategy/objectives")).await;
    assert!(!list.body.contains("En retard"), "120 of 150 after a sixth of the period is on track:\n{}", list.body);

    // CMs and clients cannot change them; another workspace does not see them.
    let mut cm = Browser::signed_in(&app, CM).await;
    assert_eq!(cm.get(&format!("/w/{ws}/strategy/objectives")).await.status, 403);
    assert_eq!(cm.post(&format!("/w/{ws}/strategy/objectives/{}/delete", saved.id), &[]).await.status, 403);
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    let coffee = &app.f.coffee;
    assert_eq!(admin.get(&format!("/w/{coffee}/strategy/objectives/{}", saved.id)).await.status, 404);
    assert_eq!(admin.post(&format!("/w/{coffee}/strategy/objectives/{}/delete", saved.id), &[]).await.status, 404);
    assert_eq!(app.store.objectives(ws).await.unwrap().len(), 1);

    let deleted = smm.post(&format!("/w/{ws}/strategy/objectives/{}/delete", saved.id), &[]).await;
    assert_eq!(deleted.status, 303);
    assert!(app.store.objectives(ws).await.unwrap().is_empty());
    let audit: Vec<String> = app.store.audit_entries(ws, None, 20).await.unwrap().into_iter().map(|e| e.action).collect();
    for action in ["objective.created", "objective.updated", "objective.deleted"] {
        assert!(audit.iter().any(|a| a == action), "{action} audited: {audit:?}");
    }
});

app_test!(the_api_sets_lists_and_removes_objectives_by_role, |app: TestApp| async move {
    let ws = &app.f.bank;
    let smm = token(&app, ws, Role::Smm).await;
    let client = token(&app, ws, Role::Client).await;
    let path = format!("/api/v1/workspaces/{ws}/objectives");
    let body = json!({"title": "Réactivité", "kpi": "response_time_median", "target": "2 h 30",
        "starts_on": "2027-01-01", "ends_on": "2027-03-31", "scope": "workspace"});
    let (s, _, created) = call(&app, Method::POST, &path, Some(&smm), Some(&body.to_string())).await;
    assert_eq!(s, 201, "{created}");
    assert_eq!((created["target"].as_str(), created["target_value"].as_f64()), (Some("2 h 30"), Some(9_000_000.0)));
    assert_eq!(created["status"].as_str(), Some("not_started"), "{created}");
    let id = created["id"].as_str().unwrap().to_string();

    // A client reads them (reports show them), and may not change them.
    let (s, _, list) = call(&app, Method::GET, &path, Some(&client), None).await;
    assert_eq!((s, list.as_array().map(Vec::len)), (200, Some(1)));
    assert_eq!(call(&app, Method::POST, &path, Some(&client), Some(&body.to_string())).await.0, 403);

    // Mistakes name their field.
    let (s, _, p) = call(
        &app,
        Method::POST,
        &path,
        Some(&smm),
        Some(
            &json!({"title": "x", "kpi": "likes", "target": "3",
        "starts_on": "2027-01-01", "ends_on": "2027-03-31", "scope": "workspace"})
            .to_string(),
        ),
    )
    .await;
    assert_eq!((s, p["field"].as_str()), (422, Some("kpi")), "{p}");
    let (s, _, p) = call(
        &app,
        Method::POST,
        &path,
        Some(&smm),
        Some(
            &json!({"title": "x", "kpi": "follower_growth", "target": "3",
        "starts_on": "2027-01-01", "ends_on": "2027-03-31", "scope": "account", "scope_id": "not-ours"})
            .to_string(),
        ),
    )
    .await;
    assert_eq!((s, p["field"].as_str()), (422, Some("scope_id")), "{p}");
    let (s, _, p) = call(
        &app,
        Method::POST,
        &path,
        Some(&smm),
        Some(
            &json!({"title": "x", "kpi": "follower_growth", "target": "3",
        "starts_on": "2027-03-01", "ends_on": "2027-01-31", "scope": "workspace"})
            .to_string(),
        ),
    )
    .await;
    assert_eq!((s, p["field"].as_str()), (422, Some("ends_on")), "{p}");

    let changed = json!({"title": "Réactivité", "kpi": "response_time_median", "target": "45 min",
        "starts_on": "2027-01-01", "ends_on": "2027-03-31", "scope": "workspace"});
    let (s, _, updated) = call(&app, Method::PUT, &format!("{path}/{id}"), Some(&smm), Some(&changed.to_string())).await;
    assert_eq!((s, updated["target_value"].as_f64()), (200, Some(2_700_000.0)), "{updated}");
    let coffee = token(&app, &app.f.coffee, Role::Admin).await;
    let foreign = format!("/api/v1/workspaces/{}/objectives/{id}", app.f.coffee);
    assert_eq!(call(&app, Method::DELETE, &foreign, Some(&coffee), None).await.0, 404);
    assert_eq!(call(&app, Method::DELETE, &format!("{path}/{id}"), Some(&smm), None).await.0, 204);
    assert_eq!(call(&app, Method::GET, &path, Some(&smm), None).await.2.as_array().map(Vec::len), Some(0));
});
