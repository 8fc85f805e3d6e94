//! Paid campaigns over HTTP: results imported from an ad manager's CSV (a bad file imports
//! nothing and names each line and column), the campaign page's totals, KPIs and pacing, the
//! analytics' campaign tiles, objectives measured from the results, and share of voice from
//! listening queries marked as the brand's and a competitor's.

use crate::helpers::*;
use jiff::ToSpan;
use relais_core::campaign_plan::{CampaignObjective, CampaignPlan};
use relais_core::kpi::Currency;
use relais_store::{CampaignInput, HitSource, NewListeningHit};

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Europe/Paris").unwrap()).date()
}

async fn summer(app: &TestApp) -> String {
    let t = today();
    let input = CampaignInput {
        name: relais_core::Name::parse("name", "Été").unwrap(),
        colour: relais_core::Colour::parse("colour", "#b45309").unwrap(),
        starts_on: Some(t.checked_sub(9.days()).unwrap()),
        ends_on: Some(t.checked_add(20.days()).unwrap()),
    };
    let c = app.store.create_campaign(&app.f.bank, &input).await.unwrap();
    let plan = CampaignPlan::new(Some(CampaignObjective::Sales), Some(100_000), Currency::EUR, "Artisans", "", (None, None)).unwrap();
    app.store.save_campaign_plan(&app.f.bank, &c.id, &plan).await.unwrap();
    c.id
}

async fn upload(b: &Browser, app: &TestApp, path: &str, bytes: Vec<u8>) -> Page {
    let url = format!("{}{path}?_csrf={}", app.url, b.csrf);
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("export.csv"));
    let resp = b.http.post(url).multipart(form).send().await.unwrap();
    let status = resp.status().as_u16();
    let location = resp.headers().get("location").map(|v| v.to_str().unwrap().to_string());
    Page { status, location, body: resp.text().await.unwrap() }
}

fn fr(d: jiff::civil::Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

app_test!(an_ad_manager_export_is_imported_and_measured, |app: TestApp| async move {
    let ws = &app.f.bank;
    let id = summer(&app).await;
    let t = today();
    let (d1, d2) = (t.checked_sub(9.days()).unwrap(), t.checked_sub(8.days()).unwrap());
    let mut smm = Browser::signed_in(&app, SMM).await;
    let page = smm.get(&format!("/w/{ws}/campaigns/{id}")).await;
    assert_eq!(page.status, 200);
    let import = format!("/w/{ws}/campaigns/{id}/results/import");

    // A French export: `;`, decimal commas, a spend column named with its currency, a total line.
    let good = format!(
        "Nom;Jour;Montant dépensé (EUR);Impressions;Clics sur un lien;Achats;Valeur de conversion des achats\r\n\
         Été;{};100,00;10 000;200;4;500,00\r\nÉté;{};50,00;5 000;100;1;100,00\r\nTotal;Total;150,00;15 000;300;5;600,00\r\n",
        fr(d1),
        fr(d2)
    );
    let done = upload(&smm, &app, &import, good.into_bytes()).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(app.store.campaign_results(ws, &id).await.unwrap().len(), 2);

    let page = smm.get(&format!("/w/{ws}/campaigns/{id}?done=campaign-imported")).await;
    page.assert_contains("Résultats importés.");
    // 150 € spent; CTR 300 / 15,000 = 2 %; CPC 15,000 / 300 = 50 cents; CPA 15,000 / 5 = 30 €;
    // ROAS 600 / 150 = 4.
    page.assert_contains("150,00\u{202f}€");
    page.assert_contains("2,0\u{202f}%");
    page.assert_contains("0,50\u{202f}€");
    page.assert_contains("30,00\u{202f}€");
    page.assert_contains("4,00×");
    // Pacing: 150 € in 2 of 30 days → 2,250 € at the end of a 1,000 € budget.
    page.assert_contains("surconsommation : 15,0\u{202f}% du budget dépensé, 2\u{202f}250,00\u{202f}€ à la fin à ce rythme");

    // A bad file: every problem named by line and column, nothing imported.
    let bad = format!("Jour;Dépense;Clics\r\n{};abc;12\r\n{};10,00;1,5\r\n31/02/2026;1;1\r\n", fr(d1), fr(d1));
    let refused = upload(&smm, &app, &import, bad.into_bytes()).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("<td>2</td><td>Dépense</td><td>« abc » n'est pas un montant");
    refused.assert_contains("<td>3</td><td>Jour</td>");
    refused.assert_contains("<td>3</td><td>Clics</td><td>« 1,5 » n'est pas un nombre entier.</td>");
    refused.assert_contains("<td>4</td><td>Jour</td><td>« 31/02/2026 » n'est pas une date");
    let kept = app.store.campaign_results(ws, &id).await.unwrap();
    assert_eq!(kept.iter().map(|d| d.spend_cents).collect::<Vec<_>>(), [10_000, 5_000], "nothing of the bad file was imported");

    // The analytics' campaign scope shows the paid tiles.
    let analytics = smm.get(&format!("/w/{ws}/analytics?scope=campaign:{id}&from={d1}&to={t}")).await;
    assert_eq!(analytics.status, 200);
    analytics.assert_contains("Campagne payante");
    analytics.assert_contains("Coût par acquisition (CPA)");
    analytics.assert_contains("30,00\u{202f}€");
    // The same figures in the XLSX export (the spend and costs as numbers in their currency, the
    // CTR as a rate), in the PDF's KPI table and in the API.
    let scope = format!("scope=campaign:{id}&from={d1}&to={t}");
    let resp = smm.http.get(format!("{}/w/{ws}/analytics/export.xlsx?{scope}", app.url)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(resp.bytes().await.unwrap().to_vec())).unwrap();
    let costs = book.worksheet_range("Coûts").unwrap();
    let row = |label: &str| costs.rows().find(|r| r[0] == Data::String(label.into())).unwrap_or_else(|| panic!("no {label} row")).to_vec();
    assert_eq!(row("Dépense")[2], Data::Float(150.0));
    assert_eq!(row("Coût par acquisition (CPA)")[2], Data::Float(30.0));
    assert_eq!(row("Coût par clic (CPC)")[2], Data::Float(0.5));
    let rates = book.worksheet_range("Taux").unwrap();
    assert!(rates.rows().any(|r| r[2] == Data::Float(0.02)), "the CTR is a rate of the Rates sheet");
    let pdf = smm.http.get(format!("{}/w/{ws}/analytics/report.pdf?{scope}", app.url)).send().await.unwrap();
    assert_eq!(pdf.status(), 200);
    if let Some(text) = crate::analytics::pdf_text(&pdf.bytes().await.unwrap()) {
        assert!(text.contains("Coût par acquisition (CPA)") && text.contains("30,00 €"), "{text}");
    }
    let token = crate::api::token(&app, ws, relais_core::Role::Client).await;
    let (status, _, body) =
        crate::api::call(&app, reqwest::Method::GET, &format!("/api/v1/workspaces/{ws}/analytics?{scope}"), Some(&token), None).await;
    assert_eq!(status, 200, "{body}");
    let cpa = body["figures"].as_array().unwrap().iter().find(|f| f["kpi"] == "cost_per_acquisition").cloned().unwrap();
    assert_eq!((cpa["value"].as_f64(), cpa["unit"].as_str()), (Some(3000.0), Some("money")), "cents, as the API gives money");

    // An objective on the campaign's CPC is measured from the results: 50 cents against 60.
    let start = d1.to_string();
    let end = t.checked_add(20.days()).unwrap().to_string();
    let created = smm
        .post(
            &format!("/w/{ws}/strategy/objectives"),
            &[
                ("title", "CPC Été"),
                ("kpi", "cost_per_click"),
                ("target", "0,60"),
                ("currency", "EUR"),
                ("starts_on", &start),
                ("ends_on", &end),
                ("scope", &format!("campaign:{id}")),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let list = smm.get(&format!("/w/{ws}/strategy/objectives")).await;
    list.assert_contains("<td>0,50\u{202f}€</td>");

    // A day typed by hand, then deleted.
    let typed = smm.post(&format!("/w/{ws}/campaigns/{id}/results"), &[("day", &t.to_string()), ("spend", "12,5"), ("clicks", "10")]).await;
    assert_eq!(typed.status, 303, "{}", typed.body);
    assert_eq!(app.store.campaign_results(ws, &id).await.unwrap().len(), 3);
    let deleted = smm.post(&format!("/w/{ws}/campaigns/{id}/results/{t}/delete"), &[]).await;
    assert_eq!(deleted.status, 303);
    assert_eq!(app.store.campaign_results(ws, &id).await.unwrap().len(), 2);
});

app_test!(a_cm_does_not_run_paid_campaigns, |app: TestApp| async move {
    let ws = &app.f.bank;
    let id = summer(&app).await;
    let mut cm = Browser::signed_in(&app, CM).await;
    assert_eq!(cm.get(&format!("/w/{ws}/campaigns")).await.status, 403);
    assert_eq!(cm.get(&format!("/w/{ws}/campaigns/{id}")).await.status, 403);
    let file = format!("Jour;Dépense\r\n{};10\r\n", fr(today()));
    assert_eq!(upload(&cm, &app, &format!("/w/{ws}/campaigns/{id}/results/import"), file.into_bytes()).await.status, 403);
    assert!(app.store.campaign_results(ws, &id).await.unwrap().is_empty());
    // Another workspace's campaign is not found.
    let mut smm = Browser::signed_in(&app, SMM).await;
    assert_eq!(smm.get(&format!("/w/{}/campaigns/{id}", app.f.coffee)).await.status, 404);
});

app_test!(share_of_voice_is_measured_from_marked_queries, |app: TestApp| async move {
    let ws = &app.f.bank;
    let mut smm = Browser::signed_in(&app, SMM).await;
    for (name, query, voice, competitor) in
        [("Marque", "banque", "brand", ""), ("Rival", "rival", "competitor", "Rival"), ("Sujet", "crédit", "", "")]
    {
        let done = smm
            .post(
                &format!("/w/{ws}/listening"),
                &[("name", name), ("query", query), ("active", "on"), ("voice", voice), ("competitor", competitor)],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
    }
    // A competitor without a name is refused.
    let nameless = smm.post(&format!("/w/{ws}/listening"), &[("name", "X"), ("query", "x"), ("voice", "competitor")]).await;
    assert_eq!(nameless.status, 422);
    let queries = app.store.listening_queries(ws).await.unwrap();
    let id_of = |n: &str| queries.iter().find(|q| q.name == n).unwrap().id.clone();
    let (brand, rival, topic) = (id_of("Marque"), id_of("Rival"), id_of("Sujet"));
    let now = jiff::Timestamp::now().as_millisecond() - 60_000;
    let hits: Vec<(String, String)> = [(&brand, "b1"), (&brand, "b2"), (&brand, "b3"), (&rival, "r1"), (&topic, "t1")]
        .iter()
        .map(|(q, r)| (q.to_string(), r.to_string()))
        .collect();
    let new: Vec<NewListeningHit> = hits
        .iter()
        .map(|(q, r)| NewListeningHit {
            query_id: q,
            network: "sandbox",
            remote_id: r,
            author_remote_id: "a",
            author_handle: "a",
            author_name: None,
            text: "t",
            url: None,
            language: None,
            posted_at: now,
            source: HitSource::Search,
        })
        .collect();
    app.store.store_listening_hits(&new).await.unwrap();

    // 3 brand mentions / (3 + 1) = 75 %.
    let bench = smm.get(&format!("/w/{ws}/listening/benchmark")).await;
    assert_eq!(bench.status, 200);
    bench.assert_contains("<p class=\"figure\" id=\"share-of-voice\">75,0\u{202f}%</p>");
    bench.assert_contains("<td>Rival</td><td>1</td><td>25,0\u{202f}%</td>");
    let csv = smm.get(&format!("/w/{ws}/listening/benchmark.csv")).await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.contains(&format!("{},3,1", today())), "{}", csv.body);

    let start = today().checked_sub(1.days()).unwrap().to_string();
    let end = today().checked_add(20.days()).unwrap().to_string();
    let created = smm
        .post(
            &format!("/w/{ws}/strategy/objectives"),
            &[
                ("title", "Part de voix"),
                ("kpi", "share_of_voice"),
                ("target", "60 %"),
                ("currency", "EUR"),
                ("starts_on", &start),
                ("ends_on", &end),
                ("scope", "workspace"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    smm.get(&format!("/w/{ws}/strategy/objectives")).await.assert_contains("<td>75,0\u{202f}%</td>");
    // A client does not listen.
    let mut client = Browser::signed_in(&app, CLIENT).await;
    assert_eq!(client.get(&format!("/w/{ws}/listening/benchmark")).await.status, 403);
});

app_test!(an_integration_sets_the_plan_and_pushes_results_over_the_api, |app: TestApp| async move {
    use crate::api::{call, token};
    use reqwest::Method;
    let ws = &app.f.bank;
    let id = summer(&app).await;
    let smm = token(&app, ws, relais_core::Role::Smm).await;
    let plan_path = format!("/api/v1/workspaces/{ws}/campaigns/{id}/plan");
    let (status, _, body) = call(&app, Method::GET, &plan_path, Some(&smm), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["objective"].as_str(), body["budget_cents"].as_i64(), body["currency"].as_str()),
        (Some("sales"), Some(100_000), Some("EUR"))
    );

    let plan = r#"{"objective":"traffic","budget_cents":250000,"currency":"CHF","targeting":"Artisans, 25-54","locations":"Suisse romande","age_min":25,"age_max":54}"#;
    let (status, _, body) = call(&app, Method::PUT, &plan_path, Some(&smm), Some(plan)).await;
    assert_eq!(status, 200, "{body}");
    let stored = app.store.campaign(ws, &id).await.unwrap().plan();
    assert_eq!((stored.budget.map(|b| b.cents), stored.currency.to_string(), stored.age_min), (Some(250_000), "CHF".to_string(), Some(25)));
    assert_eq!(body["locations"], "Suisse romande");

    // A negative budget or an unknown objective: 422 naming the field, nothing changed.
    let (status, _, body) = call(&app, Method::PUT, &plan_path, Some(&smm), Some(r#"{"budget_cents":-5,"currency":"EUR"}"#)).await;
    assert_eq!(status, 422);
    assert!(body.to_string().contains("budget"), "{body}");
    let (status, _, body) = call(&app, Method::PUT, &plan_path, Some(&smm), Some(r#"{"objective":"fame","currency":"EUR"}"#)).await;
    assert_eq!(status, 422);
    assert!(body.to_string().contains("fame"), "{body}");
    assert_eq!(app.store.campaign(ws, &id).await.unwrap().plan().budget.map(|b| b.cents), Some(250_000));

    // Results pushed by day: KPIs computed; a day outside the campaign refuses the whole batch.
    let results_path = format!("/api/v1/workspaces/{ws}/campaigns/{id}/results");
    let d1 = today().checked_sub(2.days()).unwrap();
    let days = format!(
        r#"[{{"day":"{d1}","spend_cents":10000,"impressions":10000,"clicks":200,"conversions":4,"conversion_value_cents":50000}}]"#
    );
    let (status, _, body) = call(&app, Method::PUT, &results_path, Some(&smm), Some(&days)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["click_through_rate"].as_f64(), body["cost_per_acquisition_cents"].as_i64()), (Some(0.02), Some(2500)));
    let far = today().checked_add(60.days()).unwrap();
    let (status, _, body) =
        call(&app, Method::PUT, &results_path, Some(&smm), Some(&format!(r#"[{{"day":"{far}","spend_cents":1}}]"#))).await;
    assert_eq!(status, 422);
    assert!(body.to_string().contains("outside the campaign"), "{body}");
    assert_eq!(app.store.campaign_results(ws, &id).await.unwrap().len(), 1);

    // A client's token may read the analytics, not run campaigns.
    let client = token(&app, ws, relais_core::Role::Client).await;
    assert_eq!(call(&app, Method::GET, &plan_path, Some(&client), None).await.0, 403);
    assert_eq!(call(&app, Method::PUT, &plan_path, Some(&client), Some(plan)).await.0, 403);
});
