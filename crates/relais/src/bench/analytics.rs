//! `relais bench analytics`: an organisation's analytics at scale. Loads two years of published
//! posts with their metric readings (hourly, then daily, after each release) and the accounts'
//! daily follower readings, then times the workspace overview exactly as the Analytics page
//! reads it (`relais_web::Dashboard::load`), for several scopes and periods, and the same
//! period totals answered by a plain GROUP BY over the raw readings, and renders the 12-month PDF
//! report as the download and the scheduled reports make it.

use super::{Db, report};
use clap::Args;
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::report_schedule::ReportFormat;
use relais_core::secrets::{SecretBox, SecretKey};
use relais_core::{Colour, Locale, Name, TimeZoneName, now_ms};
use relais_store::{AccountMetricSample, BenchDay, CampaignInput, PillarInput, Store};
use relais_web::i18n::Tr;
use relais_web::{AnalyticsQuery, Dashboard, Selection, report_files};
use std::time::Instant;

#[derive(Args, Debug)]
pub struct AnalyticsBench {
    /// Published posts, spread evenly over the days (one variant each).
    #[arg(long, default_value_t = 1_000_000)]
    posts: i64,
    /// Metric readings per post (the raw engagement events: 100 × 1,000,000 = 100,000,000).
    #[arg(long, default_value_t = 100)]
    readings: i64,
    /// Days of history, ending today.
    #[arg(long, default_value_t = 730)]
    days: i64,
    /// Accounts of the workspace (a third each on the sandbox, Bluesky and Mastodon).
    #[arg(long, default_value_t = 12)]
    accounts: usize,
    /// Timed runs per case.
    #[arg(long, default_value_t = 40)]
    runs: usize,
    /// Timed renderings of the 12-month PDF report (target: under 5 s).
    #[arg(long, default_value_t = 5)]
    pdf_runs: usize,
    /// Timed runs of the plain GROUP BY over the raw readings (slow by design).
    #[arg(long, default_value_t = 3)]
    raw_runs: usize,
    /// A PostgreSQL server (postgres://USER@HOST:PORT): a fresh database is created there and
    /// dropped afterwards. Without it, a fresh SQLite file.
    #[arg(long)]
    postgres: Option<String>,
    /// Keep the database afterwards (its address is printed), to look at its query plans.
    #[arg(long)]
    keep: bool,
}

pub async fn run(b: AnalyticsBench) -> anyhow::Result<()> {
    let (db, url) = Db::fresh(b.postgres.as_deref()).await?;
    let result = run_on(&b, &url).await;
    if b.keep {
        println!("the database is kept: {url}");
    } else {
        db.remove().await;
    }
    result
}

const ZONE: &str = "Europe/Paris";
const NETWORKS: [&str; 3] = ["sandbox", "bluesky", "mastodon"];
const PILLARS: [&str; 4] = ["Produits", "Coulisses", "Conseils", "Engagement RSE"];
const CAMPAIGNS: [&str; 3] = ["Rentrée", "Soldes d'hiver", "Lancement Horizon"];

async fn run_on(b: &AnalyticsBench, url: &str) -> anyhow::Result<()> {
    let backend = if b.postgres.is_some() { "PostgreSQL" } else { "SQLite" };
    println!(
        "relais bench analytics: {} posts × {} readings over {} days, {} accounts, {backend}",
        b.posts, b.readings, b.days, b.accounts
    );
    let store = Store::open(url).await?;
    let secrets = SecretBox::new(&SecretKey::generate());
    let org = store.create_organisation(&Name::parse("org", "Bench")?).await?;
    let ws = store.create_workspace(&org.id, &Name::parse("workspace", "Bench")?, &TimeZoneName::parse(ZONE)?, Locale::Fr).await?;
    let mut accounts: Vec<(String, bool)> = vec![];
    for (i, network) in NETWORKS.iter().enumerate() {
        let count = b.accounts / NETWORKS.len() + usize::from(i < b.accounts % NETWORKS.len());
        for id in store
            .bulk_accounts(&ws.id, network, count, |id| secrets.seal("bench-token", &relais_store::SocialAccount::credentials_context(id)))
            .await?
        {
            accounts.push((id, *network == "sandbox"));
        }
    }
    let colour = Colour::parse("colour", "#2b6cb0")?;
    for name in PILLARS {
        store
            .create_pillar(&ws.id, &PillarInput { name: Name::parse("name", name)?, colour: colour.clone(), target_share: Some(25) })
            .await?;
    }
    for name in CAMPAIGNS {
        store
            .create_campaign(
                &ws.id,
                &CampaignInput { name: Name::parse("name", name)?, colour: colour.clone(), starts_on: None, ends_on: None },
            )
            .await?;
    }
    let pillars: Vec<String> = PILLARS.iter().map(|s| s.to_string()).collect();
    let campaigns: Vec<String> = CAMPAIGNS.iter().map(|s| s.to_string()).collect();

    // The days, oldest first, with their bounds in the workspace's zone.
    let zone = TimeZone::get(ZONE)?;
    let now = now_ms();
    let today = jiff::Timestamp::now().to_zoned(zone.clone()).date();
    let mut days: Vec<(Date, i64, i64)> = vec![];
    for back in (0..b.days).rev() {
        let day = today.checked_sub(back.days())?;
        let start = day.to_zoned(zone.clone())?.timestamp().as_millisecond();
        let end = day.tomorrow()?.to_zoned(zone.clone())?.timestamp().as_millisecond();
        days.push((day, start, end));
    }
    let per_day = |i: usize| b.posts / b.days + i64::from((i as i64) < b.posts % b.days);
    let weekday_percent = |d: Date| match d.weekday() {
        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday => 70,
        jiff::civil::Weekday::Tuesday | jiff::civil::Weekday::Thursday => 125,
        _ => 100,
    };
    // 1. The posts.
    let loading = Instant::now();
    let mut first = 0;
    let mut day_keys = vec![];
    for (i, (day, starts_at, ends_at)) in days.iter().enumerate() {
        let key = day.to_string();
        let d = BenchDay {
            workspace_id: &ws.id,
            day: &key,
            starts_at: *starts_at,
            ends_at: (*ends_at).min(now),
            first,
            count: per_day(i),
            accounts: &accounts,
            pillars: &pillars,
            campaigns: &campaigns,
            readings: b.readings,
            weekday_percent: weekday_percent(*day),
            now,
        };
        store.bulk_published_posts(&d).await?;
        day_keys.push((key, first));
        first += per_day(i);
    }
    println!("posts: {first} in {:.0} s", loading.elapsed().as_secs_f64());

    // 2. The accounts' followers, one reading a day, through the normal path (so the account
    //    rollups are the product's own).
    let loading = Instant::now();
    for (n, (account, _)) in accounts.iter().enumerate() {
        let mut followers = 4_000 + 3_000 * n as i64;
        for (i, (_, starts_at, _)) in days.iter().enumerate() {
            // Growth with a weekly wobble and a lost follower or two.
            followers += 3 + (i as i64 * 7 + n as i64) % 11 - 2;
            let taken_at = starts_at + 12 * 3_600_000;
            if taken_at > now {
                break;
            }
            store
                .record_account_metrics(&AccountMetricSample { account_id: account.clone(), taken_at, followers, following: 300, posts: 0 })
                .await?;
        }
    }
    println!("account readings: {} in {:.0} s", accounts.len() * days.len(), loading.elapsed().as_secs_f64());

    // 3. The posts' readings and totals.
    let loading = Instant::now();
    let mut readings = 0u64;
    for (i, (day, starts_at, ends_at)) in days.iter().enumerate() {
        let (key, first) = &day_keys[i];
        let d = BenchDay {
            workspace_id: &ws.id,
            day: key,
            starts_at: *starts_at,
            ends_at: (*ends_at).min(now),
            first: *first,
            count: per_day(i),
            accounts: &accounts,
            pillars: &pillars,
            campaigns: &campaigns,
            readings: b.readings,
            weekday_percent: weekday_percent(*day),
            now,
        };
        readings += store.bulk_post_readings(&d).await?;
        // The day's totals into the day and slot rollups, by the product's own code.
        store.roll_up_pending_totals(2 * d.count + 100).await?;
        if i % 73 == 72 {
            if b.postgres.is_some() {
                // Statistics as autovacuum would keep them: without, PostgreSQL's pending pass
                // drops its partial index for a scan of the growing table.
                store.analyze().await?;
            }
            println!("  {readings} readings ({:.0} readings/s)", readings as f64 / loading.elapsed().as_secs_f64());
        }
    }
    println!("post readings: {readings} in {:.0} s", loading.elapsed().as_secs_f64());
    store.analyze().await?;

    check_totals(&store, &ws.id, &accounts[0].0, &days, &day_keys).await?;

    let month = Selection::of(&AnalyticsQuery::default(), ZONE)?;
    let year = Selection::of(
        &AnalyticsQuery { from: Some(today.checked_sub(364.days())?.to_string()), to: Some(today.to_string()), ..Default::default() },
        ZONE,
    )?;
    let scoped = |scope: String| Selection::of(&AnalyticsQuery { scope: Some(scope), ..Default::default() }, ZONE);
    let pillar = store.pillars(&ws.id).await?.remove(0).id;
    let campaign = store.campaigns(&ws.id).await?.remove(0).id;
    let cases: Vec<(&str, Selection)> = vec![
        ("workspace, 30 days", month.clone()),
        ("workspace, 12 months", year.clone()),
        ("network, 30 days", scoped("network:mastodon".into())?),
        ("account, 30 days", scoped(format!("account:{}", accounts[0].0))?),
        ("pillar, 30 days", scoped(format!("pillar:{pillar}"))?),
        ("campaign, 30 days", scoped(format!("campaign:{campaign}"))?),
    ];
    println!("{:<28} {:>8} {:>8} {:>8}", "overview (Dashboard::load)", "p50 ms", "p95 ms", "max ms");
    let mut first_p95 = None;
    for (name, sel) in cases {
        let mut times = vec![];
        for _ in 0..b.runs {
            let t = Instant::now();
            let d = Dashboard::load(&store, &ws, sel.clone()).await?;
            times.push(t.elapsed().as_micros() as i64);
            if d.numbers.posts.publications == 0 {
                anyhow::bail!("the case {name:?} found no post: the benchmark's data does not exercise it");
            }
        }
        let p95 = report(name, &mut times);
        first_p95.get_or_insert(p95);
    }

    // Where the workspace overview's time goes: each store call it makes, alone.
    {
        let (period, scope) = (&month.period, &month.scope);
        let basis = relais_core::kpi::engagement::EngagementBasis::Impressions;
        let ranked = relais_store::RankedBy { basis, ranking: relais_store::Ranking::Top, limit: 5 };
        let (from, to) = period.range_ms(&zone)?;
        let history = relais_web::history_of(period);
        println!("{:<28} {:>8} {:>8} {:>8}", "workspace, 30 days, by call", "p50 ms", "p95 ms", "max ms");
        macro_rules! timed {
            ($name:expr, $call:expr) => {{
                let mut times = vec![];
                for _ in 0..b.runs {
                    let t = Instant::now();
                    $call.await?;
                    times.push(t.elapsed().as_micros() as i64);
                }
                report($name, &mut times);
            }};
        }
        timed!("  period and previous", store.period_comparison(&ws.id, scope, period));
        timed!("  audience by day", store.audience_by_day(&ws.id, scope, period));
        timed!("  engagements by day", store.engagements_by_day(&ws.id, scope, period));
        timed!("  best times (12 months)", store.best_times(&ws.id, scope, &history, basis));
        timed!("  posts per pillar", store.publications_by_pillar(&ws.id, scope, period));
        timed!("  top posts", store.ranked_posts(&ws.id, scope, period, &zone, ranked));
        timed!("  care figures", store.scope_care_facts(&ws.id, scope, from, to));
    }

    // The same question without rollups: the period's totals by a GROUP BY over the readings.
    let (from, to) = month.period.range_ms(&zone)?;
    let rolled = store.period_numbers(&ws.id, &month.scope, &month.period).await?.posts;
    let mut times = vec![];
    for _ in 0..b.raw_runs {
        let t = Instant::now();
        let raw = store.raw_post_totals(&ws.id, from, to).await?;
        times.push(t.elapsed().as_micros() as i64);
        if raw.publications as u64 != rolled.publications || raw.likes as u64 != rolled.engagements.likes {
            anyhow::bail!("the rollups and the raw readings disagree: {raw:?} against {rolled:?}");
        }
    }
    let mut rollup_times = vec![];
    for _ in 0..b.runs {
        let t = Instant::now();
        store.post_totals(&ws.id, &month.scope, &month.period).await?;
        rollup_times.push(t.elapsed().as_micros() as i64);
    }
    println!("{:<28} {:>8} {:>8} {:>8}", "period totals, 30 days", "p50 ms", "p95 ms", "max ms");
    report("from the rollups", &mut rollup_times);
    report("GROUP BY over the readings", &mut times);
    // The 12-month PDF report, as the download and the scheduled reports make it.
    let media = relais_store::MediaFiles::new(std::env::temp_dir().join("relais-bench-media"));
    let mut times = vec![];
    let mut size = 0;
    for _ in 0..b.pdf_runs {
        let t = Instant::now();
        let files = report_files(&store, &media, &ws, year.clone(), Tr::new(Locale::Fr), &[ReportFormat::Pdf]).await?;
        times.push(t.elapsed().as_micros() as i64);
        size = files.first().map_or(0, |(_, bytes)| bytes.len());
    }
    println!("{:<28} {:>8} {:>8} {:>8}", "PDF report", "p50 ms", "p95 ms", "max ms");
    report(&format!("12 months ({} KiB)", size / 1024), &mut times);
    if let Some(p95) = first_p95 {
        println!("workspace overview p95: {:.1} ms (target: under 100 ms)", p95 as f64 / 1000.0);
    }
    store.close().await;
    Ok(())
}

/// Re-records the last reading of every post one account published on a day, through the
/// product's path (which recomputes the post's rollups from its readings), and checks that the
/// period's totals do not move: the bulk loader wrote what the product would have.
async fn check_totals(
    store: &Store,
    workspace_id: &str,
    account: &str,
    days: &[(Date, i64, i64)],
    day_keys: &[(String, i64)],
) -> anyhow::Result<()> {
    let i = days.len() / 2;
    let period = relais_core::kpi::Period::new(days[i].0, days[i].0)?;
    let scope = relais_core::kpi::Scope::Account(account.to_string());
    let before = store.post_totals(workspace_id, &scope, &period).await?;
    let next = day_keys.get(i + 1).map_or(i64::MAX, |(_, f)| *f);
    let ids: Vec<String> = (day_keys[i].1..next).map(Store::bench_variant_id).collect();
    let latest = store.latest_post_metrics(&ids).await?;
    let samples: Vec<_> = latest.into_values().collect();
    store.record_post_metrics(&samples).await?;
    let after = store.post_totals(workspace_id, &scope, &period).await?;
    if before != after || before.publications == 0 {
        anyhow::bail!("the bulk loader's totals differ from the product's: {before:?} against {after:?}");
    }
    println!("check: {} posts' totals recomputed by the product match the loader's", samples.len());
    Ok(())
}
