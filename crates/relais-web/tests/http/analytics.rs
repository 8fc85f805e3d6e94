//! Analytics over HTTP on SQLite and PostgreSQL: the page shows hand-computed KPIs of a period
//! against the period before, the charts' CSV, the XLSX and the PDF carry the same numbers, the
//! commentary is written by the SMM and only read by a client, forms need their CSRF token and
//! another workspace's ids are not found; the best-times map shows engagement rates, care figures
//! follow a network or account scope (and are "not applicable" to a pillar), posts per pillar
//! follow the scope, and the PDF prints the top post's image. The arithmetic is in the comments.

use crate::api::{call, token};
use crate::helpers::*;
use jiff::civil::date;
use relais_core::Role;
use relais_core::kpi::Scope;
use relais_core::kpi::engagement::EngagementBasis;
use relais_store::{
    AccountMetricSample, Actor, Incoming, NewPost, NewVariant, PillarInput, PostMetricSample, RankedBy, Ranking, ReplyOutcome, Store,
};
use reqwest::Method;

fn paris_ms(m: i8, d: i8, h: i8) -> i64 {
    date(2026, m, d).at(h, 0, 0, 0).in_tz("Europe/Paris").unwrap().timestamp().as_millisecond()
}

/// The period under study: 1–10 March 2026 (10 days); the previous one is 19–28 February.
const PERIOD: &str = "from=2026-03-01&to=2026-03-10";

async fn published(store: &Store, ws: &str, account: &str, title: &str, at: i64, likes: i64, impressions: i64) -> String {
    let post = store
        .create_post(
            &NewPost {
                workspace_id: ws.into(),
                title: title.into(),
                pillar: None,
                campaign: None,
                variants: vec![NewVariant::text(account.to_string(), title, None)],
            },
            &Actor::system(),
        )
        .await
        .unwrap();
    let variant = store.variants(&post.id).await.unwrap().remove(0).id;
    store.publish_variant_at_for_test(&variant, &format!("remote-{title}"), at).await.unwrap();
    let sample = PostMetricSample {
        variant_id: variant,
        taken_at: at + 3_600_000,
        likes,
        replies: 0,
        reposts: 0,
        quotes: 0,
        impressions: Some(impressions),
        reach: None,
        link_clicks: None,
    };
    store.record_post_metrics(&[sample]).await.unwrap();
    post.id
}

/// One sandbox account of the bank: followers 1,000 on 18 Feb, 1,050 on 28 Feb, 1,200 on
/// 10 March; two posts in the period (40 likes / 1,000 impressions, 10 / 1,000), one before
/// (20 / 1,000). Returns the account id.
async fn seed(app: &TestApp) -> String {
    let ws = &app.f.bank;
    let account = app.store.create_social_account(ws, "sandbox", "@banque", "@banque", |_| "sealed".into()).await.unwrap().id;
    for (m, d, followers) in [(2, 18, 1000), (2, 28, 1050), (3, 10, 1200)] {
        let s = AccountMetricSample { account_id: account.clone(), taken_at: paris_ms(m, d, 12), followers, following: 0, posts: 0 };
        app.store.record_account_metrics(&s).await.unwrap();
    }
    published(&app.store, ws, &account, "Nos conseils épargne du printemps", paris_ms(3, 3, 10), 40, 1000).await;
    published(&app.store, ws, &account, "Horaires des agences", paris_ms(3, 5, 10), 10, 1000).await;
    published(&app.store, ws, &account, "Bilan de février", paris_ms(2, 25, 10), 20, 1000).await;
    account
}

app_test!(the_analytics_page_shows_the_periods_kpis_against_the_previous_one, |app: TestApp| async move {
    seed(&app).await;
    let ws = &app.f.bank;
    let mut smm = Browser::signed_in(&app, SMM).await;
    let page = smm.get(&format!("/w/{ws}/analytics?{PERIOD}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    // Followers: 1,050 at the start (28 Feb), 1,200 at the end: +150, 150 / 1,050 = 14.3 %.
    // Before: 1,000 → 1,050, +50; the change is +100, +200 %.
    page.assert_contains("1\u{202F}200 abonnés en fin de période, taux de croissance 14,3\u{202F}%");
    page.assert_contains("+100 (+200,0\u{202F}%) par rapport à la période précédente");
    // Engagement by impressions: (40 + 10) / 2,000 = 2.5 %; before 20 / 1,000 = 2.0 %: +0.5 pt.
    page.assert_contains("Taux d'engagement (sur les impressions)");
    page.assert_contains("2,5\u{202F}%");
    page.assert_contains("+0,5\u{202F}% (+25,0\u{202F}%) par rapport à la période précédente");
    page.assert_contains("Interactions divisées par les impressions.");
    // Impressions 2,000 against 1,000; 2 posts over 10 days: 1.4 a week (0.7 before).
    page.assert_contains("2\u{202F}000");
    page.assert_contains("1,4 / semaine");
    // Better is green: each change above went the right way.
    assert!(page.body.contains("change-better"), "growth is better");
    assert!(!page.body.contains("change-worse"), "nothing got worse");
    // Charts inline as SVG, each with its CSV.
    assert!(page.body.contains("<svg"), "charts are inline SVG");
    for chart in ["followers", "engagement", "pillars", "best-times"] {
        page.assert_contains(&format!("/analytics/charts/{chart}.csv?from=2026-03-01&to=2026-03-10"));
    }
    // Top first the 4 % post, flop first the 1 % one; each links to its post page.
    let top = page.body.find("id=\"top\"").unwrap();
    let flop = page.body.find("id=\"flop\"").unwrap();
    let (top_part, flop_part) = (&page.body[top..flop], &page.body[flop..]);
    assert!(top_part.find("Nos conseils").unwrap() < top_part.find("Horaires").unwrap());
    assert!(flop_part.find("Horaires").unwrap() < flop_part.find("Nos conseils").unwrap());
    page.assert_contains("4,0\u{202F}%");
    assert!(page.body.contains(&format!("href=\"/w/{ws}/posts/")));
    // The commentary form for an SMM.
    assert!(page.body.contains("name=\"body\""), "an SMM writes the commentary");

    // The analytics section is now linked from the navigation.
    let home = smm.get(&format!("/w/{ws}")).await;
    assert!(home.body.contains(&format!("href=\"/w/{ws}/analytics\"")));

    // A period that ends before it starts is explained.
    let bad = smm.get(&format!("/w/{ws}/analytics?from=2026-03-10&to=2026-03-01")).await;
    assert_eq!(bad.status, 422);
});

app_test!(each_chart_downloads_as_csv_and_every_table_as_xlsx, |app: TestApp| async move {
    seed(&app).await;
    let ws = &app.f.bank;
    let mut smm = Browser::signed_in(&app, SMM).await;
    let csv = smm.get(&format!("/w/{ws}/analytics/charts/followers.csv?{PERIOD}&scope=workspace")).await;
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "Date,Abonnés,Date (période précédente),Période précédente");
    assert_eq!(lines.len(), 11, "a header and ten days: {}", csv.body);
    // 1 March: 1,050 carried from 28 Feb; its previous day 19 Feb: 1,000 from the 18th.
    assert_eq!(lines[1], "2026-03-01,1050,2026-02-19,1000");
    assert_eq!(lines[10], "2026-03-10,1200,2026-02-28,1050");
    let engagement = smm.get(&format!("/w/{ws}/analytics/charts/engagement.csv?{PERIOD}")).await;
    assert!(engagement.body.lines().any(|l| l == "2026-03-03,40"), "{}", engagement.body);
    assert!(engagement.body.lines().any(|l| l == "2026-03-05,10"));
    assert_eq!(smm.get(&format!("/w/{ws}/analytics/charts/nope.csv?{PERIOD}")).await.status, 404);

    let resp = smm.http.get(format!("{}/w/{ws}/analytics/export.xlsx?{PERIOD}", app.url)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap().to_vec();
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let rates = book.worksheet_range("Taux").unwrap();
    let er =
        rates.rows().find(|r| r[0] == Data::String("Taux d'engagement (sur les impressions)".into())).expect("the engagement rate row");
    assert_eq!(er[2], Data::Float(0.025), "a rate is a number, not text");
    assert_eq!(er[3], Data::Float(0.02));
    let counts = book.worksheet_range("Volumes").unwrap();
    let posts = counts.rows().find(|r| r[0] == Data::String("Publications".into())).unwrap();
    assert_eq!((posts[2].clone(), posts[3].clone()), (Data::Float(2.0), Data::Float(1.0)));
    let growth = counts.rows().find(|r| r[0] == Data::String("Croissance des abonnés".into())).unwrap();
    assert_eq!((growth[2].clone(), growth[3].clone()), (Data::Float(150.0), Data::Float(50.0)));
    let top = book.worksheet_range("Meilleures publications").unwrap();
    assert_eq!(top.rows().nth(1).unwrap()[0], Data::String("Nos conseils épargne du printemps".into()));
});

app_test!(the_smm_writes_the_commentary_the_client_reads_it_and_the_pdf_prints_it, |app: TestApp| async move {
    seed(&app).await;
    let ws = &app.f.bank;
    let mut smm = Browser::signed_in(&app, SMM).await;
    smm.get(&format!("/w/{ws}/analytics?{PERIOD}")).await;
    let fields = [
        ("from", "2026-03-01"),
        ("to", "2026-03-10"),
        ("scope", "workspace"),
        ("body", "Printemps solide : l'épargne porte la croissance."),
    ];
    let saved = smm.post(&format!("/w/{ws}/analytics/commentary"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let back = smm.get(saved.location.as_deref().unwrap()).await;
    back.assert_contains("Printemps solide : l'épargne porte la croissance.");

    // Without the token: refused, nothing changed.
    let forged = smm
        .post_raw(
            &format!("/w/{ws}/analytics/commentary"),
            &[("from", "2026-03-01"), ("to", "2026-03-10"), ("scope", "workspace"), ("body", "piraté")],
            &[],
        )
        .await;
    assert_eq!(forged.status, 403);

    // The client reads it, without a form, and cannot write it.
    let mut client = Browser::signed_in(&app, CLIENT).await;
    let page = client.get(&format!("/w/{ws}/analytics?{PERIOD}")).await;
    assert_eq!(page.status, 200);
    page.assert_contains("Printemps solide");
    assert!(!page.body.contains("name=\"body\""), "no commentary form for a client");
    assert_eq!(
        client
            .post(
                &format!("/w/{ws}/analytics/commentary"),
                &[("from", "2026-03-01"), ("to", "2026-03-10"), ("scope", "workspace"), ("body", "Client")]
            )
            .await
            .status,
        403
    );
    // A CM reads too, and cannot write either.
    let mut cm = Browser::signed_in(&app, CM).await;
    assert_eq!(cm.get(&format!("/w/{ws}/analytics?{PERIOD}")).await.status, 200);
    assert_eq!(
        cm.post(
            &format!("/w/{ws}/analytics/commentary"),
            &[("from", "2026-03-01"), ("to", "2026-03-10"), ("scope", "workspace"), ("body", "CM")]
        )
        .await
        .status,
        403
    );
    let kept = app.store.report_commentary(ws, "workspace", "2026-03-01", "2026-03-10").await.unwrap().unwrap();
    assert_eq!(kept.body, "Printemps solide : l'épargne porte la croissance.");

    // The PDF, in English, carries the workspace's name and the commentary.
    let resp = client.http.get(format!("{}/w/{ws}/analytics/report.pdf?{PERIOD}&scope=workspace&lang=en", app.url)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let pdf = resp.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &pdf).unwrap();
    match std::process::Command::new("pdftotext").arg(&path).arg("-").output() {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(text.contains("Banque de Bourgogne"), "{text}");
            assert!(text.contains("Printemps solide"), "{text}");
        }
        Err(e) if std::env::var("RELAIS_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1") => panic!("pdftotext is missing: {e}"),
        Err(_) => eprintln!("!!! pdftotext missing: the PDF's text is not checked (apt-get install poppler-utils)"),
    }
});

app_test!(another_workspaces_ids_are_not_found_in_analytics, |app: TestApp| async move {
    let account = seed(&app).await;
    let coffee = &app.f.coffee;
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    // The bank's account seen from the coffee workspace: as if it did not exist.
    for path in [
        format!("/w/{coffee}/analytics?{PERIOD}&scope=account:{account}"),
        format!("/w/{coffee}/analytics/charts/followers.csv?{PERIOD}&scope=account:{account}"),
        format!("/w/{coffee}/analytics/export.xlsx?{PERIOD}&scope=account:{account}"),
    ] {
        assert_eq!(admin.get(&path).await.status, 404, "{path}");
    }
    admin.get(&format!("/w/{coffee}/analytics")).await;
    let write = admin
        .post(
            &format!("/w/{coffee}/analytics/commentary"),
            &[("from", "2026-03-01"), ("to", "2026-03-10"), ("scope", &format!("account:{account}")), ("body", "x")],
        )
        .await;
    assert_eq!(write.status, 404);
    // An outsider does not see the bank's analytics at all.
    let mut outsider = Browser::signed_in(&app, OUTSIDER).await;
    assert_eq!(outsider.get(&format!("/w/{}/analytics", app.f.bank)).await.status, 404);
});

app_test!(the_api_gives_the_figures_with_their_previous_value, |app: TestApp| async move {
    let account = seed(&app).await;
    let ws = &app.f.bank;
    let client = token(&app, ws, Role::Client).await;
    let (status, _, body) = call(&app, Method::GET, &format!("/api/v1/workspaces/{ws}/analytics?{PERIOD}"), Some(&client), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["publications"], 2);
    assert_eq!(body["impressions"], 2000);
    assert_eq!(body["followers"], 1200);
    let figure = |key: &str| body["figures"].as_array().unwrap().iter().find(|f| f["kpi"] == key).cloned().unwrap();
    let growth = figure("follower_growth");
    assert_eq!((growth["value"].as_f64(), growth["previous"].as_f64(), growth["change"].as_f64()), (Some(150.0), Some(50.0), Some(100.0)));
    assert_eq!(growth["direction"], "better");
    assert_eq!(growth["unit"], "count");
    let er = figure("engagement_rate_by_impressions");
    assert_eq!(er["value"].as_f64(), Some(0.025));
    assert_eq!(er["display"], "2.5%");
    let frequency = figure("posting_frequency");
    assert!((frequency["value"].as_f64().unwrap() - 1.4).abs() < 1e-9);
    // Another workspace's token, or the bank's account from the coffee workspace: not found.
    let coffee = token(&app, &app.f.coffee, Role::Admin).await;
    let (status, _, _) = call(&app, Method::GET, &format!("/api/v1/workspaces/{ws}/analytics"), Some(&coffee), None).await;
    assert!(status == 403 || status == 404, "{status}");
    let (status, _, _) =
        call(&app, Method::GET, &format!("/api/v1/workspaces/{}/analytics?scope=account:{account}", app.f.coffee), Some(&coffee), None)
            .await;
    assert_eq!(status, 404);
    // Documented.
    let (_, _, doc) = call(&app, Method::GET, "/api/openapi.json", None, None).await;
    assert!(doc["paths"]["/api/v1/workspaces/{id}/analytics"]["get"].is_object(), "in the OpenAPI document");
});

app_test!(the_best_times_map_shows_engagement_rates_and_cells_with_too_few_posts, |app: TestApp| async move {
    let account = seed(&app).await;
    let ws = &app.f.bank;
    // Three Mondays at 09:00 in Paris: 125, 250 and 375 likes over 1,000 impressions, that is
    // 12.5 %, 25 % and 37.5 %: (0.125 + 0.25 + 0.375) / 3 = 0.25.
    for (d, likes) in [(16, 125), (23, 250)] {
        published(&app.store, ws, &account, &format!("Lundi {d}"), paris_ms(2, d, 9), likes, 1000).await;
    }
    published(&app.store, ws, &account, "Lundi 2", paris_ms(3, 2, 9), 375, 1000).await;
    let mut smm = Browser::signed_in(&app, SMM).await;
    let csv = smm.get(&format!("/w/{ws}/analytics/charts/best-times.csv?{PERIOD}")).await;
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.body.lines().collect();
    // The rate's base is named in the header, as on the engagement tile.
    assert_eq!(lines[0], "Jour,Heure,Publications,Taux d'engagement (sur les impressions)");
    assert_eq!(lines.len(), 1 + 7 * 24);
    assert!(lines.contains(&"lundi,9,3,0.25"), "{}", csv.body);
    // Tuesday 10:00 has one post (4 %): too few for a rate, so no number rather than 0.
    assert!(lines.contains(&"mardi,10,1,"), "{}", csv.body);
    assert!(lines.contains(&"mardi,11,0,"));

    let page = smm.get(&format!("/w/{ws}/analytics?{PERIOD}")).await;
    page.assert_contains("Meilleurs moments pour publier : taux d'engagement par jour × heure (Europe/Paris)");
    page.assert_contains("lundi 9 h\u{a0}: 25,0\u{202F}% (3 publications)");
    page.assert_contains("mardi 10 h\u{a0}: 1 publication : trop peu pour un taux");
    page.assert_contains("hachuré : moins de 3 publications");
});

fn mention(remote_id: &str, text: &str, at: i64) -> Incoming {
    Incoming {
        remote_id: remote_id.into(),
        kind: "mention".into(),
        author_remote_id: format!("did:{remote_id}"),
        author_handle: format!("@{remote_id}"),
        author_name: None,
        text: text.into(),
        created_at: at,
        ..Incoming::default()
    }
}

/// The bank's sandbox account receives two mentions on Tuesday 3 March at 10:00, one answered
/// at 10:20; a Mastodon account receives one on the 4th, unanswered. Returns the sandbox
/// account's id and a pillar's.
async fn seed_care(app: &TestApp) -> (String, String) {
    let ws = &app.f.bank;
    let account = seed(app).await;
    let sandbox = app.store.social_accounts(ws).await.unwrap().into_iter().find(|a| a.id == account).unwrap();
    let mastodon = app.store.create_social_account(ws, "mastodon", "@banque@social", "Banque", |_| "sealed".into()).await.unwrap();
    let at = paris_ms(3, 3, 10);
    let first = app.store.ingest_activity(&sandbox, &[mention("julie", "Bonjour", at), mention("paul", "Salut", at)], None).await.unwrap();
    app.store.ingest_activity(&mastodon, &[mention("zoe", "Un prêt ?", paris_ms(3, 4, 11))], None).await.unwrap();
    let by = Actor { id: Some(app.f.cm.clone()), label: "Chloé".into() };
    let reply = app.store.create_reply(&first.messages[0], "Bonjour !", &by).await.unwrap();
    app.store.begin_reply_attempt(&reply.id).await.unwrap();
    let sent = ReplyOutcome::Sent { remote_id: "r1".into(), remote_url: None };
    app.store.finish_reply_at(&reply.id, &sent, at + 20 * 60_000).await.unwrap();
    let colour = relais_core::Colour::parse("c", "#1d4ed8").unwrap();
    let pillar = app
        .store
        .create_pillar(ws, &PillarInput { name: relais_core::Name::parse("n", "Conseils").unwrap(), colour, target_share: None })
        .await
        .unwrap();
    (account, pillar.id)
}

app_test!(care_figures_follow_the_network_and_account_scope_and_do_not_apply_to_a_pillar, |app: TestApp| async move {
    let (account, pillar) = seed_care(&app).await;
    let ws = &app.f.bank;
    let mut smm = Browser::signed_in(&app, SMM).await;
    let care_of = |body: &str| -> String {
        let start = body.find("id=\"care\"").expect("a care section");
        body[start..].split("</section>").next().unwrap().to_string()
    };
    // The workspace: 3 received, 1 answered: 33.3 %.
    let page = smm.get(&format!("/w/{ws}/analytics?{PERIOD}")).await;
    let care = care_of(&page.body);
    assert!(care.contains("Messages reçus</th><td>3<"), "{care}");
    assert!(care.contains("33,3\u{202F}%"), "{care}");
    // The sandbox account: 2 received, 1 answered after 20 minutes of office hours: 50 %.
    let page = smm.get(&format!("/w/{ws}/analytics?{PERIOD}&scope=account:{account}")).await;
    let care = care_of(&page.body);
    assert!(care.contains("Messages reçus</th><td>2<"), "{care}");
    assert!(care.contains("50,0\u{202F}%"), "{care}");
    assert!(care.contains("20 min"), "{care}");
    // Mastodon: its one message, unanswered: 0 %, and the page says whose messages these are.
    let page = smm.get(&format!("/w/{ws}/analytics?{PERIOD}&scope=network:mastodon")).await;
    page.assert_contains("Chiffres de la relation client pour les messages reçus par les comptes de ce réseau.");
    let care = care_of(&page.body);
    assert!(care.contains("Messages reçus</th><td>1<"), "{care}");
    assert!(care.contains("0,0\u{202F}%"), "{care}");
    // A pillar: said plainly, no zeros.
    let page = smm.get(&format!("/w/{ws}/analytics?{PERIOD}&scope=pillar:{pillar}")).await;
    page.assert_contains("Relation client : sans objet pour un pilier ou une campagne.");
    assert!(!care_of(&page.body).contains("<table"), "no care table for a pillar");

    // The API says the same.
    let client = token(&app, ws, Role::Client).await;
    let get = |scope: String| {
        let (app, client) = (&app, client.clone());
        async move {
            let (status, _, body) =
                call(app, Method::GET, &format!("/api/v1/workspaces/{ws}/analytics?{PERIOD}&scope={scope}"), Some(&client), None).await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    let body = get("network:mastodon".into()).await;
    assert_eq!((body["care_applicable"].as_bool(), body["care"]["received"].as_u64()), (Some(true), Some(1)));
    assert_eq!(body["care"]["response_rate"].as_f64(), Some(0.0));
    let body = get(format!("account:{account}")).await;
    assert_eq!((body["care"]["received"].as_u64(), body["care"]["response_rate"].as_f64()), (Some(2), Some(0.5)));
    assert_eq!(body["care"]["first_response_business"]["median_ms"].as_i64(), Some(20 * 60_000), "{body}");
    let body = get(format!("pillar:{pillar}")).await;
    assert_eq!(body["care_applicable"], false);
    assert!(body["care"].is_null());
    assert!(body["figures"].as_array().unwrap().iter().all(|f| f["kpi"] != "response_rate"), "no care KPI for a pillar");

    // The PDF of the network prints its figures; the pillar's says "not applicable".
    for (scope, expected) in [
        ("network:mastodon".to_string(), "Messages received"),
        (format!("pillar:{pillar}"), "Customer care: not applicable to a pillar or a campaign."),
    ] {
        let resp = smm.http.get(format!("{}/w/{ws}/analytics/report.pdf?{PERIOD}&scope={scope}&lang=en", app.url)).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        if let Some(text) = pdf_text(&resp.bytes().await.unwrap()) {
            assert!(text.contains(expected), "{expected:?} in the {scope} report:\n{text}");
        }
    }
});

app_test!(posts_per_pillar_follow_the_network_scope, |app: TestApp| async move {
    let account = seed(&app).await;
    let ws = &app.f.bank;
    let colour = relais_core::Colour::parse("c", "#1d4ed8").unwrap();
    app.store
        .create_pillar(ws, &PillarInput { name: relais_core::Name::parse("n", "Conseils").unwrap(), colour, target_share: None })
        .await
        .unwrap();
    let mastodon = app.store.create_social_account(ws, "mastodon", "@banque@social", "Banque", |_| "sealed".into()).await.unwrap().id;
    // One "Conseils" post on each account in the period.
    for (account, title, day) in [(&account, "Conseil sandbox", 6), (&mastodon, "Conseil mastodon", 7)] {
        let post = app
            .store
            .create_post(
                &NewPost {
                    workspace_id: ws.clone(),
                    title: title.into(),
                    pillar: Some("Conseils".into()),
                    campaign: None,
                    variants: vec![NewVariant::text(account.clone(), title, None)],
                },
                &Actor::system(),
            )
            .await
            .unwrap();
        let variant = app.store.variants(&post.id).await.unwrap().remove(0).id;
        app.store.publish_variant_at_for_test(&variant, &format!("remote-{title}"), paris_ms(3, day, 10)).await.unwrap();
        let sample = PostMetricSample { variant_id: variant, taken_at: paris_ms(3, day, 11), likes: 1, ..PostMetricSample::default() };
        app.store.record_post_metrics(&[sample]).await.unwrap();
    }
    let mut smm = Browser::signed_in(&app, SMM).await;
    let csv = |scope: &str| format!("/w/{ws}/analytics/charts/pillars.csv?{PERIOD}&scope={scope}");
    assert_eq!(smm.get(&csv("workspace")).await.body, "Pilier,Publications\nConseils,2\n");
    assert_eq!(smm.get(&csv("network:mastodon")).await.body, "Pilier,Publications\nConseils,1\n");
    assert_eq!(smm.get(&csv(&format!("account:{account}"))).await.body, "Pilier,Publications\nConseils,1\n");
    assert_eq!(smm.get(&csv("network:bluesky")).await.body, "Pilier,Publications\nConseils,0\n");
});

/// The PDF's text, or `None` (said loudly) without poppler.
pub(crate) fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    match std::process::Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&path).arg("-").output() {
        Ok(out) => Some(String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")),
        Err(e) if std::env::var("RELAIS_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1") => panic!("pdftotext is missing: {e}"),
        Err(_) => {
            eprintln!("!!! pdftotext missing: the PDF's text is not checked (apt-get install poppler-utils)");
            None
        }
    }
}

app_test!(the_pdf_prints_the_top_post_with_its_first_image, |app: TestApp| async move {
    let account = seed(&app).await;
    let ws = &app.f.bank;
    // An image in a green that nothing else in the report uses, uploaded to the media library.
    let green = [0x10u8, 0xc0, 0x40];
    let image =
        image::RgbImage::from_fn(400, 300, |x, y| if (x / 100 + y / 100) % 2 == 0 { image::Rgb(green) } else { image::Rgb([255; 3]) });
    let mut png = std::io::Cursor::new(vec![]);
    image.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let cm = {
        let mut b = Browser::signed_in(&app, CM).await;
        b.get(&format!("/w/{ws}/media")).await;
        b
    };
    assert_eq!(crate::media::upload(&cm, ws, &[("vitrine.png", png.into_inner())]).await.status, 303);
    let media = app.store.media_list(ws).await.unwrap().remove(0);
    // The top post (4 %) carries it.
    let march = relais_core::kpi::Period::new(date(2026, 3, 1), date(2026, 3, 10)).unwrap();
    let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
    let order = RankedBy { basis: EngagementBasis::Impressions, ranking: Ranking::Top, limit: 1 };
    let top = app.store.ranked_posts(ws, &Scope::Account(account), &march, &paris, order).await.unwrap().remove(0);
    assert_eq!(top.title, "Nos conseils épargne du printemps");
    app.store.attach_media(&top.variant_id, std::slice::from_ref(&media.id)).await.unwrap();

    let smm = Browser::signed_in(&app, SMM).await;
    let resp = smm.http.get(format!("{}/w/{ws}/analytics/report.pdf?{PERIOD}&lang=fr", app.url)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let pdf = resp.bytes().await.unwrap().to_vec();
    let Some(_) = pdf_text(&pdf) else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let status =
        std::process::Command::new("pdftoppm").args(["-r", "40", "-png"]).arg(&path).arg(dir.path().join("page")).status().unwrap();
    assert!(status.success(), "pdftoppm failed");
    let mut pages: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "png")).collect();
    pages.sort();
    let page_text = |n: usize| {
        let out = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8", "-f", &n.to_string(), "-l", &n.to_string()])
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let with_post: Vec<usize> = (1..=pages.len()).filter(|n| page_text(*n).contains("Nos conseils épargne du printemps")).collect();
    assert_eq!(with_post.len(), 1, "the top post is printed once: {with_post:?}");
    let n = with_post[0];
    let picture = image::open(&pages[n - 1]).unwrap().to_rgb8();
    let inked = picture.pixels().filter(|p| p.0.iter().any(|&c| c < 230)).count();
    assert!(inked as f64 / (picture.width() * picture.height()) as f64 > 0.005, "page {n} is not blank");
    // The thumbnail is a JPEG: its greens are close to, not exactly, the original's.
    let greens = picture.pixels().filter(|p| p.0.iter().zip(green).all(|(a, b)| a.abs_diff(b) < 40)).count();
    assert!(greens > 50, "the image is drawn beside the post's text on page {n}: {greens} green pixels");
});
