//! Moderation's storage on SQLite and PostgreSQL: rules kept in order, applied to new messages
//! at ingestion (local actions at once, network actions as jobs, once), the log with undo, the
//! dry run, and the house rules' public link.

use relais_core::moderation::{CompiledRule, Conditions, Repeated, Rule, RuleAction, RuleSet};
use relais_core::{Email, Locale, Name, TimeZoneName};
use relais_store::{
    Actor, InboxFilter, Incoming, LogFilter, MODERATION_JOB, ReplyOutcome, SEND_REPLY_JOB, SocialAccount, Store, UndoRefusal, Undone,
    both_backends,
};

async fn workspace(store: &Store) -> String {
    let o = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
    store
        .create_workspace(&o.id, &Name::parse("n", "Banque").unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
        .await
        .unwrap()
        .id
}

async fn account(store: &Store, ws: &str) -> SocialAccount {
    store.create_social_account(ws, "sandbox", "@banque", "@banque", |_| "sealed".into()).await.unwrap()
}

async fn user(store: &Store, email: &str) -> String {
    store.create_user(&Email::parse(email).unwrap(), &Name::parse("n", "Lucas").unwrap(), "hash").await.unwrap().id
}

fn msg(remote_id: &str, author: &str, text: &str, at: i64) -> Incoming {
    Incoming {
        remote_id: remote_id.into(),
        kind: "mention".into(),
        author_remote_id: format!("id-{author}"),
        author_handle: author.into(),
        text: text.into(),
        created_at: at,
        ..Incoming::default()
    }
}

fn rule(name: &str, words: &[&str], actions: Vec<RuleAction>) -> CompiledRule {
    CompiledRule::compile(Rule {
        id: String::new(),
        name: name.into(),
        enabled: true,
        stop: false,
        conditions: Conditions { words: words.iter().map(|w| w.to_string()).collect(), ..Default::default() },
        actions,
    })
    .unwrap()
}

async fn message_id(store: &Store, ws: &str, remote_id: &str) -> String {
    let page = store.inbox_page(ws, &InboxFilter::default(), 200).await.unwrap();
    page.messages.into_iter().find(|m| m.remote_id == remote_id).unwrap().id
}

/// The kinds of the due jobs, sorted (claiming them takes them off the queue).
async fn due_jobs(store: &Store) -> Vec<String> {
    let mut kinds: Vec<String> = store.claim_jobs("test", 100, 60_000).await.unwrap().into_iter().map(|j| j.kind).collect();
    kinds.sort();
    kinds
}

both_backends!(rules_keep_their_order_and_can_be_moved_disabled_and_deleted, |store: Store| async move {
    let ws = workspace(&store).await;
    let a = store.save_moderation_rule(&ws, &rule("A", &["a"], vec![RuleAction::Flag])).await.unwrap();
    let b = store.save_moderation_rule(&ws, &rule("B", &["b"], vec![RuleAction::Flag])).await.unwrap();
    let c = store.save_moderation_rule(&ws, &rule("C", &["c"], vec![RuleAction::Flag])).await.unwrap();
    let names = |rs: Vec<Rule>| rs.into_iter().map(|r| r.name).collect::<Vec<_>>();
    assert_eq!(names(store.moderation_rules(&ws).await.unwrap()), ["A", "B", "C"]);
    store.move_moderation_rule(&ws, &c.id, true).await.unwrap();
    assert_eq!(names(store.moderation_rules(&ws).await.unwrap()), ["A", "C", "B"]);
    store.move_moderation_rule(&ws, &a.id, true).await.unwrap();
    assert_eq!(names(store.moderation_rules(&ws).await.unwrap()), ["A", "C", "B"]);
    // Editing keeps the place and the id.
    let mut edited = b.clone();
    edited.name = "B2".into();
    edited.conditions.words = vec!["arnaque".into()];
    let saved = store.save_moderation_rule(&ws, &CompiledRule::compile(edited).unwrap()).await.unwrap();
    assert_eq!(saved.id, b.id);
    assert_eq!(saved.conditions.words, ["arnaque"]);
    assert_eq!(names(store.moderation_rules(&ws).await.unwrap()), ["A", "C", "B2"]);
    store.set_moderation_rule_enabled(&ws, &a.id, false).await.unwrap();
    assert!(!store.moderation_rule(&ws, &a.id).await.unwrap().enabled);
    store.delete_moderation_rule(&ws, &c.id).await.unwrap();
    assert_eq!(names(store.moderation_rules(&ws).await.unwrap()), ["A", "B2"]);
    // Another workspace sees none of them and cannot touch them.
    let other = workspace(&store).await;
    assert!(store.moderation_rules(&other).await.unwrap().is_empty());
    assert!(store.delete_moderation_rule(&other, &a.id).await.is_err());
});

both_backends!(rules_act_on_new_messages_at_ingestion_and_only_once, |store: Store| async move {
    let ws = workspace(&store).await;
    let acc = account(&store, &ws).await;
    let lucas = user(&store, "lucas@example.org").await;
    let mut first = rule(
        "Arnaques",
        &["arnaque"],
        vec![
            RuleAction::Tag { tag: "Signalé".into() },
            RuleAction::Flag,
            RuleAction::Assign { member_id: lucas.clone() },
            RuleAction::Notify { member_ids: vec![lucas.clone()] },
            RuleAction::Hide,
            RuleAction::AutoReply { text: "Nous ne demandons jamais vos codes.".into() },
        ],
    );
    first.rule.stop = true;
    store.save_moderation_rule(&ws, &first).await.unwrap();
    store.save_moderation_rule(&ws, &rule("After", &["arnaque", "bonjour"], vec![RuleAction::Tag { tag: "after".into() }])).await.unwrap();
    let mut off = rule("Off", &["bonjour"], vec![RuleAction::Flag]);
    off.rule.enabled = false;
    store.save_moderation_rule(&ws, &off).await.unwrap();

    let page = vec![msg("m1", "eve", "C'est une ARNAQUE !", 1_000), msg("m2", "ana", "Bonjour, une question", 2_000)];
    store.ingest_activity(&acc, &page, None).await.unwrap();
    store.ingest_activity(&acc, &page, None).await.unwrap();

    let m1 = message_id(&store, &ws, "m1").await;
    let m2 = message_id(&store, &ws, "m2").await;
    let tags = store.message_tags(&[m1.clone(), m2.clone()]).await.unwrap();
    // The first rule stops the second for m1; the disabled rule flags nothing.
    assert_eq!(tags.get(&m1).unwrap(), &vec!["signalé".to_string()]);
    assert_eq!(tags.get(&m2).unwrap(), &vec!["after".to_string()]);
    assert_eq!(store.moderation_marks(&m1).await.unwrap(), (true, None));
    assert_eq!(store.moderation_marks(&m2).await.unwrap(), (false, None));
    // The inbox's "flagged" filter lists m1 alone.
    let flagged = store.inbox_page(&ws, &InboxFilter { flagged: true, ..Default::default() }, 50).await.unwrap();
    assert_eq!(flagged.messages.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), [m1.as_str()]);
    assert_eq!(flagged.messages[0].flagged, 1);
    assert_eq!(store.inbox_message(&m1).await.unwrap().assignee_id.as_deref(), Some(lucas.as_str()));
    let notes = store.notifications(&lucas, &ws, 10).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!((notes[0].kind.as_str(), notes[0].actor_label.as_str()), ("moderation", "Arnaques"));
    // Ingesting the page again repeated nothing: one reply, one hide job, one log per action.
    let conv = store.inbox_message(&m1).await.unwrap().conversation_id;
    let replies = store.conversation_replies(&conv).await.unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(due_jobs(&store).await, [MODERATION_JOB, SEND_REPLY_JOB]);
    // The automatic reply, once sent, is not the message's first response: a person still owes one.
    assert_eq!(replies[0].purpose, "auto_reply");
    store.finish_reply(&replies[0].id, &ReplyOutcome::Sent { remote_id: "r1".into(), remote_url: None }).await.unwrap();
    assert_eq!(store.inbox_message(&m1).await.unwrap().first_response_at, None);
    let log = store.moderation_log(&ws, &LogFilter::default(), 100).await.unwrap();
    let mut actions: Vec<(&str, &str)> = log.iter().map(|l| (l.rule_name.as_str(), l.action.as_str())).collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            ("After", "tag"),
            ("Arnaques", "assign"),
            ("Arnaques", "auto_reply"),
            ("Arnaques", "flag"),
            ("Arnaques", "hide"),
            ("Arnaques", "notify"),
            ("Arnaques", "tag")
        ]
    );
    let hide = log.iter().find(|l| l.action == "hide").unwrap();
    assert_eq!(hide.outcome, "pending");
    // Filters.
    let only_tags = store.moderation_log(&ws, &LogFilter { action: Some("tag".into()), rule_id: None }, 100).await.unwrap();
    assert_eq!(only_tags.len(), 2);
    let by_rule =
        store.moderation_log(&ws, &LogFilter { rule_id: Some(first_rule_id(&store, &ws).await), action: None }, 100).await.unwrap();
    assert_eq!(by_rule.len(), 6);
});

async fn first_rule_id(store: &Store, ws: &str) -> String {
    store.moderation_rules(ws).await.unwrap().remove(0).id
}

both_backends!(a_rule_naming_a_removed_member_logs_a_failure_and_ingestion_goes_on, |store: Store| async move {
    let ws = workspace(&store).await;
    let acc = account(&store, &ws).await;
    store
        .save_moderation_rule(
            &ws,
            &rule(
                "Ghost",
                &["aide"],
                vec![RuleAction::Assign { member_id: "gone".into() }, RuleAction::Notify { member_ids: vec!["gone".into()] }],
            ),
        )
        .await
        .unwrap();
    let got = store.ingest_activity(&acc, &[msg("m1", "eve", "à l'aide", 1_000)], None).await.unwrap();
    assert_eq!(got.messages.len(), 1);
    let log = store.moderation_log(&ws, &LogFilter { action: Some("assign".into()), rule_id: None }, 10).await.unwrap();
    assert_eq!(log[0].outcome, "failed");
    assert_eq!(log[0].error.as_deref(), Some("the member no longer exists"));
    assert_eq!(store.inbox_message(&got.messages[0]).await.unwrap().assignee_id, None);
});

both_backends!(repeated_text_counts_the_authors_copies_within_the_window, |store: Store| async move {
    let ws = workspace(&store).await;
    let acc = account(&store, &ws).await;
    let r = CompiledRule::compile(Rule {
        id: String::new(),
        name: "Flood".into(),
        enabled: true,
        stop: false,
        conditions: Conditions { repeated: Some(Repeated { times: 3, window_minutes: 10 }), ..Default::default() },
        actions: vec![RuleAction::Flag],
    })
    .unwrap();
    store.save_moderation_rule(&ws, &r).await.unwrap();
    let min = 60_000;
    let page = vec![
        // Received out of order: the count still sees the earlier copy.
        msg("a2", "eve", "ACHETEZ ICI !", min),
        msg("a1", "eve", "Achetez ici", 0),
        msg("b1", "ana", "achetez ici", 2 * min),
        msg("a3", "eve", "achetez   ici", 3 * min),
        // Out of the window of the first copy: counts a2, a3 and itself.
        msg("a4", "eve", "Achetez ici", 10 * min + 500),
        msg("a5", "eve", "Achetez ici", 30 * min),
    ];
    store.ingest_activity(&acc, &page, None).await.unwrap();
    let mut flagged = vec![];
    for id in ["a1", "a2", "b1", "a3", "a4", "a5"] {
        if store.moderation_marks(&message_id(&store, &ws, id).await).await.unwrap().0 {
            flagged.push(id);
        }
    }
    assert_eq!(flagged, ["a3", "a4"]);

    // An author is a handle on a network: the same handle on another network is someone else,
    // whose two copies (with a5 they would make three) stay under the rule's count.
    let other = store.create_social_account(&ws, "mastodon", "@banque", "@banque", |_| "sealed".into()).await.unwrap();
    store
        .ingest_activity(&other, &[msg("m1", "eve", "Achetez ici", 31 * min), msg("m2", "eve", "achetez ici", 32 * min)], None)
        .await
        .unwrap();
    for id in ["m1", "m2"] {
        assert!(
            !store.moderation_marks(&message_id(&store, &ws, id).await).await.unwrap().0,
            "{id} was counted with another network's copies"
        );
    }
    // A third copy on that network is flagged.
    store.ingest_activity(&other, &[msg("m3", "eve", "ACHETEZ ICI", 33 * min)], None).await.unwrap();
    assert!(store.moderation_marks(&message_id(&store, &ws, "m3").await).await.unwrap().0);
});

both_backends!(undo_restores_what_can_be_restored_and_says_why_not_otherwise, |store: Store| async move {
    let ws = workspace(&store).await;
    let acc = account(&store, &ws).await;
    let lucas = user(&store, "lucas@example.org").await;
    let lea = user(&store, "lea@example.org").await;
    store
        .save_moderation_rule(
            &ws,
            &rule(
                "Tout",
                &["spam"],
                vec![
                    RuleAction::Tag { tag: "spam".into() },
                    RuleAction::Flag,
                    RuleAction::Assign { member_id: lucas.clone() },
                    RuleAction::Assign { member_id: lea.clone() },
                    RuleAction::Notify { member_ids: vec![lucas.clone()] },
                    RuleAction::Hide,
                    RuleAction::Delete,
                ],
            ),
        )
        .await
        .unwrap();
    store.ingest_activity(&acc, &[msg("m1", "eve", "spam spam", 1_000)], None).await.unwrap();
    let m1 = message_id(&store, &ws, "m1").await;
    let me = Actor { id: Some(lucas.clone()), label: "Lucas".into() };
    let log = store.moderation_log(&ws, &LogFilter::default(), 100).await.unwrap();
    let entry = |action: &str, detail: Option<&str>| {
        log.iter().find(|l| l.action == action && (detail.is_none() || l.detail.as_deref() == detail)).unwrap().id.clone()
    };
    assert_eq!(store.undo_moderation(&ws, &entry("tag", None), &me).await.unwrap(), Undone::Done);
    assert!(!store.message_tags(std::slice::from_ref(&m1)).await.unwrap().contains_key(&m1));
    assert_eq!(store.undo_moderation(&ws, &entry("flag", None), &me).await.unwrap(), Undone::Done);
    assert!(!store.moderation_marks(&m1).await.unwrap().0);
    // The second assignment goes back to the first one's member.
    assert_eq!(store.undo_moderation(&ws, &entry("assign", Some(&lea)), &me).await.unwrap(), Undone::Done);
    assert_eq!(store.inbox_message(&m1).await.unwrap().assignee_id.as_deref(), Some(lucas.as_str()));
    store.assign_message(&m1, Some(&lea)).await.unwrap();
    assert_eq!(store.undo_moderation(&ws, &entry("assign", Some(&lucas)), &me).await.unwrap(), Undone::Refused(UndoRefusal::Reassigned));
    assert_eq!(store.undo_moderation(&ws, &entry("notify", None), &me).await.unwrap(), Undone::Refused(UndoRefusal::Notified));
    assert_eq!(store.undo_moderation(&ws, &entry("delete", None), &me).await.unwrap(), Undone::Refused(UndoRefusal::Deleted));
    // Hiding is undone once the network hid it, through a job.
    let hide = entry("hide", None);
    assert_eq!(store.undo_moderation(&ws, &hide, &me).await.unwrap(), Undone::Refused(UndoRefusal::NotDone));
    let target = store.network_moderation(&hide).await.unwrap().unwrap();
    assert_eq!((target.action.as_str(), target.remote_id.as_deref()), ("hide", Some("m1")));
    store.finish_network_moderation(&hide, "done", None).await.unwrap();
    assert_eq!(store.moderation_marks(&m1).await.unwrap().1.as_deref(), Some("hidden"));
    due_jobs(&store).await;
    assert_eq!(store.undo_moderation(&ws, &hide, &me).await.unwrap(), Undone::Queued);
    assert_eq!(store.undo_moderation(&ws, &hide, &me).await.unwrap(), Undone::Refused(UndoRefusal::AlreadyUndone));
    assert_eq!(due_jobs(&store).await, [MODERATION_JOB]);
    let unhide = store.moderation_log(&ws, &LogFilter { action: Some("unhide".into()), rule_id: None }, 10).await.unwrap().remove(0);
    assert_eq!((unhide.actor_label.as_str(), unhide.outcome.as_str()), ("Lucas", "pending"));
    store.finish_network_moderation(&unhide.id, "done", None).await.unwrap();
    assert_eq!(store.moderation_marks(&m1).await.unwrap().1, None);
    // A failure keeps the network's words; a second finish changes nothing.
    let delete = entry("delete", None);
    store.finish_network_moderation(&delete, "failed", Some("403: not yours")).await.unwrap();
    store.finish_network_moderation(&delete, "done", None).await.unwrap();
    let d = store.moderation_log_entry(&ws, &delete).await.unwrap();
    assert_eq!((d.outcome.as_str(), d.error.as_deref()), ("failed", Some("403: not yours")));
    assert_eq!(store.moderation_marks(&m1).await.unwrap().1, None);
});

both_backends!(a_member_hides_a_message_by_hand_through_a_job, |store: Store| async move {
    let ws = workspace(&store).await;
    let acc = account(&store, &ws).await;
    store.ingest_activity(&acc, &[msg("m1", "eve", "bonjour", 1_000)], None).await.unwrap();
    let m1 = message_id(&store, &ws, "m1").await;
    let me = Actor { id: None, label: "Lucas".into() };
    assert!(store.request_network_moderation(&m1, "mute", &me).await.is_err());
    let id = store.request_network_moderation(&m1, "delete", &me).await.unwrap();
    assert_eq!(due_jobs(&store).await, [MODERATION_JOB]);
    let e = store.moderation_log_entry(&ws, &id).await.unwrap();
    assert_eq!((e.rule_id, e.action.as_str(), e.outcome.as_str()), (None, "delete", "pending"));
    store.finish_network_moderation(&id, "done", None).await.unwrap();
    assert_eq!(store.moderation_marks(&m1).await.unwrap().1.as_deref(), Some("deleted"));
});

both_backends!(the_dry_run_counts_and_shows_examples_without_changing_anything, |store: Store| async move {
    let ws = workspace(&store).await;
    let acc = account(&store, &ws).await;
    let page: Vec<Incoming> = (0..1_200)
        .map(|i| msg(&format!("m{i}"), "eve", if i % 3 == 0 { "une arnaque de plus" } else { "merci beaucoup" }, 1_000 + i))
        .chain([msg("old", "eve", "arnaque ancienne", 10)])
        .collect();
    store.ingest_activity(&acc, &page, None).await.unwrap();
    let mut stop = rule("Arnaques", &["arnaque"], vec![RuleAction::Tag { tag: "arnaque".into() }, RuleAction::Hide]);
    stop.rule.id = "r1".into();
    stop.rule.stop = true;
    let mut thanks = rule("Merci", &["merci", "arnaque"], vec![RuleAction::Flag]);
    thanks.rule.id = "r2".into();
    let (set, _) = RuleSet::compile(vec![stop.rule, thanks.rule]);
    let run = store.moderation_dry_run(&ws, &set, 1_000, 5).await.unwrap();
    assert_eq!(run.scanned, 1_200);
    assert_eq!(run.matched, 1_200);
    let lines: Vec<(&str, &str, u64)> = run.lines.iter().map(|l| (l.rule_name.as_str(), l.action.as_str(), l.count)).collect();
    assert_eq!(lines, [("Arnaques", "tag", 400), ("Arnaques", "hide", 400), ("Merci", "flag", 800)]);
    assert_eq!(run.examples.len(), 5);
    assert_eq!((run.examples[0].text.as_str(), run.examples[0].author_handle.as_str()), ("une arnaque de plus", "eve"));
    assert_eq!(run.examples[0].actions, ["tag", "hide"]);
    // Nothing was written.
    assert!(store.moderation_log(&ws, &LogFilter::default(), 10).await.unwrap().is_empty());
    assert!(store.tags_in_use(&ws).await.unwrap().is_empty());
    assert!(due_jobs(&store).await.is_empty());
});

both_backends!(the_house_rules_link_works_only_while_on_and_dies_when_regenerated, |store: Store| async move {
    let ws = workspace(&store).await;
    assert!(store.house_rules(&ws).await.unwrap().is_none());
    let me = Actor { id: None, label: "Léa".into() };
    let h = store.save_house_rules(&ws, "Soyez courtois.\n\nPas de publicité.", &me).await.unwrap();
    assert!(!h.public_enabled);
    assert!(h.public_slug.len() > 40, "the slug is unguessable: {}", h.public_slug);
    assert!(store.public_house_rules(&h.public_slug).await.unwrap().is_none());
    store.set_house_rules_public(&ws, true).await.unwrap();
    let (name, public) = store.public_house_rules(&h.public_slug).await.unwrap().unwrap();
    assert_eq!((name.as_str(), public.body.as_str()), ("Banque", "Soyez courtois.\n\nPas de publicité."));
    // Saving again keeps the link.
    let h2 = store.save_house_rules(&ws, "Soyez courtois.", &me).await.unwrap();
    assert_eq!(h2.public_slug, h.public_slug);
    let slug = store.regenerate_house_rules_slug(&ws).await.unwrap();
    assert!(store.public_house_rules(&h.public_slug).await.unwrap().is_none());
    assert_eq!(store.public_house_rules(&slug).await.unwrap().unwrap().1.body, "Soyez courtois.");
    store.set_house_rules_public(&ws, false).await.unwrap();
    assert!(store.public_house_rules(&slug).await.unwrap().is_none());
    assert!(store.save_house_rules(&ws, &"x".repeat(20_001), &me).await.is_err());
});
