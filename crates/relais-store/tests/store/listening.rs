//! Listening storage: queries per workspace, hits stored once, stream cursors that only move
//! forward.

use super::{org_with_workspace, user};
use relais_core::Name;
use relais_core::listening_query::ListeningQuery;
use relais_store::{HitSource, NewListeningHit, Store, StoreError, both_backends};

fn name(s: &str) -> Name {
    Name::parse("name", s).unwrap()
}

fn query(s: &str) -> ListeningQuery {
    ListeningQuery::parse(s).unwrap()
}

fn hit<'a>(query_id: &'a str, remote_id: &'a str, posted_at: i64, source: HitSource) -> NewListeningHit<'a> {
    NewListeningHit {
        query_id,
        network: "bluesky",
        remote_id,
        author_remote_id: "did:plc:alice",
        author_handle: "alice.test",
        author_name: Some("Alice"),
        text: "Le Crédit Agricole",
        url: Some("https://bsky.app/profile/alice.test/post/1"),
        language: Some("fr"),
        posted_at,
        source,
    }
}

both_backends!(a_query_is_saved_renamed_and_deactivated_in_its_workspace_only, |store: Store| async move {
    let (_, bank) = org_with_workspace(&store, "Agence", "Banque").await;
    let (_, cafe) = org_with_workspace(&store, "Autre", "Café").await;
    let sophie = user(&store, "sophie@example.org").await;
    let q = store.create_listening_query(&bank, &name("Marque"), &query("\"crédit agricole\" -emploi"), &sophie).await.unwrap();
    assert_eq!(
        (q.query.as_str(), q.active, q.hits, q.created_by.as_deref()),
        ("\"crédit agricole\" -emploi", true, 0, Some(sophie.as_str()))
    );

    let dup = store.create_listening_query(&bank, &name("Marque"), &query("x"), &sophie).await.unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(ref m) if m.contains("Marque")), "{dup}");
    // The same name in another workspace is another query.
    store.create_listening_query(&cafe, &name("Marque"), &query("café"), &sophie).await.unwrap();

    store.record_listening_run(&q.id, Some("Bluesky: rate limited")).await.unwrap();
    let q2 = store.listening_query(&bank, &q.id).await.unwrap();
    assert_eq!(q2.last_error.as_deref(), Some("Bluesky: rate limited"));
    assert!(q2.last_run_at.is_some());

    let edited = store.update_listening_query(&bank, &q.id, &name("Marque et prêts"), &query("crédit OR prêt"), false).await.unwrap();
    assert_eq!((edited.name.as_str(), edited.query.as_str(), edited.active), ("Marque et prêts", "crédit OR prêt", false));
    assert_eq!(edited.last_error, None, "a new query text clears the old query's error");
    assert_eq!(store.active_listening_queries().await.unwrap().iter().filter(|a| a.workspace_id == bank).count(), 0);
    store.set_listening_query_active(&bank, &q.id, true).await.unwrap();
    assert!(store.active_listening_queries().await.unwrap().iter().any(|a| a.id == q.id));

    // Another workspace's member cannot reach it by id.
    assert!(matches!(store.listening_query(&cafe, &q.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.set_listening_query_active(&cafe, &q.id, false).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.update_listening_query(&cafe, &q.id, &name("x"), &query("x"), true).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.listening_hits(&cafe, &q.id, 10).await, Err(StoreError::NotFound(_))));
    assert_eq!(store.listening_queries(&cafe).await.unwrap().len(), 1);
});

both_backends!(a_post_found_by_search_and_by_the_stream_is_stored_once, |store: Store| async move {
    let (_, bank) = org_with_workspace(&store, "Agence", "Banque").await;
    let sophie = user(&store, "sophie@example.org").await;
    let brand = store.create_listening_query(&bank, &name("Marque"), &query("crédit"), &sophie).await.unwrap();
    let rival = store.create_listening_query(&bank, &name("Concurrent"), &query("agricole"), &sophie).await.unwrap();

    let first = [hit(&brand.id, "at://a/1", 1_000, HitSource::Search), hit(&brand.id, "at://a/2", 2_000, HitSource::Search)];
    assert_eq!(store.store_listening_hits(&first).await.unwrap(), 2);
    // Found again by the stream, plus one new post and the same post for another query.
    let again = [
        hit(&brand.id, "at://a/1", 1_000, HitSource::Stream),
        hit(&brand.id, "at://a/3", 3_000, HitSource::Stream),
        hit(&rival.id, "at://a/1", 1_000, HitSource::Stream),
    ];
    assert_eq!(store.store_listening_hits(&again).await.unwrap(), 2);

    let hits = store.listening_hits(&bank, &brand.id, 10).await.unwrap();
    assert_eq!(hits.iter().map(|h| h.remote_id.as_str()).collect::<Vec<_>>(), ["at://a/3", "at://a/2", "at://a/1"], "newest first");
    assert_eq!(hits[2].source, "search", "the first finder is kept");
    assert_eq!(
        (hits[0].author_handle.as_str(), hits[0].author_name.as_deref(), hits[0].language.as_deref()),
        ("alice.test", Some("Alice"), Some("fr"))
    );
    assert_eq!(store.listening_hits(&bank, &brand.id, 1).await.unwrap().len(), 1);
    assert_eq!(store.listening_query(&bank, &brand.id).await.unwrap().hits, 3);
    assert_eq!(store.listening_query(&bank, &rival.id).await.unwrap().hits, 1);
    // A hit of a query that does not exist is dropped, not an error.
    assert_eq!(store.store_listening_hits(&[hit("gone", "at://a/9", 1, HitSource::Stream)]).await.unwrap(), 0);
});

both_backends!(a_stream_cursor_only_moves_forward, |store: Store| async move {
    assert_eq!(store.stream_cursor("bluesky", "wss://relay.example").await.unwrap(), None);
    store.save_stream_cursor("bluesky", "wss://relay.example", 42).await.unwrap();
    store.save_stream_cursor("bluesky", "wss://relay.example", 40).await.unwrap();
    store.save_stream_cursor("bluesky", "wss://other.example", 7).await.unwrap();
    assert_eq!(store.stream_cursor("bluesky", "wss://relay.example").await.unwrap(), Some(42));
    store.save_stream_cursor("bluesky", "wss://relay.example", 50).await.unwrap();
    assert_eq!(store.stream_cursor("bluesky", "wss://relay.example").await.unwrap(), Some(50));
    assert_eq!(store.stream_cursor("bluesky", "wss://other.example").await.unwrap(), Some(7));
});
