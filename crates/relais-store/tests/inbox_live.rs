//! The live inbox's storage on SQLite and PostgreSQL: events announced in the same transaction
//! as the change (ingestion, status, assignee, tags, notes, answers, bulk actions), numbered in
//! commit order per workspace, read per workspace only; presence with its time to live; the
//! second-answer check; the purge.

use relais_core::inbox::MessageStatus;
use relais_core::{Email, Locale, Name, Role, TimeZoneName, now_ms};
use relais_store::{
    Actor, AnswerAttempt, BulkAction, BulkOutcome, InboxEvent, Incoming, PRESENCE_TTL_MS, ReplyOutcome, SocialAccount, Store, both_backends,
};

async fn workspace(store: &Store, name: &str) -> String {
    let o = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
    store
        .create_workspace(&o.id, &Name::parse("n", name).unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
        .await
        .unwrap()
        .id
}

async fn member(store: &Store, ws: &str, email: &str, name: &str) -> Actor {
    let id = store.create_user(&Email::parse(email).unwrap(), &Name::parse("n", name).unwrap(), "hash").await.unwrap().id;
    store.set_membership(ws, &id, Role::Cm).await.unwrap();
    Actor { id: Some(id), label: name.into() }
}

async fn account(store: &Store, ws: &str, handle: &str) -> SocialAccount {
    store.create_social_account(ws, "sandbox", handle, handle, |_| "sealed".into()).await.unwrap()
}

fn mention(remote_id: &str, at: i64) -> Incoming {
    Incoming {
        remote_id: remote_id.into(),
        kind: "mention".into(),
        author_remote_id: format!("author-{remote_id}"),
        author_handle: "@julie".into(),
        author_name: Some("Julie".into()),
        text: format!("Bonjour, question {remote_id} ?"),
        created_at: at,
        ..Incoming::default()
    }
}

fn kinds(events: &[InboxEvent]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

fn assert_strictly_increasing(events: &[InboxEvent]) {
    for pair in events.windows(2) {
        assert!(pair[1].seq > pair[0].seq, "numbers go up: {} then {}", pair[0].seq, pair[1].seq);
    }
}

both_backends!(ingestion_announces_each_new_message_once_and_a_repeated_page_nothing, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "@banque").await;
    assert_eq!(store.latest_event_seq(&ws).await.unwrap(), 0);
    let like = Incoming { remote_id: "like-1".into(), kind: "like".into(), author_remote_id: "a".into(), ..Incoming::default() };
    let page = vec![mention("m1", 1_000), mention("m2", 2_000), like, mention("m3", 3_000)];
    let stored = store.ingest_activity(&acc, &page, None).await.unwrap();
    assert_eq!(stored.messages.len(), 3);

    let events = store.events_since(&ws, 0, 100).await.unwrap();
    assert_eq!(kinds(&events), ["message_new"; 3], "one per message, none for the like");
    let announced: Vec<&str> = events.iter().filter_map(|e| e.message_id.as_deref()).collect();
    assert_eq!(announced, stored.messages.iter().map(String::as_str).collect::<Vec<_>>());
    for e in &events {
        let m = store.inbox_message(e.message_id.as_deref().unwrap()).await.unwrap();
        assert_eq!(e.conversation_id.as_deref(), Some(m.conversation_id.as_str()));
        assert_eq!(e.actor_id, None, "a network, not a member");
        assert_eq!(e.workspace_id, ws);
    }
    assert_strictly_increasing(&events);
    let last = events.last().unwrap().seq;
    assert_eq!(store.latest_event_seq(&ws).await.unwrap(), last);

    // The network repeats the page: nothing new, nothing announced.
    store.ingest_activity(&acc, &page, None).await.unwrap();
    assert!(store.events_since(&ws, last, 100).await.unwrap().is_empty());
    // One more message: one more event, numbered after the others.
    let more = store.ingest_activity(&acc, &[mention("m3", 3_000), mention("m4", 4_000)], None).await.unwrap();
    let next = store.events_since(&ws, last, 100).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].message_id.as_deref(), Some(more.messages[0].as_str()));
    assert_eq!(next[0].seq, last + 1);
});

both_backends!(a_large_page_is_announced_whole, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "@banque").await;
    // More than one multi-row statement's worth.
    let page: Vec<Incoming> = (0..950).map(|i| mention(&format!("m{i}"), 1_000 + i)).collect();
    let stored = store.ingest_activity(&acc, &page, None).await.unwrap();
    let events = store.events_since(&ws, 0, 1000).await.unwrap();
    assert_eq!(events.len(), 950);
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=950).collect::<Vec<i64>>());
    assert_eq!(events.iter().filter_map(|e| e.message_id.clone()).collect::<Vec<_>>(), stored.messages);
    assert_eq!(store.events_since(&ws, 900, 10).await.unwrap().len(), 10, "the limit holds");
});

both_backends!(members_changes_are_announced_with_who_made_them, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "@banque").await;
    let marie = member(&store, &ws, "marie@agence.example", "Marie").await;
    let ids = store.ingest_activity(&acc, &[mention("m1", 1_000), mention("m2", 2_000)], None).await.unwrap().messages;
    let conversation = store.inbox_message(&ids[0]).await.unwrap().conversation_id;
    let start = store.latest_event_seq(&ws).await.unwrap();

    store.set_message_status(&ids[0], MessageStatus::Pending).await.unwrap();
    store.set_message_status_by(&ids[0], MessageStatus::Resolved, &marie).await.unwrap();
    store.assign_message(&ids[0], marie.id.as_deref()).await.unwrap();
    store.tag_message(&ids[0], "complaint", &marie).await.unwrap();
    store.tag_message(&ids[0], "complaint", &marie).await.unwrap();
    store.untag_message(&ids[0], "complaint").await.unwrap();
    store.untag_message(&ids[0], "complaint").await.unwrap();
    store.add_inbox_note(&conversation, &marie, "Client connu, rappeler").await.unwrap();
    let reply = store.create_reply(&ids[0], "Bonjour Julie, oui.", &marie).await.unwrap();
    let events = store.events_since(&ws, start, 100).await.unwrap();
    assert_eq!(
        kinds(&events),
        ["message_changed", "message_changed", "message_changed", "message_changed", "message_changed", "note_added", "reply_sent"],
        "a tag added or removed twice is announced once"
    );
    let marie_id = marie.id.as_deref();
    assert_eq!(
        events.iter().map(|e| e.actor_id.as_deref()).collect::<Vec<_>>(),
        [None, marie_id, None, marie_id, None, marie_id, marie_id]
    );
    assert!(events[..5].iter().all(|e| e.message_id.as_deref() == Some(ids[0].as_str())));
    assert!(events.iter().all(|e| e.conversation_id.as_deref() == Some(conversation.as_str())));
    assert_eq!(events[6].message_id.as_deref(), Some(reply.message_id.as_str()));
    assert_strictly_increasing(&events);

    // A bulk action: one event per message, in the same transaction; a refused one announces nothing.
    let before = store.latest_event_seq(&ws).await.unwrap();
    let outcome = store.bulk_inbox(&ws, &ids, &BulkAction::Assign(None), &marie, now_ms()).await.unwrap();
    assert_eq!(outcome, BulkOutcome::Applied(2));
    let bulk = store.events_since(&ws, before, 100).await.unwrap();
    assert_eq!(kinds(&bulk), ["message_changed", "message_changed"]);
    let mut touched: Vec<String> = bulk.iter().filter_map(|e| e.message_id.clone()).collect();
    touched.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(touched, expected);
    let refused =
        store.bulk_inbox(&ws, &[ids[0].clone(), "not-a-message".into()], &BulkAction::Tag("vip".into()), &marie, now_ms()).await.unwrap();
    assert!(matches!(refused, BulkOutcome::Foreign(_)));
    assert_eq!(store.latest_event_seq(&ws).await.unwrap(), before + 2, "nothing announced for a refused action");
});

both_backends!(each_workspace_reads_only_its_own_events, |store: Store| async move {
    let bank = workspace(&store, "Banque").await;
    let coffee = workspace(&store, "Cafés").await;
    let a = account(&store, &bank, "@banque").await;
    let b = account(&store, &coffee, "@cafes").await;
    let bank_ids = store.ingest_activity(&a, &[mention("a1", 1_000), mention("a2", 2_000)], None).await.unwrap().messages;
    let coffee_ids = store.ingest_activity(&b, &[mention("b1", 1_000)], None).await.unwrap().messages;
    store.set_message_status(&coffee_ids[0], MessageStatus::Resolved).await.unwrap();

    let bank_events = store.events_since(&bank, 0, 100).await.unwrap();
    assert_eq!(bank_events.len(), 2);
    assert!(bank_events.iter().all(|e| e.workspace_id == bank && bank_ids.contains(e.message_id.as_ref().unwrap())));
    let coffee_events = store.events_since(&coffee, 0, 100).await.unwrap();
    assert_eq!(kinds(&coffee_events), ["message_new", "message_changed"]);
    assert!(coffee_events.iter().all(|e| e.message_id.as_deref() == Some(coffee_ids[0].as_str())));
    // Numbers are the workspace's own.
    assert_eq!(coffee_events.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
    // A live page renders only its workspace's messages.
    let all: Vec<String> = bank_ids.iter().chain(&coffee_ids).cloned().collect();
    let shown = store.inbox_messages_in(&bank, &all).await.unwrap();
    assert_eq!(shown.iter().map(|m| m.remote_id.as_str()).collect::<Vec<_>>(), ["a2", "a1"], "newest first, the bank's only");
});

both_backends!(numbers_become_visible_in_commit_order_under_concurrent_writers, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "@banque").await;
    let ids = store.ingest_activity(&acc, &(0..8).map(|i| mention(&format!("m{i}"), i)).collect::<Vec<_>>(), None).await.unwrap().messages;
    let start = store.latest_event_seq(&ws).await.unwrap();
    const WRITERS: usize = 4;
    const EACH: usize = 25;
    let mut writers = vec![];
    for w in 0..WRITERS {
        let (store, ids, acc) = (store.clone(), ids.clone(), acc.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..EACH {
                if i % 5 == 0 {
                    store.ingest_activity(&acc, &[mention(&format!("w{w}-{i}"), 10_000 + i as i64)], None).await.unwrap();
                } else {
                    let status = [MessageStatus::Open, MessageStatus::Pending, MessageStatus::Resolved][i % 3];
                    store.set_message_status(&ids[(w + i) % ids.len()], status).await.unwrap();
                }
            }
        }));
    }
    // A reader polling meanwhile: each read continues exactly where the previous one stopped. A
    // number that committed late below one already seen would show as a gap here.
    let mut last = start;
    let mut read = 0;
    loop {
        let done = writers.iter().all(|w| w.is_finished());
        for e in store.events_since(&ws, last, 1000).await.unwrap() {
            assert_eq!(e.seq, last + 1, "no number skipped or seen out of order");
            last = e.seq;
            read += 1;
        }
        if done {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    for w in writers {
        w.await.unwrap();
    }
    assert_eq!(read, WRITERS * EACH);
    assert_eq!(store.latest_event_seq(&ws).await.unwrap(), last);
});

both_backends!(presence_lasts_a_while_after_the_last_heartbeat, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "@banque").await;
    let marie = member(&store, &ws, "marie@agence.example", "Marie").await;
    let paul = member(&store, &ws, "paul@agence.example", "Paul").await;
    let (marie_id, paul_id) = (marie.id.unwrap(), paul.id.unwrap());
    let id = store.ingest_activity(&acc, &[mention("m1", 1_000)], None).await.unwrap().messages.remove(0);
    let conversation = store.inbox_message(&id).await.unwrap().conversation_id;
    let start = store.latest_event_seq(&ws).await.unwrap();
    let t = 1_800_000_000_000;

    assert!(store.touch_presence(&ws, &conversation, &marie_id, t).await.unwrap(), "Marie arrives");
    assert!(store.touch_presence(&ws, &conversation, &paul_id, t + 1_000).await.unwrap(), "Paul arrives");
    assert!(!store.touch_presence(&ws, &conversation, &marie_id, t + 10_000).await.unwrap(), "a heartbeat is no news");
    let names = |v: Vec<relais_store::PresentMember>| v.into_iter().map(|p| p.name).collect::<Vec<_>>();
    assert_eq!(names(store.present_members(&conversation, t + 11_000).await.unwrap()), ["Marie", "Paul"]);
    // Paul's page stopped beating: gone 25 s after his last heartbeat; Marie still there.
    assert_eq!(names(store.present_members(&conversation, t + 1_000 + PRESENCE_TTL_MS).await.unwrap()), ["Marie"]);
    assert_eq!(names(store.present_members(&conversation, t + 10_000 + PRESENCE_TTL_MS).await.unwrap()), Vec::<String>::new());
    // Coming back after that is news again.
    assert!(store.touch_presence(&ws, &conversation, &paul_id, t + 60_000).await.unwrap());
    assert!(store.leave_presence(&ws, &conversation, &paul_id, t + 61_000).await.unwrap());
    assert!(!store.leave_presence(&ws, &conversation, &paul_id, t + 62_000).await.unwrap(), "already gone");
    assert!(store.present_members(&conversation, t + 61_000).await.unwrap().is_empty());

    let events = store.events_since(&ws, start, 100).await.unwrap();
    assert_eq!(kinds(&events), ["presence"; 4]);
    assert_eq!(
        events.iter().map(|e| e.actor_id.clone().unwrap()).collect::<Vec<_>>(),
        [marie_id.clone(), paul_id.clone(), paul_id.clone(), paul_id.clone()]
    );
    assert!(events.iter().all(|e| e.conversation_id.as_deref() == Some(conversation.as_str())));
});

both_backends!(an_answer_after_the_one_seen_is_refused_until_seen, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "@banque").await;
    let marie = member(&store, &ws, "marie@agence.example", "Marie").await;
    let paul = member(&store, &ws, "paul@agence.example", "Paul").await;
    let ids = store.ingest_activity(&acc, &[mention("m1", 1_000)], None).await.unwrap().messages;
    // Both open the conversation: no answer yet. Marie answers first.
    let AnswerAttempt::Queued(first) = store.create_reply_unless_answered(&ids[0], "Oui, samedi.", &marie, None).await.unwrap() else {
        panic!("the first answer is queued")
    };
    assert_eq!(first.author_id, marie.id);
    let before = store.latest_event_seq(&ws).await.unwrap();
    // Paul's form still says "no answer seen": refused, naming Marie's answer, nothing recorded.
    match store.create_reply_unless_answered(&ids[0], "Bonjour, oui.", &paul, None).await.unwrap() {
        AnswerAttempt::AnsweredMeanwhile(answers) => {
            assert_eq!(answers.len(), 1);
            assert_eq!((answers[0].id.as_str(), answers[0].author_label.as_str()), (first.id.as_str(), "Marie"));
        }
        other => panic!("expected a warning, got {other:?}"),
    }
    let conversation = store.inbox_message(&ids[0]).await.unwrap().conversation_id;
    assert_eq!(store.conversation_replies(&conversation).await.unwrap().len(), 1);
    assert_eq!(store.latest_event_seq(&ws).await.unwrap(), before, "a refused answer announces nothing");
    // Having seen Marie's answer, Paul sends anyway.
    assert!(matches!(
        store.create_reply_unless_answered(&ids[0], "Et le dimanche aussi.", &paul, Some(&first.id)).await.unwrap(),
        AnswerAttempt::Queued(_)
    ));
    // Marie's own earlier answer never warns her; Paul's, which she has not seen, does.
    match store.create_reply_unless_answered(&ids[0], "Précision.", &marie, Some(&first.id)).await.unwrap() {
        AnswerAttempt::AnsweredMeanwhile(answers) => {
            assert_eq!(answers.iter().map(|a| a.author_label.as_str()).collect::<Vec<_>>(), ["Paul"])
        }
        other => panic!("expected a warning about Paul's answer, got {other:?}"),
    }
    assert_eq!(store.conversation_replies(&conversation).await.unwrap().len(), 2);
});

both_backends!(two_members_answering_at_once_send_one_answer, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "@banque").await;
    let id = store.ingest_activity(&acc, &[mention("m1", 1_000)], None).await.unwrap().messages.remove(0);
    let mut tasks = vec![];
    for i in 0..6 {
        let who = member(&store, &ws, &format!("cm{i}@agence.example"), &format!("CM {i}")).await;
        let (store, id) = (store.clone(), id.clone());
        tasks.push(tokio::spawn(async move { store.create_reply_unless_answered(&id, "Réponse", &who, None).await.unwrap() }));
    }
    let mut queued = 0;
    for t in tasks {
        if matches!(t.await.unwrap(), AnswerAttempt::Queued(_)) {
            queued += 1;
        }
    }
    assert_eq!(queued, 1, "the check and the answer are one step: the others are warned");
});

both_backends!(the_purge_keeps_what_is_recent, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "@banque").await;
    let marie = member(&store, &ws, "marie@agence.example", "Marie").await.id.unwrap();
    let id = store.ingest_activity(&acc, &[mention("m1", 1_000)], None).await.unwrap().messages.remove(0);
    let conversation = store.inbox_message(&id).await.unwrap().conversation_id;
    let now = now_ms();
    let day = 24 * 3_600_000;
    store.touch_presence(&ws, &conversation, &marie, now - 2 * day).await.unwrap();
    assert_eq!(store.events_since(&ws, 0, 100).await.unwrap().len(), 2);

    // A day ago: the message's event is recent, the presence event and row are older.
    assert_eq!(store.purge_inbox_live(now - day).await.unwrap(), (1, 1));
    let left = store.events_since(&ws, 0, 100).await.unwrap();
    assert_eq!(kinds(&left), ["message_new"]);
    assert_eq!(store.purge_inbox_live(now + 1).await.unwrap(), (1, 0));
    assert!(store.events_since(&ws, 0, 100).await.unwrap().is_empty());
    // Numbering goes on after a purge: a page listening since before never sees a number again.
    store.set_message_status(&id, MessageStatus::Resolved).await.unwrap();
    assert_eq!(store.events_since(&ws, 0, 100).await.unwrap()[0].seq, 3);
});

both_backends!(what_jobs_finish_and_moderation_by_hand_are_announced, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "@banque").await;
    let marie = member(&store, &ws, "marie@agence.example", "Marie").await;
    let ids = store.ingest_activity(&acc, &[mention("m1", 1_000)], None).await.unwrap().messages;
    let conversation = store.inbox_message(&ids[0]).await.unwrap().conversation_id;

    // The reply job finishes an answer: pages learn it went out (no member did it).
    let reply = store.create_reply(&ids[0], "Bonjour Julie.", &marie).await.unwrap();
    let start = store.latest_event_seq(&ws).await.unwrap();
    store.finish_reply(&reply.id, &ReplyOutcome::Sent { remote_id: "r-1".into(), remote_url: None }).await.unwrap();
    let events = store.events_since(&ws, start, 100).await.unwrap();
    assert_eq!(kinds(&events), ["message_changed"]);
    assert_eq!(events[0].message_id.as_deref(), Some(ids[0].as_str()));
    assert_eq!(events[0].conversation_id.as_deref(), Some(conversation.as_str()));
    assert_eq!(events[0].actor_id, None);

    // A member hides the message by hand, the network job finishes it, the member undoes it.
    let start = store.latest_event_seq(&ws).await.unwrap();
    let log = store.request_network_moderation(&ids[0], "hide", &marie).await.unwrap();
    store.finish_network_moderation(&log, "done", None).await.unwrap();
    store.undo_moderation(&ws, &log, &marie).await.unwrap();
    let events = store.events_since(&ws, start, 100).await.unwrap();
    assert_eq!(kinds(&events), ["message_changed"; 3]);
    assert!(events.iter().all(|e| e.message_id.as_deref() == Some(ids[0].as_str())));
    let marie_id = marie.id.as_deref();
    assert_eq!(events.iter().map(|e| e.actor_id.as_deref()).collect::<Vec<_>>(), [marie_id, None, marie_id]);
    assert_strictly_increasing(&events);

    // A finish the log already recorded (a retried job) announces nothing more.
    let before = store.latest_event_seq(&ws).await.unwrap();
    store.finish_network_moderation(&log, "done", None).await.unwrap();
    assert_eq!(store.latest_event_seq(&ws).await.unwrap(), before);
});
