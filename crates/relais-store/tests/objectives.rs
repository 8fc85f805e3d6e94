//! Objectives on SQLite and PostgreSQL: saved as the domain validated them and read back the
//! same, edited, deleted, and never pointed at another workspace's account, pillar or campaign.

use jiff::civil::date;
use relais_core::kpi::{Currency, Kpi, Money, Objective, Scope, Value};
use relais_core::{Colour, Locale, Name, TimeZoneName};
use relais_store::{PillarInput, Store, StoreError, both_backends};

async fn workspace(store: &Store, name: &str) -> String {
    let o = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
    store
        .create_workspace(&o.id, &Name::parse("n", name).unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
        .await
        .unwrap()
        .id
}

fn title(s: &str) -> Name {
    Name::parse("title", s).unwrap()
}

both_backends!(objectives_are_kept_as_validated_and_stay_in_their_workspace, |store: Store| async move {
    let bank = workspace(&store, "Banque").await;
    let coffee = workspace(&store, "Cafés").await;
    let pillar = store
        .create_pillar(&bank, &PillarInput { name: title("Conseils"), colour: Colour::parse("c", "#1d4ed8").unwrap(), target_share: None })
        .await
        .unwrap();
    let growth = Objective::new(Kpi::FollowerGrowth, Value::Count(1500), date(2027, 1, 1), date(2027, 3, 31), Scope::Workspace).unwrap();
    let saved = store.save_objective(&bank, None, &title("Audience T1"), &growth, None).await.unwrap();
    assert_eq!(
        (saved.kpi.as_str(), saved.target, saved.starts_on.as_str(), saved.ends_on.as_str()),
        ("follower_growth", 1500.0, "2027-01-01", "2027-03-31")
    );
    assert_eq!(saved.objective().unwrap(), growth, "read back to the same objective");

    let engagement = Objective::new(
        Kpi::EngagementRateByReach,
        Value::Percent(0.045),
        date(2027, 1, 1),
        date(2027, 6, 30),
        Scope::Pillar(pillar.id.clone()),
    )
    .unwrap();
    let second = store.save_objective(&bank, None, &title("Conseils qui engagent"), &engagement, None).await.unwrap();
    assert_eq!(second.objective().unwrap(), engagement);
    let listed: Vec<String> = store.objectives(&bank).await.unwrap().into_iter().map(|o| o.title).collect();
    assert_eq!(listed, ["Conseils qui engagent", "Audience T1"], "the latest ending first");
    assert!(store.objectives(&coffee).await.unwrap().is_empty());

    // Edited in place: same id, new target.
    let more = Objective::new(Kpi::FollowerGrowth, Value::Count(2000), date(2027, 1, 1), date(2027, 3, 31), Scope::Workspace).unwrap();
    let edited = store.save_objective(&bank, Some(&saved.id), &title("Audience T1"), &more, None).await.unwrap();
    assert_eq!((edited.id.as_str(), edited.target), (saved.id.as_str(), 2000.0));

    // Money keeps its currency.
    let campaign_scope = Scope::Campaign("no-such-campaign".into());
    let cpc =
        Objective::new(Kpi::CostPerClick, Value::Money(Money::new(45, Currency::EUR)), date(2027, 1, 1), date(2027, 1, 31), campaign_scope)
            .unwrap();
    // …but not on a campaign that is not the workspace's.
    let refused = store.save_objective(&bank, None, &title("CPC"), &cpc, None).await.unwrap_err();
    assert!(matches!(&refused, StoreError::Conflict(m) if m.contains("campaign")), "{refused}");
    // A pillar of the bank is not the coffee roaster's.
    let refused = store.save_objective(&coffee, None, &title("Vol"), &engagement, None).await.unwrap_err();
    assert!(matches!(&refused, StoreError::Conflict(m) if m.contains("pillar")), "{refused}");
    // A network none of the workspace's accounts is on.
    let network =
        Objective::new(Kpi::FollowerGrowth, Value::Count(10), date(2027, 1, 1), date(2027, 1, 31), Scope::Network("bluesky".into()))
            .unwrap();
    assert!(store.save_objective(&bank, None, &title("Bluesky"), &network, None).await.is_err());
    store.create_social_account(&bank, "bluesky", "banque.bsky.social", "banque.bsky.social", |_| "sealed".into()).await.unwrap();
    let on_bluesky = store.save_objective(&bank, None, &title("Bluesky"), &network, None).await.unwrap();
    assert_eq!(on_bluesky.objective().unwrap().scope(), &Scope::Network("bluesky".into()));

    // Another workspace cannot read, edit or delete it.
    assert!(matches!(store.objective(&coffee, &saved.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.save_objective(&coffee, Some(&saved.id), &title("x"), &growth, None).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.delete_objective(&coffee, &saved.id).await, Err(StoreError::NotFound(_))));
    store.delete_objective(&bank, &saved.id).await.unwrap();
    assert_eq!(store.objectives(&bank).await.unwrap().len(), 2);
});
