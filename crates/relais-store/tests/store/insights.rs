//! Community insights in storage: the period's questions and tagged messages, an insight kept
//! when a member answers it, and the post that answers it.

use super::*;
use relais_core::insights::{InsightKind, Period, insights};
use relais_core::workflow::PostState;
use relais_store::{Actor, Incoming, NewInsight, NewPost, NewVariant};

const DAY: i64 = 24 * 3600 * 1000;

fn mention(remote_id: &str, text: &str, at: i64) -> Incoming {
    Incoming {
        remote_id: remote_id.into(),
        kind: "mention".into(),
        author_remote_id: format!("a-{remote_id}"),
        author_handle: "@julie".into(),
        text: text.into(),
        created_at: at,
        language: Some("fr".into()),
        ..Incoming::default()
    }
}

both_backends!(insights_read_the_periods_questions_and_tagged_messages_and_keep_what_is_answered, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "Agence", "Banque").await;
    let (_, other) = org_with_workspace(&store, "Autre", "Café").await;
    let acc = store.create_social_account(&ws, "sandbox", "@banque", "@banque", |_| "sealed".into()).await.unwrap();
    let theirs = store.create_social_account(&other, "sandbox", "@cafe", "@cafe", |_| "sealed".into()).await.unwrap();
    let now = now_ms();
    let ids = store
        .ingest_activity(
            &acc,
            &[
                mention("q1", "Comment changer mon mot de passe ?", now - DAY),
                mention("q2", "je n'arrive pas à changer de mot de passe", now - 2 * DAY),
                mention("plain", "Belle journée", now - 3 * DAY),
                mention("late", "Livraison en retard", now - 4 * DAY),
                mention("old", "Mot de passe oublié ?", now - 100 * DAY),
            ],
            None,
        )
        .await
        .unwrap()
        .messages;
    store.ingest_activity(&theirs, &[mention("x", "Comment changer le mot de passe ?", now - DAY)], None).await.unwrap();
    let lucas = Actor { id: None, label: "Lucas".into() };
    store.tag_message(&ids[1], "recurring-question", &lucas).await.unwrap();
    store.tag_message(&ids[3], "complaint", &lucas).await.unwrap();

    let period = Period::last_days(now + 1, 90);
    let source = store.insight_source(&ws, period, None, 100).await.unwrap();
    let read: Vec<&str> = source.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        read,
        ["Comment changer mon mot de passe ?", "je n'arrive pas à changer de mot de passe", "Livraison en retard"],
        "newest first: questions and tagged messages of the period, not the plain one, the old one or the other brand's"
    );
    assert_eq!(source.messages[1].tags, ["recurring-question"]);
    assert_eq!(source.conversations.len(), 3);
    assert!(!source.truncated);
    let capped = store.insight_source(&ws, period, None, 2).await.unwrap();
    assert_eq!((capped.messages.len(), capped.truncated), (2, true));
    let tagged = store.insight_source(&ws, period, Some("complaint"), 100).await.unwrap();
    assert_eq!(tagged.messages.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), [ids[3].as_str()]);

    let found = insights(&source.messages, period);
    let pw = &found.questions[0];
    let kept = store
        .save_insight(
            &NewInsight { workspace_id: &ws, insight: pw, messages: &source.messages, tag: None, period, language: Locale::Fr },
            &lucas,
        )
        .await
        .unwrap();
    let again = store.saved_insight(&kept.id).await.unwrap();
    assert_eq!(again, kept);
    assert_eq!(
        (again.kind, again.key.as_str(), again.label.as_str()),
        (InsightKind::Question, "question:chang+mot+pass", "changer · mot · passe")
    );
    assert_eq!(again.terms, ["changer", "mot", "passe"]);
    assert_eq!(again.message_ids, [ids[0].clone(), ids[1].clone()]);
    assert_eq!((again.message_count, again.period, again.language), (2, period, Locale::Fr));
    assert_eq!(again.example, "Comment changer mon mot de passe ?");
    assert!(matches!(store.saved_insight("nope").await, Err(StoreError::NotFound(_))));

    let post = store
        .create_post(
            &NewPost {
                workspace_id: ws.clone(),
                title: "Mot de passe".into(),
                pillar: None,
                campaign: None,
                variants: vec![NewVariant::text(acc.id.clone(), "Voici comment faire", None)],
            },
            &lucas,
        )
        .await
        .unwrap();
    assert_eq!(store.insight_of_post(&post.id).await.unwrap(), None);
    assert!(store.insight_answers(&ws).await.unwrap().is_empty());
    store.link_post_to_insight(&post.id, &kept.id).await.unwrap();
    assert_eq!(store.insight_of_post(&post.id).await.unwrap(), Some(kept.clone()));
    let answers = store.insight_answers(&ws).await.unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!((answers[0].insight_key.as_str(), answers[0].post_id.as_str()), ("question:chang+mot+pass", post.id.as_str()));
    assert_eq!((answers[0].post_title.as_str(), answers[0].post_state), ("Mot de passe", PostState::Draft));
    assert!(store.insight_answers(&other).await.unwrap().is_empty());
    assert!(matches!(store.link_post_to_insight(&post.id, "no-such-insight").await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.link_post_to_insight("no-such-post", &kept.id).await, Err(StoreError::NotFound(_))));
});
