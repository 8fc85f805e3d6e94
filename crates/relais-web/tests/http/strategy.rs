//! The Strategy section: who may open and change what, the charter and its trial lint, labels
//! that follow their posts, custom events, posting slots, and the same over the API.

use crate::api::{call, token};
use crate::helpers::*;
use relais_core::Role;
use relais_store::{Actor, NewPost};
use reqwest::Method;
use serde_json::json;

/// A form sent to a path, and what the page must then say.
type FormCase = (&'static str, Vec<(&'static str, &'static str)>, &'static str);

const MANAGED: [&str; 6] =
    ["/strategy", "/strategy/objectives", "/strategy/charter", "/strategy/labels", "/strategy/events", "/strategy/slots"];

app_test!(admins_and_smms_run_the_strategy_a_cm_only_reads_the_charter_a_client_nothing, |app: TestApp| async move {
    let ws = &app.f.bank;
    for email in [ADMIN, SMM] {
        let mut b = Browser::signed_in(&app, email).await;
        for page in MANAGED {
            assert_eq!(b.get(&format!("/w/{ws}{page}")).await.status, 200, "{email} GET {page}");
        }
        b.get(&format!("/w/{ws}")).await.assert_contains(&format!("href=\"/w/{ws}/strategy\""));
    }

    let mut cm = Browser::signed_in(&app, CM).await;
    let overview = cm.get(&format!("/w/{ws}")).await;
    assert!(!overview.body.contains(&format!("href=\"/w/{ws}/strategy\"")), "no Strategy section for a CM");
    overview.assert_contains("Lire la charte éditoriale");
    let charter = cm.get(&format!("/w/{ws}/strategy/charter")).await;
    assert_eq!(charter.status, 200);
    charter.assert_contains("vous pouvez la lire");
    assert!(!charter.body.contains("name=\"words_to_avoid\""), "a CM gets no editing form");
    assert!(!charter.body.contains("class=\"tabs\""), "nor the section's tabs");
    for page in ["/strategy", "/strategy/labels", "/strategy/events", "/strategy/slots"] {
        let got = cm.get(&format!("/w/{ws}{page}")).await;
        assert_eq!(got.status, 403, "CM GET {page}");
        got.assert_contains("Accès refusé");
    }
    let lint = cm.post(&format!("/w/{ws}/strategy/charter/lint"), &[("text", "Bonjour"), ("network", "")]).await;
    assert_eq!(lint.status, 200, "a CM may test a text");
    let edits: [(&str, Vec<(&str, &str)>); 5] = [
        ("/strategy/charter", vec![("words_to_avoid", "gratuit")]),
        ("/strategy/pillars", vec![("name", "Offres"), ("colour", "#ff0000")]),
        ("/strategy/campaigns", vec![("name", "Été"), ("colour", "#ff0000")]),
        ("/strategy/events", vec![("title", "Salon"), ("starts_on", "2026-04-14"), ("recurrence", "none")]),
        ("/strategy/slots", vec![("account_id", "x"), ("weekday", "1"), ("time", "09:00")]),
    ];
    for (path, fields) in &edits {
        assert_eq!(cm.post(&format!("/w/{ws}{path}"), fields).await.status, 403, "CM POST {path}");
    }

    let mut client = Browser::signed_in(&app, CLIENT).await;
    for page in MANAGED {
        assert_eq!(client.get(&format!("/w/{ws}{page}")).await.status, 403, "client GET {page}");
    }
    assert!(!client.get(&format!("/w/{ws}")).await.body.contains("Lire la charte"));
    assert_eq!(client.post(&format!("/w/{ws}/strategy/charter/lint"), &[("text", "x")]).await.status, 403);
    for (path, fields) in &edits {
        assert_eq!(client.post(&format!("/w/{ws}{path}"), fields).await.status, 403, "client POST {path}");
    }

    let mut outsider = Browser::signed_in(&app, OUTSIDER).await;
    for page in MANAGED {
        assert_eq!(outsider.get(&format!("/w/{ws}{page}")).await.status, 404, "outsider GET {page}");
    }
    assert!(app.store.pillars(ws).await.unwrap().is_empty() && app.store.calendar_events(ws).await.unwrap().is_empty());
    assert_eq!(app.store.charter(ws).await.unwrap(), Default::default());
});

app_test!(an_smm_writes_the_charter_a_cm_reads_it_and_tests_a_text_per_network, |app: TestApp| async move {
    let ws = &app.f.bank;
    let mut smm = Browser::signed_in(&app, SMM).await;
    let path = format!("/w/{ws}/strategy/charter");
    smm.get(&path).await;
    let saved = smm
        .post(
            &path,
            &[
                ("words_to_avoid", "gratuit\r\n\r\n sans frais \r\n"),
                ("mandatory", "#BanqueDeBourgogne"),
                ("max_hashtags", "2"),
                ("tone_notes", "Vouvoiement, phrases courtes."),
                ("mastodon_words_to_avoid", "promo"),
                ("mastodon_mandatory", ""),
                ("mastodon_max_hashtags", "4"),
                ("bluesky_max_hashtags", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    smm.get(saved.location.as_deref().unwrap()).await.assert_contains("Charte enregistrée.").assert_contains("sans frais");
    let charter = app.store.charter(ws).await.unwrap();
    assert_eq!(charter.base.words_to_avoid, ["gratuit", "sans frais"]);
    assert_eq!(charter.base.max_hashtags, Some(2));
    assert_eq!(charter.for_network("mastodon").max_hashtags, Some(4));
    assert_eq!(charter.per_network.keys().collect::<Vec<_>>(), ["mastodon"]);

    let mut cm = Browser::signed_in(&app, CM).await;
    cm.get(&path).await.assert_contains("Vouvoiement, phrases courtes.").assert_contains("#BanqueDeBourgogne").assert_contains("Mastodon");
    let trial = cm.post(&format!("{path}/lint"), &[("text", "Prêt GRATUIT ! #un #deux #trois"), ("network", "")]).await;
    assert_eq!(trial.status, 200);
    trial
        .assert_contains("<mark>GRATUIT</mark>")
        .assert_contains("« gratuit » fait partie des mots à éviter de la charte.")
        .assert_contains("La charte exige « #BanqueDeBourgogne » dans chaque publication.")
        .assert_contains("Bloquant : Trop de hashtags pour la charte (3).");
    let on_mastodon = cm.post(&format!("{path}/lint"), &[("text", "Notre promo #BanqueDeBourgogne #a #b"), ("network", "mastodon")]).await;
    on_mastodon.assert_contains("<mark>promo</mark>");
    assert!(!on_mastodon.body.contains("Trop de hashtags"), "Mastodon allows 4 hashtags");
    let clean = cm.post(&format!("{path}/lint"), &[("text", "Notre promo #BanqueDeBourgogne"), ("network", "bluesky")]).await;
    clean.assert_contains("Rien à signaler");
});

app_test!(bad_strategy_forms_name_the_field_at_fault_and_save_nothing, |app: TestApp| async move {
    let ws = &app.f.bank;
    let mut b = Browser::signed_in(&app, ADMIN).await;
    b.get(&format!("/w/{ws}/strategy/labels")).await;
    let cases: [FormCase; 8] = [
        ("/strategy/pillars", vec![("name", " "), ("colour", "#ff0000")], "Nom : Ce champ est obligatoire."),
        ("/strategy/pillars", vec![("name", "Offres"), ("colour", "rouge")], "Couleur : Couleur invalide"),
        (
            "/strategy/pillars",
            vec![("name", "Offres"), ("colour", "#ff0000"), ("target_share", "150")],
            "Part visée (%) : La part visée doit être",
        ),
        ("/strategy/campaigns", vec![("name", "Été"), ("colour", "#ff0000"), ("starts_on", "31/06/2026")], "Début : Date invalide"),
        (
            "/strategy/campaigns",
            vec![("name", "Été"), ("colour", "#ff0000"), ("starts_on", "2026-06-30"), ("ends_on", "2026-06-01")],
            "Fin : La fin ne peut pas précéder le début.",
        ),
        ("/strategy/events", vec![("title", "Salon"), ("starts_on", "2026-02-30"), ("recurrence", "none")], "Début : Date invalide"),
        (
            "/strategy/events",
            vec![("title", "Salon"), ("starts_on", "2026-04-14"), ("ends_on", "2026-04-01"), ("recurrence", "weekly")],
            "Fin : La fin ne peut pas précéder le début.",
        ),
        (
            "/strategy/charter",
            vec![("max_hashtags", "beaucoup"), ("bluesky_max_hashtags", "500")],
            "Nombre maximal de hashtags : Le nombre de hashtags doit être",
        ),
    ];
    for (path, fields, message) in &cases {
        let page = b.post(&format!("/w/{ws}{path}"), fields).await;
        assert_eq!(page.status, 422, "{path} {fields:?}");
        page.assert_contains(message);
    }
    // Every bad field of the charter is listed, the network's named too.
    b.post(&format!("/w/{ws}/strategy/charter"), &[("max_hashtags", "3"), ("bluesky_max_hashtags", "500")])
        .await
        .assert_contains("Bluesky · Nombre maximal de hashtags : Le nombre de hashtags doit être");
    let account = app.store.create_social_account(ws, "sandbox", "banque", "Banque", |_| "sealed".into()).await.unwrap().id;
    b.get(&format!("/w/{ws}/strategy/slots")).await;
    let page = b.post(&format!("/w/{ws}/strategy/slots"), &[("account_id", &account), ("weekday", "2"), ("time", "25:00")]).await;
    assert_eq!(page.status, 422);
    page.assert_contains("Heure : Heure invalide");
    assert!(app.store.pillars(ws).await.unwrap().is_empty());
    assert!(app.store.campaigns(ws).await.unwrap().is_empty());
    assert!(app.store.calendar_events(ws).await.unwrap().is_empty());
    assert!(app.store.posting_slots(&account).await.unwrap().is_empty());
    assert_eq!(app.store.charter(ws).await.unwrap(), Default::default());
});

app_test!(a_renamed_pillar_follows_its_posts_and_a_deleted_one_leaves_them, |app: TestApp| async move {
    let ws = &app.f.bank;
    let mut b = Browser::signed_in(&app, SMM).await;
    b.get(&format!("/w/{ws}/strategy/labels")).await;
    let created = b.post(&format!("/w/{ws}/strategy/pillars"), &[("name", "Offres"), ("colour", "#1D4ED8"), ("target_share", "40")]).await;
    assert_eq!(created.status, 303);
    let taken = b.post(&format!("/w/{ws}/strategy/pillars"), &[("name", "Offres"), ("colour", "#000000")]).await;
    assert_eq!(taken.status, 409);
    taken.assert_contains("Nom : Ce nom est déjà pris dans cet espace de travail.");
    let new = NewPost { workspace_id: ws.clone(), title: "Prêt".into(), pillar: Some("Offres".into()), campaign: None, variants: vec![] };
    let post = app.store.create_post(&new, &Actor::system()).await.unwrap().id;
    let pillar = app.store.pillars(ws).await.unwrap().remove(0);

    let list = b.get(&format!("/w/{ws}/strategy/labels")).await;
    list.assert_contains("Supprimer le pilier « Offres » ? Les posts qui le portent (1) n'auront plus de pilier.");
    list.assert_contains("Total des parts visées : 40 %");
    // Not planned: not on the calendar, so no actual share yet.
    assert!(!list.body.contains("(1/"), "an unplanned post is not in the calendar's share");
    // Planned tomorrow, next to a post without a pillar: half of the calendar.
    let other = NewPost { workspace_id: ws.clone(), title: "Conseil".into(), pillar: None, campaign: None, variants: vec![] };
    let other = app.store.create_post(&other, &Actor::system()).await.unwrap().id;
    let tomorrow = relais_core::now_ms() + 86_400_000;
    for id in [&post, &other] {
        let at = relais_store::PlannedAt { at_ms: tomorrow, local: "2026-12-07T09:00", zone: "Europe/Paris" };
        app.store.plan_post(id, Some(at), &Actor::system()).await.unwrap();
    }
    b.get(&format!("/w/{ws}/strategy/labels")).await.assert_contains("<td>40 %</td><td>50 % (1/2)</td>");
    let edit_path = format!("/w/{ws}/strategy/pillars/{}", pillar.id);
    b.get(&edit_path).await.assert_contains("value=\"Offres\"").assert_contains("(1)");
    let bad = b.post(&edit_path, &[("name", ""), ("colour", "#1d4ed8"), ("target_share", "40")]).await;
    assert_eq!(bad.status, 422);
    bad.assert_contains("Nom : Ce champ est obligatoire.");
    let renamed = b.post(&edit_path, &[("name", "Produits"), ("colour", "#1d4ed8"), ("target_share", "")]).await;
    assert_eq!(renamed.status, 303);
    assert_eq!(app.store.post(&post).await.unwrap().pillar.as_deref(), Some("Produits"));

    let deleted = b.post(&format!("{edit_path}/delete"), &[]).await;
    assert_eq!(deleted.status, 303);
    b.get(deleted.location.as_deref().unwrap()).await.assert_contains("Pilier supprimé ; ses posts n'ont plus de pilier.");
    assert_eq!(app.store.post(&post).await.unwrap().pillar, None);
    // Another workspace's admin cannot reach ours, even with the id.
    let coffee_campaign = {
        let mut admin = Browser::signed_in(&app, ADMIN).await;
        admin.get(&format!("/w/{}/strategy/labels", app.f.coffee)).await;
        let made = admin.post(&format!("/w/{}/strategy/campaigns", app.f.coffee), &[("name", "Noël"), ("colour", "#b91c1c")]).await;
        assert_eq!(made.status, 303);
        app.store.campaigns(&app.f.coffee).await.unwrap().remove(0).id
    };
    assert_eq!(b.get(&format!("/w/{ws}/strategy/campaigns/{coffee_campaign}")).await.status, 404);
    assert_eq!(b.post(&format!("/w/{ws}/strategy/campaigns/{coffee_campaign}/delete"), &[]).await.status, 404);
    let audit = Browser::signed_in(&app, ADMIN).await.get(&format!("/w/{ws}/settings/audit")).await;
    audit.assert_contains("Pilier créé").assert_contains("Pilier modifié").assert_contains("Pilier supprimé");
});

app_test!(custom_events_repeat_and_sit_beside_the_french_dates, |app: TestApp| async move {
    let ws = &app.f.bank;
    let mut b = Browser::signed_in(&app, SMM).await;
    let path = format!("/w/{ws}/strategy/events");
    let page = b.get(&path).await;
    page.assert_contains("Noël").assert_contains("Jour férié").assert_contains("Aucun événement");
    let made = b.post(&path, &[("title", "Live du mardi"), ("starts_on", "2026-01-06"), ("ends_on", ""), ("recurrence", "weekly")]).await;
    assert_eq!(made.status, 303);
    b.get(made.location.as_deref().unwrap())
        .await
        .assert_contains("Live du mardi")
        .assert_contains("Chaque semaine")
        .assert_contains("Événement ajouté.");
    let event = app.store.calendar_events(ws).await.unwrap().remove(0);
    assert_eq!(event.event.starts_on, event.event.ends_on);
    let edit = format!("{path}/{}", event.id);
    b.get(&edit).await.assert_contains("value=\"2026-01-06\"");
    let saved = b
        .post(&edit, &[("title", "Live mensuel"), ("starts_on", "2026-01-31"), ("ends_on", "2026-01-31"), ("recurrence", "monthly")])
        .await;
    assert_eq!(saved.status, 303);
    assert_eq!(app.store.calendar_events(ws).await.unwrap()[0].title, "Live mensuel");
    assert_eq!(b.post(&format!("{edit}/delete"), &[]).await.status, 303);
    assert!(app.store.calendar_events(ws).await.unwrap().is_empty());
});

app_test!(posting_slots_are_kept_per_account_and_show_the_next_free_one, |app: TestApp| async move {
    let ws = &app.f.bank;
    let mut b = Browser::signed_in(&app, ADMIN).await;
    let path = format!("/w/{ws}/strategy/slots");
    b.get(&path).await.assert_contains("Aucun compte");
    let account = app.store.create_social_account(ws, "sandbox", "banque", "Banque", |_| "sealed".into()).await.unwrap().id;
    let theirs = app.store.create_social_account(&app.f.coffee, "sandbox", "cafe", "Café", |_| "sealed".into()).await.unwrap().id;
    b.get(&path).await.assert_contains("Bac à sable · @banque").assert_contains("Prochain créneau libre : aucun");
    let added = b.post(&path, &[("account_id", &account), ("weekday", "2"), ("time", "09:30")]).await;
    assert_eq!(added.status, 303);
    let page = b.get(added.location.as_deref().unwrap()).await;
    page.assert_contains("mardi 09:30").assert_contains("Créneau ajouté.");
    assert!(!page.body.contains("Prochain créneau libre : aucun"));
    let again = b.post(&path, &[("account_id", &account), ("weekday", "2"), ("time", "09:30")]).await;
    assert_eq!(again.status, 409);
    again.assert_contains("Heure : Ce compte a déjà un créneau");
    assert_eq!(
        b.post(&path, &[("account_id", &theirs), ("weekday", "2"), ("time", "09:30")]).await.status,
        404,
        "another workspace's account"
    );
    let slot = app.store.posting_slots(&account).await.unwrap().remove(0);
    assert_eq!((slot.slot.weekday_number(), slot.slot.minute_of_day()), (2, 570));
    assert_eq!(b.post(&format!("{path}/{}/delete", slot.id), &[]).await.status, 303);
    assert!(app.store.posting_slots(&account).await.unwrap().is_empty());
});

app_test!(the_api_reads_the_charter_for_writers_and_changes_strategy_for_managers, |app: TestApp| async move {
    let ws = &app.f.bank;
    let (admin, smm) = (token(&app, ws, Role::Admin).await, token(&app, ws, Role::Smm).await);
    let (cm, client) = (token(&app, ws, Role::Cm).await, token(&app, ws, Role::Client).await);
    let charter_path = format!("/api/v1/workspaces/{ws}/charter");
    let body = json!({"words_to_avoid": ["gratuit", " "], "max_hashtags": 3, "tone_notes": "Vouvoiement.",
        "per_network": {"mastodon": {"words_to_avoid": ["promo"], "max_hashtags": 5}}})
    .to_string();
    let (s, _, saved) = call(&app, Method::PUT, &charter_path, Some(&smm), Some(&body)).await;
    assert_eq!(s, 200, "{saved}");
    assert_eq!(saved["words_to_avoid"], json!(["gratuit"]));
    let (s, _, read) = call(&app, Method::GET, &charter_path, Some(&cm), None).await;
    assert_eq!((s, read["per_network"]["mastodon"]["max_hashtags"].as_i64()), (200, Some(5)));
    assert_eq!(call(&app, Method::GET, &charter_path, Some(&client), None).await.0, 403);
    assert_eq!(call(&app, Method::PUT, &charter_path, Some(&cm), Some(&body)).await.0, 403);
    let (s, _, problem) = call(&app, Method::PUT, &charter_path, Some(&admin), Some(r#"{"per_network": {"myspace": {}}}"#)).await;
    assert_eq!((s, problem["field"].as_str()), (422, Some("per_network")), "{problem}");
    let (s, _, problem) = call(&app, Method::PUT, &charter_path, Some(&admin), Some(r#"{"max_hashtags": 1000}"#)).await;
    assert_eq!((s, problem["field"].as_str()), (422, Some("max_hashtags")), "{problem}");

    let pillars = format!("/api/v1/workspaces/{ws}/pillars");
    let (s, _, p) =
        call(&app, Method::POST, &pillars, Some(&admin), Some(r##"{"name": "Offres", "colour": "#1D4ED8", "target_share": 40}"##)).await;
    assert_eq!((s, p["colour"].as_str(), p["posts"].as_i64()), (201, Some("#1d4ed8"), Some(0)), "{p}");
    assert_eq!(call(&app, Method::POST, &pillars, Some(&admin), Some(r##"{"name": "Offres", "colour": "#000000"}"##)).await.0, 409);
    let (s, _, p) =
        call(&app, Method::POST, &pillars, Some(&admin), Some(r##"{"name": "Conseils", "colour": "#000000", "target_share": 101}"##)).await;
    assert_eq!((s, p["field"].as_str()), (422, Some("target_share")));
    assert_eq!(call(&app, Method::POST, &pillars, Some(&cm), Some(r##"{"name": "X", "colour": "#000000"}"##)).await.0, 403);
    let (s, _, list) = call(&app, Method::GET, &pillars, Some(&client), None).await;
    assert_eq!((s, list.as_array().unwrap().len()), (200, 1));

    let campaigns = format!("/api/v1/workspaces/{ws}/campaigns");
    let (s, _, p) = call(
        &app,
        Method::POST,
        &campaigns,
        Some(&smm),
        Some(r##"{"name": "Été", "colour": "#b91c1c", "starts_on": "2026-06-30", "ends_on": "2026-06-01"}"##),
    )
    .await;
    assert_eq!((s, p["field"].as_str()), (422, Some("ends_on")), "{p}");
    let (s, _, c) =
        call(&app, Method::POST, &campaigns, Some(&smm), Some(r##"{"name": "Été", "colour": "#b91c1c", "starts_on": "2026-06-01"}"##))
            .await;
    assert_eq!((s, c["starts_on"].as_str(), c["ends_on"].as_str()), (201, Some("2026-06-01"), None));
    let other = token(&app, &app.f.coffee, Role::Admin).await;
    assert_eq!(call(&app, Method::GET, &campaigns, Some(&other), None).await.0, 404);
    let (_, _, doc) = call(&app, Method::GET, "/api/openapi.json", None, None).await;
    assert!(doc["paths"]["/api/v1/workspaces/{id}/charter"].is_object(), "the charter is documented");
});
