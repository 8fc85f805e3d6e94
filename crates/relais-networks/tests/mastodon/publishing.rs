//! Publishing: links, idempotency, threads, media, errors, OAuth.

use crate::mock::{key, mock, request};
use relais_core::media::MediaKind;
use relais_networks::mastodon;
use relais_networks::{AccountRef, MediaRef, Network, NetworkError, PublishRequest};
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn publishes_a_status_with_its_link() {
    let Some(mock) = mock().await else { return };
    let account = mock.account().await;
    let req = PublishRequest { link: Some("https://exemple.fr/pret-artisan".into()), ..request("Le prêt Artisan arrive", &key()) };
    let published = relais_networks::testing::mastodon().publish(&account, &req).await.unwrap();

    let status = mock.get(&account, &format!("/api/v1/statuses/{}", published.remote_id)).await;
    assert_eq!(mock.source(&account, &status["id"]).await, "Le prêt Artisan arrive\n\nhttps://exemple.fr/pret-artisan");
    assert_eq!(status["visibility"], "public");
    assert_eq!(status["url"].as_str(), published.url.as_deref());
    assert!(status["content"].as_str().unwrap().contains("href=\"https://exemple.fr/pret-artisan\""), "{status}");
}

#[tokio::test]
async fn the_same_key_twice_makes_one_status() {
    let Some(mock) = mock().await else { return };
    let account = mock.account().await;
    let req = request("Une seule fois", &key());
    let net = relais_networks::testing::mastodon();
    let first = net.publish(&account, &req).await.unwrap();
    assert_eq!(net.find_published(&account, &req.idempotency_key).await.unwrap(), None, "Mastodon has no lookup by key");
    let again = net.publish(&account, &req).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(mock.statuses(&account).await.len(), 1);

    // The text-and-time lookup finds it when asked from before the publish, not after.
    let before = jiff::Timestamp::now().as_millisecond() - 60_000;
    assert_eq!(net.find_recent(&account, "Une seule fois", before).await.unwrap(), Some(first));
    assert_eq!(net.find_recent(&account, "Une autre", before).await.unwrap(), None);
    assert_eq!(net.find_recent(&account, "Une seule fois", before + 3_600_000).await.unwrap(), None);
}

#[tokio::test]
async fn a_thread_and_its_first_comment_are_chained_and_a_retry_completes_it() {
    let Some(mock) = mock().await else { return };
    let account = mock.account().await;
    let req = PublishRequest {
        thread: vec!["2/3 la suite".into(), "3/3 la fin".into()],
        first_comment: Some("Le lien : https://exemple.fr".into()),
        ..request("1/3 le début", &key())
    };
    // A worker dies after the first post went out: the unit is half made.
    let net = relais_networks::testing::mastodon();
    let first_try = net.publish(&account, &PublishRequest { thread: vec![], first_comment: None, ..req.clone() }).await.unwrap();
    // The next try meets a server that is down.
    mock.fault("POST", "/api/v1/statuses", json!({ "type": "status", "status": 503 }), 1).await;
    let failed = net.publish(&account, &req).await.unwrap_err();
    assert!(matches!(failed, NetworkError::Transient(ref m) if m.contains("503")), "{failed:?}");

    // The retry: the first post comes back from its key, the rest is created once.
    let published = net.publish(&account, &req).await.unwrap();
    assert_eq!(published, first_try);
    let statuses = mock.statuses(&account).await;
    assert_eq!(statuses.len(), 4, "{statuses:#?}");
    let mut texts = Vec::new();
    for status in &statuses {
        texts.push(mock.source(&account, &status["id"]).await);
    }
    let by_text = |t: &str| &statuses[texts.iter().position(|x| x == t).unwrap_or_else(|| panic!("no status “{t}” in {texts:?}"))];
    let (one, two, three, comment) =
        (by_text("1/3 le début"), by_text("2/3 la suite"), by_text("3/3 la fin"), by_text("Le lien : https://exemple.fr"));
    assert!(one["in_reply_to_id"].is_null());
    assert_eq!(two["in_reply_to_id"], one["id"]);
    assert_eq!(three["in_reply_to_id"], two["id"]);
    assert_eq!(comment["in_reply_to_id"], three["id"]);
}

#[tokio::test]
async fn an_image_goes_through_v2_media_with_its_alt_text() {
    let Some(mock) = mock().await else { return };
    let account = mock.account().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("affiche.png");
    std::fs::write(&path, b"\x89PNG\r\n\x1a\n not really a picture, the imitation does not look").unwrap();
    let image = MediaRef {
        sha256: "0".repeat(64),
        mime: "image/png".into(),
        kind: MediaKind::Image,
        bytes: 60,
        width: 1,
        height: 1,
        duration_ms: None,
        alt_text: "Affiche du salon de l'artisanat".into(),
        path,
    };
    let req = PublishRequest { media: vec![image], ..request("Notre affiche", &key()) };
    let published =
        relais_networks::testing::mastodon().with_media_wait(Duration::from_millis(50), 20).publish(&account, &req).await.unwrap();

    let status = mock.get(&account, &format!("/api/v1/statuses/{}", published.remote_id)).await;
    let media = status["media_attachments"].as_array().unwrap();
    assert_eq!(media.len(), 1, "{status}");
    assert_eq!(media[0]["type"], "image");
    assert_eq!(media[0]["description"], "Affiche du salon de l'artisanat");
}

#[tokio::test]
async fn a_medium_still_processing_is_waited_for() {
    let Some(mock) = mock().await else { return };
    let account = mock.account().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.mp4");
    std::fs::write(&path, b"not really a video").unwrap();
    // An uploaded medium to stand for the one the server is still processing: the upload
    // answers 202 with no URL, the first poll 206, the second the processed medium.
    let creds = mastodon::Credentials::parse(&account.credentials).unwrap();
    let part = reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("clip.mp4").mime_str("video/mp4").unwrap();
    let uploaded: Value = mock
        .http
        .post(format!("{}/api/v2/media", mock.base))
        .bearer_auth(&creds.access_token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = uploaded["id"].as_str().unwrap();
    mock.fault("POST", "/api/v2/media", json!({ "type": "status", "status": 202, "body": { "id": id, "type": "video", "url": null } }), 1)
        .await;
    mock.fault("GET", &format!("/api/v1/media/{id}"), json!({ "type": "status", "status": 206, "body": { "id": id, "url": null } }), 1)
        .await;
    let video = MediaRef {
        sha256: "0".repeat(64),
        mime: "video/mp4".into(),
        kind: MediaKind::Video,
        bytes: 18,
        width: 640,
        height: 360,
        duration_ms: Some(1000),
        alt_text: String::new(),
        path,
    };
    let req = PublishRequest { media: vec![video.clone()], ..request("Le clip", &key()) };
    let published =
        relais_networks::testing::mastodon().with_media_wait(Duration::from_millis(20), 5).publish(&account, &req).await.unwrap();
    let status = mock.get(&account, &format!("/api/v1/statuses/{}", published.remote_id)).await;
    assert_eq!(status["media_attachments"][0]["id"], id);

    // Processing that never ends is a temporary failure that says how long it waited.
    mock.fault("POST", "/api/v2/media", json!({ "type": "status", "status": 202, "body": { "id": id, "url": null } }), 1).await;
    mock.fault("GET", &format!("/api/v1/media/{id}"), json!({ "type": "status", "status": 206, "body": { "id": id, "url": null } }), 10)
        .await;
    let req = PublishRequest { media: vec![video], ..request("Le clip encore", &key()) };
    let err = relais_networks::testing::mastodon().with_media_wait(Duration::from_millis(10), 3).publish(&account, &req).await.unwrap_err();
    assert!(matches!(err, NetworkError::Transient(ref m) if m.contains("still being processed")), "{err:?}");
}

#[tokio::test]
async fn a_bad_token_means_the_authorisation_expired() {
    let Some(mock) = mock().await else { return };
    let creds = mastodon::Credentials { instance: mock.base.clone(), access_token: "revoked".into() };
    let account = AccountRef { id: "a".into(), handle: "h".into(), credentials: serde_json::to_string(&creds).unwrap() };
    let err = relais_networks::testing::mastodon().publish(&account, &request("Bonjour", &key())).await.unwrap_err();
    assert!(matches!(err, NetworkError::AuthExpired(ref m) if m.contains("401")), "{err:?}");
}

#[tokio::test]
async fn a_refused_status_is_permanent_with_the_servers_words() {
    let Some(mock) = mock().await else { return };
    let account = mock.account().await;
    let err = relais_networks::testing::mastodon().publish(&account, &request(&"é".repeat(501), &key())).await.unwrap_err();
    let NetworkError::Permanent(message) = err else { panic!("{err:?}") };
    assert!(message.contains("422") && message.contains("Text is too long (maximum is 500 characters)"), "{message}");
}

#[tokio::test]
async fn rate_limits_say_when_to_come_back() {
    let Some(mock) = mock().await else { return };
    let account = mock.account().await;
    mock.fault("POST", "/api/v1/statuses", json!({ "type": "ratelimit" }), 1).await;
    let err = relais_networks::testing::mastodon().publish(&account, &request("Trop vite", &key())).await.unwrap_err();
    let NetworkError::RateLimited { retry_after_ms, message } = err else { panic!("{err:?}") };
    assert!((200_000..=301_000).contains(&retry_after_ms), "{retry_after_ms}");
    assert!(message.contains("429"), "{message}");
}

#[tokio::test]
async fn an_account_connects_through_the_authorization_code_flow() {
    let Some(mock) = mock().await else { return };
    let user: Value = mock.post_json("/api/v1/_mock/dev_user", json!({})).await;
    let http = mastodon::http_client(&relais_networks::testing::loopback());
    let redirect = "http://relais.test/comptes/mastodon/retour";
    let app = mastodon::register_app(&http, &format!("{}/", mock.base), redirect).await.unwrap();
    let url = mastodon::authorize_url(&mock.base, &app, redirect, "etat-42").unwrap();
    assert!(url.starts_with(&format!("{}/oauth/authorize?response_type=code&client_id=", mock.base)), "{url}");
    assert!(url.contains("scope=read+write") && url.contains("state=etat-42"), "{url}");

    // The person picks their account on the imitation's page, which redirects with a code.
    let form =
        [("username", user["username"].as_str().unwrap()), ("redirect_uri", redirect), ("client_id", &app.client_id), ("state", "etat-42")];
    let answer = http.post(format!("{}/oauth/authorize", mock.base)).form(&form).send().await.unwrap();
    let location = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let code = location.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    assert!(location.query_pairs().any(|(k, v)| k == "state" && v == "etat-42"));

    let token = mastodon::exchange_code(&http, &mock.base, &app, redirect, &code).await.unwrap();
    let creds = mastodon::Credentials { instance: mock.base.clone(), access_token: token };
    let account = AccountRef { id: "a".into(), handle: "h".into(), credentials: serde_json::to_string(&creds).unwrap() };
    let me = mock.get(&account, "/api/v1/accounts/verify_credentials").await;
    assert_eq!(me["username"], user["username"]);

    let err = mastodon::exchange_code(&http, &mock.base, &app, redirect, "not-a-code").await.unwrap_err();
    assert!(matches!(err, NetworkError::Permanent(ref m) if m.contains("invalid_grant")), "{err:?}");
}

/// By default an instance at a private address (here mastodon-mock on loopback) is not called.
#[tokio::test]
async fn the_default_connector_does_not_call_a_private_address() {
    let Some(mock) = mock().await else { return };
    let account = mock.account().await;
    let err = relais_networks::mastodon::Mastodon::new().check(&account).await.unwrap_err();
    assert!(matches!(err, NetworkError::Permanent(ref m) if m.contains("127.0.0.1")), "{err:?}");
    assert!(relais_networks::testing::mastodon().check(&account).await.is_ok());
}
