//! Full-text search in the inbox on SQLite and PostgreSQL: the term index written at ingestion
//! and by the backfill, the listening query language over it (accents, phrases, OR,
//! exclusions), combined with the list's filters and paged with its keyset, and tenancy.

use relais_core::Name;
use relais_core::inbox::MessageStatus;
use relais_core::inbox_search::InboxSearch;
use relais_core::{Locale, TimeZoneName};
use relais_store::{AuthorHandle, InboxFilter, InboxMessage, Incoming, SocialAccount, Store, both_backends};
use std::collections::HashSet;

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

fn mention(remote_id: &str, text: &str, at: i64) -> Incoming {
    Incoming {
        remote_id: remote_id.into(),
        kind: "mention".into(),
        author_remote_id: format!("author-{remote_id}"),
        author_handle: "@julie".into(),
        text: text.into(),
        created_at: at,
        ..Incoming::default()
    }
}

async fn search(store: &Store, ws: &str, q: &str) -> Vec<String> {
    let filter = InboxFilter { search: Some(InboxSearch::parse(q).unwrap()), ..InboxFilter::default() };
    texts(&store.inbox_page(ws, &filter, 50).await.unwrap().messages)
}

fn texts(messages: &[InboxMessage]) -> Vec<String> {
    messages.iter().map(|m| m.text.clone()).collect()
}

both_backends!(a_search_ignores_case_and_accents_and_understands_the_query_language, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "@banque").await;
    let page = vec![
        mention("1", "Merci à Élodie pour son aide", 1_000),
        mention("2", "Mon colis n'est jamais arrivé", 2_000),
        mention("3", "Le remboursement du colis, c'est pour quand ?", 3_000),
        mention("4", "Remboursé en deux jours, merci", 4_000),
        mention("5", "Service après-vente injoignable", 5_000),
        mention("6", "Après le service, la vente", 6_000),
    ];
    store.ingest_activity(&acc, &page, None).await.unwrap();

    assert_eq!(search(&store, &ws, "elodie").await, vec!["Merci à Élodie pour son aide"]);
    assert_eq!(search(&store, &ws, "ÉLODIE").await, vec!["Merci à Élodie pour son aide"]);
    assert_eq!(search(&store, &ws, "rembourse").await, vec!["Remboursé en deux jours, merci"], "whole words: not remboursement");
    assert_eq!(search(&store, &ws, "colis").await, vec!["Le remboursement du colis, c'est pour quand ?", "Mon colis n'est jamais arrivé"]);
    assert_eq!(search(&store, &ws, "\"service après vente\"").await, vec!["Service après-vente injoignable"], "a phrase is side by side");
    assert_eq!(search(&store, &ws, "service vente").await.len(), 2, "words anywhere");
    assert_eq!(
        search(&store, &ws, "rembourse OR elodie").await,
        vec!["Remboursé en deux jours, merci", "Merci à Élodie pour son aide"],
        "OR, newest first"
    );
    assert_eq!(search(&store, &ws, "colis -remboursement").await, vec!["Mon colis n'est jamais arrivé"], "an exclusion");
    assert_eq!(search(&store, &ws, "\"le colis\"").await, Vec::<String>::new(), "a common word still counts in a phrase");
    assert_eq!(search(&store, &ws, "\"du colis\"").await, vec!["Le remboursement du colis, c'est pour quand ?"]);
    assert!(search(&store, &ws, "introuvable").await.is_empty());
});

both_backends!(a_search_combines_with_the_other_filters, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let a = account(&store, &ws, "@banque").await;
    let b = account(&store, &ws, "@banque_pro").await;
    store.ingest_activity(&a, &[mention("a1", "Prêt refusé", 1_000), mention("a2", "Prêt accordé", 2_000)], None).await.unwrap();
    let stored = store.ingest_activity(&b, &[mention("b1", "Prêt en attente", 3_000)], None).await.unwrap();
    store.set_message_status(&stored.messages[0], MessageStatus::Resolved).await.unwrap();

    let q = Some(InboxSearch::parse("pret").unwrap());
    let by_account = InboxFilter { search: q.clone(), account_id: Some(a.id.clone()), ..InboxFilter::default() };
    assert_eq!(texts(&store.inbox_page(&ws, &by_account, 50).await.unwrap().messages), vec!["Prêt accordé", "Prêt refusé"]);
    let resolved = InboxFilter { search: q.clone(), status: Some(MessageStatus::Resolved), ..InboxFilter::default() };
    assert_eq!(texts(&store.inbox_page(&ws, &resolved, 50).await.unwrap().messages), vec!["Prêt en attente"]);
    let dated = InboxFilter { search: q, since: Some(1_500), until: Some(2_500), ..InboxFilter::default() };
    assert_eq!(texts(&store.inbox_page(&ws, &dated, 50).await.unwrap().messages), vec!["Prêt accordé"]);
});

both_backends!(a_search_pages_with_the_keyset_without_duplicates_or_gaps, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "@banque").await;
    // 120 messages, two of every three about a "facture", some pairs at the same instant, and
    // some with the word only where an exclusion removes them.
    let page: Vec<Incoming> = (0..120)
        .map(|i| {
            let text = match i % 3 {
                0 => format!("Facture numéro {i}"),
                1 => format!("Ma facture {i} est fausse, remboursement ?"),
                _ => format!("Bonjour {i}"),
            };
            mention(&format!("m{i}"), &text, 1_000 + (i / 2) * 10)
        })
        .collect();
    store.ingest_activity(&acc, &page, None).await.unwrap();

    let search = InboxSearch::parse("facture -remboursement").unwrap();
    let expected: Vec<String> = page.iter().filter(|m| search.matches(&m.text)).map(|m| m.text.clone()).rev().collect::<Vec<_>>();
    assert_eq!(expected.len(), 40);
    let mut filter = InboxFilter { search: Some(search), ..InboxFilter::default() };
    let mut seen: Vec<InboxMessage> = vec![];
    let mut pages = 0;
    loop {
        let p = store.inbox_page(&ws, &filter, 7).await.unwrap();
        pages += 1;
        seen.extend(p.messages);
        match p.next {
            Some(next) => filter.after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 6, "40 messages in pages of 7");
    let ids: HashSet<&str> = seen.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids.len(), seen.len(), "no message twice");
    let mut got: Vec<&InboxMessage> = seen.iter().collect();
    got.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    assert_eq!(seen.iter().map(|m| &m.id).collect::<Vec<_>>(), got.iter().map(|m| &m.id).collect::<Vec<_>>(), "newest first");
    let mut texts: Vec<String> = seen.iter().map(|m| m.text.clone()).collect();
    let mut expected = expected;
    texts.sort();
    expected.sort();
    assert_eq!(texts, expected, "every matching message, none other");
});

both_backends!(a_search_never_finds_another_workspaces_message, |store: Store| async move {
    let ours = workspace(&store, "Banque").await;
    let theirs = workspace(&store, "Cafés").await;
    let a = account(&store, &ours, "@banque").await;
    let b = account(&store, &theirs, "@cafes").await;
    store.ingest_activity(&a, &[mention("1", "Un grain de café offert", 1_000)], None).await.unwrap();
    store.ingest_activity(&b, &[mention("1", "Le café arabica secret", 2_000)], None).await.unwrap();
    assert_eq!(search(&store, &ours, "cafe").await, vec!["Un grain de café offert"]);
    assert!(search(&store, &ours, "arabica").await.is_empty());
    assert_eq!(search(&store, &theirs, "arabica OR grain").await, vec!["Le café arabica secret"]);
});

both_backends!(messages_stored_before_the_index_are_indexed_by_the_backfill, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "@banque").await;
    let stored = store
        .ingest_activity(
            &acc,
            &[mention("1", "Élodie attend sa carte", 1_000), mention("2", "Carte bloquée", 2_000), mention("3", "Carte reçue", 3_000)],
            None,
        )
        .await
        .unwrap();
    for id in &stored.messages {
        store.forget_search_terms(id).await.unwrap();
    }
    assert!(search(&store, &ws, "carte").await.is_empty(), "not indexed yet");
    assert_eq!(store.index_unindexed_messages(2).await.unwrap(), 2, "a full batch");
    assert_eq!(store.index_unindexed_messages(2).await.unwrap(), 1);
    assert_eq!(store.index_unindexed_messages(2).await.unwrap(), 0, "nothing left");
    assert_eq!(search(&store, &ws, "carte").await, vec!["Carte reçue", "Carte bloquée", "Élodie attend sa carte"]);
    assert_eq!(search(&store, &ws, "elodie").await, vec!["Élodie attend sa carte"]);
});

fn by(handle: &str, name: &str, remote_id: &str, text: &str, at: i64) -> Incoming {
    Incoming { author_handle: handle.into(), author_name: Some(name.into()), ..mention(remote_id, text, at) }
}

fn handle(network: &str, handle: &str) -> AuthorHandle {
    AuthorHandle { network: network.into(), handle: handle.into() }
}

both_backends!(linked_handles_make_one_history_and_unlinking_splits_it, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let other_ws = workspace(&store, "Cafés").await;
    let masto = store.create_social_account(&ws, "mastodon", "@banque@m.example", "b", |_| "sealed".into()).await.unwrap();
    let bsky = store.create_social_account(&ws, "bluesky", "banque.bsky.social", "b", |_| "sealed".into()).await.unwrap();
    let theirs = store.create_social_account(&other_ws, "bluesky", "cafes.bsky.social", "c", |_| "sealed".into()).await.unwrap();
    let first = store
        .ingest_activity(
            &masto,
            &[
                by("@marie@mastodon.social", "Marie Dupont", "m1", "Ma carte est bloquée, c'est inadmissible", 1_000),
                by("@marie@mastodon.social", "Marie Dupont", "m2", "Merci, parfait, au top !", 3_000),
            ],
            None,
        )
        .await
        .unwrap()
        .messages;
    store.ingest_activity(&bsky, &[by("marie.bsky.social", "Marie D.", "b1", "Quels sont vos horaires ?", 2_000)], None).await.unwrap();
    store.ingest_activity(&bsky, &[by("paul.bsky.social", "Marie Dupont", "b2", "Bonjour", 4_000)], None).await.unwrap();
    store.ingest_activity(&theirs, &[by("marie.bsky.social", "Marie", "x1", "Café froid", 5_000)], None).await.unwrap();

    let marie = handle("mastodon", "@marie@mastodon.social");
    let history = store.author_history(&ws, &marie, &first[1], 10).await.unwrap();
    assert_eq!((history.count, history.first_seen_at), (2, Some(1_000)));
    assert_eq!(texts(&history.messages), vec!["Ma carte est bloquée, c'est inadmissible"], "the message being read is left out");
    let suggested: Vec<String> =
        store.author_suggestions(&ws, &marie, Some("Marie Dupont")).await.unwrap().into_iter().map(|k| k.author_handle).collect();
    assert_eq!(suggested, vec!["marie.bsky.social", "paul.bsky.social"], "same local part, same name; never another workspace's");

    store.link_authors(&ws, &marie, &handle("bluesky", "marie.bsky.social"), &relais_store::Actor::system()).await.unwrap();
    let history = store.author_history(&ws, &marie, "", 10).await.unwrap();
    assert_eq!(history.identities, vec![marie.clone(), handle("bluesky", "marie.bsky.social")]);
    assert_eq!(history.count, 3);
    assert_eq!(
        texts(&history.messages),
        vec!["Merci, parfait, au top !", "Quels sont vos horaires ?", "Ma carte est bloquée, c'est inadmissible"]
    );
    assert_eq!(history.sentiments.0 + history.sentiments.1 + history.sentiments.2, 3);
    assert!(history.sentiments.0 >= 1 && history.sentiments.2 >= 1, "{:?}", history.sentiments);
    let from_bluesky = store.author_history(&ws, &handle("bluesky", "marie.bsky.social"), "", 10).await.unwrap();
    assert_eq!(from_bluesky.count, 3, "the link works both ways");
    assert_eq!(store.author_history(&other_ws, &handle("bluesky", "marie.bsky.social"), "", 10).await.unwrap().count, 1, "per workspace");

    // A third handle joins the same person; linking to an unknown handle or to itself is refused.
    store.link_authors(&ws, &handle("bluesky", "paul.bsky.social"), &marie, &relais_store::Actor::system()).await.unwrap();
    assert_eq!(store.author_history(&ws, &handle("bluesky", "marie.bsky.social"), "", 10).await.unwrap().count, 4);
    assert!(matches!(
        store.link_authors(&ws, &marie, &handle("bluesky", "nobody.bsky.social"), &relais_store::Actor::system()).await,
        Err(relais_store::StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.link_authors(&ws, &marie, &marie, &relais_store::Actor::system()).await,
        Err(relais_store::StoreError::Conflict(_))
    ));
    assert!(
        matches!(
            store.link_authors(&other_ws, &marie, &handle("bluesky", "marie.bsky.social"), &relais_store::Actor::system()).await,
            Err(relais_store::StoreError::NotFound(_))
        ),
        "another workspace never heard of the Mastodon handle"
    );

    assert!(store.unlink_author(&ws, &handle("bluesky", "paul.bsky.social")).await.unwrap());
    assert_eq!(store.author_history(&ws, &marie, "", 10).await.unwrap().count, 3);
    assert!(store.unlink_author(&ws, &handle("bluesky", "marie.bsky.social")).await.unwrap());
    let alone = store.author_history(&ws, &marie, "", 10).await.unwrap();
    assert_eq!((alone.identities.len(), alone.count), (1, 2), "a person of one handle is no link");
    assert!(!store.unlink_author(&ws, &marie).await.unwrap(), "nothing left to unlink");
});

both_backends!(the_backfill_records_the_authors_of_older_messages, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let acc = account(&store, &ws, "@banque").await;
    let stored = store.ingest_activity(&acc, &[by("@lea", "Léa", "1", "Bonjour", 1_000)], None).await.unwrap();
    store.forget_search_terms(&stored.messages[0]).await.unwrap();
    store.forget_author(&ws, "sandbox", "@lea").await.unwrap();
    let lea_elsewhere = handle("bluesky", "lea.bsky.social");
    assert!(store.author_suggestions(&ws, &lea_elsewhere, None).await.unwrap().is_empty(), "not recorded yet");
    assert_eq!(store.index_unindexed_messages(10).await.unwrap(), 1);
    let found = store.author_suggestions(&ws, &lea_elsewhere, None).await.unwrap();
    assert_eq!(found.iter().map(|k| k.author_handle.as_str()).collect::<Vec<_>>(), vec!["@lea"]);
});
