//! The community side, as a brand lives it: a fan replies, favourites, boosts, mentions and
//! writes privately; Relais reads it all back, answers once, counts, searches, deletes, and
//! hears the stream.

use crate::mock::{Mock, key, mock, request};
use futures_util::StreamExt;
use relais_networks::mastodon::{StreamEvent, Timeline};
use relais_networks::{AccountRef, ActivityKind, Network, PublishRequest, ReplyRequest, Visibility};
use serde_json::{Value, json};
use std::time::Duration;

/// A word no other test (nor another helper sharing the server) writes.
fn unique(word: &str) -> String {
    format!("{word}{}", &uuid::Uuid::new_v4().simple().to_string()[..10])
}

async fn id_of(mock: &Mock, account: &AccountRef) -> String {
    mock.get(account, "/api/v1/accounts/verify_credentials").await["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_fans_activity_comes_in_with_the_right_kinds_and_the_marker_loses_nothing() {
    let Some(mock) = mock().await else { return };
    let (brand, fan) = (mock.account().await, mock.account().await);
    let net = relais_networks::testing::mastodon();
    let post = net.publish(&brand, &request("Notre pain de saison", &key())).await.unwrap();
    let brand_id = id_of(&mock, &brand).await;

    mock.act(&fan, &format!("/api/v1/accounts/{brand_id}/follow"), json!({})).await;
    mock.act(&fan, &format!("/api/v1/statuses/{}/favourite", post.remote_id), json!({})).await;
    mock.act(&fan, &format!("/api/v1/statuses/{}/reblog", post.remote_id), json!({})).await;
    let reply = mock
        .act(
            &fan,
            "/api/v1/statuses",
            json!({ "status": format!("@{} Bravo &amp; merci", brand.handle), "in_reply_to_id": post.remote_id, "language": "fr" }),
        )
        .await;
    let mention = mock.act(&fan, "/api/v1/statuses", json!({ "status": format!("Allez voir @{}", brand.handle) })).await;
    let private =
        mock.act(&fan, "/api/v1/statuses", json!({ "status": format!("@{} une question", brand.handle), "visibility": "direct" })).await;

    let page = net.fetch_activity(&brand, None).await.unwrap();
    let kinds: Vec<ActivityKind> = page.items.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [
            ActivityKind::Follow,
            ActivityKind::Like,
            ActivityKind::Repost,
            ActivityKind::Reply,
            ActivityKind::Mention,
            ActivityKind::DirectMessage
        ],
        "{page:#?}"
    );
    let fan_handle = fan.handle.as_str();
    assert!(page.items.iter().all(|a| a.author.handle == fan_handle), "{page:#?}");
    let (like, repost, answer) = (&page.items[1], &page.items[2], &page.items[3]);
    assert_eq!(like.subject_remote_id.as_deref(), Some(post.remote_id.as_str()));
    assert_eq!(repost.subject_remote_id.as_deref(), Some(post.remote_id.as_str()));
    assert!(like.remote_id.starts_with("notification:") && like.text.is_empty(), "{like:?}");
    assert_eq!(answer.remote_id, reply["id"].as_str().unwrap(), "a message is its status id");
    assert_eq!(answer.parent_remote_id.as_deref(), Some(post.remote_id.as_str()));
    assert_eq!(answer.subject_remote_id.as_deref(), Some(post.remote_id.as_str()));
    assert_eq!(answer.text, format!("@{} Bravo &amp; merci", brand.handle), "HTML read back as the text written");
    assert_eq!(answer.language.as_deref(), Some("fr"));
    assert_eq!(answer.url.as_deref(), reply["url"].as_str());
    assert_eq!(page.items[4].remote_id, mention["id"].as_str().unwrap());
    assert_eq!(page.items[5].remote_id, private["id"].as_str().unwrap());

    // Nothing new since the marker: nothing, and no new marker.
    let marker = page.next_since.clone().expect("a marker");
    let again = net.fetch_activity(&brand, Some(&marker)).await.unwrap();
    assert!(again.items.is_empty() && again.next_since.is_none(), "{again:?}");

    // More than a page arrives after the marker: every one comes back, oldest first.
    let mut sent = Vec::new();
    for i in 0..45 {
        let s = mock.act(&fan, "/api/v1/statuses", json!({ "status": format!("@{} message {i}", brand.handle) })).await;
        sent.push(s["id"].as_str().unwrap().to_string());
    }
    let next = net.fetch_activity(&brand, Some(&marker)).await.unwrap();
    let got: Vec<&str> = next.items.iter().map(|a| a.remote_id.as_str()).collect();
    assert_eq!(got, sent.iter().map(String::as_str).collect::<Vec<_>>());
    let last = next.next_since.expect("a newer marker");
    assert!(net.fetch_activity(&brand, Some(&last)).await.unwrap().items.is_empty());
}

#[tokio::test]
async fn a_reply_from_relais_lands_once_in_the_thread_it_answers() {
    let Some(mock) = mock().await else { return };
    let (brand, fan) = (mock.account().await, mock.account().await);
    let net = relais_networks::testing::mastodon();
    let post = net.publish(&brand, &request("Ouverture dimanche", &key())).await.unwrap();
    let question = mock
        .act(&fan, "/api/v1/statuses", json!({ "status": format!("@{} À quelle heure ?", brand.handle), "in_reply_to_id": post.remote_id }))
        .await;
    let question_id = question["id"].as_str().unwrap().to_string();

    // The thread above the fan's question: the brand's post.
    let above = net.context(&brand, &question_id).await.unwrap();
    assert_eq!(above.iter().map(|p| p.remote_id.as_str()).collect::<Vec<_>>(), [post.remote_id.as_str()]);
    assert_eq!(above[0].text, "Ouverture dimanche");

    let answer = ReplyRequest { parent_remote_id: question_id.clone(), text: "Dès 9 h !".into(), idempotency_key: key() };
    let first = net.reply(&brand, &answer).await.unwrap();
    let second = net.reply(&brand, &answer).await.unwrap();
    assert_eq!(first, second, "the same key answers the same status");

    let context = mock.get(&fan, &format!("/api/v1/statuses/{question_id}/context")).await;
    let replies: Vec<&Value> = context["descendants"].as_array().unwrap().iter().collect();
    assert_eq!(replies.len(), 1, "{context:#}");
    assert_eq!(replies[0]["id"].as_str(), Some(first.remote_id.as_str()));
    assert_eq!(mock.source(&brand, &replies[0]["id"]).await, format!("@{} Dès 9 h !", fan.handle), "the fan is mentioned, so told");

    // The root first, then the post replied to.
    let chain = net.context(&brand, &first.remote_id).await.unwrap();
    assert_eq!(chain.iter().map(|p| p.remote_id.as_str()).collect::<Vec<_>>(), [post.remote_id.as_str(), question_id.as_str()]);
    assert_eq!(chain[1].parent_remote_id.as_deref(), Some(post.remote_id.as_str()));

    // A private message gets a private answer.
    let dm = mock.act(&fan, "/api/v1/statuses", json!({ "status": format!("@{} en privé", brand.handle), "visibility": "direct" })).await;
    let request = ReplyRequest { parent_remote_id: dm["id"].as_str().unwrap().into(), text: "Bien reçu".into(), idempotency_key: key() };
    let private = net.reply(&brand, &request).await.unwrap();
    assert_eq!(mock.get(&brand, &format!("/api/v1/statuses/{}", private.remote_id)).await["visibility"], "direct");
}

#[tokio::test]
async fn metrics_count_what_the_fan_did() {
    let Some(mock) = mock().await else { return };
    let (brand, fan) = (mock.account().await, mock.account().await);
    let net = relais_networks::testing::mastodon();
    let post = net.publish(&brand, &request("À compter", &key())).await.unwrap();
    let gone = net.publish(&brand, &request("À effacer", &key())).await.unwrap();
    net.delete(&brand, &gone.remote_id).await.unwrap();
    mock.act(&fan, &format!("/api/v1/statuses/{}/favourite", post.remote_id), json!({})).await;
    mock.act(&fan, &format!("/api/v1/statuses/{}/reblog", post.remote_id), json!({})).await;
    mock.act(&fan, "/api/v1/statuses", json!({ "status": "Réponse", "in_reply_to_id": post.remote_id })).await;

    let metrics = net.post_metrics(&brand, &[post.remote_id.clone(), gone.remote_id.clone()]).await.unwrap();
    assert_eq!(metrics.len(), 1, "a deleted status is left out: {metrics:?}");
    let m = &metrics[0];
    assert_eq!((m.remote_id.as_str(), m.likes, m.reposts, m.replies, m.quotes), (post.remote_id.as_str(), 1, 1, 1, 0));

    let brand_id = id_of(&mock, &brand).await;
    mock.act(&fan, &format!("/api/v1/accounts/{brand_id}/follow"), json!({})).await;
    let account = net.account_metrics(&brand).await.unwrap();
    assert_eq!((account.followers, account.following, account.posts), (1, 0, 1));
}

#[tokio::test]
async fn search_finds_the_status_and_delete_removes_its_whole_unit() {
    let Some(mock) = mock().await else { return };
    let brand = mock.account().await;
    let net = relais_networks::testing::mastodon();
    let word = unique("fournil");
    let req = PublishRequest {
        thread: vec!["2/2 la suite".into()],
        first_comment: Some("Le lien".into()),
        ..request(&format!("Le {word} ouvre"), &key())
    };
    let post = net.publish(&brand, &req).await.unwrap();
    let mut others = Vec::new();
    for status in mock.statuses(&brand).await {
        others.push(status["id"].as_str().unwrap().to_string());
    }
    assert_eq!(others.len(), 3);

    let found = net.search(&brand, &word, None).await.unwrap();
    assert_eq!(found.posts.iter().map(|p| p.remote_id.as_str()).collect::<Vec<_>>(), [post.remote_id.as_str()]);
    assert_eq!(found.posts[0].text, format!("Le {word} ouvre"));
    assert_eq!(found.cursor, None, "one result, no further page");
    assert!(net.search(&brand, &unique("introuvable"), None).await.unwrap().posts.is_empty());

    net.delete(&brand, &post.remote_id).await.unwrap();
    for id in &others {
        assert_eq!(mock.status_of(&brand, &format!("/api/v1/statuses/{id}")).await, 404, "{id} is still there");
    }
    assert!(net.search(&brand, &word, None).await.unwrap().posts.is_empty());
    net.delete(&brand, &post.remote_id).await.expect("deleting what is gone is not an error");
}

#[tokio::test]
async fn a_content_warning_and_a_visibility_reach_every_part() {
    let Some(mock) = mock().await else { return };
    let brand = mock.account().await;
    let net = relais_networks::testing::mastodon();
    let req = PublishRequest {
        content_warning: Some("Divulgâchage".into()),
        visibility: Some(Visibility::Followers),
        thread: vec!["la fin".into()],
        ..request("Le film se termine bien", &key())
    };
    net.publish(&brand, &req).await.unwrap();
    let statuses = mock.statuses(&brand).await;
    assert_eq!(statuses.len(), 2);
    for status in &statuses {
        assert_eq!(status["spoiler_text"], "Divulgâchage", "{status:#}");
        assert_eq!(status["visibility"], "private", "followers only is Mastodon's private");
    }
    let unlisted =
        net.publish(&brand, &PublishRequest { visibility: Some(Visibility::Unlisted), ..request("Discret", &key()) }).await.unwrap();
    let status = mock.get(&brand, &format!("/api/v1/statuses/{}", unlisted.remote_id)).await;
    assert_eq!((status["visibility"].as_str(), status["spoiler_text"].as_str()), (Some("unlisted"), Some("")));
}

type Events = futures_util::stream::BoxStream<'static, Result<StreamEvent, relais_networks::NetworkError>>;

async fn next(stream: &mut Events) -> Result<StreamEvent, relais_networks::NetworkError> {
    tokio::time::timeout(Duration::from_secs(10), stream.next()).await.expect("an event within 10 s").expect("the stream is open")
}

#[tokio::test]
async fn the_stream_delivers_updates_notifications_and_deletions() {
    let Some(mock) = mock().await else { return };
    let (brand, fan) = (mock.account().await, mock.account().await);
    let net = relais_networks::testing::mastodon();
    let mut stream = net.stream(&brand, Timeline::User).await.unwrap();
    let post = net.publish(&brand, &request("En direct du fournil", &key())).await.unwrap();
    let Ok(StreamEvent::Update(update)) = next(&mut stream).await else { panic!("an update") };
    assert_eq!((update.remote_id.as_str(), update.text.as_str()), (post.remote_id.as_str(), "En direct du fournil"));

    mock.act(&fan, &format!("/api/v1/statuses/{}/favourite", post.remote_id), json!({})).await;
    let Ok(StreamEvent::Notification(like)) = next(&mut stream).await else { panic!("a notification") };
    assert_eq!((like.kind, like.subject_remote_id.as_deref()), (ActivityKind::Like, Some(post.remote_id.as_str())));

    net.delete(&brand, &post.remote_id).await.unwrap();
    assert_eq!(next(&mut stream).await, Ok(StreamEvent::Delete(post.remote_id.clone())));

    // The public stream carries the fan's public status too.
    let mut public = net.stream(&brand, Timeline::Public).await.unwrap();
    let said = mock.act(&fan, "/api/v1/statuses", json!({ "status": "Bonjour à tous" })).await;
    loop {
        match next(&mut public).await {
            Ok(StreamEvent::Update(p)) if p.remote_id == said["id"].as_str().unwrap() => {
                assert_eq!(p.author.handle, fan.handle);
                break;
            }
            // Other helpers share the server: their public statuses pass by.
            Ok(_) => continue,
            Err(e) => panic!("{e}"),
        }
    }
}
