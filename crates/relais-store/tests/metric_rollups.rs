//! Metric rollups on SQLite and PostgreSQL: hour and day rows computed from hand-made samples
//! (the arithmetic is in the comments), the same rows when the samples are recorded twice or the
//! rollups rebuilt, days of the workspace's zone (a DST day, a post at 23:30 in Paris), and the
//! dashboard queries by pillar and campaign with top and flop posts in order; a new time zone
//! rebuilds the day buckets, samples without rollups are found and backfilled, and posts per
//! pillar follow a network or account scope; the day and weekday × hour rollups of the posts'
//! totals (migration 90) kept without double counting, and the rows the bulk loader writes
//! rolled up by the housekeeping's pass; a post's results follow its pillar and campaign when
//! the post is relabelled or the label renamed or deleted (migration 110).

use jiff::civil::date;
use jiff::tz::TimeZone;
use relais_core::kpi::engagement::{EngagementBasis, Engagements};
use relais_core::kpi::publishing::BestTimes;
use relais_core::kpi::{Period, Scope};
use relais_core::{Colour, Locale, Name, TimeZoneName};
use relais_store::{
    AccountMetricSample, Actor, BenchDay, CampaignInput, NewPost, NewVariant, PillarInput, PostContent, PostMetricSample,
    REBUILD_ROLLUPS_JOB, RankedBy, Ranking, Store, WorkspaceSettings, both_backends,
};

fn paris_ms(y: i16, m: i8, d: i8, h: i8, min: i8) -> i64 {
    date(y, m, d).at(h, min, 0, 0).in_tz("Europe/Paris").unwrap().timestamp().as_millisecond()
}

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").unwrap()
}

fn name(s: &str) -> Name {
    Name::parse("n", s).unwrap()
}

struct World {
    store: Store,
    ws: String,
    account: String,
}

impl World {
    async fn new(store: Store) -> World {
        let o = store.create_organisation(&name("Agence")).await.unwrap();
        let ws =
            store.create_workspace(&o.id, &name("Banque"), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr).await.unwrap().id;
        let account = store.create_social_account(&ws, "sandbox", "@banque", "Banque", |_| "sealed".into()).await.unwrap().id;
        World { store, ws, account }
    }

    /// A post published on the account at `at`, with its pillar and campaign names.
    async fn published(&self, title: &str, at: i64, pillar: Option<&str>, campaign: Option<&str>) -> String {
        self.published_on(&self.account, title, at, pillar, campaign).await
    }

    async fn published_on(&self, account: &str, title: &str, at: i64, pillar: Option<&str>, campaign: Option<&str>) -> String {
        let post = self
            .store
            .create_post(
                &NewPost {
                    workspace_id: self.ws.clone(),
                    title: title.into(),
                    pillar: pillar.map(str::to_string),
                    campaign: campaign.map(str::to_string),
                    variants: vec![NewVariant::text(account.to_string(), title, None)],
                },
                &Actor::system(),
            )
            .await
            .unwrap();
        let variant = self.store.variants(&post.id).await.unwrap().remove(0).id;
        self.store.publish_variant_at_for_test(&variant, &format!("remote-{title}"), at).await.unwrap();
        variant
    }

    async fn followers(&self, at: i64, followers: i64) {
        let s = AccountMetricSample { account_id: self.account.clone(), taken_at: at, followers, following: 10, posts: 0 };
        self.store.record_account_metrics(&s).await.unwrap();
    }
}

fn sample(variant: &str, at: i64, likes: i64, replies: i64, reposts: i64, quotes: i64, impressions: Option<i64>) -> PostMetricSample {
    PostMetricSample {
        variant_id: variant.into(),
        taken_at: at,
        likes,
        replies,
        reposts,
        quotes,
        impressions,
        reach: impressions.map(|i| i / 2),
        link_clicks: None,
    }
}

fn days(first: i8, last: i8) -> Period {
    Period::new(date(2026, 3, first), date(2026, 3, last)).unwrap()
}

both_backends!(rollups_are_computed_from_the_samples_in_the_workspaces_days, |store: Store| async move {
    let w = World::new(store).await;
    // 23:30 in Paris on Saturday 28 March (22:30Z): the 28th. 00:30 on the 29th (23:30Z on the
    // 28th): the 29th, although UTC still says the 28th.
    let late = w.published("late", paris_ms(2026, 3, 28, 23, 30), None, None).await;
    let midnight = w.published("midnight", paris_ms(2026, 3, 29, 0, 30), None, None).await;

    // Followers. 28th: 1,000 at 10:00, 1,010 at 20:00. 29th (the spring-forward day, 23 hours):
    // 1,005 at 00:30 (CET), 1,030 at 23:30 (CEST).
    let account_samples = [
        (paris_ms(2026, 3, 28, 10, 0), 1000),
        (paris_ms(2026, 3, 28, 20, 0), 1010),
        (paris_ms(2026, 3, 29, 0, 30), 1005),
        (paris_ms(2026, 3, 29, 23, 30), 1030),
    ];
    for (at, f) in account_samples {
        w.followers(at, f).await;
    }
    // The late post: 4 likes at 00:40 on the 29th, 10 at 12:00, 12 at 09:00 on the 30th.
    let post_samples = vec![
        sample(&late, paris_ms(2026, 3, 29, 0, 40), 4, 1, 0, 0, Some(200)),
        sample(&late, paris_ms(2026, 3, 29, 12, 0), 10, 2, 1, 0, Some(500)),
        sample(&late, paris_ms(2026, 3, 30, 9, 0), 12, 2, 1, 1, Some(600)),
        sample(&midnight, paris_ms(2026, 3, 29, 12, 0), 3, 0, 0, 0, Some(100)),
    ];
    // Recorded the way the job does: one collection at a time.
    for s in &post_samples {
        w.store.record_post_metrics(std::slice::from_ref(s)).await.unwrap();
    }

    let audience = w.store.audience_by_day(&w.ws, &Scope::Workspace, &days(27, 30)).await.unwrap();
    let got: Vec<_> = audience.iter().map(|d| (d.day.day(), d.followers, d.gained, d.lost, d.posts_published)).collect();
    assert_eq!(
        got,
        [
            // The 27th has no measure yet: the account counts at its first known value.
            (27, 1010, 0, 0, 0),
            // 28th: the first sample counts no change, then 1,010 − 1,000 = +10; the late post.
            (28, 1010, 10, 0, 1),
            // 29th: 1,005 − 1,010 = −5, 1,030 − 1,005 = +25; the midnight post.
            (29, 1030, 25, 5, 1),
            // 30th: no sample, carried over.
            (30, 1030, 0, 0, 0),
        ]
    );
    // The DST day has one bucket for its 23 hours; the late post's days: 10 − 0 = 10 likes
    // and 500 impressions on the 29th, 12 − 10 = 2 and 600 − 500 = 100 on the 30th.
    let late_days = w.store.post_daily_likes(&late).await.unwrap();
    assert_eq!(late_days, [("2026-03-29".to_string(), 10, 10, Some(500)), ("2026-03-30".to_string(), 12, 2, Some(100))]);
    // Hours: 00:40 CET is 23:00Z's hour, 12:00 CEST is 10:00Z's, 09:00 CEST is 07:00Z's.
    let hours = w.store.post_hourly_likes(&late).await.unwrap();
    assert_eq!(hours.iter().map(|h| (h.1, h.2)).collect::<Vec<_>>(), [(4, 4), (10, 6), (12, 2)]);
    assert_eq!(hours[0].0, "2026-03-28T23:00:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond());

    // The 28th's posts: the late one only, with its results so far: 12 + 2 + 1 + 1 = 16
    // engagements over 600 impressions; its followers when posted: 1,010 (the 20:00 sample).
    let numbers = w.store.period_numbers(&w.ws, &Scope::Workspace, &days(28, 28)).await.unwrap();
    let t = numbers.posts;
    assert_eq!(t.publications, 1);
    assert_eq!(t.engagements, Engagements { likes: 12, replies: 2, reposts: 1, quotes: 1 });
    assert_eq!((t.impressions, t.reach, t.link_clicks), (Some(600), Some(300), None));
    assert_eq!((t.by_impressions.engagements, t.by_impressions.base), (16, 600));
    assert_eq!((t.by_followers.engagements, t.by_followers.base), (16, 1010));
    assert_eq!(t.rate_sums(EngagementBasis::Impressions).rate(EngagementBasis::Impressions).number(), Some(16.0 / 600.0));
    // Followers at the end of the 27th (1,010, counted at the first known value) and of the 28th.
    assert_eq!((numbers.followers_start, numbers.followers_end, numbers.gained, numbers.lost), (Some(1010), Some(1010), 10, 0));
    let the_29th = w.store.post_totals(&w.ws, &Scope::Workspace, &days(29, 29)).await.unwrap();
    assert_eq!((the_29th.publications, the_29th.engagements.likes), (1, 3), "the 00:30 post is the 29th's");
    // Compared with the period before: 28–29 against 26–27, which had no post.
    let (now, before) = w.store.period_comparison(&w.ws, &Scope::Workspace, &days(28, 29)).await.unwrap();
    assert_eq!((now.posts.publications, before.unwrap().posts.publications), (2, 0));

    // The same samples recorded again, and a rebuild: the same rows.
    w.store.record_post_metrics(&post_samples).await.unwrap();
    for (at, f) in account_samples {
        w.followers(at, f).await;
    }
    assert_eq!(w.store.audience_by_day(&w.ws, &Scope::Workspace, &days(27, 30)).await.unwrap(), audience);
    assert_eq!(w.store.post_daily_likes(&late).await.unwrap(), late_days);
    assert_eq!(w.store.post_hourly_likes(&late).await.unwrap(), hours);
    w.store.rebuild_metric_rollups(&w.ws).await.unwrap();
    assert_eq!(w.store.audience_by_day(&w.ws, &Scope::Workspace, &days(27, 30)).await.unwrap(), audience);
    assert_eq!(w.store.post_daily_likes(&late).await.unwrap(), late_days);
    assert_eq!(w.store.post_hourly_likes(&late).await.unwrap(), hours);
    assert_eq!(w.store.period_numbers(&w.ws, &Scope::Workspace, &days(28, 28)).await.unwrap(), numbers);
});

both_backends!(pillars_campaigns_and_top_and_flop_posts_read_the_rollups, |store: Store| async move {
    let w = World::new(store).await;
    let colour = Colour::parse("c", "#1d4ed8").unwrap();
    let pillar =
        w.store.create_pillar(&w.ws, &PillarInput { name: name("Conseils"), colour: colour.clone(), target_share: None }).await.unwrap();
    let campaign = w
        .store
        .create_campaign(&w.ws, &CampaignInput { name: name("Prêt Artisan"), colour, starts_on: None, ends_on: None })
        .await
        .unwrap();
    w.followers(paris_ms(2026, 3, 2, 8, 0), 2000).await;
    // Three posts in the week of 2 March, each measured once on the 8th.
    let a = w.published("a", paris_ms(2026, 3, 2, 9, 0), Some("Conseils"), None).await;
    let b = w.published("b", paris_ms(2026, 3, 3, 9, 0), Some("Conseils"), Some("Prêt Artisan")).await;
    let c = w.published("c", paris_ms(2026, 3, 4, 9, 0), None, Some("Prêt Artisan")).await;
    // A Bluesky-like post: no impressions reported.
    let d = w.published("d", paris_ms(2026, 3, 5, 9, 0), None, None).await;
    let at = paris_ms(2026, 3, 8, 12, 0);
    w.store
        .record_post_metrics(&[
            // a: 20 / 400 = 5 %; b: 30 / 1000 = 3 %; c: 8 / 100 = 8 %.
            sample(&a, at, 15, 5, 0, 0, Some(400)),
            sample(&b, at, 20, 5, 4, 1, Some(1000)),
            sample(&c, at, 8, 0, 0, 0, Some(100)),
            sample(&d, at, 50, 0, 0, 0, None),
        ])
        .await
        .unwrap();
    let week = Period::new(date(2026, 3, 2), date(2026, 3, 8)).unwrap();
    let ranked = |scope: Scope, ranking: Ranking| {
        let store = w.store.clone();
        let ws = w.ws.clone();
        async move {
            store
                .ranked_posts(&ws, &scope, &week, &paris(), RankedBy { basis: EngagementBasis::Impressions, ranking, limit: 10 })
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.title)
                .collect::<Vec<_>>()
        }
    };
    // By impressions: c 8 %, a 5 %, b 3 %; d has no impressions, so no rate to rank.
    assert_eq!(ranked(Scope::Workspace, Ranking::Top).await, ["c", "a", "b"]);
    assert_eq!(ranked(Scope::Workspace, Ranking::Flop).await, ["b", "a", "c"]);
    assert_eq!(ranked(Scope::Pillar(pillar.id.clone()), Ranking::Top).await, ["a", "b"]);
    assert_eq!(ranked(Scope::Campaign(campaign.id.clone()), Ranking::Flop).await, ["b", "c"]);
    // By followers every post has a base (2,000): d's 50 engagements come first.
    let by_followers = w
        .store
        .ranked_posts(
            &w.ws,
            &Scope::Workspace,
            &week,
            &paris(),
            RankedBy { basis: EngagementBasis::Followers, ranking: Ranking::Top, limit: 2 },
        )
        .await
        .unwrap();
    assert_eq!(by_followers.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["d", "b"]);
    assert_eq!(by_followers[0].result.followers, Some(2000));

    // The pillar's totals: a and b, (20 + 30) / (400 + 1000) by impressions.
    let conseils = w.store.post_totals(&w.ws, &Scope::Pillar(pillar.id.clone()), &week).await.unwrap();
    assert_eq!((conseils.publications, conseils.by_impressions.engagements, conseils.by_impressions.base), (2, 50, 1400));
    // The campaign's: b and c, 30 + 8 = 38 over 1,100.
    let pret = w.store.post_totals(&w.ws, &Scope::Campaign(campaign.id.clone()), &week).await.unwrap();
    assert_eq!((pret.publications, pret.by_impressions.engagements, pret.by_impressions.base), (2, 38, 1100));
    // The workspace: 4 posts, 3 of them report impressions (20 + 30 + 8 = 58 over 1,500).
    let all = w.store.post_totals(&w.ws, &Scope::Workspace, &week).await.unwrap();
    assert_eq!((all.publications, all.by_impressions.reporting, all.by_impressions.engagements, all.impressions), (4, 3, 58, Some(1500)));
    // Pillars have no followers of their own.
    assert!(w.store.audience_by_day(&w.ws, &Scope::Pillar(pillar.id), &week).await.unwrap().is_empty());
    // Best times take the published history with local times.
    let timed = w.store.timed_posts(&w.ws, &Scope::Campaign(campaign.id), &week, &paris()).await.unwrap();
    assert_eq!(timed.len(), 2);
    assert_eq!(timed[0].published_at.as_millisecond(), paris_ms(2026, 3, 3, 9, 0));
});

both_backends!(day_and_slot_rollups_follow_the_posts_totals, |store: Store| async move {
    let w = World::new(store).await;
    let bluesky = w.store.create_social_account(&w.ws, "bluesky", "@banque.bsky", "Banque", |_| "sealed".into()).await.unwrap().id;
    w.followers(paris_ms(2026, 3, 1, 8, 0), 1000).await;
    // Monday 2 March at 09:00 and 09:30 in Paris, Tuesday 3 March at 18:00 (on Bluesky: no
    // impressions).
    let a = w.published("a", paris_ms(2026, 3, 2, 9, 0), Some("Conseils"), None).await;
    let b = w.published("b", paris_ms(2026, 3, 2, 9, 30), None, None).await;
    let c = w.published_on(&bluesky, "c", paris_ms(2026, 3, 3, 18, 0), None, None).await;
    let at = paris_ms(2026, 3, 4, 12, 0);
    // a: 10 / 200 = 5 %; b: 6 / 200 = 3 %; c: 4 engagements, no impressions.
    w.store
        .record_post_metrics(&[
            sample(&a, at, 10, 0, 0, 0, Some(200)),
            sample(&b, at, 6, 0, 0, 0, Some(200)),
            sample(&c, at, 4, 0, 0, 0, None),
        ])
        .await
        .unwrap();
    let week = days(2, 8);
    let march = days(1, 31);
    let by_day = w.store.engagements_by_day(&w.ws, &Scope::Workspace, &week).await.unwrap();
    assert_eq!(by_day, [(date(2026, 3, 2), 16), (date(2026, 3, 3), 4)]);
    let map = w.store.best_times(&w.ws, &Scope::Workspace, &march, EngagementBasis::Impressions).await.unwrap();
    // Monday 09:00: (0.05 + 0.03) / 2 = 0.04 over 2 posts; c has no impressions: skipped.
    let monday_nine = map.cell(jiff::civil::Weekday::Monday, 9);
    assert_eq!(monday_nine.posts, 2);
    assert!((monday_nine.average().unwrap() - 0.04).abs() < 1e-12);
    assert_eq!(map.skipped(), 1);
    // The same map as the one made from the posts themselves.
    let posts = w.store.timed_posts(&w.ws, &Scope::Workspace, &march, &paris()).await.unwrap();
    let of_posts = BestTimes::of(&posts, EngagementBasis::Impressions, &paris());
    assert_eq!(of_posts.cell(jiff::civil::Weekday::Monday, 9).posts, 2);
    assert_eq!(of_posts.skipped(), map.skipped());

    // a grows to 20 likes over 400 impressions (still 5 %): its old contribution is taken back.
    w.store.record_post_metrics(&[sample(&a, at + 3_600_000, 20, 0, 0, 0, Some(400))]).await.unwrap();
    let by_day = w.store.engagements_by_day(&w.ws, &Scope::Workspace, &week).await.unwrap();
    assert_eq!(by_day, [(date(2026, 3, 2), 26), (date(2026, 3, 3), 4)]);
    let t = w.store.post_totals(&w.ws, &Scope::Workspace, &week).await.unwrap();
    // 3 publications, 20 + 6 + 4 = 30 likes, 600 impressions from 2 posts, 26 engagements on them.
    assert_eq!((t.publications, t.engagements.likes, t.impressions, t.by_impressions.reporting), (3, 30, Some(600), 2));
    assert_eq!(t.by_impressions.engagements, 26);
    assert_eq!(t.by_followers.base, 2000, "a and b count the account's 1,000 followers; the Bluesky account has none measured");
    let map = w.store.best_times(&w.ws, &Scope::Workspace, &march, EngagementBasis::Impressions).await.unwrap();
    assert_eq!(map.cell(jiff::civil::Weekday::Monday, 9).posts, 2);
    // Per network and account, and per pillar within a scope.
    let bsky = w.store.post_totals(&w.ws, &Scope::Network("bluesky".into()), &week).await.unwrap();
    assert_eq!((bsky.publications, bsky.engagements.likes, bsky.impressions), (1, 4, None));
    let one = w.store.engagements_by_day(&w.ws, &Scope::Account(bluesky.clone()), &week).await.unwrap();
    assert_eq!(one, [(date(2026, 3, 3), 4)]);
    let pillars = w.store.publications_by_pillar(&w.ws, &Scope::Workspace, &week).await.unwrap();
    assert_eq!(pillars, [("Conseils".to_string(), 1)]);
    assert!(w.store.publications_by_pillar(&w.ws, &Scope::Account(bluesky), &week).await.unwrap().is_empty());

    // A rebuild gives the same sums.
    w.store.rebuild_metric_rollups(&w.ws).await.unwrap();
    assert_eq!(w.store.post_totals(&w.ws, &Scope::Workspace, &week).await.unwrap(), t);
    assert_eq!(w.store.engagements_by_day(&w.ws, &Scope::Workspace, &week).await.unwrap(), by_day);
});

both_backends!(bulk_loaded_totals_are_rolled_up_by_the_pending_pass, |store: Store| async move {
    let w = World::new(store).await;
    let (start, end) = (paris_ms(2026, 3, 10, 0, 0), paris_ms(2026, 3, 11, 0, 0));
    let accounts = vec![(w.account.clone(), true)];
    let day = BenchDay {
        workspace_id: &w.ws,
        day: "2026-03-10",
        starts_at: start,
        ends_at: end,
        first: 0,
        count: 24,
        accounts: &accounts,
        pillars: &[],
        campaigns: &[],
        readings: 50,
        weekday_percent: 100,
        now: paris_ms(2026, 4, 1, 0, 0),
    };
    w.store.bulk_published_posts(&day).await.unwrap();
    // 24 posts × 50 readings each (48 hourly, then two daily: none falls on another's instant).
    assert_eq!(w.store.bulk_post_readings(&day).await.unwrap(), 1200);
    let period = days(10, 10);
    let raw = w.store.raw_post_totals(&w.ws, start, end).await.unwrap();
    assert_eq!(raw.publications, 24);
    // Not rolled up yet: the overview does not see them.
    assert_eq!(w.store.post_totals(&w.ws, &Scope::Workspace, &period).await.unwrap().publications, 0);
    assert_eq!(w.store.roll_up_pending_totals(10).await.unwrap(), 10);
    assert_eq!(w.store.roll_up_pending_totals(100).await.unwrap(), 14);
    assert_eq!(w.store.roll_up_pending_totals(100).await.unwrap(), 0);
    let t = w.store.post_totals(&w.ws, &Scope::Workspace, &period).await.unwrap();
    assert_eq!((t.publications, t.engagements.likes as i64, t.engagements.replies as i64), (24, raw.likes, raw.replies));
    // One post an hour, from 00:00: every hour of Tuesday has one post.
    let map = w.store.best_times(&w.ws, &Scope::Workspace, &days(1, 31), EngagementBasis::Impressions).await.unwrap();
    for hour in 0..24 {
        assert_eq!(map.cell(jiff::civil::Weekday::Tuesday, hour).posts, 1, "{hour}:00");
    }
});

/// The settings of the test workspace with another zone.
fn settings(zone: &str) -> WorkspaceSettings {
    WorkspaceSettings {
        name: name("Banque"),
        time_zone: TimeZoneName::parse(zone).unwrap(),
        locale: Locale::Fr,
        primary_colour: Colour::parse("c", "#1d4ed8").unwrap(),
        accent_colour: Colour::parse("c", "#f59e0b").unwrap(),
    }
}

/// A post published at 00:15 in Paris on 11 March 2026 (23:15Z on the 10th, UTC+1 in winter),
/// measured at 00:30 (5 likes) and 12:00 (8 likes); followers 1,000 at 12:00 on the 10th and
/// 1,020 at 00:30 on the 11th. Returns the variant.
async fn around_midnight(w: &World) -> String {
    let v = w.published("minuit", paris_ms(2026, 3, 11, 0, 15), None, None).await;
    w.followers(paris_ms(2026, 3, 10, 12, 0), 1000).await;
    w.followers(paris_ms(2026, 3, 11, 0, 30), 1020).await;
    for (at, likes) in [(paris_ms(2026, 3, 11, 0, 30), 5), (paris_ms(2026, 3, 11, 12, 0), 8)] {
        w.store.record_post_metrics(&[sample(&v, at, likes, 0, 0, 0, Some(100))]).await.unwrap();
    }
    v
}

async fn audience(w: &World) -> Vec<(i8, i64, i64)> {
    let days = w.store.audience_by_day(&w.ws, &Scope::Workspace, &days(10, 11)).await.unwrap();
    days.iter().map(|d| (d.day.day(), d.followers, d.gained)).collect()
}

both_backends!(a_new_time_zone_rebuilds_the_day_buckets, |store: Store| async move {
    let w = World::new(store).await;
    let v = around_midnight(&w).await;
    // In Paris both post samples fall on the 11th: one row, 8 likes, all added that day. The
    // followers: 1,000 on the 10th, 1,020 (+20) on the 11th.
    assert_eq!(w.store.post_daily_likes(&v).await.unwrap(), [("2026-03-11".to_string(), 8, 8, Some(100))]);
    assert_eq!(audience(&w).await, [(10, 1000, 0), (11, 1020, 20)]);
    let paris_hours = w.store.post_hourly_likes(&v).await.unwrap();

    // Saving the settings without changing the zone asks for nothing.
    w.store.update_workspace_settings(&w.ws, &settings("Europe/Paris")).await.unwrap();
    assert!(w.store.metric_rollup_rebuilds_due().await.unwrap().is_empty());
    assert!(w.store.claim_jobs("test", 10, 60_000).await.unwrap().iter().all(|j| j.kind != REBUILD_ROLLUPS_JOB));

    // UTC: the change asks for a rebuild and queues its job in the same transaction.
    w.store.update_workspace_settings(&w.ws, &settings("UTC")).await.unwrap();
    assert_eq!(w.store.metric_rollup_rebuilds_due().await.unwrap(), std::slice::from_ref(&w.ws));
    let jobs = w.store.claim_jobs("test", 10, 60_000).await.unwrap();
    let job = jobs.iter().find(|j| j.kind == REBUILD_ROLLUPS_JOB).expect("a rebuild job");
    assert_eq!(job.payload["workspace_id"], w.ws.as_str());

    w.store.rebuild_metric_rollups(&w.ws).await.unwrap();
    assert!(w.store.metric_rollup_rebuilds_due().await.unwrap().is_empty(), "the request is served");
    // In UTC the 00:30 sample is 23:30 on the 10th: 5 likes that day, 8 − 5 = 3 on the 11th.
    assert_eq!(
        w.store.post_daily_likes(&v).await.unwrap(),
        [("2026-03-10".to_string(), 5, 5, Some(100)), ("2026-03-11".to_string(), 8, 3, Some(0))]
    );
    // Both follower samples are on the 10th in UTC: 1,020 (+20) then, nothing on the 11th.
    assert_eq!(audience(&w).await, [(10, 1020, 20), (11, 1020, 0)]);
    // Hours are UTC hours whatever the zone: unchanged.
    assert_eq!(w.store.post_hourly_likes(&v).await.unwrap(), paris_hours);
});

both_backends!(samples_without_rollups_are_found_and_backfilled, |store: Store| async move {
    let w = World::new(store.clone()).await;
    let v = around_midnight(&w).await;
    let days_before = w.store.post_daily_likes(&v).await.unwrap();
    let audience_before = audience(&w).await;
    // Another workspace whose rollups are complete.
    let other = World::new(store).await;
    around_midnight(&other).await;
    assert_eq!(w.store.request_missing_metric_rollups().await.unwrap(), 0, "every sample has its rollups");

    // The bank as migration 30 found it: samples, no rollups.
    w.store.forget_metric_rollups_for_test(&w.ws).await.unwrap();
    assert!(w.store.post_daily_likes(&v).await.unwrap().is_empty());
    assert_eq!(w.store.request_missing_metric_rollups().await.unwrap(), 1);
    assert_eq!(w.store.request_missing_metric_rollups().await.unwrap(), 0, "asked once");
    assert_eq!(w.store.metric_rollup_rebuilds_due().await.unwrap(), std::slice::from_ref(&w.ws));
    w.store.rebuild_metric_rollups(&w.ws).await.unwrap();
    assert_eq!(w.store.post_daily_likes(&v).await.unwrap(), days_before);
    assert_eq!(audience(&w).await, audience_before);
    assert!(w.store.metric_rollup_rebuilds_due().await.unwrap().is_empty());

    // Post samples without rollups are found on their own: everything forgotten, then a new
    // follower sample rolls the account's days up again, but not the post's.
    w.store.forget_metric_rollups_for_test(&w.ws).await.unwrap();
    w.followers(paris_ms(2026, 3, 12, 9, 0), 1020).await;
    assert_eq!(w.store.request_missing_metric_rollups().await.unwrap(), 1);
});

both_backends!(posts_per_pillar_follow_the_network_and_account_scope, |store: Store| async move {
    let w = World::new(store).await;
    let colour = Colour::parse("c", "#1d4ed8").unwrap();
    for pillar in ["Conseils", "Agences"] {
        w.store.create_pillar(&w.ws, &PillarInput { name: name(pillar), colour: colour.clone(), target_share: None }).await.unwrap();
    }
    let mastodon = w.store.create_social_account(&w.ws, "mastodon", "@banque@social", "Banque", |_| "sealed".into()).await.unwrap().id;
    // Sandbox: two "Conseils" and one "Agences" post; Mastodon: one "Conseils" and one without
    // a pillar.
    let mut variants = vec![];
    for (i, pillar) in [Some("Conseils"), Some("Conseils"), Some("Agences")].into_iter().enumerate() {
        variants.push(w.published(&format!("s{i}"), paris_ms(2026, 3, 2 + i as i8, 9, 0), pillar, None).await);
    }
    for (i, pillar) in [Some("Conseils"), None].into_iter().enumerate() {
        let title = format!("m{i}");
        let post = w
            .store
            .create_post(
                &NewPost {
                    workspace_id: w.ws.clone(),
                    title: title.clone(),
                    pillar: pillar.map(str::to_string),
                    campaign: None,
                    variants: vec![NewVariant::text(mastodon.clone(), &title, None)],
                },
                &Actor::system(),
            )
            .await
            .unwrap();
        let v = w.store.variants(&post.id).await.unwrap().remove(0).id;
        w.store.publish_variant_at_for_test(&v, &format!("remote-{title}"), paris_ms(2026, 3, 5 + i as i8, 9, 0)).await.unwrap();
        variants.push(v);
    }
    let at = paris_ms(2026, 3, 8, 12, 0);
    let samples: Vec<_> = variants.iter().map(|v| sample(v, at, 1, 0, 0, 0, None)).collect();
    w.store.record_post_metrics(&samples).await.unwrap();
    let week = Period::new(date(2026, 3, 2), date(2026, 3, 8)).unwrap();
    let by_pillar = |scope: Scope| {
        let (store, ws) = (w.store.clone(), w.ws.clone());
        async move { store.publications_by_pillar(&ws, &scope, &week).await.unwrap() }
    };
    let pair = |name: &str, n: u64| (name.to_string(), n);
    // The workspace: Conseils 2 + 1 = 3, Agences 1 (the post without a pillar is left out).
    assert_eq!(by_pillar(Scope::Workspace).await, [pair("Agences", 1), pair("Conseils", 3)]);
    assert_eq!(by_pillar(Scope::Network("mastodon".into())).await, [pair("Conseils", 1)]);
    assert_eq!(by_pillar(Scope::Account(w.account.clone())).await, [pair("Agences", 1), pair("Conseils", 2)]);
    assert!(by_pillar(Scope::Network("bluesky".into())).await.is_empty());
});

both_backends!(relabelled_posts_move_their_results_between_pillars_and_campaigns, |store: Store| async move {
    let w = World::new(store).await;
    let colour = Colour::parse("c", "#1d4ed8").unwrap();
    let conseils =
        w.store.create_pillar(&w.ws, &PillarInput { name: name("Conseils"), colour: colour.clone(), target_share: None }).await.unwrap();
    let input = |n: &str| CampaignInput { name: name(n), colour: colour.clone(), starts_on: None, ends_on: None };
    let pret = w.store.create_campaign(&w.ws, &input("Prêt")).await.unwrap();
    // a: Conseils, 10 likes; b: no labels, 4 likes; both measured on the 4th.
    let a = w.published("a", paris_ms(2026, 3, 2, 9, 0), Some("Conseils"), None).await;
    let b = w.published("b", paris_ms(2026, 3, 3, 9, 0), None, None).await;
    let at = paris_ms(2026, 3, 4, 12, 0);
    w.store.record_post_metrics(&[sample(&a, at, 10, 0, 0, 0, Some(200)), sample(&b, at, 4, 0, 0, 0, Some(100))]).await.unwrap();
    let week = days(2, 8);
    let likes = |scope: Scope| {
        let (store, ws) = (w.store.clone(), w.ws.clone());
        async move {
            let t = store.post_totals(&ws, &scope, &week).await.unwrap();
            (t.publications, t.engagements.likes)
        }
    };
    let pillar = Scope::Pillar(conseils.id.clone());
    let campaign = Scope::Campaign(pret.id.clone());
    assert_eq!(likes(pillar.clone()).await, (1, 10));
    assert_eq!(likes(campaign.clone()).await, (0, 0));

    // b is edited into Conseils and Prêt: its 4 likes follow it, the workspace's stay 14.
    let b_post = w.store.variant(&b).await.unwrap().post_id;
    let content = PostContent {
        title: "b".into(),
        pillar: Some("Conseils".into()),
        campaign: Some("Prêt".into()),
        variants: vec![NewVariant::text(w.account.clone(), "b", None)],
    };
    // (The test publishes the variant only; the post keeps its state.)
    let state = w.store.post(&b_post).await.unwrap().state;
    w.store.edit_post(&b_post, state, state, &content, &Actor::system()).await.unwrap();
    assert_eq!(likes(pillar.clone()).await, (2, 14));
    assert_eq!(likes(campaign.clone()).await, (1, 4));
    assert_eq!(likes(Scope::Workspace).await, (2, 14));
    assert_eq!(w.store.engagements_by_day(&w.ws, &campaign, &week).await.unwrap(), [(date(2026, 3, 3), 4)]);
    assert_eq!(w.store.publications_by_pillar(&w.ws, &Scope::Workspace, &week).await.unwrap(), [("Conseils".to_string(), 2)]);
    // The pillar's best-time map: a on Monday 09:00 (10 / 200 = 5 %), b on Tuesday 09:00 (4 %), as
    // the map made from its posts says.
    let march = days(1, 31);
    let map = w.store.best_times(&w.ws, &pillar, &march, EngagementBasis::Impressions).await.unwrap();
    let of_posts =
        BestTimes::of(&w.store.timed_posts(&w.ws, &pillar, &march, &paris()).await.unwrap(), EngagementBasis::Impressions, &paris());
    for (day, rate) in [(jiff::civil::Weekday::Monday, 0.05), (jiff::civil::Weekday::Tuesday, 0.04)] {
        assert_eq!(map.cell(day, 9).posts, 1);
        assert!((map.cell(day, 9).average().unwrap() - rate).abs() < 1e-12);
        assert_eq!(of_posts.cell(day, 9).posts, 1);
    }
    let in_campaign = w.store.best_times(&w.ws, &campaign, &march, EngagementBasis::Impressions).await.unwrap();
    assert_eq!(in_campaign.cell(jiff::civil::Weekday::Tuesday, 9).posts, 1);

    // The pillar renamed: its posts' results keep following it; later samples land there too.
    w.store.update_pillar(&w.ws, &conseils.id, &PillarInput { name: name("Astuces"), colour, target_share: None }).await.unwrap();
    assert_eq!(likes(pillar.clone()).await, (2, 14));
    assert_eq!(w.store.publications_by_pillar(&w.ws, &Scope::Workspace, &week).await.unwrap(), [("Astuces".to_string(), 2)]);
    w.store.record_post_metrics(&[sample(&a, at + 3_600_000, 12, 0, 0, 0, Some(240))]).await.unwrap();
    assert_eq!(likes(pillar.clone()).await, (2, 16));
    let top = w
        .store
        .ranked_posts(&w.ws, &pillar, &week, &paris(), RankedBy { basis: EngagementBasis::Impressions, ranking: Ranking::Top, limit: 5 })
        .await
        .unwrap();
    assert_eq!(top.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["a", "b"], "a 5 %, b 4 %");

    // The campaign deleted: b keeps its results, with no campaign; a rebuild agrees.
    w.store.delete_campaign(&w.ws, &pret.id).await.unwrap();
    let map = w.store.best_times(&w.ws, &Scope::Workspace, &days(1, 31), EngagementBasis::Impressions).await.unwrap();
    assert_eq!(map.cell(jiff::civil::Weekday::Tuesday, 9).posts, 1, "the workspace's map keeps b");
    let map = w.store.best_times(&w.ws, &pillar, &days(1, 31), EngagementBasis::Impressions).await.unwrap();
    assert_eq!((map.cell(jiff::civil::Weekday::Monday, 9).posts, map.cell(jiff::civil::Weekday::Tuesday, 9).posts), (1, 1));
    assert_eq!(likes(Scope::Workspace).await, (2, 16));
    assert_eq!(likes(pillar.clone()).await, (2, 16));
    let totals = w.store.post_totals(&w.ws, &pillar, &week).await.unwrap();
    w.store.rebuild_metric_rollups(&w.ws).await.unwrap();
    assert_eq!(w.store.post_totals(&w.ws, &pillar, &week).await.unwrap(), totals);
    assert_eq!(w.store.publications_by_pillar(&w.ws, &Scope::Workspace, &week).await.unwrap(), [("Astuces".to_string(), 2)]);
});
