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

fn paris_ms(y: i16, m: i8, d: i8, h: i8) -> i64 {
    date(y, m, d).at(h, 0, 0, 0).in_tz("Europe/Paris").unwrap().timestamp().as_millisecond()
}

both_backends!(an_objective_is_observed_from_the_workspaces_own_numbers, |store: Store| async move {
    use relais_core::kpi::{Observation, Status};
    use relais_store::{AccountMetricSample, Measured};
    let bank = workspace(&store, "Banque").await;
    let a = store.create_social_account(&bank, "bluesky", "banque.bsky.social", "b", |_| "sealed".into()).await.unwrap();
    let b = store.create_social_account(&bank, "mastodon", "@banque@piaille.fr", "m", |_| "sealed".into()).await.unwrap();
    let sample = |account: &str, taken_at: i64, followers: i64| AccountMetricSample {
        account_id: account.into(),
        taken_at,
        followers,
        following: 0,
        posts: 0,
    };
    // A: 1,000 the day before the period, 1,010 on the 1st, 1,030 on the 2nd. B is first
    // measured on the 2nd (500): before that it counts at its start.
    for s in [
        sample(&a.id, paris_ms(2026, 12, 31, 12), 1000),
        sample(&a.id, paris_ms(2027, 1, 1, 10), 1010),
        sample(&a.id, paris_ms(2027, 1, 2, 10), 1030),
        sample(&b.id, paris_ms(2027, 1, 2, 9), 500),
        // After the day judged: ignored.
        sample(&a.id, paris_ms(2027, 1, 4, 10), 5000),
    ] {
        store.record_account_metrics(&s).await.unwrap();
    }
    let today = date(2027, 1, 3);
    let observe = |objective: Objective| {
        let store = store.clone();
        let bank = bank.clone();
        async move {
            let record = store.save_objective(&bank, None, &title("Objectif"), &objective, None).await.unwrap();
            store.objective_observations(&record, &objective, "Europe/Paris", today).await.unwrap()
        }
    };
    let growth = Objective::new(Kpi::FollowerGrowth, Value::Count(600), date(2027, 1, 1), date(2027, 1, 31), Scope::Workspace).unwrap();
    let seen = observe(growth.clone()).await;
    // Start 1,000 + 500 = 1,500; Jan 1: 1,010 + 500 − 1,500 = 10; Jan 2 and 3: 1,030 + 500 − 1,500 = 30.
    let expected = vec![
        Observation { date: date(2027, 1, 1), value: 10.0 },
        Observation { date: date(2027, 1, 2), value: 30.0 },
        Observation { date: date(2027, 1, 3), value: 30.0 },
    ];
    assert_eq!(seen, Measured::Observations(expected.clone()));
    let Measured::Observations(points) = seen else { unreachable!() };
    let assessed = growth.assess(&points, today);
    assert_eq!(assessed.current.and_then(|f| f.number()), Some(30.0));
    // 30 in 3 days is about 10 a day: far from 600 by the 31st.
    assert_eq!(assessed.status, Status::OffTrack);

    let on_mastodon =
        Objective::new(Kpi::FollowerGrowth, Value::Count(100), date(2027, 1, 1), date(2027, 1, 31), Scope::Network("mastodon".into()))
            .unwrap();
    // B alone: measured once (counting at that value from the start), so no growth yet.
    let zero = |d| Observation { date: date(2027, 1, d), value: 0.0 };
    assert_eq!(observe(on_mastodon).await, Measured::Observations(vec![zero(1), zero(2), zero(3)]));

    // Not started: nothing to observe.
    let later = Objective::new(Kpi::FollowerGrowth, Value::Count(100), date(2027, 2, 1), date(2027, 2, 28), Scope::Workspace).unwrap();
    assert_eq!(observe(later).await, Measured::Observations(vec![]));

    // A campaign without results yet has nothing to observe.
    let campaign = store
        .create_campaign(
            &bank,
            &relais_store::CampaignInput {
                name: title("Prêt Artisan"),
                colour: Colour::parse("c", "#b45309").unwrap(),
                starts_on: None,
                ends_on: None,
            },
        )
        .await
        .unwrap();
    let cpc = Objective::new(
        Kpi::CostPerClick,
        Value::Money(Money::new(45, Currency::EUR)),
        date(2027, 1, 1),
        date(2027, 1, 31),
        Scope::Campaign(campaign.id),
    )
    .unwrap();
    assert_eq!(observe(cpc).await, Measured::Observations(vec![]));
});

both_backends!(engagement_and_reach_objectives_read_the_post_rollups, |store: Store| async move {
    use relais_core::kpi::Observation;
    use relais_store::{Actor, Measured, NewPost, NewVariant, PostMetricSample};
    let bank = workspace(&store, "Banque").await;
    let account = store.create_social_account(&bank, "sandbox", "@banque", "Banque", |_| "sealed".into()).await.unwrap();
    let mut published = vec![];
    for (title, day) in [("Prêt", 1), ("Conseil", 9)] {
        let post = store
            .create_post(
                &NewPost {
                    workspace_id: bank.clone(),
                    title: title.into(),
                    pillar: None,
                    campaign: None,
                    variants: vec![NewVariant::text(account.id.clone(), title, None)],
                },
                &Actor::system(),
            )
            .await
            .unwrap();
        let variant = store.variants(&post.id).await.unwrap().remove(0).id;
        store.publish_variant_at_for_test(&variant, &format!("remote-{title}"), paris_ms(2027, 1, day, 10)).await.unwrap();
        published.push((variant, day));
    }
    // Post 1: 10 likes + 2 replies on 200 impressions (reach 150); post 2: 18 likes on 400 (reach 300).
    for ((variant, day), (likes, replies, impressions, reach)) in published.iter().zip([(10, 2, 200, 150), (18, 0, 400, 300)]) {
        let s = PostMetricSample {
            variant_id: variant.clone(),
            taken_at: paris_ms(2027, 1, *day, 20),
            likes,
            replies,
            reposts: 0,
            quotes: 0,
            impressions: Some(impressions),
            reach: Some(reach),
            link_clicks: None,
        };
        store.record_post_metrics(&[s]).await.unwrap();
    }
    let today = date(2027, 1, 10);
    let observe = |objective: Objective| {
        let store = store.clone();
        let bank = bank.clone();
        async move {
            let record = store.save_objective(&bank, None, &title("Objectif"), &objective, None).await.unwrap();
            store.objective_observations(&record, &objective, "Europe/Paris", today).await.unwrap()
        }
    };
    let rate =
        Objective::new(Kpi::EngagementRateByImpressions, Value::Percent(0.05), date(2027, 1, 1), date(2027, 1, 31), Scope::Workspace)
            .unwrap();
    // Checkpoints on the 1st, the 8th and the last day judged (the 10th): 12 / 200 = 0.06 until
    // the second post, then (12 + 18) / (200 + 400) = 0.05.
    let expected = vec![
        Observation { date: date(2027, 1, 1), value: 0.06 },
        Observation { date: date(2027, 1, 8), value: 0.06 },
        Observation { date: date(2027, 1, 10), value: 0.05 },
    ];
    assert_eq!(observe(rate).await, Measured::Observations(expected));
    let reach =
        Objective::new(Kpi::Reach, Value::Count(1000), date(2027, 1, 1), date(2027, 1, 31), Scope::Account(account.id.clone())).unwrap();
    let Measured::Observations(seen) = observe(reach).await else { panic!("reach is measured") };
    // 150, then 150 + 300.
    assert_eq!(seen.iter().map(|o| o.value).collect::<Vec<_>>(), [150.0, 150.0, 450.0]);
});
