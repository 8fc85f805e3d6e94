//! Analytics over HTTP on SQLite and PostgreSQL: the page shows hand-computed KPIs of a period
//! against the period before, the charts' CSV, the XLSX and the PDF carry the same numbers, the
//! commentary is written by the SMM and only read by a client, forms need their CSRF token and
//! another workspace's ids are not found. The arithmetic is in the comments.

use crate::api::{call, token};
use crate::helpers::*;
use jiff::civil::date;
use relais_core::Role;
use relais_store::{AccountMetricSample, Actor, NewPost, NewVariant, PostMetricSample, Store};
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
