//! The media library's storage stories, each run on SQLite and on PostgreSQL.

use relais_core::media::MediaKind;
use relais_core::{Locale, Name, TimeZoneName};
use relais_store::{Actor, NewMedia, NewPost, NewVariant, Store, StoreError, both_backends};

async fn workspace(store: &Store, name: &str) -> String {
    let o = store.create_organisation(&Name::parse("name", "Agence").unwrap()).await.unwrap();
    store
        .create_workspace(&o.id, &Name::parse("name", name).unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
        .await
        .unwrap()
        .id
}

fn image(ws: &str, sha_char: char, filename: &str) -> NewMedia {
    NewMedia {
        workspace_id: ws.into(),
        sha256: sha_char.to_string().repeat(64),
        kind: MediaKind::Image,
        mime: "image/png".into(),
        filename: filename.into(),
        bytes: 12_345,
        width: 800,
        height: 600,
        duration_ms: None,
        alt_text: String::new(),
        created_by: None,
    }
}

/// A draft with one variant per account given, returning the variant ids.
async fn draft(store: &Store, ws: &str, accounts: usize) -> (String, Vec<String>) {
    let mut variants = vec![];
    for i in 0..accounts {
        let a = store.create_social_account(ws, "sandbox", &format!("compte{i}"), "Compte", |_| "sealed".into()).await.unwrap();
        variants.push(NewVariant::text(a.id, "Bonjour", None));
    }
    let new = NewPost { workspace_id: ws.into(), title: "Lancement".into(), pillar: None, campaign: None, variants };
    let post = store.create_post(&new, &Actor { id: None, label: "test".into() }).await.unwrap();
    let ids = store.variants(&post.id).await.unwrap().into_iter().map(|v| v.id).collect();
    (post.id, ids)
}

both_backends!(the_same_bytes_uploaded_twice_are_one_item, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let (first, created) = store.insert_media(&image(&ws, 'a', "vitrine.png")).await.unwrap();
    assert!(created);
    assert_eq!((first.kind(), first.width, first.height, first.used_by), (MediaKind::Image, 800, 600, 0));
    let (again, created) = store.insert_media(&image(&ws, 'a', "copie.png")).await.unwrap();
    assert!(!created);
    assert_eq!(again.id, first.id);
    assert_eq!(again.filename, "vitrine.png");
    // Another workspace's identical file is its own item.
    let other = workspace(&store, "Café").await;
    let (theirs, created) = store.insert_media(&image(&other, 'a', "vitrine.png")).await.unwrap();
    assert!(created);
    assert_ne!(theirs.id, first.id);
    assert!(matches!(store.media(&other, &first.id).await, Err(StoreError::NotFound("media"))));
});

both_backends!(the_library_lists_newest_first_with_alt_text, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let (a, _) = store.insert_media(&image(&ws, 'a', "a.png")).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let video = NewMedia { kind: MediaKind::Video, mime: "video/mp4".into(), duration_ms: Some(4500), ..image(&ws, 'b', "film.mp4") };
    let (b, _) = store.insert_media(&video).await.unwrap();
    let list = store.media_list(&ws).await.unwrap();
    assert_eq!(list.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), vec![b.id.as_str(), a.id.as_str()]);
    assert_eq!(list[0].duration_ms, Some(4500));
    assert!(!a.facts().has_alt_text);
    store.set_media_alt_text(&ws, &a.id, "La vitrine de l'agence de Dijon").await.unwrap();
    let a = store.media(&ws, &a.id).await.unwrap();
    assert_eq!(a.alt_text, "La vitrine de l'agence de Dijon");
    assert!(a.facts().has_alt_text);
    let other = workspace(&store, "Café").await;
    assert!(matches!(store.set_media_alt_text(&other, &a.id, "x").await, Err(StoreError::NotFound(_))));
});

both_backends!(variants_keep_their_media_in_order_and_used_media_cannot_be_deleted, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let (a, _) = store.insert_media(&image(&ws, 'a', "a.png")).await.unwrap();
    let (b, _) = store.insert_media(&image(&ws, 'b', "b.png")).await.unwrap();
    let (c, _) = store.insert_media(&image(&ws, 'c', "c.png")).await.unwrap();
    let (_, variants) = draft(&store, &ws, 2).await;
    store.attach_media(&variants[0], &[b.id.clone(), a.id.clone()]).await.unwrap();
    store.attach_media(&variants[1], std::slice::from_ref(&a.id)).await.unwrap();
    let map = store.variant_media(&variants).await.unwrap();
    assert_eq!(map[&variants[0]].iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), vec![b.id.as_str(), a.id.as_str()]);
    assert_eq!(map[&variants[1]].len(), 1);
    // Both variants belong to one post: it counts once.
    assert_eq!(store.media(&ws, &a.id).await.unwrap().used_by, 1);

    let err = store.delete_media(&ws, &a.id).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(ref m) if m.contains("a.png is used by 1 post")), "{err}");
    // Replacing the list frees a; c is unused and goes.
    store.attach_media(&variants[0], std::slice::from_ref(&c.id)).await.unwrap();
    store.attach_media(&variants[1], &[]).await.unwrap();
    let map = store.variant_media(&variants).await.unwrap();
    assert_eq!(map[&variants[0]][0].id, c.id);
    assert!(!map.contains_key(&variants[1]));
    let gone = store.delete_media(&ws, &a.id).await.unwrap();
    assert_eq!(gone.sha256, "a".repeat(64));
    assert!(!store.media_file_in_use(&gone.sha256).await.unwrap());
    assert!(store.media_file_in_use(&"b".repeat(64)).await.unwrap());
    assert!(matches!(store.media(&ws, &a.id).await, Err(StoreError::NotFound(_))));
});

both_backends!(a_variant_takes_only_its_own_workspace_s_media_once, |store: Store| async move {
    let ws = workspace(&store, "Banque").await;
    let other = workspace(&store, "Café").await;
    let (mine, _) = store.insert_media(&image(&ws, 'a', "a.png")).await.unwrap();
    let (theirs, _) = store.insert_media(&image(&other, 'b', "b.png")).await.unwrap();
    let (_, variants) = draft(&store, &ws, 1).await;
    let err = store.attach_media(&variants[0], &[mine.id.clone(), theirs.id.clone()]).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound("media")), "{err}");
    let err = store.attach_media(&variants[0], &[mine.id.clone(), mine.id.clone()]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(matches!(store.attach_media("no-such-variant", std::slice::from_ref(&mine.id)).await, Err(StoreError::NotFound("variant"))));
    assert!(store.variant_media(&variants).await.unwrap().is_empty());
});
