//! Strategy storage: labels that follow their posts, the brand charter, custom events, posting
//! slots and the queue.

use super::org_with_workspace;
use jiff::civil::date;
use relais_core::brand_charter::{BrandCharter, NetworkRules};
use relais_core::recurrence::{Recurrence, RecurringEvent};
use relais_core::scheduling::{Slot, resolve_local};
use relais_core::text_rules::Charter;
use relais_core::workflow::PostState;
use relais_core::{Colour, Name};
use relais_store::{Actor, CampaignInput, NewPost, NewVariant, PillarInput, Store, StoreError, both_backends};

fn pillar(name: &str, share: Option<u8>) -> PillarInput {
    PillarInput { name: Name::parse("name", name).unwrap(), colour: Colour::parse("colour", "#1D4ED8").unwrap(), target_share: share }
}

fn campaign(name: &str) -> CampaignInput {
    CampaignInput {
        name: Name::parse("name", name).unwrap(),
        colour: Colour::parse("colour", "#b91c1c").unwrap(),
        starts_on: Some(date(2026, 6, 1)),
        ends_on: Some(date(2026, 6, 30)),
    }
}

async fn post_with(store: &Store, ws: &str, title: &str, pillar: Option<&str>, campaign: Option<&str>, account: Option<&str>) -> String {
    let new = NewPost {
        workspace_id: ws.into(),
        title: title.into(),
        pillar: pillar.map(String::from),
        campaign: campaign.map(String::from),
        variants: account.map(|a| vec![NewVariant::text(a, "Bonjour", None)]).unwrap_or_default(),
    };
    store.create_post(&new, &Actor::system()).await.unwrap().id
}

both_backends!(renaming_a_pillar_renames_it_on_its_posts_and_only_in_its_workspace, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "Agence", "Banque").await;
    let (_, other) = org_with_workspace(&store, "Agence 2", "Café").await;
    let offers = store.create_pillar(&ws, &pillar("Offres", Some(40))).await.unwrap();
    store.create_pillar(&other, &pillar("Offres", None)).await.unwrap();
    let p1 = post_with(&store, &ws, "Prêt", Some("Offres"), None, None).await;
    let p2 = post_with(&store, &ws, "Livret", Some("Offres"), None, None).await;
    let elsewhere = post_with(&store, &other, "Café", Some("Offres"), None, None).await;
    assert_eq!(store.pillars(&ws).await.unwrap()[0].posts, 2);

    let renamed = store.update_pillar(&ws, &offers.id, &pillar("Produits", Some(50))).await.unwrap();
    assert_eq!((renamed.name.as_str(), renamed.target_share, renamed.posts), ("Produits", Some(50), 2));
    for id in [&p1, &p2] {
        assert_eq!(store.post(id).await.unwrap().pillar.as_deref(), Some("Produits"));
    }
    assert_eq!(store.post(&elsewhere).await.unwrap().pillar.as_deref(), Some("Offres"), "another workspace keeps its label");
    assert_eq!(store.pillar_names(&ws).await.unwrap(), ["Produits"]);
    // A pillar of another workspace cannot be edited through this one.
    let theirs = store.pillars(&other).await.unwrap().remove(0);
    assert!(matches!(store.update_pillar(&ws, &theirs.id, &pillar("Pris", None)).await, Err(StoreError::NotFound("pillar"))));
});

both_backends!(deleting_a_label_takes_it_off_its_posts, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "Agence", "Banque").await;
    let summer = store.create_campaign(&ws, &campaign("Été 2026")).await.unwrap();
    let tips = store.create_pillar(&ws, &pillar("Conseils", None)).await.unwrap();
    let post = post_with(&store, &ws, "Prêt", Some("Conseils"), Some("Été 2026"), None).await;
    assert_eq!(store.campaigns(&ws).await.unwrap()[0].posts, 1);
    assert_eq!(summer.starts_on.as_deref(), Some("2026-06-01"));

    assert_eq!(store.delete_campaign(&ws, &summer.id).await.unwrap(), 1);
    let p = store.post(&post).await.unwrap();
    assert_eq!((p.campaign, p.pillar.as_deref()), (None, Some("Conseils")));
    assert!(store.campaign_names(&ws).await.unwrap().is_empty());
    assert_eq!(store.delete_pillar(&ws, &tips.id).await.unwrap(), 1);
    assert_eq!(store.post(&post).await.unwrap().pillar, None);
    assert!(matches!(store.delete_pillar(&ws, &tips.id).await, Err(StoreError::NotFound(_))));
});

both_backends!(a_label_name_is_unique_per_workspace_and_kind, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "Agence", "Banque").await;
    store.create_pillar(&ws, &pillar("Offres", None)).await.unwrap();
    let err = store.create_pillar(&ws, &pillar("Offres", None)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(ref m) if m.contains("pillar") && m.contains("Offres")), "{err}");
    // A campaign may share a pillar's name.
    store.create_campaign(&ws, &campaign("Offres")).await.unwrap();
    let second = store.create_pillar(&ws, &pillar("Conseils", None)).await.unwrap();
    let post = post_with(&store, &ws, "Prêt", Some("Conseils"), None, None).await;
    // Renaming onto a taken name changes nothing, not even the posts.
    let err = store.update_pillar(&ws, &second.id, &pillar("Offres", None)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(store.post(&post).await.unwrap().pillar.as_deref(), Some("Conseils"));
    assert_eq!(store.pillar_names(&ws).await.unwrap(), ["Conseils", "Offres"]);
    // The same store still writes after the refused transaction.
    store.update_pillar(&ws, &second.id, &pillar("Astuces", None)).await.unwrap();
    assert_eq!(store.post(&post).await.unwrap().pillar.as_deref(), Some("Astuces"));
});

both_backends!(the_charter_is_empty_until_saved_and_keeps_its_network_rules, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "Agence", "Banque").await;
    assert_eq!(store.charter(&ws).await.unwrap(), BrandCharter::default());
    let mut charter = BrandCharter {
        base: Charter {
            words_to_avoid: vec!["gratuit".into()],
            mandatory: vec!["#BanqueDeBourgogne".into()],
            max_hashtags: Some(3),
            tone_notes: "Vouvoiement, phrases courtes.".into(),
        },
        ..BrandCharter::default()
    };
    charter
        .per_network
        .insert("mastodon".into(), NetworkRules { words_to_avoid: vec!["promo".into()], mandatory: vec![], max_hashtags: Some(5) });
    store.save_charter(&ws, &charter).await.unwrap();
    assert_eq!(store.charter(&ws).await.unwrap(), charter);
    charter.base.max_hashtags = None;
    charter.per_network.clear();
    store.save_charter(&ws, &charter).await.unwrap();
    assert_eq!(store.charter(&ws).await.unwrap(), charter, "saving again replaces");
    let (_, other) = org_with_workspace(&store, "Agence 2", "Café").await;
    assert_eq!(store.charter(&other).await.unwrap(), BrandCharter::default());
});

both_backends!(custom_events_repeat_within_their_workspace, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "Agence", "Banque").await;
    let (_, other) = org_with_workspace(&store, "Agence 2", "Café").await;
    let title = |t: &str| Name::parse("title", t).unwrap();
    let monthly = RecurringEvent { starts_on: date(2026, 1, 31), ends_on: date(2026, 1, 31), recurrence: Recurrence::Monthly };
    let closing = store.create_calendar_event(&ws, &title("Clôture mensuelle"), &monthly).await.unwrap();
    let fair = RecurringEvent { starts_on: date(2026, 4, 14), ends_on: date(2026, 4, 16), recurrence: Recurrence::None };
    store.create_calendar_event(&ws, &title("Salon de l'artisanat"), &fair).await.unwrap();
    store.create_calendar_event(&other, &title("Ailleurs"), &fair).await.unwrap();

    let april = store.event_occurrences(&ws, date(2026, 4, 1), date(2026, 4, 30)).await.unwrap();
    let got: Vec<(&str, String)> = april.iter().map(|o| (o.title.as_str(), o.start.to_string())).collect();
    assert_eq!(got, [("Salon de l'artisanat", "2026-04-14".to_string()), ("Clôture mensuelle", "2026-04-30".to_string())]);

    let yearly = RecurringEvent { recurrence: Recurrence::Yearly, ..monthly };
    let edited = store.update_calendar_event(&ws, &closing.id, &title("Clôture annuelle"), &yearly).await.unwrap();
    assert_eq!((edited.title.as_str(), edited.event), ("Clôture annuelle", yearly));
    assert!(store.event_occurrences(&ws, date(2026, 4, 1), date(2026, 4, 30)).await.unwrap().iter().all(|o| o.title != "Clôture annuelle"));
    assert!(matches!(store.delete_calendar_event(&other, &closing.id).await, Err(StoreError::NotFound(_))));
    store.delete_calendar_event(&ws, &closing.id).await.unwrap();
    assert_eq!(store.calendar_events(&ws).await.unwrap().len(), 1);
});

both_backends!(the_queue_offers_the_next_slot_no_scheduled_post_takes, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "Agence", "Banque").await;
    let (_, other) = org_with_workspace(&store, "Agence 2", "Café").await;
    let account = store.create_social_account(&ws, "sandbox", "banque", "Banque", |_| "sealed".into()).await.unwrap().id;
    let second = store.create_social_account(&ws, "sandbox", "banque_pro", "Banque Pro", |_| "sealed".into()).await.unwrap().id;
    let paris = "Europe/Paris";
    // Monday 4 March 2030, 08:00 in Paris.
    let after = resolve_local("2030-03-04T08:00", paris).unwrap().as_millisecond();
    assert_eq!(store.next_free_slot_for(&account, after, paris).await.unwrap(), None, "no slots, no queue");

    let tuesday_nine = Slot::new(2, 9 * 60).unwrap();
    let slot = store.add_posting_slot(&ws, &account, tuesday_nine).await.unwrap();
    store.add_posting_slot(&ws, &account, Slot::new(1, 18 * 60).unwrap()).await.unwrap();
    store.add_posting_slot(&ws, &second, Slot::new(1, 12 * 60).unwrap()).await.unwrap();
    assert!(matches!(store.add_posting_slot(&ws, &account, tuesday_nine).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.add_posting_slot(&other, &account, tuesday_nine).await, Err(StoreError::NotFound(_))));
    let slots = store.posting_slots(&account).await.unwrap();
    assert_eq!(
        slots.iter().map(|s| (s.slot.weekday_number(), s.slot.time_label())).collect::<Vec<_>>(),
        [(1, "18:00".into()), (2, "09:00".into())]
    );
    assert_eq!(store.workspace_posting_slots(&ws).await.unwrap().len(), 3);

    let (first_ms, first_local) = store.next_free_slot_for(&account, after, paris).await.unwrap().unwrap();
    assert_eq!(first_local, "2030-03-04T18:00");
    // A post scheduled on that slot (a draft of the other account does not count) takes it.
    let mine = post_with(&store, &ws, "Prêt", None, None, Some(&account)).await;
    post_with(&store, &ws, "Brouillon", None, None, Some(&account)).await;
    store.schedule_post(&mine, PostState::Draft, first_ms, &first_local, paris, &Actor::system()).await.unwrap();
    let (_, next) = store.next_free_slot_for(&account, after, paris).await.unwrap().unwrap();
    assert_eq!(next, "2030-03-05T09:00");
    let theirs = post_with(&store, &ws, "Autre compte", None, None, Some(&second)).await;
    let tuesday = resolve_local("2030-03-05T09:00", paris).unwrap().as_millisecond();
    store.schedule_post(&theirs, PostState::Draft, tuesday, "2030-03-05T09:00", paris, &Actor::system()).await.unwrap();
    assert_eq!(
        store.next_free_slot_for(&account, after, paris).await.unwrap().unwrap().1,
        "2030-03-05T09:00",
        "another account's post takes nothing"
    );
    assert_eq!(store.next_free_slot_for(&second, after, paris).await.unwrap().unwrap().1, "2030-03-04T12:00");

    assert!(matches!(store.remove_posting_slot(&other, &slot.id).await, Err(StoreError::NotFound(_))));
    store.remove_posting_slot(&ws, &slot.id).await.unwrap();
    assert_eq!(store.next_free_slot_for(&account, after, paris).await.unwrap().unwrap().1, "2030-03-11T18:00");
});
