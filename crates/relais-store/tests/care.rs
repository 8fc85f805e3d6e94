//! Customer care on SQLite and PostgreSQL: bulk actions (all or nothing, tenancy), who answered
//! and resolved, the facts of a period's figures checked against hand-computed values, care
//! settings, saved replies and links, and the satisfaction question asked once and read back.

use relais_core::business_hours::parse_day;
use relais_core::care_figures::{Durations, figures};
use relais_core::inbox::MessageStatus;
use relais_core::{Email, Locale, Name, TimeZoneName};
use relais_store::{
    Actor, BulkAction, BulkOutcome, CareSettings, Incoming, ReplyOutcome, SavedReplyInput, SocialAccount, Store, StoreError, both_backends,
};

const MIN: i64 = 60_000;

async fn workspace(store: &Store, name: &str) -> String {
    let o = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
    store
        .create_workspace(&o.id, &Name::parse("n", name).unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
        .await
        .unwrap()
        .id
}

async fn account(store: &Store, ws: &str, handle: &str) -> SocialAccount {
    store.create_social_account(ws, "sandbox", handle, handle, |_| "sealed".into()).await.unwrap()
}

async fn member(store: &Store, email: &str, name: &str) -> Actor {
    let u = store.create_user(&Email::parse(email).unwrap(), &Name::parse("n", name).unwrap(), "hash").await.unwrap();
    Actor { id: Some(u.id), label: name.into() }
}

/// Epoch ms of a Paris wall-clock time.
fn paris(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> i64 {
    let tz = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
    jiff::civil::date(y, mo, d).at(h, mi, 0, 0).to_zoned(tz).unwrap().timestamp().as_millisecond()
}

fn message(remote_id: &str, kind: &str, author: &str, text: &str, at: i64) -> Incoming {
    Incoming {
        remote_id: remote_id.into(),
        kind: kind.into(),
        author_remote_id: format!("did:{author}"),
        author_handle: format!("@{author}"),
        author_name: None,
        text: text.into(),
        created_at: at,
        ..Incoming::default()
    }
}

async fn ingest(store: &Store, acc: &SocialAccount, item: Incoming) -> String {
    store.ingest_activity(acc, &[item], None).await.unwrap().messages.remove(0)
}

/// Sends an answer to `message` as `by`, delivered at `at`.
async fn answer(store: &Store, message: &str, by: &Actor, at: i64) {
    let r = store.create_reply(message, "Bonjour !", by).await.unwrap();
    store.begin_reply_attempt(&r.id).await.unwrap();
    store.finish_reply_at(&r.id, &ReplyOutcome::Sent { remote_id: format!("sent-{}", r.id), remote_url: None }, at).await.unwrap();
}

both_backends!(a_bulk_action_with_a_foreign_id_changes_nothing, |store: Store| async move {
    let bank = workspace(&store, "Banque").await;
    let cafes = workspace(&store, "Cafés").await;
    let a = account(&store, &bank, "@banque").await;
    let theirs = account(&store, &cafes, "@cafes").await;
    let m1 = ingest(&store, &a, message("m1", "mention", "julie", "Bonjour", 1)).await;
    let m2 = ingest(&store, &a, message("m2", "mention", "paul", "Salut", 2)).await;
    let foreign = ingest(&store, &theirs, message("c1", "mention", "zoe", "Café ?", 3)).await;
    let lucas = member(&store, "lucas@example.org", "Lucas").await;

    let ids = vec![m1.clone(), foreign.clone(), m2.clone()];
    let out = store.bulk_inbox(&bank, &ids, &BulkAction::SetStatus(MessageStatus::Resolved), &lucas, 10).await.unwrap();
    assert_eq!(out, BulkOutcome::Foreign(foreign.clone()));
    assert_eq!(store.inbox_message(&m1).await.unwrap().status, "open", "nothing changed");
    assert_eq!(store.inbox_message(&foreign).await.unwrap().status, "open");

    let ids = vec![m1.clone(), m2.clone()];
    let out = store.bulk_inbox(&bank, &ids, &BulkAction::SetStatus(MessageStatus::Resolved), &lucas, 10).await.unwrap();
    assert_eq!(out, BulkOutcome::Applied(2));
    let m = store.inbox_message(&m1).await.unwrap();
    assert_eq!((m.status.as_str(), m.resolved_at), ("resolved", Some(10)));
    assert_eq!(store.bulk_inbox(&bank, &ids, &BulkAction::Tag("praise".into()), &lucas, 11).await.unwrap(), BulkOutcome::Applied(2));
    assert_eq!(store.bulk_inbox(&bank, &ids, &BulkAction::Tag("praise".into()), &lucas, 11).await.unwrap(), BulkOutcome::Applied(0));
    assert_eq!(store.message_tags(&ids).await.unwrap().values().filter(|t| t.as_slice() == ["praise"]).count(), 2);
    store.bulk_inbox(&bank, &ids[..1], &BulkAction::Untag("praise".into()), &lucas, 12).await.unwrap();
    assert!(!store.message_tags(&ids).await.unwrap().contains_key(&m1));
    let assign = BulkAction::Assign(lucas.id.clone());
    assert_eq!(store.bulk_inbox(&bank, &ids, &assign, &lucas, 13).await.unwrap(), BulkOutcome::Applied(2));
    assert_eq!(store.inbox_message(&m2).await.unwrap().assignee_id, lucas.id);
    store.bulk_inbox(&bank, &ids, &BulkAction::Assign(None), &lucas, 14).await.unwrap();
    assert_eq!(store.inbox_message(&m2).await.unwrap().assignee_id, None);
    // Reopening clears the resolution.
    store.bulk_inbox(&bank, &ids, &BulkAction::SetStatus(MessageStatus::Open), &lucas, 15).await.unwrap();
    assert_eq!(store.inbox_message(&m1).await.unwrap().resolved_at, None);
});

both_backends!(the_period_facts_give_the_hand_computed_figures, |store: Store| async move {
    let bank = workspace(&store, "Banque").await;
    let cafes = workspace(&store, "Cafés").await;
    let a = account(&store, &bank, "@banque").await;
    let b = account(&store, &bank, "@banque_pro").await;
    let other = account(&store, &cafes, "@cafes").await;
    let lucas = member(&store, "lucas@example.org", "Lucas").await;
    let ines = member(&store, "ines@example.org", "Inès").await;

    // Wednesday 2026-03-11 in Paris; the default hours are Monday to Friday, 09:00-18:00.
    let m1 = ingest(&store, &a, message("m1", "mention", "julie", "Ouvert samedi ?", paris(2026, 3, 11, 10, 0))).await;
    answer(&store, &m1, &lucas, paris(2026, 3, 11, 10, 30)).await;
    store
        .bulk_inbox(&bank, std::slice::from_ref(&m1), &BulkAction::SetStatus(MessageStatus::Resolved), &lucas, paris(2026, 3, 11, 11, 0))
        .await
        .unwrap();
    // Written on Tuesday at 23:00, answered on Wednesday at 09:20.
    let m2 = ingest(&store, &a, message("m2", "mention", "paul", "Ma carte ne marche plus", paris(2026, 3, 10, 23, 0))).await;
    answer(&store, &m2, &ines, paris(2026, 3, 11, 9, 20)).await;
    // Resolved without an answer; and one left alone.
    let m3 = ingest(&store, &b, message("m3", "mention", "zoe", "Merci !", paris(2026, 3, 11, 12, 0))).await;
    store
        .bulk_inbox(&bank, std::slice::from_ref(&m3), &BulkAction::SetStatus(MessageStatus::Resolved), &ines, paris(2026, 3, 11, 13, 0))
        .await
        .unwrap();
    ingest(&store, &b, message("m4", "mention", "leo", "Bonjour", paris(2026, 3, 11, 17, 0))).await;
    // Outside the period, and another workspace's.
    let old = ingest(&store, &a, message("m5", "mention", "ana", "Ancien", paris(2026, 2, 1, 10, 0))).await;
    answer(&store, &old, &lucas, paris(2026, 2, 1, 10, 5)).await;
    ingest(&store, &other, message("c1", "mention", "eve", "Café", paris(2026, 3, 11, 10, 0))).await;

    let facts = store.care_facts(&bank, paris(2026, 3, 10, 0, 0), paris(2026, 3, 12, 0, 0)).await.unwrap();
    assert_eq!(facts.messages.len(), 4);
    let m1_facts = facts.messages.iter().find(|m| m.received_at == paris(2026, 3, 11, 10, 0)).unwrap();
    assert_eq!((m1_facts.first_responder_id.as_ref(), m1_facts.resolved_by.as_ref()), (lucas.id.as_ref(), lucas.id.as_ref()));
    let m3_facts = facts.messages.iter().find(|m| m.received_at == paris(2026, 3, 11, 12, 0)).unwrap();
    assert_eq!((m3_facts.first_responder_id.as_ref(), m3_facts.resolved_by.as_ref()), (None, ines.id.as_ref()));

    let settings = store.care_settings(&bank).await.unwrap();
    let hours = settings.hours("Europe/Paris");
    let f = figures(&facts.messages, &[], |x, y| hours.business_ms(x, y));
    assert_eq!((f.received, f.answered, f.resolved), (4, 2, 2));
    assert_eq!((f.response_rate, f.resolution_rate), (Some(0.5), Some(0.5)));
    // First responses: 30 min and 10 h 20 of wall-clock time; 30 and 20 business minutes.
    assert_eq!(f.first_response_wall, Durations { count: 2, median: Some(30 * MIN), p90: Some(620 * MIN) });
    assert_eq!(f.first_response_business, Durations { count: 2, median: Some(20 * MIN), p90: Some(30 * MIN) });
    assert_eq!(f.resolution_wall, Durations { count: 2, median: Some(60 * MIN), p90: Some(60 * MIN) });
    // Lucas sent the first answer of m1 only.
    let lucas_id = lucas.id.clone().unwrap();
    let of_lucas: Vec<_> = facts.messages.iter().filter(|m| m.first_responder_id.as_deref() == Some(lucas_id.as_str())).collect();
    let fl = figures(of_lucas, &[], |x, y| hours.business_ms(x, y));
    assert_eq!((fl.received, fl.first_response_wall.median), (1, Some(30 * MIN)));
});

both_backends!(settings_saved_replies_and_links_round_trip, |store: Store| async move {
    let bank = workspace(&store, "Banque").await;
    assert_eq!(store.care_settings(&bank).await.unwrap(), CareSettings::default());
    let mut s = CareSettings::default();
    s.week[0] = parse_day("monday", "09:00-12:30, 14:00-18:00").unwrap();
    s.week[5] = parse_day("saturday", "10:00-12:00").unwrap();
    s.closed_days = relais_core::business_hours::parse_closed_days("closed", "2026-12-24").unwrap();
    s.french_holidays = true;
    s.survey_enabled = true;
    s.survey_question_en = "Rate us 1-5?".into();
    store.save_care_settings(&bank, &s).await.unwrap();
    assert_eq!(store.care_settings(&bank).await.unwrap(), s);

    store.save_workspace_link(&bank, "faq", "https://example.org/faq").await.unwrap();
    store.save_workspace_link(&bank, "faq", "https://example.org/aide").await.unwrap();
    assert_eq!(store.workspace_links(&bank).await.unwrap().get("faq").map(String::as_str), Some("https://example.org/aide"));
    let input = SavedReplyInput {
        title: "Horaires".into(),
        body: "Bonjour {author_name}, voir {lien:faq}".into(),
        language: Some("fr".into()),
        shortcut: Some("horaires".into()),
    };
    let saved = store.create_saved_reply(&bank, &input, "Lucas").await.unwrap();
    assert!(matches!(store.create_saved_reply(&bank, &input, "Lucas").await, Err(StoreError::Conflict(m)) if m.contains("/horaires")));
    assert!(matches!(store.delete_workspace_link(&bank, "faq").await, Err(StoreError::Conflict(m)) if m.contains("Horaires")));
    let other = workspace(&store, "Cafés").await;
    assert!(matches!(store.delete_saved_reply(&other, &saved.id).await, Err(StoreError::NotFound(_))), "another workspace's");
    store.update_saved_reply(&bank, &saved.id, &SavedReplyInput { body: "Merci {author_handle}".into(), ..input.clone() }).await.unwrap();
    store.delete_workspace_link(&bank, "faq").await.unwrap();
    assert_eq!(store.saved_replies(&bank).await.unwrap()[0].body, "Merci {author_handle}");
    store.delete_saved_reply(&bank, &saved.id).await.unwrap();
    assert!(store.saved_replies(&bank).await.unwrap().is_empty());
});

both_backends!(resolving_asks_satisfaction_once_and_a_rating_is_read_back, |store: Store| async move {
    let bank = workspace(&store, "Banque").await;
    let a = account(&store, &bank, "@banque").await;
    let lucas = member(&store, "lucas@example.org", "Lucas").await;
    let now = relais_core::now_ms();
    let dm = ingest(&store, &a, message("d1", "direct_message", "julie", "Ma carte est bloquée", now - 60_000)).await;
    // Off by default: resolving asks nothing.
    store.set_message_status_by(&dm, MessageStatus::Resolved, &lucas).await.unwrap();
    let conversation = store.inbox_message(&dm).await.unwrap().conversation_id;
    assert!(store.conversation_surveys(&conversation).await.unwrap().is_empty());
    store.set_message_status_by(&dm, MessageStatus::Open, &lucas).await.unwrap();

    let s = CareSettings { survey_enabled: true, ..Default::default() };
    store.save_care_settings(&bank, &s).await.unwrap();
    answer(&store, &dm, &lucas, now - 30_000).await;
    let first_response = store.inbox_message(&dm).await.unwrap().first_response_at;
    store.set_message_status_by(&dm, MessageStatus::Resolved, &lucas).await.unwrap();
    // Resolving again (after reopening) does not ask twice.
    store.set_message_status_by(&dm, MessageStatus::Open, &lucas).await.unwrap();
    store.set_message_status_by(&dm, MessageStatus::Resolved, &lucas).await.unwrap();
    let surveys = store.conversation_surveys(&conversation).await.unwrap();
    assert_eq!(surveys.len(), 1);
    let question = store.inbox_reply(surveys[0].reply_id.as_deref().unwrap()).await.unwrap();
    assert_eq!(question.purpose, "survey");
    assert!(question.text.contains("Sur une échelle de 1 à 5"), "the workspace speaks French: {}", question.text);
    // The question is sent; it is not a first response.
    store.begin_reply_attempt(&question.id).await.unwrap();
    store.finish_reply_at(&question.id, &ReplyOutcome::Sent { remote_id: "q-1".into(), remote_url: None }, now).await.unwrap();
    assert_eq!(store.inbox_message(&dm).await.unwrap().first_response_at, first_response);

    // Someone else's "5" in another conversation is not an answer; Julie's "4 sur 5" is.
    ingest(&store, &a, message("d2", "direct_message", "paul", "5", now + 60_000)).await;
    let rating = ingest(&store, &a, message("d3", "direct_message", "julie", "4 sur 5 merci", now + 120_000)).await;
    let surveys = store.conversation_surveys(&conversation).await.unwrap();
    assert_eq!((surveys[0].score, surveys[0].answer_message_id.as_deref()), (Some(4), Some(rating.as_str())));
    assert_eq!(store.inbox_message(&rating).await.unwrap().status, "resolved", "a rating resolves itself");
    // Her next message is a message again, not a rating.
    let later = ingest(&store, &a, message("d4", "direct_message", "julie", "2", now + 180_000)).await;
    assert_eq!(store.inbox_message(&later).await.unwrap().status, "open");
    let facts = store.care_facts(&bank, now - 3_600_000, now + 3_600_000).await.unwrap();
    assert_eq!(facts.scores.iter().map(|s| s.2).collect::<Vec<_>>(), [4]);
    assert_eq!(facts.messages.len(), 3, "the rating is not counted as a message received");
});

both_backends!(an_answer_that_is_not_a_rating_closes_the_survey_without_a_score, |store: Store| async move {
    let bank = workspace(&store, "Banque").await;
    let a = account(&store, &bank, "@banque").await;
    let lucas = member(&store, "lucas@example.org", "Lucas").await;
    let s = CareSettings { survey_enabled: true, ..Default::default() };
    store.save_care_settings(&bank, &s).await.unwrap();
    let now = relais_core::now_ms();
    let dm = ingest(&store, &a, message("d1", "direct_message", "julie", "Hello", now)).await;
    store.set_message_status_by(&dm, MessageStatus::Resolved, &lucas).await.unwrap();
    let next = ingest(&store, &a, message("d2", "direct_message", "julie", "Sur une échelle de 1 à 5 ?", now + 60_000)).await;
    let conversation = store.inbox_message(&dm).await.unwrap().conversation_id;
    let survey = store.conversation_surveys(&conversation).await.unwrap().remove(0);
    assert_eq!((survey.score, survey.answer_message_id.as_deref()), (None, Some(next.as_str())));
    assert!(survey.answered_at.is_some());
    assert_eq!(store.inbox_message(&next).await.unwrap().status, "open");
});

both_backends!(care_facts_follow_the_network_and_account_scope, |store: Store| async move {
    use relais_core::kpi::Scope;
    let bank = workspace(&store, "Banque").await;
    let sandbox = account(&store, &bank, "@banque").await;
    let mastodon = store.create_social_account(&bank, "mastodon", "@banque@social", "Banque", |_| "sealed".into()).await.unwrap();
    let lucas = member(&store, "lucas@example.org", "Lucas").await;
    // Sandbox: two mentions at 10:00, one answered at 10:20. Mastodon: one at 11:00, unanswered.
    let at = paris(2026, 3, 2, 10, 0);
    let m1 = ingest(&store, &sandbox, message("s1", "mention", "julie", "Bonjour", at)).await;
    ingest(&store, &sandbox, message("s2", "mention", "paul", "Salut", at)).await;
    ingest(&store, &mastodon, message("t1", "mention", "zoe", "Un prêt ?", at + 60 * MIN)).await;
    answer(&store, &m1, &lucas, at + 20 * MIN).await;
    let (from, to) = (paris(2026, 3, 2, 0, 0), paris(2026, 3, 3, 0, 0));
    let received = |scope: Scope| {
        let (store, bank) = (store.clone(), bank.clone());
        async move {
            store.scope_care_facts(&bank, &scope, from, to).await.unwrap().map(|f| {
                let answered = f.messages.iter().filter(|m| m.first_response_at.is_some()).count();
                (f.messages.len(), answered)
            })
        }
    };
    assert_eq!(received(Scope::Workspace).await, Some((3, 1)));
    assert_eq!(received(Scope::Account(sandbox.id.clone())).await, Some((2, 1)));
    assert_eq!(received(Scope::Network("mastodon".into())).await, Some((1, 0)));
    assert_eq!(received(Scope::Network("bluesky".into())).await, Some((0, 0)));
    // Messages belong to accounts, not to pillars or campaigns: not applicable.
    assert_eq!(received(Scope::Pillar("any".into())).await, None);
    assert_eq!(received(Scope::Campaign("any".into())).await, None);
});
