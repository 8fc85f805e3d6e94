//! Paid campaigns: the plan kept on the campaign, results per day replaced by day and written all
//! at once, objectives on CTR/CPC/CPA/ROAS measured from them, and share of voice from listening
//! queries marked as the brand's or a competitor's.

use super::{org_with_workspace, user};
use jiff::civil::date;
use relais_core::campaign_plan::{CampaignObjective, CampaignPlan};
use relais_core::campaign_results::DayResult;
use relais_core::kpi::listening::Voice;
use relais_core::kpi::{Currency, Kpi, Money, Objective, Observation, Scope, Value};
use relais_core::listening_query::ListeningQuery;
use relais_core::{Colour, Name};
use relais_store::{CampaignInput, HitSource, Measured, NewListeningHit, ResultSource, Store, StoreError, Unmeasured, both_backends};

fn name(s: &str) -> Name {
    Name::parse("name", s).unwrap()
}

async fn campaign(store: &Store, ws: &str, label: &str) -> String {
    let input = CampaignInput {
        name: name(label),
        colour: Colour::parse("colour", "#b45309").unwrap(),
        starts_on: Some(date(2027, 6, 1)),
        ends_on: Some(date(2027, 6, 30)),
    };
    store.create_campaign(ws, &input).await.unwrap().id
}

fn day(d: i8, spend_cents: i64, impressions: u64, clicks: u64, conversions: u64, value_cents: i64) -> DayResult {
    DayResult { day: date(2027, 6, d), spend_cents, impressions, clicks, conversions, conversion_value_cents: value_cents }
}

both_backends!(a_campaign_keeps_its_plan_and_its_results_per_day, |store: Store| async move {
    let (_, bank) = org_with_workspace(&store, "Agence", "Banque").await;
    let (_, cafe) = org_with_workspace(&store, "Autre", "Café").await;
    let summer = campaign(&store, &bank, "Été").await;
    let plan = CampaignPlan::new(Some(CampaignObjective::Sales), Some(100_000), Currency::EUR, "Artisans", "France", (Some(25), Some(54)))
        .unwrap();
    let saved = store.save_campaign_plan(&bank, &summer, &plan).await.unwrap();
    assert_eq!(saved.plan(), plan);
    assert!(matches!(store.save_campaign_plan(&cafe, &summer, &plan).await, Err(StoreError::NotFound(_))));

    let first = [day(1, 1250, 1000, 30, 2, 8990), day(2, 3000, 4000, 50, 1, 4500)];
    assert_eq!(store.record_campaign_results(&bank, &summer, &first, ResultSource::Import).await.unwrap(), 2);
    // The same day again replaces it; a new day is added.
    store
        .record_campaign_results(&bank, &summer, &[day(2, 2000, 3000, 40, 1, 4500), day(3, 10, 10, 0, 0, 0)], ResultSource::Form)
        .await
        .unwrap();
    let stored = store.campaign_results(&bank, &summer).await.unwrap();
    assert_eq!(stored, [first[0], day(2, 2000, 3000, 40, 1, 4500), day(3, 10, 10, 0, 0, 0)]);
    // Another workspace neither writes nor reads them.
    assert!(matches!(store.record_campaign_results(&cafe, &summer, &first, ResultSource::Api).await, Err(StoreError::NotFound(_))));
    assert!(store.campaign_results(&cafe, &summer).await.unwrap().is_empty());

    // Results in euros: the currency is locked.
    let dollars = CampaignPlan { currency: Currency::USD, budget: Some(Money::new(100_000, Currency::USD)), ..plan.clone() };
    let locked = store.save_campaign_plan(&bank, &summer, &dollars).await.unwrap_err();
    assert!(matches!(locked, StoreError::Conflict(ref m) if m.contains("3 days") && m.contains("EUR")), "{locked}");

    store.delete_campaign_result(&bank, &summer, date(2027, 6, 3)).await.unwrap();
    assert!(matches!(store.delete_campaign_result(&bank, &summer, date(2027, 6, 3)).await, Err(StoreError::NotFound(_))));
    assert_eq!(store.campaign_results(&bank, &summer).await.unwrap().len(), 2);
    // Deleting the campaign takes its results with it.
    store.delete_campaign(&bank, &summer).await.unwrap();
    assert!(store.scope_campaign_results(&bank, &Scope::Workspace, date(2027, 6, 1), date(2027, 6, 30)).await.unwrap().is_empty());
});

both_backends!(campaign_objectives_are_measured_from_the_results, |store: Store| async move {
    let (_, bank) = org_with_workspace(&store, "Agence", "Banque").await;
    let summer = campaign(&store, &bank, "Été").await;
    let autumn = campaign(&store, &bank, "Automne").await;
    store
        .record_campaign_results(
            &bank,
            &summer,
            &[day(1, 1000, 10_000, 100, 2, 5000), day(8, 3000, 10_000, 300, 4, 20_000), day(20, 5000, 0, 0, 0, 0)],
            ResultSource::Import,
        )
        .await
        .unwrap();
    store.record_campaign_results(&bank, &autumn, &[day(2, 1000, 20_000, 100, 4, 0)], ResultSource::Import).await.unwrap();
    let today = date(2027, 6, 10);
    let observe = |kpi: Kpi, target: Value, scope: Scope| {
        let store = store.clone();
        let bank = bank.clone();
        async move {
            let objective = Objective::new(kpi, target, date(2027, 6, 1), date(2027, 6, 30), scope).unwrap();
            let record = store.save_objective(&bank, None, &name("Objectif"), &objective, None).await.unwrap();
            store.objective_observations(&record, &objective, "Europe/Paris", today).await.unwrap()
        }
    };
    let at = |d: i8, value: f64| Observation { date: date(2027, 6, d), value };
    // Summer, checkpoints June 1 and 8 (June 10, today, adds nothing after the 8th):
    // CPC June 1: 1000 / 100 = 10 cents; June 8: 4000 / 400 = 10; June 10: the same.
    let eur = |cents| Value::Money(Money::new(cents, Currency::EUR));
    assert_eq!(
        observe(Kpi::CostPerClick, eur(12), Scope::Campaign(summer.clone())).await,
        Measured::Observations(vec![at(1, 10.0), at(8, 10.0), at(10, 10.0)])
    );
    // CTR: 100 / 10,000 = 0.01, then 400 / 20,000 = 0.02.
    assert_eq!(
        observe(Kpi::ClickThroughRate, Value::Percent(0.02), Scope::Campaign(summer.clone())).await,
        Measured::Observations(vec![at(1, 0.01), at(8, 0.02), at(10, 0.02)])
    );
    // ROAS: 5000 / 1000 = 5, then 25,000 / 4,000 = 6.25.
    assert_eq!(
        observe(Kpi::ReturnOnAdSpend, Value::Ratio(4.0), Scope::Campaign(summer.clone())).await,
        Measured::Observations(vec![at(1, 5.0), at(8, 6.25), at(10, 6.25)])
    );
    // The workspace adds the autumn campaign from June 2: CPA June 1: 1000 / 2 = 500;
    // June 8: (1000 + 3000 + 1000) / (2 + 4 + 4) = 500.
    assert_eq!(
        observe(Kpi::CostPerAcquisition, eur(600), Scope::Workspace).await,
        Measured::Observations(vec![at(1, 500.0), at(8, 500.0), at(10, 500.0)])
    );
    // A target in dollars cannot read results in euros.
    let usd = Value::Money(Money::new(50, Currency::USD));
    assert_eq!(observe(Kpi::CostPerClick, usd, Scope::Campaign(summer.clone())).await, Measured::Unmeasured(Unmeasured::CampaignCurrency));
});

both_backends!(share_of_voice_counts_the_brand_against_its_competitors, |store: Store| async move {
    let (_, bank) = org_with_workspace(&store, "Agence", "Banque").await;
    let sophie = user(&store, "sophie@example.org").await;
    let make = |label: &'static str, voice: Option<Voice>| {
        let store = store.clone();
        let bank = bank.clone();
        let sophie = sophie.clone();
        async move {
            let q = store.create_listening_query(&bank, &name(label), &ListeningQuery::parse(label).unwrap(), &sophie).await.unwrap();
            store.set_listening_voice(&bank, &q.id, voice.as_ref()).await.unwrap();
            q.id
        }
    };
    let brand = make("banque", Some(Voice::Brand)).await;
    let sov = Objective::new(Kpi::ShareOfVoice, Value::Percent(0.5), date(2027, 6, 1), date(2027, 6, 30), Scope::Workspace).unwrap();
    let record = store.save_objective(&bank, None, &name("Part de voix"), &sov, None).await.unwrap();
    let today = date(2027, 6, 10);
    // The brand alone: nothing to compare with.
    assert_eq!(
        store.objective_observations(&record, &sov, "Europe/Paris", today).await.unwrap(),
        Measured::Unmeasured(Unmeasured::Competitors)
    );
    let rival = make("rival", Some(Voice::Competitor(name("Rival")))).await;
    let rival_too = make("rival2", Some(Voice::Competitor(name("Rival")))).await;
    let other = make("autre", Some(Voice::Competitor(name("Autre")))).await;
    let topic = make("credit", None).await;
    let tracked = store.tracked_voices(&bank).await.unwrap();
    assert_eq!((tracked.brand_queries, tracked.competitors.clone()), (1, vec!["Autre".to_string(), "Rival".to_string()]));

    let paris = |d: i8, h: i8| date(2027, 6, d).at(h, 0, 0, 0).in_tz("Europe/Paris").unwrap().timestamp().as_millisecond();
    let hit = |query: &'static str, remote: &'static str, at: i64| (query, remote, at);
    let hits = [
        // Brand: 3 posts, one on June 1, two on June 9.
        hit("brand", "b1", paris(1, 10)),
        hit("brand", "b2", paris(9, 10)),
        hit("brand", "b3", paris(9, 23)),
        // Rival: one post found by both its queries counts once; another on June 9.
        hit("rival", "r1", paris(1, 11)),
        hit("rival2", "r1", paris(1, 11)),
        hit("rival2", "r2", paris(9, 8)),
        // Autre: 2 posts, June 2 and 9; one before the period, ignored.
        hit("other", "a1", paris(2, 9)),
        hit("other", "a2", paris(9, 9)),
        hit("other", "a0", paris(1, 0) - 3_600_000),
        // A topic query counts for no one.
        hit("topic", "t1", paris(1, 12)),
    ];
    let ids = |q: &str| match q {
        "brand" => brand.clone(),
        "rival" => rival.clone(),
        "rival2" => rival_too.clone(),
        "other" => other.clone(),
        _ => topic.clone(),
    };
    let new_hits: Vec<(String, &str, i64)> = hits.iter().map(|(q, r, at)| (ids(q), *r, *at)).collect();
    let to_store: Vec<NewListeningHit> = new_hits
        .iter()
        .map(|(q, r, at)| NewListeningHit {
            query_id: q,
            network: "bluesky",
            remote_id: r,
            author_remote_id: "did:plc:x",
            author_handle: "x.test",
            author_name: None,
            text: "texte",
            url: None,
            language: None,
            posted_at: *at,
            source: HitSource::Search,
        })
        .collect();
    store.store_listening_hits(&to_store).await.unwrap();
    let seen = store.objective_observations(&record, &sov, "Europe/Paris", today).await.unwrap();
    // June 1 (end of day): brand 1, Rival 1, Autre 0 → 1 / 2 = 0.5.
    // June 8: brand 1, Rival 1, Autre 1 → 1 / 3. June 10: brand 3, Rival 2, Autre 2 → 3 / 7.
    let at = |d: i8, value: f64| Observation { date: date(2027, 6, d), value };
    assert_eq!(seen, Measured::Observations(vec![at(1, 0.5), at(8, 1.0 / 3.0), at(10, 3.0 / 7.0)]));
    // On another network: no mention, so nothing to observe.
    store.create_social_account(&bank, "mastodon", "@banque@piaille.fr", "m", |_| "sealed".into()).await.unwrap();
    let on_mastodon =
        Objective::new(Kpi::ShareOfVoice, Value::Percent(0.5), date(2027, 6, 1), date(2027, 6, 30), Scope::Network("mastodon".into()))
            .unwrap();
    let record = store.save_objective(&bank, None, &name("Mastodon"), &on_mastodon, None).await.unwrap();
    assert_eq!(store.objective_observations(&record, &on_mastodon, "Europe/Paris", today).await.unwrap(), Measured::Observations(vec![]));
});
