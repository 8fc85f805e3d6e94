//! The inbox's storage on SQLite and PostgreSQL: idempotent ingestion with the sync marker,
//! conversations, the keyset-paginated list, statuses, the reply outbox, thread context, metric
//! samples and the sandbox simulator's audience.

use relais_core::inbox::{Cursor, MessageStatus};
use relais_core::understanding::Sentiment;
use relais_core::{Locale, Name, TimeZoneName};
use relais_store::{
    AccountMetricSample, Actor, AssigneeFilter, AudienceEvent, ContextPost, InboxFilter, Incoming, NewPost, NewVariant, PostMetricSample,
    ReplyOutcome, SocialAccount, Store, VariantOutcome, both_backends,
};

async fn workspace(store: &Store, name: &str) -> String {
    let o = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
    store
        .create_workspace(&o.id, &Name::parse("n", name).unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
        .await
        .unwrap()
        .id
}

async fn account(store: &Store, ws: &str, network: &str, handle: &str) -> SocialAccount {
    store.create_social_account(ws, network, handle, handle, |_| "sealed".into()).await.unwrap()
}

/// A post published on `account` as `remote_id`; returns the variant's id.
async fn published(store: &Store, ws: &str, account: &SocialAccount, remote_id: &str) -> String {
    let post = store
        .create_post(
            &NewPost {
                workspace_id: ws.into(),
                title: "Prêt".into(),
                pillar: None,
                campaign: None,
                variants: vec![NewVariant::text(account.id.clone(), "Le prêt Artisan", None)],
            },
            &Actor::system(),
        )
        .await
        .unwrap();
    let variant = store.variants(&post.id).await.unwrap().remove(0).id;
    store.begin_publish_attempts(std::slice::from_ref(&variant)).await.unwrap();
    store.finish_variant(&variant, &VariantOutcome::Published { remote_id: remote_id.into(), remote_url: None }).await.unwrap();
    variant
}

fn item(remote_id: &str, kind: &str, at: i64) -> Incoming {
    Incoming {
        remote_id: remote_id.into(),
        kind: kind.into(),
        author_remote_id: format!("author-{remote_id}"),
        author_handle: "@julie".into(),
        author_name: Some("Julie".into()),
        text: if matches!(kind, "like" | "repost" | "follow") { String::new() } else { format!("message {remote_id}") },
        created_at: at,
        ..Incoming::default()
    }
}

fn reply(remote_id: &str, parent: &str, root: &str, at: i64) -> Incoming {
    Incoming {
        parent_remote_id: Some(parent.into()),
        root_remote_id: Some(root.into()),
        subject_remote_id: Some(parent.into()),
        ..item(remote_id, "reply", at)
    }
}

both_backends!(ingesting_a_page_twice_stores_it_once_with_its_marker, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "sandbox", "@banque").await;
    let variant = published(&store, &ws, &acc, "post-1").await;
    let page = vec![
        reply("r1", "post-1", "post-1", 1_000),
        reply("r2", "r1", "post-1", 2_000),
        Incoming { subject_remote_id: Some("post-1".into()), ..item("like-1", "like", 1_500) },
        item("follow-1", "follow", 1_600),
        item("m1", "mention", 3_000),
    ];
    let first = store.ingest_activity(&acc, &page, Some("marker-1")).await.unwrap();
    assert_eq!((first.messages.len(), first.activity), (3, 2));
    // The network gave an overlapping page: only the new item is stored.
    let mut again = page.clone();
    again.push(item("dm1", "direct_message", 4_000));
    let second = store.ingest_activity(&acc, &again, None).await.unwrap();
    assert_eq!((second.messages.len(), second.activity), (1, 0));
    let state = store.sync_state(&acc.id).await.unwrap().unwrap();
    assert_eq!(state.marker.as_deref(), Some("marker-1"), "no new marker keeps the old one");
    assert!(state.last_sync_at.is_some());

    let all = store.inbox_page(&ws, &InboxFilter::default(), 50).await.unwrap().messages;
    assert_eq!(all.iter().map(|m| m.remote_id.as_str()).collect::<Vec<_>>(), ["dm1", "m1", "r2", "r1"]);
    let r1 = all.iter().find(|m| m.remote_id == "r1").unwrap();
    let r2 = all.iter().find(|m| m.remote_id == "r2").unwrap();
    assert_eq!(r1.conversation_id, r2.conversation_id, "replies in one thread are one conversation");
    assert_eq!(r2.variant_id.as_deref(), Some(variant.as_str()), "matched on the thread's root");
    assert_eq!(r1.status, "open");
    let m1 = all.iter().find(|m| m.remote_id == "m1").unwrap();
    assert_ne!(m1.conversation_id, r1.conversation_id);
    assert_eq!(m1.variant_id, None);
    let conversation = store.conversation(&r1.conversation_id).await.unwrap();
    assert_eq!((conversation.kind.as_str(), conversation.variant_id.as_deref()), ("thread", Some(variant.as_str())));
    assert_eq!(conversation.last_message_at, 2_000);
    let messages = store.conversation_messages(&r1.conversation_id).await.unwrap();
    assert_eq!(messages.iter().map(|m| m.remote_id.as_str()).collect::<Vec<_>>(), ["r1", "r2"]);

    let mut counts = store.activity_counts(std::slice::from_ref(&variant)).await.unwrap();
    counts.sort();
    assert_eq!(counts, vec![(variant.clone(), "like".into(), 1), (variant.clone(), "reply".into(), 2)]);
    assert_eq!(store.follow_count(&acc.id).await.unwrap(), 1);
});

both_backends!(the_list_filters_and_pages_by_keyset_even_on_equal_times, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let other_ws = workspace(&store, "Cafés").await;
    let sandbox = account(&store, &ws, "sandbox", "@banque").await;
    let bluesky = account(&store, &ws, "bluesky", "banque.bsky.social").await;
    let foreign = account(&store, &other_ws, "sandbox", "@cafes").await;
    // Seven messages at the same instant, three at later ones.
    let same: Vec<Incoming> = (0..7).map(|i| item(&format!("s{i}"), "mention", 5_000)).collect();
    store.ingest_activity(&sandbox, &same, None).await.unwrap();
    store
        .ingest_activity(&bluesky, &[item("b1", "reply", 6_000), item("b2", "mention", 7_000), item("b3", "mention", 8_000)], None)
        .await
        .unwrap();
    store.ingest_activity(&foreign, &[item("f1", "mention", 9_000)], None).await.unwrap();

    let mut seen = vec![];
    let mut filter = InboxFilter::default();
    loop {
        let page = store.inbox_page(&ws, &filter, 3).await.unwrap();
        assert!(page.messages.len() <= 3);
        seen.extend(page.messages.iter().map(|m| m.remote_id.clone()));
        match page.next {
            Some(c) => filter.after = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 10, "every message once, none of the other workspace: {seen:?}");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10);
    assert_eq!(&seen[..3], ["b3", "b2", "b1"]);

    let by = |f: InboxFilter| {
        let store = store.clone();
        let ws = ws.clone();
        async move { store.inbox_page(&ws, &f, 50).await.unwrap().messages.into_iter().map(|m| m.remote_id).collect::<Vec<_>>() }
    };
    assert_eq!(by(InboxFilter { network: Some("bluesky".into()), ..Default::default() }).await, ["b3", "b2", "b1"]);
    assert_eq!(by(InboxFilter { account_id: Some(bluesky.id.clone()), kind: Some("reply".into()), ..Default::default() }).await, ["b1"]);
    let b2 = store.inbox_page(&ws, &InboxFilter::default(), 50).await.unwrap().messages.into_iter().find(|m| m.remote_id == "b2").unwrap();
    store.set_message_status(&b2.id, MessageStatus::Resolved).await.unwrap();
    assert_eq!(by(InboxFilter { status: Some(MessageStatus::Resolved), ..Default::default() }).await, ["b2"]);
    assert_eq!(by(InboxFilter { status: Some(MessageStatus::Open), ..Default::default() }).await.len(), 9);
    // A cursor past the end gives an empty page.
    let past = InboxFilter { after: Some(Cursor { created_at: 0, id: String::new() }), ..Default::default() };
    assert!(by(past).await.is_empty());
});

both_backends!(a_big_page_is_stored_whole_once_with_its_conversations, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "sandbox", "@banque").await;
    let variant = published(&store, &ws, &acc, "post-1").await;
    // More messages than one multi-row statement holds, 900 of them in one thread, the thread's
    // replies out of time order, and an item the network repeated within the page.
    let mut page: Vec<Incoming> =
        (0..900).map(|i| reply(&format!("r{i}"), "post-1", "post-1", 10_000 + ((i * 7919) % 900) as i64)).collect();
    page.extend((0..300).map(|i| item(&format!("m{i}"), "mention", 20_000 + i)));
    page.extend((0..250).map(|i| Incoming { subject_remote_id: Some("post-1".into()), ..item(&format!("l{i}"), "like", 30_000 + i) }));
    page.push(reply("r5", "post-1", "post-1", 99_999));
    let first = store.ingest_activity(&acc, &page, Some("m-1")).await.unwrap();
    assert_eq!((first.messages.len(), first.activity), (1200, 250));
    let again = store.ingest_activity(&acc, &page, Some("m-2")).await.unwrap();
    assert_eq!((again.messages.len(), again.activity), (0, 0));

    let thread = store.inbox_page(&ws, &InboxFilter { kind: Some("reply".into()), ..Default::default() }, 1).await.unwrap().messages;
    let conversation = store.conversation(&thread[0].conversation_id).await.unwrap();
    assert_eq!(conversation.variant_id.as_deref(), Some(variant.as_str()));
    assert_eq!(conversation.last_message_at, 10_899, "the thread's latest reply, whatever the page's order");
    assert_eq!(store.conversation_messages(&conversation.id).await.unwrap().len(), 900);
    let counts = store.activity_counts(std::slice::from_ref(&variant)).await.unwrap();
    assert!(
        counts.contains(&(variant.clone(), "like".into(), 250)) && counts.contains(&(variant.clone(), "reply".into(), 900)),
        "{counts:?}"
    );
    // A later page adds to the thread and moves its latest message on.
    store.ingest_activity(&acc, &[reply("late", "r3", "post-1", 50_000)], None).await.unwrap();
    assert_eq!(store.conversation(&conversation.id).await.unwrap().last_message_at, 50_000);
});

both_backends!(the_list_filters_by_assignee_and_by_dates, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "sandbox", "@banque").await;
    let page: Vec<Incoming> = (0..6).map(|i| item(&format!("m{i}"), "mention", 1_000 * (i + 1))).collect();
    store.ingest_activity(&acc, &page, None).await.unwrap();
    let user = store
        .create_user(&relais_core::Email::parse("cm@banque.example").unwrap(), &Name::parse("n", "Sophie").unwrap(), "x")
        .await
        .unwrap();
    let all = store.inbox_page(&ws, &InboxFilter::default(), 50).await.unwrap().messages;
    for m in all.iter().filter(|m| ["m1", "m4"].contains(&m.remote_id.as_str())) {
        store.assign_message(&m.id, Some(&user.id)).await.unwrap();
    }
    let by = |f: InboxFilter| {
        let store = store.clone();
        let ws = ws.clone();
        async move { store.inbox_page(&ws, &f, 50).await.unwrap().messages.into_iter().map(|m| m.remote_id).collect::<Vec<_>>() }
    };
    assert_eq!(by(InboxFilter { assignee: Some(AssigneeFilter::Member(user.id.clone())), ..Default::default() }).await, ["m4", "m1"]);
    assert_eq!(by(InboxFilter { assignee: Some(AssigneeFilter::Nobody), ..Default::default() }).await, ["m5", "m3", "m2", "m0"]);
    assert_eq!(by(InboxFilter { since: Some(2_000), until: Some(5_000), ..Default::default() }).await, ["m3", "m2", "m1"]);
    // Dates combine with a filter and with the keyset cursor.
    let combined = InboxFilter { since: Some(2_000), assignee: Some(AssigneeFilter::Nobody), ..Default::default() };
    assert_eq!(by(combined.clone()).await, ["m5", "m3", "m2"]);
    let first = store.inbox_page(&ws, &combined, 2).await.unwrap();
    assert_eq!(by(InboxFilter { after: first.next, ..combined }).await, ["m2"]);
});

both_backends!(resolving_stamps_the_time_and_reopening_clears_it, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "sandbox", "@banque").await;
    let new = store.ingest_activity(&acc, &[item("q1", "mention", 1)], None).await.unwrap();
    let id = &new.messages[0];
    store.set_message_status(id, MessageStatus::Resolved).await.unwrap();
    let m = store.inbox_message(id).await.unwrap();
    assert_eq!(m.status, "resolved");
    assert!(m.resolved_at.is_some());
    store.set_message_status(id, MessageStatus::Open).await.unwrap();
    assert_eq!(store.inbox_message(id).await.unwrap().resolved_at, None);
    let member = store
        .create_user(&relais_core::Email::parse("cm@example.org").unwrap(), &Name::parse("n", "Lucas").unwrap(), "hash")
        .await
        .unwrap();
    store.assign_message(id, Some(&member.id)).await.unwrap();
    assert_eq!(store.inbox_message(id).await.unwrap().assignee_id.as_deref(), Some(member.id.as_str()));
    assert!(store.set_message_status("nope", MessageStatus::Open).await.is_err());
});

both_backends!(a_reply_is_recorded_with_its_job_and_its_first_send_stamps_the_first_response, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "sandbox", "@banque").await;
    let id = store.ingest_activity(&acc, &[item("q1", "mention", 1)], None).await.unwrap().messages.remove(0);
    let actor = Actor { id: None, label: "Lucas".into() };
    let r = store.create_reply(&id, "Bonjour Julie, nous regardons.", &actor).await.unwrap();
    assert_eq!((r.state.as_str(), r.attempts), ("pending", 0));
    assert!(r.idempotency_key.contains(&r.id));
    let jobs = store.claim_jobs("probe", 10, 60_000).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!((jobs[0].kind.as_str(), jobs[0].payload["reply"].as_str()), ("send_reply", Some(r.id.as_str())));

    assert_eq!(store.begin_reply_attempt(&r.id).await.unwrap(), Some(1));
    assert_eq!(store.begin_reply_attempt(&r.id).await.unwrap(), Some(2));
    store.finish_reply(&r.id, &ReplyOutcome::Sent { remote_id: "sbx-9".into(), remote_url: None }).await.unwrap();
    assert_eq!(store.begin_reply_attempt(&r.id).await.unwrap(), None, "a sent reply is not attempted again");
    let first = store.inbox_message(&id).await.unwrap().first_response_at.unwrap();

    let r2 = store.create_reply(&id, "Et voici la réponse.", &actor).await.unwrap();
    store.begin_reply_attempt(&r2.id).await.unwrap();
    store.finish_reply(&r2.id, &ReplyOutcome::Failed { error: "refused".into() }).await.unwrap();
    assert_eq!(store.inbox_message(&id).await.unwrap().first_response_at, Some(first), "the first response stays the first");
    let replies = store.conversation_replies(&store.inbox_message(&id).await.unwrap().conversation_id).await.unwrap();
    assert_eq!(
        replies.iter().map(|r| (r.state.as_str(), r.remote_id.as_deref())).collect::<Vec<_>>(),
        [("sent", Some("sbx-9")), ("failed", None)]
    );
    assert_eq!(replies[1].error.as_deref(), Some("refused"));
    assert!(store.create_reply("missing", "x", &actor).await.is_err());
});

both_backends!(only_replies_under_unknown_parents_need_their_context, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "sandbox", "@banque").await;
    published(&store, &ws, &acc, "post-1").await;
    store
        .ingest_activity(
            &acc,
            &[reply("r1", "post-1", "post-1", 1), reply("r2", "r1", "post-1", 2), reply("r3", "aside-1", "post-1", 3)],
            None,
        )
        .await
        .unwrap();
    let needing = store.messages_needing_context(&acc.id, 10).await.unwrap();
    assert_eq!(needing.iter().map(|n| n.1.as_str()).collect::<Vec<_>>(), ["r3"], "r3's parent aside-1 is unknown");
    let posts = vec![
        ContextPost { remote_id: "post-1".into(), author_handle: "@banque".into(), text: "Le prêt".into(), ..Default::default() },
        ContextPost {
            remote_id: "aside-1".into(),
            parent_remote_id: Some("post-1".into()),
            author_handle: "@marc".into(),
            text: "Et pour les agriculteurs ?".into(),
            created_at: 2,
            ..Default::default()
        },
    ];
    assert_eq!(store.store_context(&needing[0].0, &posts).await.unwrap(), 1, "our own post is not copied");
    assert!(store.messages_needing_context(&acc.id, 10).await.unwrap().is_empty());
    let conversation = store.inbox_message(&needing[0].0).await.unwrap().conversation_id;
    let context = store.conversation_context(&conversation).await.unwrap();
    assert_eq!(context.iter().map(|c| c.remote_id.as_str()).collect::<Vec<_>>(), ["aside-1"]);
});

both_backends!(metric_samples_form_a_series_and_the_latest_is_read_back, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "sandbox", "@banque").await;
    let v = published(&store, &ws, &acc, "post-1").await;
    assert_eq!(store.published_variants_since(&acc.id, 0).await.unwrap(), vec![(v.clone(), "post-1".to_string())]);
    assert!(store.published_variants_since(&acc.id, relais_core::now_ms() + 1_000).await.unwrap().is_empty());
    let s = |t, likes| PostMetricSample {
        variant_id: v.clone(),
        taken_at: t,
        likes,
        replies: 1,
        reposts: 0,
        quotes: 0,
        impressions: None,
        reach: None,
        link_clicks: None,
    };
    assert_eq!(store.record_post_metrics(&[s(10, 3), s(20, 5)]).await.unwrap(), 2);
    assert_eq!(store.record_post_metrics(&[s(20, 99)]).await.unwrap(), 0, "one sample per instant");
    assert_eq!(store.post_metric_series(&v).await.unwrap().iter().map(|s| s.likes).collect::<Vec<_>>(), [3, 5]);
    assert_eq!(store.latest_post_metrics(std::slice::from_ref(&v)).await.unwrap()[&v].likes, 5);
    for (t, followers) in [(10, 100), (30, 104)] {
        store
            .record_account_metrics(&AccountMetricSample { account_id: acc.id.clone(), taken_at: t, followers, following: 7, posts: 12 })
            .await
            .unwrap();
    }
    assert_eq!(store.latest_account_metrics(&ws).await.unwrap()[&acc.id].followers, 104);
    assert_eq!(store.account_metric_series(&acc.id).await.unwrap().len(), 2);
});

both_backends!(the_sandbox_audience_is_kept_once_and_read_as_a_feed, |store: Store| async move {
    let post = store.sandbox_create_post("acc", "key-1", "Notre nouveau prêt").await.unwrap();
    let ev = |id: &str, kind: &str, at: i64, text: &str| AudienceEvent {
        id: id.into(),
        account_id: "acc".into(),
        kind: kind.into(),
        author_handle: "@julie".into(),
        author_name: "Julie".into(),
        text: text.into(),
        subject_id: Some(post.clone()),
        root_id: Some(post.clone()),
        parent_id: Some(post.clone()),
        created_at: at,
        ..Default::default()
    };
    let events = vec![ev("a1", "like", 1, ""), ev("a2", "reply", 2, "Quel taux pour 100 % des PRÊTS ?"), ev("a3", "aside", 3, "Pareil")];
    assert_eq!(store.sandbox_audience_record(&events).await.unwrap(), 3);
    assert_eq!(store.sandbox_audience_record(&events).await.unwrap(), 0);
    let feed = store.sandbox_audience_feed("acc", None, 10).await.unwrap();
    assert_eq!(feed.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["a1", "a2"], "asides are not notified");
    assert_eq!(store.sandbox_audience_feed("acc", Some((1, "a1")), 10).await.unwrap().len(), 1);
    let mut reactions = store.sandbox_reactions(std::slice::from_ref(&post)).await.unwrap();
    reactions.sort();
    assert_eq!(reactions, vec![(post.clone(), "like".into(), 1), (post.clone(), "reply".into(), 2)]);
    // Search is case-blind (accents included) and takes % literally.
    let found = store.sandbox_search("100 % des prêts", None, 10).await.unwrap();
    assert_eq!(found.iter().map(|n| n.id.as_str()).collect::<Vec<_>>(), ["a2"]);
    assert_eq!(store.sandbox_search("PRÊT", None, 10).await.unwrap().len(), 2);
    let newest = store.sandbox_search("PRÊT", None, 1).await.unwrap();
    assert_eq!(newest.len(), 1);
    let older = store.sandbox_search("PRÊT", Some((newest[0].created_at, &newest[0].id)), 10).await.unwrap();
    assert_eq!(older.len(), 1);
    assert_ne!(older[0].id, newest[0].id);
    assert!(store.sandbox_search("100%", None, 10).await.unwrap().is_empty());
    let reply = store.sandbox_create_reply("acc", "reply-key", "Bonjour Julie", "a2", relais_core::now_ms()).await.unwrap();
    assert_eq!(store.sandbox_node(&reply).await.unwrap().unwrap().parent_id.as_deref(), Some("a2"));
    assert_eq!(store.sandbox_node("a2").await.unwrap().unwrap().author_handle.as_deref(), Some("@julie"));
    assert_eq!(store.sandbox_account_counts("acc").await.unwrap(), (0, 2));
    assert!(store.sandbox_delete("acc", &reply).await.unwrap());
    assert!(!store.sandbox_delete("acc", &reply).await.unwrap());
    assert_eq!(store.sandbox_first_posts("acc").await.unwrap().len(), 1);
});

both_backends!(messages_are_understood_at_ingestion_and_filtered_by_sentiment_and_language, |store: Store| async move {
    let ws = workspace(&store, "Café").await;
    let acc = account(&store, &ws, "bluesky", "cafe.example").await;
    let said = |id: &str, text: &str, language: Option<&str>, at: i64| Incoming {
        text: text.into(),
        language: language.map(str::to_string),
        ..item(id, "reply", at)
    };
    let items = [
        said("fr-neg", "Toujours pas remboursé après trois semaines, c'est inadmissible 😡", Some("en"), 1_000),
        said("en-pos", "Loved the new winter menu, the staff were lovely!", None, 2_000),
        said("short", "ok", Some("pt-BR"), 3_000),
        said("spam", "FREE BITCOIN GIVEAWAY https://a.example/x https://b.example/y", None, 4_000),
    ];
    store.ingest_activity(&acc, &items, None).await.unwrap();
    let page = store.inbox_page(&ws, &InboxFilter::default(), 50).await.unwrap();
    let get = |id: &str| page.messages.iter().find(|m| m.remote_id == id).unwrap();
    let neg = get("fr-neg");
    // The detector overrides the network's label where it can tell.
    assert_eq!((neg.language.as_deref(), neg.sentiment.as_deref()), (Some("fr"), Some("negative")));
    assert!(neg.sentiment_score.unwrap() < -500, "{:?}", neg.sentiment_score);
    assert_eq!(neg.toxicity, Some(0));
    let pos = get("en-pos");
    assert_eq!((pos.language.as_deref(), pos.sentiment.as_deref()), (Some("en"), Some("positive")));
    // Too short to tell: the network's primary subtag.
    let short = get("short");
    assert_eq!((short.language.as_deref(), short.sentiment.as_deref()), (Some("pt"), Some("neutral")));
    assert!(get("spam").toxicity.unwrap() > 500);

    let by = |f: InboxFilter| {
        let store = store.clone();
        let ws = ws.clone();
        async move { store.inbox_page(&ws, &f, 50).await.unwrap().messages.into_iter().map(|m| m.remote_id).collect::<Vec<_>>() }
    };
    assert_eq!(by(InboxFilter { sentiment: Some(Sentiment::Negative), ..Default::default() }).await, ["fr-neg"]);
    assert_eq!(by(InboxFilter { sentiment: Some(Sentiment::Positive), ..Default::default() }).await, ["en-pos"]);
    assert_eq!(by(InboxFilter { language: Some("fr".into()), ..Default::default() }).await, ["fr-neg"]);
    assert_eq!(
        by(InboxFilter { language: Some("en".into()), sentiment: Some(Sentiment::Negative), ..Default::default() }).await,
        Vec::<String>::new()
    );
});

both_backends!(messages_stored_before_relais_read_them_are_read_later_in_batches, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "mastodon", "banque@social.example").await;
    let mut items: Vec<Incoming> = (0..3).map(|i| item(&format!("q{i}"), "mention", 1_000 + i)).collect();
    items.push(Incoming { text: "Service client injoignable depuis une semaine, c'est honteux".into(), ..item("old", "reply", 5_000) });
    let ids = store.ingest_activity(&acc, &items, None).await.unwrap().messages;
    for id in &ids {
        store.forget_understanding(id).await.unwrap();
    }
    assert!(store.inbox_message(&ids[3]).await.unwrap().sentiment.is_none());
    assert!(by_sentiment(&store, &ws, Sentiment::Negative).await.is_empty());

    assert_eq!(store.understand_unread_messages(2).await.unwrap(), 2, "a full batch");
    assert_eq!(store.understand_unread_messages(2).await.unwrap(), 2);
    assert_eq!(store.understand_unread_messages(2).await.unwrap(), 0, "nothing left to read");
    let old = store.inbox_message(&ids[3]).await.unwrap();
    assert_eq!((old.sentiment.as_deref(), old.language.as_deref()), (Some("negative"), Some("fr")));
    assert_eq!(by_sentiment(&store, &ws, Sentiment::Negative).await, ["old"]);
});

async fn by_sentiment(store: &Store, ws: &str, sentiment: Sentiment) -> Vec<String> {
    let filter = InboxFilter { sentiment: Some(sentiment), ..Default::default() };
    store.inbox_page(ws, &filter, 50).await.unwrap().messages.into_iter().map(|m| m.remote_id).collect()
}

both_backends!(tags_filter_the_list_and_notes_stay_with_the_conversation, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "sandbox", "@banque").await;
    store.ingest_activity(&acc, &[item("q1", "mention", 1_000), item("q2", "mention", 2_000)], None).await.unwrap();
    let all = store.inbox_page(&ws, &InboxFilter::default(), 50).await.unwrap().messages;
    let q1 = all.iter().find(|m| m.remote_id == "q1").unwrap();
    let lucas = Actor { id: None, label: "Lucas".into() };
    store.tag_message(&q1.id, "recurring-question", &lucas).await.unwrap();
    store.tag_message(&q1.id, "recurring-question", &lucas).await.unwrap();
    store.tag_message(&q1.id, "horaires", &lucas).await.unwrap();
    let tags = store.message_tags(std::slice::from_ref(&q1.id)).await.unwrap();
    assert_eq!(tags[&q1.id], ["horaires", "recurring-question"], "once each, alphabetically");
    let tagged = InboxFilter { tag: Some("recurring-question".into()), ..Default::default() };
    let found: Vec<String> = store.inbox_page(&ws, &tagged, 50).await.unwrap().messages.into_iter().map(|m| m.remote_id).collect();
    assert_eq!(found, ["q1"]);
    assert_eq!(store.tags_in_use(&ws).await.unwrap(), [("horaires".to_string(), 1), ("recurring-question".to_string(), 1)]);
    store.untag_message(&q1.id, "horaires").await.unwrap();
    assert_eq!(store.message_tags(std::slice::from_ref(&q1.id)).await.unwrap()[&q1.id], ["recurring-question"]);
    assert!(matches!(store.tag_message("no-such-message", "x", &lucas).await, Err(relais_store::StoreError::NotFound(_))));

    store.add_inbox_note(&q1.conversation_id, &lucas, "Client fidèle, rappeler demain").await.unwrap();
    store.add_inbox_note(&q1.conversation_id, &Actor { id: None, label: "Sophie".into() }, "Vu, merci").await.unwrap();
    let notes = store.inbox_notes(&q1.conversation_id).await.unwrap();
    assert_eq!(
        notes.iter().map(|n| (n.author_label.as_str(), n.body.as_str())).collect::<Vec<_>>(),
        [("Lucas", "Client fidèle, rappeler demain"), ("Sophie", "Vu, merci")]
    );
    let q2 = all.iter().find(|m| m.remote_id == "q2").unwrap();
    assert!(store.inbox_notes(&q2.conversation_id).await.unwrap().is_empty(), "notes belong to their conversation");
});
