//! The JSON API: tokens scoped to a workspace and a role, problem documents, the OpenAPI file.

use crate::helpers::*;
use relais_core::{Name, Role};
use serde_json::Value;

pub async fn token(app: &TestApp, ws: &str, role: Role) -> String {
    app.store.create_api_token(ws, &Name::parse("n", "intégration").unwrap(), role, &app.f.admin).await.unwrap().1
}

pub async fn call(app: &TestApp, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<&str>) -> (u16, String, Value) {
    let mut req = reqwest::Client::new().request(method, format!("{}{path}", app.url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let ctype = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let text = resp.text().await.unwrap();
    (status, ctype, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

app_test!(without_a_valid_token_the_api_answers_401_as_a_problem, |app: TestApp| async move {
    let (s, ctype, body) = call(&app, reqwest::Method::GET, "/api/v1/workspaces", None, None).await;
    assert_eq!((s, ctype.as_str()), (401, "application/problem+json"));
    assert!(body["detail"].as_str().unwrap().contains("Authorization: Bearer"));
    let (s, _, body) = call(&app, reqwest::Method::GET, "/api/v1/workspaces", Some("rls_forged"), None).await;
    assert_eq!(s, 401);
    assert!(body["detail"].as_str().unwrap().contains("unknown or was revoked"));
    // A browser session is not an API credential.
    let b = Browser::signed_in(&app, ADMIN).await;
    let resp = b.http.get(format!("{}/api/v1/workspaces", app.url)).send().await.unwrap();
    assert_eq!(resp.status(), 401);
});

app_test!(a_token_sees_its_workspace_only, |app: TestApp| async move {
    let t = token(&app, &app.f.bank, Role::Admin).await;
    let (s, _, me) = call(&app, reqwest::Method::GET, "/api/v1/me", Some(&t), None).await;
    assert_eq!((s, me["role"].as_str(), me["workspace_id"].as_str()), (200, Some("admin"), Some(app.f.bank.as_str())));
    let (_, _, list) = call(&app, reqwest::Method::GET, "/api/v1/workspaces", Some(&t), None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "Banque de Bourgogne");
    for other in [&app.f.coffee, &app.f.foreign] {
        for suffix in ["", "/members", "/audit"] {
            let (s, ctype, body) = call(&app, reqwest::Method::GET, &format!("/api/v1/workspaces/{other}{suffix}"), Some(&t), None).await;
            assert_eq!((s, ctype.as_str()), (404, "application/problem+json"), "{other}{suffix}");
            assert!(!body.to_string().contains("Cafés") && !body.to_string().contains("Autre marque"));
        }
        let (s, _, _) =
            call(&app, reqwest::Method::PATCH, &format!("/api/v1/workspaces/{other}"), Some(&t), Some(r#"{"name":"pris"}"#)).await;
        assert_eq!(s, 404);
    }
    assert_eq!(app.store.workspace(&app.f.coffee).await.unwrap().name, "Cafés Morvan");
});

app_test!(the_token_role_is_enforced_by_the_same_policy, |app: TestApp| async move {
    let ws = app.f.bank.clone();
    for role in [Role::Smm, Role::Cm, Role::Client] {
        let t = token(&app, &ws, role).await;
        let (s, _, _) = call(&app, reqwest::Method::GET, &format!("/api/v1/workspaces/{ws}"), Some(&t), None).await;
        assert_eq!(s, 200, "{role} reads the workspace");
        for (method, path, body) in [
            (reqwest::Method::PATCH, format!("/api/v1/workspaces/{ws}"), Some(r#"{"name":"x"}"#)),
            (reqwest::Method::GET, format!("/api/v1/workspaces/{ws}/members"), None),
            (reqwest::Method::GET, format!("/api/v1/workspaces/{ws}/audit"), None),
        ] {
            let (s, _, problem) = call(&app, method.clone(), &path, Some(&t), body).await;
            assert_eq!(s, 403, "{role} {method} {path}");
            assert!(problem["detail"].as_str().unwrap().contains(role.as_str()));
        }
    }
});

app_test!(an_admin_token_updates_the_workspace_and_bad_input_is_explained, |app: TestApp| async move {
    let t = token(&app, &app.f.bank, Role::Admin).await;
    let path = format!("/api/v1/workspaces/{}", app.f.bank);
    let (s, _, w) =
        call(&app, reqwest::Method::PATCH, &path, Some(&t), Some(r##"{"time_zone":"America/Montreal","primary_colour":"#112233"}"##)).await;
    assert_eq!(s, 200, "{w}");
    assert_eq!(
        (w["time_zone"].as_str(), w["primary_colour"].as_str(), w["name"].as_str()),
        (Some("America/Montreal"), Some("#112233"), Some("Banque de Bourgogne"))
    );

    let (s, ctype, p) = call(&app, reqwest::Method::PATCH, &path, Some(&t), Some(r#"{"time_zone":"Mars/Olympus"}"#)).await;
    assert_eq!((s, ctype.as_str()), (422, "application/problem+json"));
    assert_eq!(p["field"], "time_zone");
    assert!(p["detail"].as_str().unwrap().contains("Mars/Olympus"));

    let (s, _, p) = call(&app, reqwest::Method::PATCH, &path, Some(&t), Some(r#"{"name": "#)).await;
    assert_eq!(s, 400);
    assert!(p["detail"].as_str().unwrap().contains("EOF"), "{p}");
    let (s, _, p) = call(&app, reqwest::Method::PATCH, &path, Some(&t), Some(r#"{"nom": "x"}"#)).await;
    assert_eq!(s, 422);
    assert!(p["detail"].as_str().unwrap().contains("unknown field `nom`"), "{p}");
    let huge = format!(r#"{{"name": "{}"}}"#, "a".repeat(300 * 1024));
    let (s, ctype, _) = call(&app, reqwest::Method::PATCH, &path, Some(&t), Some(&huge)).await;
    assert_eq!((s, ctype.as_str()), (413, "application/problem+json"));
    let (s, _, p) = call(&app, reqwest::Method::GET, &format!("{path}/audit?limit=0"), Some(&t), None).await;
    assert_eq!((s, p["field"].as_str()), (422, Some("limit")));
    let (s, ctype, p) = call(&app, reqwest::Method::GET, &format!("{path}/audit?before=yesterday"), Some(&t), None).await;
    assert_eq!((s, ctype.as_str()), (400, "application/problem+json"));
    assert!(p["detail"].as_str().unwrap().contains("before"), "{p}");

    let (_, _, audit) = call(&app, reqwest::Method::GET, &format!("{path}/audit"), Some(&t), None).await;
    assert_eq!(audit[0]["action"], "workspace.settings_changed");
    assert_eq!(audit[0]["actor"], "API token intégration");
    assert_eq!(audit.as_array().unwrap().len(), 1, "the refused calls changed nothing");
});

app_test!(a_revoked_token_stops_working, |app: TestApp| async move {
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    admin.get(&format!("/w/{}/settings/api-tokens", app.f.bank)).await;
    let page = admin.post(&format!("/w/{}/settings/api-tokens", app.f.bank), &[("name", "Tableau de bord"), ("role", "client")]).await;
    let start = page.body.find("value=\"rls_").unwrap() + "value=\"".len();
    let secret = page.body[start..start + page.body[start..].find('"').unwrap()].to_string();
    let (s, _, _) = call(&app, reqwest::Method::GET, "/api/v1/me", Some(&secret), None).await;
    assert_eq!(s, 200);
    let id = app.store.api_tokens(&app.f.bank).await.unwrap()[0].id.clone();
    assert_eq!(admin.post(&format!("/w/{}/settings/api-tokens/{id}/revoke", app.f.bank), &[]).await.status, 303);
    let (s, _, _) = call(&app, reqwest::Method::GET, "/api/v1/me", Some(&secret), None).await;
    assert_eq!(s, 401);
});

app_test!(the_openapi_document_describes_every_route_that_exists, |app: TestApp| async move {
    let (s, _, doc) = call(&app, reqwest::Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(s, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let t = token(&app, &app.f.bank, Role::Admin).await;
    let post = crate::posts_api::draft(&app, &t).await;
    let account = app.store.social_accounts(&app.f.bank).await.unwrap().remove(0);
    let incoming = relais_store::Incoming {
        remote_id: "m1".into(),
        kind: "mention".into(),
        author_remote_id: "a1".into(),
        author_handle: "@julie".into(),
        text: "Bonjour".into(),
        ..Default::default()
    };
    let message = app.store.ingest_activity(&account, &[incoming], None).await.unwrap().messages.remove(0);
    let rule = relais_core::moderation::CompiledRule::compile(relais_core::moderation::Rule {
        id: String::new(),
        name: "Arnaques".into(),
        enabled: true,
        stop: false,
        conditions: relais_core::moderation::Conditions { words: vec!["arnaque".into()], ..Default::default() },
        actions: vec![relais_core::moderation::RuleAction::Flag],
    })
    .unwrap();
    let rule = app.store.save_moderation_rule(&app.f.bank, &rule).await.unwrap().id;
    let saved = relais_store::SavedReplyInput { title: "Horaires".into(), body: "Bonjour".into(), ..Default::default() };
    let reply = app.store.create_saved_reply(&app.f.bank, &saved, "test").await.unwrap().id;
    let growth = relais_core::kpi::Objective::new(
        relais_core::kpi::Kpi::FollowerGrowth,
        relais_core::kpi::Value::Count(1500),
        jiff::civil::date(2027, 1, 1),
        jiff::civil::date(2027, 3, 31),
        relais_core::kpi::Scope::Workspace,
    )
    .unwrap();
    let objective = app
        .store
        .save_objective(&app.f.bank, None, &relais_core::Name::parse("title", "Audience").unwrap(), &growth, None)
        .await
        .unwrap()
        .id;
    app.store.add_campaign_for_test(&app.f.bank, "Été").await.unwrap();
    let campaign = app.store.campaigns(&app.f.bank).await.unwrap().remove(0).id;
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 8);
    for (path, ops) in paths {
        let concrete = path
            .replace("{id}", &app.f.bank)
            .replace("{post}", &post)
            .replace("{message}", &message)
            .replace("{rule}", &rule)
            .replace("{reply}", &reply)
            .replace("{objective}", &objective)
            .replace("{campaign}", &campaign);
        for method in ops.as_object().unwrap().keys() {
            let m: reqwest::Method = method.to_uppercase().parse().unwrap();
            let body = (m != reqwest::Method::GET).then_some("{}");
            let (s, _, _) = call(&app, m.clone(), &concrete, Some(&t), body).await;
            if m == reqwest::Method::GET || m == reqwest::Method::PATCH {
                assert_eq!(s, 200, "{method} {path} is documented and answers");
            } else {
                // An empty body is refused, but by the route itself: it exists.
                assert!(s != 404 && s != 405, "{method} {path} is documented but answers {s}");
            }
        }
    }
    let (s, ctype, _) = call(&app, reqwest::Method::GET, "/api/v1/nothing-here", Some(&t), None).await;
    assert_eq!((s, ctype.as_str()), (404, "application/problem+json"));
});
