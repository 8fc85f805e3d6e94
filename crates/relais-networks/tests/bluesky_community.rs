//! Live tests of what the Bluesky connector reads from and answers to an account's community,
//! against the local AT Protocol network (`tools/atproto-net/up.sh`): a brand account publishes
//! through the connector, a second account reacts with plain XRPC calls as any Bluesky app would.
//!
//! The AppView indexes a little after the PDS stores a record, so what goes through it is polled
//! for (at most [`PATIENCE`]), never waited for with fixed sleeps.

use relais_networks::bluesky::firehose::{Firehose, FirehoseError, FirehoseEvent};
use relais_networks::testing::{PATIENCE, Person, eventually, local_pds, pds_account, pds_posts};
use relais_networks::{AccountRef, Activity, ActivityKind, Network, NetworkError, PublishRequest, ReplyRequest};
use serde_json::{Value, json};
use std::time::Instant;

struct Brand {
    did: String,
    handle: String,
    account: AccountRef,
}

async fn brand(pds: &str, name: &str) -> Brand {
    let a = pds_account(pds, name).await;
    let account = AccountRef { id: format!("acc-{}", a.handle), handle: a.handle.clone(), credentials: a.credentials };
    Brand { did: a.did, handle: a.handle, account }
}

/// The post's strong reference `{uri, cid}`, read from its repository.
async fn strong_ref(pds: &str, uri: &str) -> Value {
    let answer = get_record(pds, uri).await.expect("the record exists");
    json!({"uri": answer["uri"], "cid": answer["cid"]})
}

/// `com.atproto.repo.getRecord`, or `None` when the PDS answers RecordNotFound.
async fn get_record(pds: &str, uri: &str) -> Option<Value> {
    let parts: Vec<&str> = uri.strip_prefix("at://").unwrap().split('/').collect();
    let response = reqwest::Client::new()
        .get(format!("{pds}/xrpc/com.atproto.repo.getRecord"))
        .query(&[("repo", parts[0]), ("collection", parts[1]), ("rkey", parts[2])])
        .send()
        .await
        .unwrap();
    let ok = response.status().is_success();
    let answer: Value = response.json().await.unwrap();
    if ok {
        return Some(answer);
    }
    assert_eq!(answer["error"], "RecordNotFound", "{answer}");
    None
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
        idempotency_key: new_key(),
    }
}

fn new_key() -> String {
    format!("relais-{}", uuid::Uuid::now_v7())
}

fn find<'a>(items: &'a [Activity], uri: &Value) -> Option<&'a Activity> {
    items.iter().find(|a| a.remote_id == uri["uri"].as_str().unwrap())
}

#[tokio::test]
async fn replies_mentions_quotes_likes_reposts_and_follows_reach_the_inbox() {
    let Some(pds) = local_pds().await else { return };
    let brand = brand(&pds, "inbox").await;
    let fan = Person::new(&pds, "fan").await;
    let bluesky = relais_networks::testing::bluesky();
    let post = bluesky.publish(&brand.account, &request("Nouvelle carte d'automne")).await.expect("publish");
    let post = strong_ref(&pds, &post.remote_id).await;
    fan.sees(&post).await;

    let reply = fan.reply(&post, &post, "Elle a l'air délicieuse").await;
    let like = fan.write("app.bsky.feed.like", json!({"subject": post})).await;
    let repost = fan.write("app.bsky.feed.repost", json!({"subject": post})).await;
    let quote =
        fan.write("app.bsky.feed.post", json!({"text": "À goûter", "embed": {"$type": "app.bsky.embed.record", "record": post}})).await;
    let mention_text = format!("Bonjour @{} !", brand.handle);
    let start = "Bonjour ".len();
    let mention = fan
        .write(
            "app.bsky.feed.post",
            json!({"text": mention_text, "facets": [{"index": {"byteStart": start, "byteEnd": start + 1 + brand.handle.len()},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": brand.did}]}]}),
        )
        .await;
    let follow = fan.write("app.bsky.graph.follow", json!({"subject": brand.did})).await;
    let everything = [&reply, &like, &repost, &quote, &mention, &follow];

    let page = eventually("the six notifications", || async {
        let page = bluesky.fetch_activity(&brand.account, None).await.expect("fetch_activity");
        everything.iter().all(|uri| find(&page.items, uri).is_some()).then_some(page)
    })
    .await;
    let times: Vec<i64> = page.items.iter().map(|a| a.created_at_ms).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first: {times:?}");
    for item in &page.items {
        assert_eq!(item.author.remote_id, fan.did);
        assert_eq!(item.author.handle, fan.handle);
    }
    let post_uri = post["uri"].as_str();
    let r = find(&page.items, &reply).unwrap();
    assert_eq!((r.kind, r.text.as_str(), r.language.as_deref()), (ActivityKind::Reply, "Elle a l'air délicieuse", Some("fr")));
    assert_eq!(
        (r.subject_remote_id.as_deref(), r.parent_remote_id.as_deref(), r.root_remote_id.as_deref()),
        (post_uri, post_uri, post_uri)
    );
    let rkey = reply["uri"].as_str().unwrap().rsplit('/').next().unwrap();
    assert_eq!(r.url.as_deref(), Some(format!("https://bsky.app/profile/{}/post/{rkey}", fan.handle).as_str()));
    let l = find(&page.items, &like).unwrap();
    assert_eq!((l.kind, l.text.as_str(), l.subject_remote_id.as_deref()), (ActivityKind::Like, "", post_uri));
    let rp = find(&page.items, &repost).unwrap();
    assert_eq!((rp.kind, rp.subject_remote_id.as_deref()), (ActivityKind::Repost, post_uri));
    let q = find(&page.items, &quote).unwrap();
    assert_eq!((q.kind, q.text.as_str(), q.subject_remote_id.as_deref()), (ActivityKind::Quote, "À goûter", post_uri));
    let m = find(&page.items, &mention).unwrap();
    assert_eq!((m.kind, m.text.as_str(), m.parent_remote_id.as_deref()), (ActivityKind::Mention, mention_text.as_str(), None));
    assert_eq!(find(&page.items, &follow).unwrap().kind, ActivityKind::Follow);

    // What comes after the marker is not lost, and the marker moves on.
    let marker = page.next_since.clone().expect("a marker");
    let later = fan.reply(&post, &reply, "Et le dessert ?").await;
    let next = eventually("the reply written after the first fetch", || async {
        let next = bluesky.fetch_activity(&brand.account, Some(&marker)).await.expect("fetch_activity since");
        find(&next.items, &later).is_some().then_some(next)
    })
    .await;
    let l = find(&next.items, &later).unwrap();
    assert_eq!(
        (l.kind, l.parent_remote_id.as_deref(), l.root_remote_id.as_deref()),
        (ActivityKind::Reply, reply["uri"].as_str(), post_uri)
    );
    let new_marker = next.next_since.expect("a newer marker");
    assert!(new_marker > marker, "{new_marker} after {marker}");
    let quiet = bluesky.fetch_activity(&brand.account, Some(&new_marker)).await.unwrap();
    assert_eq!(quiet.next_since, None, "nothing newer: keep the marker");
    assert!(quiet.items.iter().all(|a| a.created_at_ms <= l.created_at_ms + 1), "only the overlap comes back");
    match bluesky.fetch_activity(&brand.account, Some("yesterday")).await {
        Err(NetworkError::Permanent(message)) => assert!(message.contains("\"yesterday\""), "{message}"),
        other => panic!("a marker that is no date is refused, got {other:?}"),
    }
}

#[tokio::test]
async fn the_brand_replies_in_the_thread_exactly_once() {
    let Some(pds) = local_pds().await else { return };
    let brand = brand(&pds, "answers").await;
    let fan = Person::new(&pds, "asker").await;
    let published = relais_networks::testing::bluesky().publish(&brand.account, &request("Ouverture samedi")).await.expect("publish");
    let post = strong_ref(&pds, &published.remote_id).await;
    fan.sees(&post).await;
    let question = fan.reply(&post, &post, "À quelle heure ?").await;
    let question_uri = question["uri"].as_str().unwrap();

    let context = eventually("the thread above the question", || async {
        let context = relais_networks::testing::bluesky().context(&brand.account, question_uri).await.ok()?;
        (!context.is_empty()).then_some(context)
    })
    .await;
    assert_eq!(context.len(), 1);
    assert_eq!(context[0].remote_id, published.remote_id);
    assert_eq!((context[0].text.as_str(), context[0].author.remote_id.as_str()), ("Ouverture samedi", brand.did.as_str()));

    let answer = ReplyRequest {
        parent_remote_id: question_uri.to_string(),
        text: "Dès 9 h, @".to_string() + &fan.handle,
        idempotency_key: new_key(),
    };
    let first = relais_networks::testing::bluesky().reply(&brand.account, &answer).await.expect("reply");
    // A retry from another process (no shared memory) finds the reply instead of writing another.
    let again = relais_networks::testing::bluesky().reply(&brand.account, &answer).await.expect("reply again");
    assert_eq!(first, again);
    assert_eq!(
        relais_networks::testing::bluesky().find_published(&brand.account, &answer.idempotency_key).await.unwrap(),
        Some(first.clone())
    );

    let record = get_record(&pds, &first.remote_id).await.expect("the reply")["value"].clone();
    assert_eq!(record["reply"]["root"], post, "the thread's root");
    assert_eq!(record["reply"]["parent"], question);
    assert_eq!(record["facets"][0]["features"][0]["did"], fan.did.as_str(), "the reply's mention is a facet");

    let replies = eventually("the brand's reply in the thread", || async {
        let thread = fan.view("app.bsky.feed.getPostThread", &[("uri", published.remote_id.as_str())]).await;
        let replies: Vec<Value> = thread["thread"]["replies"][0]["replies"].as_array().cloned().unwrap_or_default();
        (!replies.is_empty()).then_some(replies)
    })
    .await;
    assert_eq!(replies.len(), 1, "exactly one reply: {replies:?}");
    assert_eq!(replies[0]["post"]["uri"], first.remote_id.as_str());
    assert_eq!(pds_posts(&pds, &brand.did).await.len(), 2, "the post and one reply");
}

#[tokio::test]
async fn metrics_follow_likes_replies_reposts_and_followers() {
    let Some(pds) = local_pds().await else { return };
    let brand = brand(&pds, "metrics").await;
    let fan = Person::new(&pds, "counter").await;
    let bluesky = relais_networks::testing::bluesky();
    let published = bluesky.publish(&brand.account, &request("Combien de cafés ?")).await.expect("publish");
    let post = strong_ref(&pds, &published.remote_id).await;
    fan.sees(&post).await;
    fan.write("app.bsky.feed.like", json!({"subject": post})).await;
    fan.write("app.bsky.feed.repost", json!({"subject": post})).await;
    fan.reply(&post, &post, "Trois").await;
    fan.write("app.bsky.graph.follow", json!({"subject": brand.did})).await;

    let missing = format!("at://{}/app.bsky.feed.post/3kzzzzzzzzzz2", brand.did);
    let uris = [published.remote_id.clone(), missing];
    let metrics = eventually("the like, the repost and the reply counted", || async {
        let metrics = bluesky.post_metrics(&brand.account, &uris).await.expect("post_metrics");
        metrics.iter().any(|m| m.likes == 1 && m.reposts == 1 && m.replies >= 1).then_some(metrics)
    })
    .await;
    assert_eq!(metrics.len(), 1, "a post the network does not have is left out: {metrics:?}");
    assert_eq!((metrics[0].remote_id.as_str(), metrics[0].quotes, metrics[0].impressions), (published.remote_id.as_str(), 0, None));

    let account = eventually("the follower counted", || async {
        let m = bluesky.account_metrics(&brand.account).await.expect("account_metrics");
        (m.followers == 1).then_some(m)
    })
    .await;
    assert_eq!((account.following, account.posts), (0, 1));
}

#[tokio::test]
async fn search_finds_a_post_by_a_unique_word() {
    let Some(pds) = local_pds().await else { return };
    let brand = brand(&pds, "search").await;
    let fan = Person::new(&pds, "seeker").await;
    let word = format!("relaismot{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let fans_post = fan.write("app.bsky.feed.post", json!({"text": format!("On parle de {word} ici"), "langs": ["fr"]})).await;
    let bluesky = relais_networks::testing::bluesky();
    let page = eventually("the post in the search results", || async {
        let page = bluesky.search(&brand.account, &word, None).await.expect("search");
        (!page.posts.is_empty()).then_some(page)
    })
    .await;
    assert_eq!(page.posts.len(), 1, "{page:?}");
    let found = &page.posts[0];
    assert_eq!(found.remote_id, fans_post["uri"].as_str().unwrap());
    assert_eq!((found.author.remote_id.as_str(), found.author.handle.as_str()), (fan.did.as_str(), fan.handle.as_str()));
    assert_eq!((found.text.clone(), found.language.as_deref()), (format!("On parle de {word} ici"), Some("fr")));
    let none = bluesky.search(&brand.account, &format!("{word}absent"), None).await.unwrap();
    assert!(none.posts.is_empty() && none.cursor.is_none(), "{none:?}");
    match bluesky.search(&brand.account, "  ", None).await {
        Err(NetworkError::Permanent(message)) => assert!(message.contains("empty"), "{message}"),
        other => panic!("an empty query is refused, got {other:?}"),
    }
}

#[tokio::test]
async fn deleting_a_post_removes_its_whole_unit_and_only_it() {
    let Some(pds) = local_pds().await else { return };
    let brand = brand(&pds, "delete").await;
    let fan = Person::new(&pds, "witness").await;
    let bluesky = relais_networks::testing::bluesky();
    let kept = bluesky.publish(&brand.account, &request("Celui-ci reste")).await.expect("publish kept");
    let mut req = request("1/2 Erreur de date");
    req.thread = vec!["2/2 vraiment".into()];
    req.first_comment = Some("Billets ici".into());
    let published = bluesky.publish(&brand.account, &req).await.expect("publish");
    assert_eq!(pds_posts(&pds, &brand.did).await.len(), 4);
    let post = strong_ref(&pds, &published.remote_id).await;
    let fans_reply = fan.reply(&post, &post, "Dommage").await;

    bluesky.delete(&brand.account, &published.remote_id).await.expect("delete");
    assert!(get_record(&pds, &published.remote_id).await.is_none(), "the first post is gone");
    let left: Vec<Value> = pds_posts(&pds, &brand.did).await;
    assert_eq!(left.len(), 1, "the thread and the first comment went with it: {left:?}");
    assert_eq!(left[0]["uri"], kept.remote_id.as_str());
    assert!(get_record(&pds, fans_reply["uri"].as_str().unwrap()).await.is_some(), "other people's replies are theirs");
    assert_eq!(bluesky.find_published(&brand.account, &req.idempotency_key).await.unwrap(), None);

    bluesky.delete(&brand.account, &published.remote_id).await.expect("deleting again is not an error");
    match bluesky.delete(&brand.account, fans_reply["uri"].as_str().unwrap()).await {
        Err(NetworkError::Permanent(message)) => assert!(message.contains("is not a post of"), "{message}"),
        other => panic!("someone else's post cannot be deleted, got {other:?}"),
    }
}

#[tokio::test]
async fn the_firehose_streams_a_post_written_after_subscribing_and_resumes_from_its_cursor() {
    let Some(pds) = local_pds().await else { return };
    let mut firehose = Firehose::subscribe(&pds, None).await.expect("subscribe");
    // The new account's #identity and #account frames come first and are stepped over.
    let fan = Person::new(&pds, "streamer").await;
    let text = format!("En direct {}", uuid::Uuid::new_v4().simple());
    let written = fan.write("app.bsky.feed.post", json!({"text": text, "langs": ["fr", "en"]})).await;

    let deadline = Instant::now() + PATIENCE;
    let post = loop {
        let event = tokio::time::timeout_at(deadline.into(), firehose.next())
            .await
            .expect("the post streamed in time")
            .expect("the stream is open")
            .expect("no stream error");
        if let FirehoseEvent::Post(post) = event
            && post.uri == written["uri"].as_str().unwrap()
        {
            break post;
        }
    };
    assert_eq!((post.repo.as_str(), post.text.as_str()), (fan.did.as_str(), text.as_str()));
    assert_eq!(post.langs, ["fr", "en"]);
    assert_eq!(post.cid, written["cid"].as_str().unwrap());
    assert!(post.created_at_ms.is_some());
    assert_eq!(firehose.cursor(), Some(post.seq), "the commit is fully handed out");

    // Resuming just before that commit streams it again.
    let mut resumed = Firehose::subscribe(&pds, Some(post.seq - 1)).await.expect("subscribe with a cursor");
    let again = loop {
        let event = tokio::time::timeout(PATIENCE, resumed.next()).await.expect("replayed in time").expect("open").expect("no error");
        if let FirehoseEvent::Post(p) = event {
            break p;
        }
    };
    assert_eq!(again, post);
}

#[tokio::test]
async fn the_firehose_says_why_the_server_ends_the_stream() {
    let Some(pds) = local_pds().await else { return };
    let mut firehose = Firehose::subscribe(&pds, Some(1_000_000_000)).await.expect("subscribe");
    let first = tokio::time::timeout(PATIENCE, firehose.next()).await.expect("an answer in time");
    match first {
        Some(Err(FirehoseError::Server { error, message })) => {
            assert_eq!((error.as_str(), message.as_str()), ("FutureCursor", "Cursor in the future."))
        }
        other => panic!("a cursor in the future is the server's error, got {other:?}"),
    }
    let after = tokio::time::timeout(PATIENCE, firehose.next()).await.expect("closed in time");
    assert!(after.is_none(), "the stream is over: {after:?}");
    assert!(matches!(
        Firehose::subscribe("http://127.0.0.1:9", None).await.err(),
        Some(FirehoseError::Connect { url, .. }) if url == "ws://127.0.0.1:9/xrpc/com.atproto.sync.subscribeRepos"
    ));
}

#[tokio::test]
async fn a_reply_in_the_brands_thread_is_hidden_and_shown_again_through_the_threadgate() {
    let Some(pds) = local_pds().await else { return };
    let brand = brand(&pds, "hider").await;
    let fan = Person::new(&pds, "troll").await;
    let bluesky = relais_networks::testing::bluesky();
    assert!(bluesky.capabilities().hide_replies && !bluesky.capabilities().delete_comments);
    let published = bluesky.publish(&brand.account, &request("Nos horaires d'été")).await.expect("publish");
    let post = strong_ref(&pds, &published.remote_id).await;
    let first = fan.reply(&post, &post, "Achetez mes followers").await;
    let second = fan.reply(&post, &first, "Encore moi").await;
    let (first_uri, second_uri) = (first["uri"].as_str().unwrap(), second["uri"].as_str().unwrap());
    let root = Some(published.remote_id.as_str());
    let gate_uri = published.remote_id.replace("app.bsky.feed.post", "app.bsky.feed.threadgate");
    let hidden = |gate: Option<Value>| -> Vec<String> {
        let gate = gate.expect("the threadgate");
        assert_eq!(gate["value"]["post"], published.remote_id.as_str());
        assert!(gate["value"].get("allow").is_none(), "everyone may still reply");
        gate["value"]["hiddenReplies"].as_array().unwrap().iter().map(|u| u.as_str().unwrap().to_string()).collect()
    };

    bluesky.hide_reply(&brand.account, first_uri, root, true).await.expect("hide");
    bluesky.hide_reply(&brand.account, first_uri, root, true).await.expect("hiding twice is harmless");
    bluesky.hide_reply(&brand.account, second_uri, root, true).await.expect("hide another");
    assert_eq!(hidden(get_record(&pds, &gate_uri).await), [first_uri, second_uri]);
    bluesky.hide_reply(&brand.account, first_uri, root, false).await.expect("show again");
    assert_eq!(hidden(get_record(&pds, &gate_uri).await), [second_uri]);

    // The AppView reads the gate: the hidden reply is marked so in the thread.
    eventually("the AppView to know the hidden reply", || async {
        let thread = fan.view("app.bsky.feed.getPostThread", &[("uri", published.remote_id.as_str())]).await;
        let hidden_seen = thread["threadgate"]["record"]["hiddenReplies"].as_array().is_some_and(|h| h.iter().any(|u| u == second_uri));
        hidden_seen.then_some(())
    })
    .await;

    // A thread someone else started is not ours to gate.
    let theirs = fan.write("app.bsky.feed.post", json!({"text": "Mon propre fil", "langs": ["fr"]})).await;
    let under_theirs = fan.reply(&theirs, &theirs, "Réponse").await;
    match bluesky.hide_reply(&brand.account, under_theirs["uri"].as_str().unwrap(), theirs["uri"].as_str(), true).await {
        Err(NetworkError::Permanent(message)) => assert!(message.contains("only replies in threads started by"), "{message}"),
        other => panic!("another's thread cannot be gated, got {other:?}"),
    }
}
