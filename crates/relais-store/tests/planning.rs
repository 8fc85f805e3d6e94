//! The editorial calendar's storage stories, each run on SQLite and on PostgreSQL: editing,
//! planning and rescheduling posts, the calendar's filters, comments and notifications.

use relais_core::workflow::PostState;
use relais_core::{Email, Locale, Name, Role, TimeZoneName, now_ms};
use relais_store::{
    Actor, CalendarFilter, NewPost, NewVariant, NotificationKind, PlannedAt, PostContent, Store, StoreError, VariantOutcome, When,
    both_backends,
};

struct Fixture {
    ws: String,
    user: String,
    accounts: Vec<String>,
}

async fn fixture(store: &Store) -> Fixture {
    let o = store.create_organisation(&Name::parse("name", "Agence").unwrap()).await.unwrap();
    let w = store
        .create_workspace(&o.id, &Name::parse("name", "Banque").unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
        .await
        .unwrap();
    let u = store.create_user(&Email::parse("lea@example.org").unwrap(), &Name::parse("name", "Léa").unwrap(), "h").await.unwrap();
    store.set_membership(&w.id, &u.id, Role::Cm).await.unwrap();
    let mut accounts = vec![];
    for (network, handle) in [("sandbox", "@banque"), ("sandbox", "@banque_pro"), ("other", "@banque_ailleurs")] {
        accounts.push(store.create_social_account(&w.id, network, handle, handle, |_| "sealed".into()).await.unwrap().id);
    }
    Fixture { ws: w.id, user: u.id, accounts }
}

fn lea(f: &Fixture) -> Actor {
    Actor { id: Some(f.user.clone()), label: "Léa".into() }
}

async fn draft(store: &Store, f: &Fixture, title: &str, pillar: Option<&str>, accounts: &[usize]) -> String {
    let variants = accounts.iter().map(|i| NewVariant::text(f.accounts[*i].clone(), format!("{title} !"), None)).collect();
    let new = NewPost { workspace_id: f.ws.clone(), title: title.into(), pillar: pillar.map(Into::into), campaign: None, variants };
    store.create_post(&new, &lea(f)).await.unwrap().id
}

async fn approve(store: &Store, f: &Fixture, post: &str) {
    store.move_post(post, PostState::Draft, PostState::InReview, &lea(f), "submit_for_review", None).await.unwrap();
    store.move_post(post, PostState::InReview, PostState::Approved, &Actor::system(), "approve", None).await.unwrap();
}

both_backends!(editing_a_scheduled_post_sends_it_back_to_review_and_voids_its_jobs, |store: Store| async move {
    let f = fixture(&store).await;
    let post = draft(&store, &f, "Prêt Artisan", None, &[0, 1]).await;
    approve(&store, &f, &post).await;
    let at = now_ms() + 3_600_000;
    let version = store.schedule_post(&post, PostState::Approved, at, "2030-01-01T09:00", "Europe/Paris", &lea(&f)).await.unwrap();
    let before = store.variants(&post).await.unwrap();
    let kept = before.iter().find(|v| v.account_id == f.accounts[0]).unwrap().clone();

    let content = PostContent {
        title: "Prêt Artisan, v2".into(),
        pillar: Some("Produits".into()),
        campaign: None,
        variants: vec![
            NewVariant { thread: vec!["Suite".into()], ..NewVariant::text(f.accounts[0].clone(), "Nouveau texte", None) },
            NewVariant::text(f.accounts[2].clone(), "Ailleurs", Some("https://example.org".into())),
        ],
    };
    store.edit_post(&post, PostState::Scheduled, PostState::InReview, &content, &lea(&f)).await.unwrap();

    let p = store.post(&post).await.unwrap();
    assert_eq!((p.state, p.title.as_str(), p.pillar.as_deref()), (PostState::InReview, "Prêt Artisan, v2", Some("Produits")));
    assert_eq!(p.schedule_version, version + 1, "the old publish jobs must find a newer version and do nothing");
    let after = store.variants(&post).await.unwrap();
    assert_eq!(after.len(), 2);
    let same = after.iter().find(|v| v.account_id == f.accounts[0]).unwrap();
    assert_eq!((same.id.as_str(), same.idempotency_key.as_str()), (kept.id.as_str(), kept.idempotency_key.as_str()));
    assert_eq!((same.text.as_str(), same.thread_parts()), ("Nouveau texte", vec!["Suite".to_string()]));
    assert!(after.iter().all(|v| v.account_id != f.accounts[1]));
    let history = store.post_events(&post).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!((last.action.as_str(), last.from_state.as_str(), last.to_state.as_str()), ("edit", "scheduled", "in_review"));

    // Someone else moved it meanwhile: the edit is refused, nothing changes.
    let err = store.edit_post(&post, PostState::Approved, PostState::InReview, &content, &lea(&f)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
});

both_backends!(moving_on_the_calendar_plans_drafts_and_reschedules_scheduled_posts, |store: Store| async move {
    let f = fixture(&store).await;
    let idea = draft(&store, &f, "Idée", None, &[0]).await;
    let at = now_ms() + 86_400_000;
    store.plan_post(&idea, Some(PlannedAt { at_ms: at, local: "2030-01-02T10:00", zone: "Europe/Paris" }), &lea(&f)).await.unwrap();
    let p = store.post(&idea).await.unwrap();
    assert_eq!((p.state, p.scheduled_at, p.scheduled_local.as_deref()), (PostState::Draft, Some(at), Some("2030-01-02T10:00")));
    assert!(store.claim_jobs("t", 10, 60_000).await.unwrap().is_empty(), "planning a draft schedules nothing");

    let post = draft(&store, &f, "Programmé", None, &[0]).await;
    approve(&store, &f, &post).await;
    let v1 = store.schedule_post(&post, PostState::Approved, now_ms() - 1, "2030-01-01T09:00", "Europe/Paris", &lea(&f)).await.unwrap();
    let later = now_ms() + 7_200_000;
    store.plan_post(&post, Some(PlannedAt { at_ms: later, local: "2030-01-03T09:00", zone: "Europe/Paris" }), &lea(&f)).await.unwrap();
    let p = store.post(&post).await.unwrap();
    assert_eq!((p.state, p.scheduled_at, p.schedule_version), (PostState::Scheduled, Some(later), v1 + 1));
    let due = store.claim_jobs("t", 10, 60_000).await.unwrap();
    assert_eq!(due.len(), 1, "the first job (due now) is still there, and voided by its version");
    assert_eq!(due[0].payload["version"], v1);
    let events = store.post_events(&post).await.unwrap();
    assert_eq!(events.last().unwrap().action, "reschedule");

    let err = store.plan_post(&post, None, &lea(&f)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)));
});

both_backends!(the_calendar_filters_by_period_account_network_pillar_and_status, |store: Store| async move {
    let f = fixture(&store).await;
    let base = now_ms() + 86_400_000;
    let mut planned = vec![];
    for (i, (title, pillar, accounts)) in
        [("A", Some("Produits"), vec![0]), ("B", Some("Coulisses"), vec![1]), ("C", None, vec![2]), ("D", Some("Produits"), vec![0, 2])]
            .into_iter()
            .enumerate()
    {
        let id = draft(&store, &f, title, pillar, &accounts).await;
        let at = base + i as i64 * 3_600_000;
        store.plan_post(&id, Some(PlannedAt { at_ms: at, local: "2030-01-01T09:00", zone: "Europe/Paris" }), &lea(&f)).await.unwrap();
        planned.push(id);
    }
    let unplanned = draft(&store, &f, "Sans date", None, &[0]).await;
    approve(&store, &f, &planned[3]).await;

    let titles = |entries: Vec<relais_store::CalendarEntry>| entries.into_iter().map(|e| e.post.title).collect::<Vec<_>>();
    let all = When::Between(base, base + 10 * 3_600_000);
    assert_eq!(titles(store.calendar(&f.ws, all, &CalendarFilter::default()).await.unwrap()), ["A", "B", "C", "D"]);
    let by_account = CalendarFilter { account_id: Some(f.accounts[0].clone()), ..Default::default() };
    assert_eq!(titles(store.calendar(&f.ws, all, &by_account).await.unwrap()), ["A", "D"]);
    let by_network = CalendarFilter { network: Some("other".into()), ..Default::default() };
    assert_eq!(titles(store.calendar(&f.ws, all, &by_network).await.unwrap()), ["C", "D"]);
    let by_pillar = CalendarFilter { pillar: Some("Produits".into()), states: vec![PostState::Approved], ..Default::default() };
    let d = store.calendar(&f.ws, all, &by_pillar).await.unwrap();
    assert_eq!(titles(d.clone()), ["D"]);
    assert_eq!(d[0].targets.iter().map(|t| t.handle.as_str()).collect::<Vec<_>>(), ["@banque_ailleurs", "@banque"]);
    let narrow = When::Between(base + 3_600_000, base + 2 * 3_600_000);
    assert_eq!(titles(store.calendar(&f.ws, narrow, &CalendarFilter::default()).await.unwrap()), ["B"]);
    let loose = store.calendar(&f.ws, When::Unplanned, &CalendarFilter::default()).await.unwrap();
    assert_eq!(loose.iter().map(|e| e.post.id.as_str()).collect::<Vec<_>>(), [unplanned.as_str()]);
    let (pillars, _) = store.labels_in_use(&f.ws).await.unwrap();
    assert_eq!(pillars, ["Coulisses", "Produits"]);
});

both_backends!(a_failed_publication_notifies_the_author_with_the_networks_words, |store: Store| async move {
    let f = fixture(&store).await;
    let post = draft(&store, &f, "Échec", None, &[0]).await;
    approve(&store, &f, &post).await;
    store.schedule_post(&post, PostState::Approved, now_ms(), "2030-01-01T09:00", "Europe/Paris", &lea(&f)).await.unwrap();
    let variant = store.variants(&post).await.unwrap().remove(0);
    store.begin_publish_attempt(&variant.id).await.unwrap();
    store.finish_variant(&variant.id, &VariantOutcome::Failed { error: "image trop lourde".into() }).await.unwrap();

    assert_eq!(store.unread_notifications(&f.user, &f.ws).await.unwrap(), 1);
    let n = store.notifications(&f.user, &f.ws, 10).await.unwrap().remove(0);
    assert_eq!(
        (n.kind.as_str(), n.subject.as_str(), n.detail.as_deref()),
        (NotificationKind::Failed.as_str(), "Échec", Some("image trop lourde"))
    );
    assert_eq!(n.post_id.as_deref(), Some(post.as_str()));
    assert_eq!(store.mark_notifications_read(&f.user, &f.ws).await.unwrap(), 1);
    assert_eq!(store.unread_notifications(&f.user, &f.ws).await.unwrap(), 0);
});

both_backends!(comments_are_kept_in_order_with_their_author, |store: Store| async move {
    let f = fixture(&store).await;
    let post = draft(&store, &f, "Commenté", None, &[0]).await;
    store.add_comment(&post, &lea(&f), "Premier jet", &[]).await.unwrap();
    store.add_comment(&post, &Actor { id: None, label: "Marc".into() }, "Ton plus chaleureux ?", &[]).await.unwrap();
    let comments = store.comments(&post).await.unwrap();
    assert_eq!(
        comments.iter().map(|c| (c.author_label.as_str(), c.body.as_str())).collect::<Vec<_>>(),
        [("Léa", "Premier jet"), ("Marc", "Ton plus chaleureux ?")]
    );
    store.assign_post(&post, Some(&f.user), &[]).await.unwrap();
    assert_eq!(store.post(&post).await.unwrap().assignee_id.as_deref(), Some(f.user.as_str()));
});

both_backends!(a_variants_content_warning_and_visibility_are_kept_edited_and_handed_to_publishing, |store: Store| async move {
    let f = fixture(&store).await;
    let variant = NewVariant {
        content_warning: Some("Divulgâchage".into()),
        visibility: Some("followers".into()),
        ..NewVariant::text(f.accounts[0].clone(), "La fin du film", None)
    };
    let plain = NewVariant::text(f.accounts[1].clone(), "Sans avertissement", None);
    let new = NewPost { workspace_id: f.ws.clone(), title: "Film".into(), pillar: None, campaign: None, variants: vec![variant, plain] };
    let post = store.create_post(&new, &lea(&f)).await.unwrap().id;
    let variants = store.variants(&post).await.unwrap();
    let warned = variants.iter().find(|v| v.account_id == f.accounts[0]).unwrap();
    assert_eq!((warned.content_warning.as_deref(), warned.visibility.as_deref()), (Some("Divulgâchage"), Some("followers")));
    let other = variants.iter().find(|v| v.account_id == f.accounts[1]).unwrap();
    assert_eq!((other.content_warning.as_deref(), other.visibility.as_deref()), (None, None));

    let ids: Vec<String> = variants.iter().map(|v| v.id.clone()).collect();
    let targets = store.publish_targets(&ids).await.unwrap();
    let target = targets.iter().find(|t| t.variant_id == warned.id).unwrap();
    assert_eq!((target.content_warning.as_deref(), target.visibility.as_deref()), (Some("Divulgâchage"), Some("followers")));

    // An edit changes them; a blank warning is none.
    let content = PostContent {
        title: "Film".into(),
        pillar: None,
        campaign: None,
        variants: vec![NewVariant {
            content_warning: Some("  ".into()),
            visibility: Some("unlisted".into()),
            ..NewVariant::text(f.accounts[0].clone(), "La fin du film", None)
        }],
    };
    store.edit_post(&post, PostState::Draft, PostState::Draft, &content, &lea(&f)).await.unwrap();
    let edited = store.variant(&warned.id).await.unwrap();
    assert_eq!((edited.content_warning.as_deref(), edited.visibility.as_deref()), (None, Some("unlisted")));
});
