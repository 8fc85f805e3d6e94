//! Connecting accounts against real servers on loopback: Bluesky on the local AT Protocol
//! network (app password checked before it is stored, "test connection", a revoked password
//! pausing the account), Mastodon through the authorization-code flow on mastodon-mock (an
//! imitation of the Mastodon API), and the outbound policy refusing private addresses.

use crate::helpers::*;
use relais_networks::testing::{local_pds, pds_account};
use serde_json::{Value, json};

/// Logs in to the PDS as the account and creates an app password named `name`.
async fn app_password(pds: &str, credentials: &str, name: &str) -> (String, String) {
    let access = relais_networks::testing::pds_session(pds, credentials).await;
    let created: Value = reqwest::Client::new()
        .post(format!("{pds}/xrpc/com.atproto.server.createAppPassword"))
        .bearer_auth(&access)
        .json(&json!({"name": name}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (created["password"].as_str().unwrap_or_else(|| panic!("createAppPassword: {created}")).to_string(), access)
}

live_app_test!(a_bluesky_account_is_checked_before_it_is_stored_and_paused_when_its_password_is_revoked, |app: TestApp| async move {
    let Some(pds) = local_pds().await else { return };
    let bank = app.f.bank.clone();
    let brand = pds_account(&pds, "banque").await;
    let (app_pw, access) = app_password(&pds, &brand.credentials, "relais").await;
    let mut smm = Browser::signed_in(&app, SMM).await;

    let form = smm.get(&format!("/w/{bank}/strategy/accounts/connect/bluesky")).await;
    form.assert_contains("Mots de passe d'application").assert_contains("Ce que Relais pourra faire");

    // A wrong app password is refused on the form, with Bluesky's words; nothing is stored.
    let wrong =
        [("network", "bluesky"), ("handle", brand.handle.as_str()), ("server", pds.as_str()), ("credentials", "aaaa-bbbb-cccc-dddd")];
    let page = smm.post(&format!("/w/{bank}/strategy/accounts"), &wrong).await;
    assert_eq!(page.status, 422, "{}", page.body);
    page.assert_contains("Bluesky refuse ces identifiants").assert_contains("Invalid identifier or password");
    assert!(app.store.social_accounts(&bank).await.unwrap().is_empty());

    let right = [("network", "bluesky"), ("handle", brand.handle.as_str()), ("server", pds.as_str()), ("credentials", app_pw.as_str())];
    let page = smm.post(&format!("/w/{bank}/strategy/accounts"), &right).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let account = app.store.social_accounts(&bank).await.unwrap().remove(0);
    assert_eq!(account.remote_id.as_deref(), Some(brand.did.as_str()), "the check learnt the DID");
    assert!(account.checked_at.is_some());

    // "Test connection" asks the PDS again.
    let page = smm.post(&format!("/w/{bank}/strategy/accounts/{}/check", account.id), &[]).await;
    assert_eq!(page.location.as_deref(), Some(format!("/w/{bank}/strategy/accounts?done=account-checked").as_str()), "{}", page.body);
    smm.get(&format!("/w/{bank}/strategy/accounts?done=account-checked")).await.assert_contains("Connexion vérifiée");

    // The app password is revoked on Bluesky: the test pauses the account and says why.
    let revoked = reqwest::Client::new()
        .post(format!("{pds}/xrpc/com.atproto.server.revokeAppPassword"))
        .bearer_auth(&access)
        .json(&json!({"name": "relais"}))
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success(), "{}", revoked.text().await.unwrap());
    let page = smm.post(&format!("/w/{bank}/strategy/accounts/{}/check", account.id), &[]).await;
    page.assert_contains("Bluesky refuse ces identifiants");
    let paused = app.store.social_account(&account.id).await.unwrap();
    assert!(paused.is_paused(), "{paused:?}");
    let list = smm.get(&format!("/w/{bank}/strategy/accounts")).await;
    list.assert_contains("data-health=\"paused\"").assert_contains("Le réseau a refusé les identifiants");

    // A server at a private address is refused before any call, and says how to allow it.
    let private = [("network", "bluesky"), ("handle", "x.test"), ("server", "http://169.254.169.254"), ("credentials", "x")];
    let page = smm.post(&format!("/w/{bank}/strategy/accounts"), &private).await;
    assert_eq!(page.status, 422);
    page.assert_contains("169.254.169.254").assert_contains("RELAIS_OUTBOUND_ALLOW");

    // CMs do not test or manage connections.
    let mut cm = Browser::signed_in(&app, CM).await;
    assert_eq!(cm.get(&format!("/w/{bank}/strategy/accounts/connect/bluesky")).await.status, 403);
});

/// mastodon-mock's address, or `None` after saying the test is skipped (CI requires it).
async fn mastodon_mock() -> Option<String> {
    let required = std::env::var("RELAIS_TEST_REQUIRE_MASTODON").is_ok_and(|v| v == "1");
    let Ok(base) = std::env::var("RELAIS_TEST_MASTODON_URL") else {
        assert!(!required, "RELAIS_TEST_REQUIRE_MASTODON=1 but RELAIS_TEST_MASTODON_URL is not set");
        eprintln!("\n*** SKIPPED: Mastodon live test (set RELAIS_TEST_MASTODON_URL) ***\n");
        return None;
    };
    Some(base.trim_end_matches('/').to_string())
}

live_app_test!(a_mastodon_account_connects_through_the_instances_consent_page, |app: TestApp| async move {
    let Some(mock) = mastodon_mock().await else { return };
    let bank = app.f.bank.clone();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let user: Value = http.post(format!("{mock}/api/v1/_mock/dev_user")).json(&json!({})).send().await.unwrap().json().await.unwrap();
    let username = user["username"].as_str().unwrap().to_string();
    let mut smm = Browser::signed_in(&app, SMM).await;
    smm.get(&format!("/w/{bank}/strategy/accounts/connect/mastodon")).await.assert_contains("Autoriser sur l'instance");

    let page = smm.post(&format!("/w/{bank}/strategy/accounts/mastodon/authorize"), &[("instance", mock.as_str())]).await;
    let consent = url::Url::parse(page.location.as_deref().unwrap_or_else(|| panic!("no redirect: {}", page.body))).unwrap();
    assert!(consent.as_str().starts_with(&format!("{mock}/oauth/authorize?")), "{consent}");
    let param = |name: &str| consent.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()).unwrap();
    assert_eq!(param("redirect_uri"), format!("{}/oauth/mastodon/callback", app.url));

    // The person accepts on the instance, which sends them back with a code.
    let form = [
        ("username", username.as_str()),
        ("redirect_uri", &param("redirect_uri")),
        ("client_id", &param("client_id")),
        ("state", &param("state")),
    ];
    let answer = http.post(format!("{mock}/oauth/authorize")).form(&form).send().await.unwrap();
    let back = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let callback = format!("{}?{}", back.path(), back.query().unwrap());
    let page = smm.get(&callback).await;
    assert_eq!(page.location.as_deref(), Some(format!("/w/{bank}/strategy/accounts?done=account-connected").as_str()), "{}", page.body);
    let account = app.store.social_accounts(&bank).await.unwrap().remove(0);
    assert_eq!((account.network.as_str(), account.handle.as_str()), ("mastodon", format!("@{username}@127.0.0.1").as_str()));
    assert!(account.remote_id.is_some() && !account.credentials.contains("access_token"), "checked, and sealed");

    // The state works once; the app registered on the instance is kept for the next account.
    let page = smm.get(&callback).await;
    assert_eq!(page.status, 422);
    page.assert_contains("inconnue ou a expiré");
    let redirect = format!("{}/oauth/mastodon/callback", app.url);
    assert!(app.store.oauth_app("mastodon", &mock, &redirect).await.unwrap().is_some());

    // "Test connection" works with the token the instance gave.
    let page = smm.post(&format!("/w/{bank}/strategy/accounts/{}/check", account.id), &[]).await;
    assert_eq!(page.status, 303, "{}", page.body);

    // Someone else cannot finish an authorisation another member started.
    let page = smm.post(&format!("/w/{bank}/strategy/accounts/mastodon/authorize"), &[("instance", mock.as_str())]).await;
    let consent = url::Url::parse(page.location.as_deref().unwrap()).unwrap();
    let state = consent.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    assert_eq!(admin.get(&format!("/oauth/mastodon/callback?code=x&state={state}")).await.status, 403);
});
