//! The calendar sheet's import and export, on SQLite and on PostgreSQL.

use relais_core::calendar_sheet::{PlannedPost, PlannedSlot, PlannedVariant};
use relais_core::scheduling::resolve_local;
use relais_core::workflow::PostState;
use relais_core::{Locale, Name, TimeZoneName};
use relais_store::{Actor, ExportRange, Store, StoreError, both_backends};

struct Bank {
    ws: String,
    banque: String,
    cafe: String,
}

async fn bank(store: &Store) -> Bank {
    let org = store.create_organisation(&Name::parse("name", "Agence").unwrap()).await.unwrap();
    let tz = TimeZoneName::parse("Europe/Paris").unwrap();
    let ws = store.create_workspace(&org.id, &Name::parse("name", "Banque").unwrap(), &tz, Locale::Fr).await.unwrap().id;
    let account = |h: &'static str| {
        let ws = ws.clone();
        async move { store.create_social_account(&ws, "sandbox", h, h, |_| "sealed".into()).await.unwrap().id }
    };
    let (banque, cafe) = (account("banque").await, account("cafe").await);
    store.add_pillar_for_test(&ws, "Offres").await.unwrap();
    store.add_campaign_for_test(&ws, "Rentrée").await.unwrap();
    store.add_media_for_test(&ws, "affiche.png").await.unwrap();
    store.add_media_for_test(&ws, "logo.png").await.unwrap();
    Bank { ws, banque, cafe }
}

fn slot(local: &str) -> Option<PlannedSlot> {
    Some(PlannedSlot { local: local.into(), at_ms: resolve_local(local, "Europe/Paris").unwrap().as_millisecond() })
}

fn variant(row: usize, account: &str, text: &str, media: &[&str]) -> PlannedVariant {
    PlannedVariant { row, account_id: account.into(), text: text.into(), link: None, media: media.iter().map(|m| m.to_string()).collect() }
}

fn actor() -> Actor {
    Actor { id: None, label: "Sophie SMM".into() }
}

both_backends!(an_import_writes_posts_variants_media_and_schedules_like_the_composer, |store: Store| async move {
    let b = bank(&store).await;
    let posts = vec![
        PlannedPost {
            row: 2,
            title: "Rentrée".into(),
            pillar: Some("Offres".into()),
            campaign: Some("Rentrée".into()),
            state: PostState::Scheduled,
            slot: slot("2099-09-01T09:30"),
            variants: vec![variant(2, &b.banque, "Pour la banque", &["logo.png", "affiche.png"]), variant(3, &b.cafe, "Pour le café", &[])],
        },
        PlannedPost {
            row: 4,
            title: "Idée".into(),
            pillar: None,
            campaign: None,
            state: PostState::Draft,
            slot: slot("2099-09-02T10:00"),
            variants: vec![variant(4, &b.banque, "Brouillon", &[])],
        },
        PlannedPost {
            row: 5,
            title: "Sans date".into(),
            pillar: None,
            campaign: None,
            state: PostState::Idea,
            slot: None,
            variants: vec![variant(5, &b.cafe, "Un jour", &[])],
        },
    ];
    let ids = store.import_calendar(&b.ws, &posts, "Europe/Paris", &actor(), "calendrier.xlsx").await.unwrap();
    assert_eq!(ids.len(), 3);

    let scheduled = store.post(&ids[0]).await.unwrap();
    assert_eq!(scheduled.state, PostState::Scheduled);
    assert_eq!(scheduled.scheduled_local.as_deref(), Some("2099-09-01T09:30"));
    assert_eq!(scheduled.schedule_version, 1);
    let history: Vec<(String, String)> = store.post_events(&ids[0]).await.unwrap().into_iter().map(|e| (e.action, e.to_state)).collect();
    assert_eq!(history, [("import".to_string(), "approved".to_string()), ("schedule".into(), "scheduled".into())]);
    let jobs = store.publish_jobs_for_test(&ids[0]).await.unwrap();
    assert_eq!(jobs.len(), 2, "one publish job per variant");
    assert!(jobs.iter().all(|(at, _)| Some(*at) == scheduled.scheduled_at));

    let draft = store.post(&ids[1]).await.unwrap();
    assert_eq!((draft.state, draft.scheduled_local.as_deref(), draft.schedule_version), (PostState::Draft, Some("2099-09-02T10:00"), 0));
    assert!(store.publish_jobs_for_test(&ids[1]).await.unwrap().is_empty(), "a draft's planned time enqueues nothing");
    assert_eq!(store.post(&ids[2]).await.unwrap().scheduled_at, None);

    let calendar = store.calendar_export(&b.ws, ExportRange::default()).await.unwrap();
    let titles: Vec<&str> = calendar.iter().map(|e| e.post.title.as_str()).collect();
    assert_eq!(titles, ["Rentrée", "Idée", "Sans date"], "by planned time, undated last");
    let v: Vec<(&str, &[String])> = calendar[0].variants.iter().map(|v| (v.handle.as_str(), v.media.as_slice())).collect();
    assert_eq!(v, [("banque", &["logo.png".to_string(), "affiche.png".to_string()][..]), ("cafe", &[][..])]);

    let from = resolve_local("2099-09-02T00:00", "Europe/Paris").unwrap().as_millisecond();
    let later = store.calendar_export(&b.ws, ExportRange { from_ms: Some(from), to_ms: None }).await.unwrap();
    assert_eq!(later.iter().map(|e| e.post.title.as_str()).collect::<Vec<_>>(), ["Idée"]);
    let before = store.calendar_export(&b.ws, ExportRange { from_ms: None, to_ms: Some(from) }).await.unwrap();
    assert_eq!(before.iter().map(|e| e.post.title.as_str()).collect::<Vec<_>>(), ["Rentrée"]);

    let names = store.sheet_names(&b.ws).await.unwrap();
    assert_eq!(
        (names.pillars, names.campaigns, names.media),
        (vec!["Offres".to_string()], vec!["Rentrée".to_string()], vec!["affiche.png".to_string(), "logo.png".to_string()])
    );
});

both_backends!(an_import_that_fails_on_one_post_writes_nothing, |store: Store| async move {
    let b = bank(&store).await;
    let good = PlannedPost {
        row: 2,
        title: "Bon".into(),
        pillar: None,
        campaign: None,
        state: PostState::Scheduled,
        slot: slot("2099-09-01T09:30"),
        variants: vec![variant(2, &b.banque, "Bonjour", &["logo.png"])],
    };
    // The media file disappeared between the check and the write.
    let bad =
        PlannedPost { row: 3, title: "Mauvais".into(), variants: vec![variant(3, &b.cafe, "Bonjour", &["supprimé.png"])], ..good.clone() };
    let err = store.import_calendar(&b.ws, &[good.clone(), bad], "Europe/Paris", &actor(), "x.csv").await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(ref m) if m.contains("supprimé.png")), "{err}");
    // An account of another workspace, or none: the database refuses it.
    let ghost = PlannedPost { variants: vec![variant(3, "no-such-account", "Bonjour", &[])], ..good.clone() };
    assert!(store.import_calendar(&b.ws, &[good, ghost], "Europe/Paris", &actor(), "x.csv").await.is_err());
    assert!(store.calendar_export(&b.ws, ExportRange::default()).await.unwrap().is_empty(), "nothing was written");
});
