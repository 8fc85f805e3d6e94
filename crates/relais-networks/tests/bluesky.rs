//! Live tests of the Bluesky connector against a local AT Protocol network
//! (`tools/atproto-net/up.sh`, started by `.ci/run`).
//!
//! `RELAIS_TEST_ATPROTO_PDS` names the PDS (e.g. `http://localhost:2583`). Without it the tests
//! are skipped with a loud message; with `RELAIS_TEST_REQUIRE_ATPROTO=1` (set by CI) a missing
//! or silent network fails them instead.

use relais_core::media::MediaKind;
use relais_networks::bluesky::{Bluesky, Credentials};
use relais_networks::{AccountRef, MediaRef, Network, NetworkError, PublishRequest};
use serde_json::{Value, json};

use relais_networks::testing::{local_pds as pds, pds_account, pds_posts as posts_of};

struct TestAccount {
    did: String,
    handle: String,
    account: AccountRef,
}

/// A new account on the local PDS, with a unique handle.
async fn create_account(pds: &str, name: &str) -> TestAccount {
    let a = pds_account(pds, name).await;
    let id = format!("acc-{}", a.handle);
    TestAccount { did: a.did, handle: a.handle.clone(), account: AccountRef { id, handle: a.handle, credentials: a.credentials } }
}

fn request(text: &str) -> PublishRequest {
    PublishRequest {
        text: text.to_string(),
        link: None,
        media: vec![],
        thread: vec![],
        first_comment: None,
        content_warning: None,
        visibility: None,
        idempotency_key: format!("relais-{}", uuid::Uuid::now_v7()),
    }
}

/// A record read back from the PDS by its AT URI.
async fn record(pds: &str, uri: &str) -> Value {
    let rest = uri.strip_prefix("at://").expect("an AT URI");
    let parts: Vec<&str> = rest.split('/').collect();
    let answer: Value = reqwest::Client::new()
        .get(format!("{pds}/xrpc/com.atproto.repo.getRecord"))
        .query(&[("repo", parts[0]), ("collection", parts[1]), ("rkey", parts[2])])
        .send()
        .await
        .expect("getRecord")
        .json()
        .await
        .expect("getRecord answer");
    answer["value"].clone()
}

#[tokio::test]
async fn facets_carry_utf8_byte_offsets() {
    let Some(pds) = pds().await else { return };
    let brand = create_account(&pds, "brand").await;
    let friend = create_account(&pds, "friend").await;
    let text = format!("Été à Noël : @{} voir https://exemple.fr/programme et #café", friend.handle);
    let published = relais_networks::testing::bluesky().publish(&brand.account, &request(&text)).await.expect("publish");
    assert!(published.remote_id.starts_with(&format!("at://{}/app.bsky.feed.post/", brand.did)), "{published:?}");
    assert!(published.url.as_deref().unwrap().starts_with("https://bsky.app/profile/"));

    let value = record(&pds, &published.remote_id).await;
    assert_eq!(value["text"], text);
    let facets = value["facets"].as_array().expect("facets");
    assert_eq!(facets.len(), 3, "{value}");
    let span = |f: &Value| {
        let (start, end) = (f["index"]["byteStart"].as_u64().unwrap() as usize, f["index"]["byteEnd"].as_u64().unwrap() as usize);
        text.as_bytes()[start..end].to_vec()
    };
    let mention = &facets[0];
    assert_eq!(span(mention), format!("@{}", friend.handle).into_bytes());
    assert_eq!(mention["index"]["byteStart"].as_u64().unwrap() as usize, "Été à Noël : ".len());
    assert_ne!("Été à Noël : ".len(), "Été à Noël : ".chars().count(), "the prefix proves bytes, not characters");
    assert_eq!(mention["features"][0]["$type"], "app.bsky.richtext.facet#mention");
    assert_eq!(mention["features"][0]["did"], friend.did.as_str());
    assert_eq!(span(&facets[1]), b"https://exemple.fr/programme");
    assert_eq!(facets[1]["features"][0]["uri"], "https://exemple.fr/programme");
    assert_eq!(span(&facets[2]), "#café".as_bytes());
    assert_eq!(facets[2]["features"][0]["tag"], "café");
}

#[tokio::test]
async fn a_thread_and_its_first_comment_are_replies_in_order() {
    let Some(pds) = pds().await else { return };
    let brand = create_account(&pds, "thread").await;
    let mut req = request("1/3 Le programme de la semaine");
    req.thread = vec!["2/3 Lundi : atelier".into(), "3/3 Mardi : concert".into()];
    req.first_comment = Some("Billets en vente dès demain".into());
    let bluesky = relais_networks::testing::bluesky();
    let published = bluesky.publish(&brand.account, &req).await.expect("publish");

    let mut posts = posts_of(&pds, &brand.did).await;
    posts.reverse();
    let texts: Vec<&str> = posts.iter().map(|p| p["value"]["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["1/3 Le programme de la semaine", "2/3 Lundi : atelier", "3/3 Mardi : concert", "Billets en vente dès demain"]);
    assert_eq!(posts[0]["uri"], published.remote_id.as_str());
    for i in 1..posts.len() {
        let reply = &posts[i]["value"]["reply"];
        assert_eq!(reply["root"]["uri"], posts[0]["uri"], "part {i}");
        assert_eq!(reply["parent"]["uri"], posts[i - 1]["uri"], "part {i}");
        assert_eq!(reply["parent"]["cid"], posts[i - 1]["cid"], "part {i}");
    }
    assert_eq!(bluesky.find_published(&brand.account, &req.idempotency_key).await.unwrap(), Some(published));
}

#[tokio::test]
async fn publishing_twice_with_one_key_makes_one_post() {
    let Some(pds) = pds().await else { return };
    let brand = create_account(&pds, "twice").await;
    let mut req = request("Une seule fois");
    req.thread = vec!["et sa suite".into()];
    assert_eq!(relais_networks::testing::bluesky().find_published(&brand.account, &req.idempotency_key).await.unwrap(), None);

    let first = relais_networks::testing::bluesky().publish(&brand.account, &req).await.expect("first publish");
    // Another process (a fresh connector, no shared memory) retries the same unit.
    let again = relais_networks::testing::bluesky().publish(&brand.account, &req).await.expect("second publish");
    assert_eq!(first, again);
    assert_eq!(posts_of(&pds, &brand.did).await.len(), 2, "one first post and one reply, not four posts");
    assert_eq!(relais_networks::testing::bluesky().find_published(&brand.account, &req.idempotency_key).await.unwrap(), Some(first));
}

#[tokio::test]
async fn an_image_goes_up_with_its_alt_text() {
    let Some(pds) = pds().await else { return };
    let brand = create_account(&pds, "image").await;
    let dir = std::env::temp_dir().join(format!("relais-bsky-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("affiche.png");
    image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([(x * 6) as u8, (y * 8) as u8, 128])).save(&path).unwrap();
    let bytes = std::fs::metadata(&path).unwrap().len();
    let mut req = request("L'affiche du festival");
    req.media = vec![MediaRef {
        sha256: String::new(),
        mime: "image/png".into(),
        kind: MediaKind::Image,
        bytes,
        width: 40,
        height: 30,
        duration_ms: None,
        alt_text: "Affiche bleue du festival, avec les dates".into(),
        path: path.clone(),
    }];
    let published = relais_networks::testing::bluesky().publish(&brand.account, &req).await.expect("publish");
    std::fs::remove_dir_all(&dir).ok();

    let value = record(&pds, &published.remote_id).await;
    let embed = &value["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.images");
    let image = &embed["images"][0];
    assert_eq!(image["alt"], "Affiche bleue du festival, avec les dates");
    assert_eq!(image["aspectRatio"], json!({"width": 40, "height": 30}));
    assert_eq!(image["image"]["mimeType"], "image/png");
    assert_eq!(image["image"]["size"].as_u64(), Some(bytes));
}

#[tokio::test]
async fn a_wrong_app_password_is_an_expired_authorisation() {
    let Some(pds) = pds().await else { return };
    let brand = create_account(&pds, "wrongpw").await;
    let mut account = brand.account.clone();
    account.credentials =
        Credentials { service: pds.clone(), identifier: brand.handle.clone(), app_password: "not-the-password".into() }.to_json();
    match relais_networks::testing::bluesky().publish(&account, &request("refusé")).await {
        Err(NetworkError::AuthExpired(message)) => assert!(message.contains("Bluesky"), "{message}"),
        other => panic!("expected AuthExpired, got {other:?}"),
    }
}

#[tokio::test]
async fn content_over_the_limits_is_refused_before_any_call() {
    let Some(pds) = pds().await else { return };
    let brand = create_account(&pds, "limits").await;
    match relais_networks::testing::bluesky().publish(&brand.account, &request(&"é".repeat(301))).await {
        Err(NetworkError::Permanent(message)) => assert!(message.contains("301 characters, the limit is 300"), "{message}"),
        other => panic!("expected Permanent, got {other:?}"),
    }
    assert!(posts_of(&pds, &brand.did).await.is_empty());
}

#[tokio::test]
async fn an_unfinished_unit_is_not_found_and_a_retry_completes_it() {
    let Some(pds) = pds().await else { return };
    let brand = create_account(&pds, "resume").await;
    let mut req = request("Début");
    req.thread = vec!["milieu".into()];
    req.first_comment = Some("fin".into());
    let first = relais_networks::testing::bluesky().publish(&brand.account, &req).await.expect("publish");

    // As if the worker had died before the first comment went out: remove it.
    let token = relais_networks::testing::pds_session(&pds, &brand.account.credentials).await;
    let client = reqwest::Client::new();
    let last = posts_of(&pds, &brand.did).await[0]["uri"].as_str().unwrap().to_string();
    let rkey = last.rsplit('/').next().unwrap();
    let deleted = client
        .post(format!("{pds}/xrpc/com.atproto.repo.deleteRecord"))
        .bearer_auth(&token)
        .json(&json!({"repo": brand.did, "collection": "app.bsky.feed.post", "rkey": rkey}))
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{:?}", deleted.text().await);
    assert_eq!(posts_of(&pds, &brand.did).await.len(), 2);

    let bluesky = relais_networks::testing::bluesky();
    assert_eq!(bluesky.find_published(&brand.account, &req.idempotency_key).await.unwrap(), None, "the unit is not complete");
    assert_eq!(bluesky.publish(&brand.account, &req).await.expect("retry"), first);
    let posts = posts_of(&pds, &brand.did).await;
    let texts: Vec<&str> = posts.iter().rev().map(|p| p["value"]["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Début", "milieu", "fin"]);
    assert_eq!(posts[0]["uri"], last.as_str(), "the first comment came back under its own key");
    assert_eq!(bluesky.find_published(&brand.account, &req.idempotency_key).await.unwrap(), Some(first));
}

/// By default a PDS at a private address (here the local network on loopback) is not called:
/// the connector's every connection goes through the outbound policy.
#[tokio::test]
async fn the_default_connector_does_not_call_a_private_address() {
    let Some(pds) = pds().await else { return };
    let brand = create_account(&pds, "guarded").await;
    let err = Bluesky::new().check(&brand.account).await.unwrap_err();
    assert!(format!("{err:?}").contains("private or reserved address"), "{err:?}");
    let mut literal = brand.account.clone();
    literal.credentials =
        Credentials { service: pds.replace("localhost", "127.0.0.1"), identifier: brand.handle.clone(), app_password: "x".into() }
            .to_json();
    let err = Bluesky::new().check(&literal).await.unwrap_err();
    assert!(matches!(err, NetworkError::Permanent(ref m) if m.contains("127.0.0.1")), "{err:?}");
    assert!(relais_networks::testing::bluesky().check(&brand.account).await.is_ok());
}
