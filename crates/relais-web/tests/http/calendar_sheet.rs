//! The calendar in and out of a spreadsheet: a calendar exported to XLSX or CSV and imported
//! into an empty workspace comes back the same; an import with problems names each one and
//! writes nothing; roles decide who exports, imports and imports approved posts.

use crate::helpers::*;
use relais_core::scheduling::resolve_local;
use relais_core::workflow::PostState;
use relais_store::{Actor, ExportRange, NewPost, NewVariant, PlannedAt, Store};

const PARIS: &str = "Europe/Paris";

/// Accounts, pillars, campaign and media of a workspace; returns the account ids by handle.
async fn equip(store: &Store, ws: &str) -> (String, String) {
    let account = |h: &'static str| async move { store.create_social_account(ws, "sandbox", h, h, |_| "sealed".into()).await.unwrap().id };
    let accounts = (account("banque").await, account("banque_pro").await);
    for p in ["Offres", "Coulisses"] {
        store.add_pillar_for_test(ws, p).await.unwrap();
    }
    store.add_campaign_for_test(ws, "Rentrée 2099").await.unwrap();
    for m in ["affiche.png", "logo.png"] {
        store.add_media_for_test(ws, m).await.unwrap();
    }
    accounts
}

fn at(local: &str) -> i64 {
    resolve_local(local, PARIS).unwrap().as_millisecond()
}

/// A calendar with a scheduled post on two accounts (link, media), a planned draft, an
/// approved post and an undated post in review.
async fn calendar(app: &TestApp) {
    let store = &app.store;
    let (banque, pro) = equip(store, &app.f.bank).await;
    let smm = Actor { id: Some(app.f.smm.clone()), label: "Sophie SMM".into() };
    let media = store.sheet_names(&app.f.bank).await.unwrap();
    assert_eq!(media.media, ["affiche.png", "logo.png"]);
    let post = |title: &str, pillar: Option<&str>, campaign: Option<&str>, variants: Vec<NewVariant>| NewPost {
        workspace_id: app.f.bank.clone(),
        title: title.into(),
        pillar: pillar.map(Into::into),
        campaign: campaign.map(Into::into),
        variants,
    };
    let approve = |id: String| {
        let smm = smm.clone();
        async move {
            store.move_post(&id, PostState::Draft, PostState::InReview, &smm, "submit", None).await.unwrap();
            store.move_post(&id, PostState::InReview, PostState::Approved, &smm, "approve", None).await.unwrap();
            id
        }
    };

    let mut with_media =
        NewVariant::text(&banque, "La rentrée arrive : prêts « étudiants » ; taux 0 %.", Some("https://banque.example/rentree".into()));
    with_media.media_ids = vec![media_id(store, &app.f.bank, "logo.png").await, media_id(store, &app.f.bank, "affiche.png").await];
    let rentree =
        post("Rentrée", Some("Offres"), Some("Rentrée 2099"), vec![with_media, NewVariant::text(&pro, "Pour les pros aussi.", None)]);
    let id = approve(store.create_post(&rentree, &smm).await.unwrap().id).await;
    store.schedule_post(&id, PostState::Approved, at("2099-09-01T09:30"), "2099-09-01T09:30", PARIS, &smm).await.unwrap();

    let coulisses = post(
        "Coulisses de l'agence",
        Some("Coulisses"),
        None,
        vec![NewVariant::text(&banque, "Première ligne\nDeuxième ligne, \"citée\"", None)],
    );
    let id = store.create_post(&coulisses, &smm).await.unwrap().id;
    store.plan_post(&id, Some(PlannedAt { at_ms: at("2099-09-02T18:00"), local: "2099-09-02T18:00", zone: PARIS }), &smm).await.unwrap();

    let approved = post("Portes ouvertes", None, Some("Rentrée 2099"), vec![NewVariant::text(&pro, "Portes ouvertes samedi.", None)]);
    let id = approve(store.create_post(&approved, &smm).await.unwrap().id).await;
    store.plan_post(&id, Some(PlannedAt { at_ms: at("2099-10-26T10:00"), local: "2099-10-26T10:00", zone: PARIS }), &smm).await.unwrap();

    let idea = post("Sans date", None, None, vec![NewVariant::text(&banque, "Une idée à creuser.", None)]);
    let id = store.create_post(&idea, &smm).await.unwrap().id;
    store.move_post(&id, PostState::Draft, PostState::InReview, &smm, "submit", None).await.unwrap();
}

async fn media_id(store: &Store, ws: &str, name: &str) -> String {
    store.media_id_for_test(ws, name).await.unwrap()
}

/// The calendar as people see it, field by field, without ids.
type Seen = Vec<(String, PostState, Option<String>, Option<String>, Option<String>, Option<String>, Option<i64>, Vec<SeenVariant>)>;
type SeenVariant = (String, String, String, Option<String>, Vec<String>);

async fn seen(store: &Store, ws: &str) -> Seen {
    store
        .calendar_export(ws, ExportRange::default())
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            let p = e.post;
            let variants = e.variants.into_iter().map(|v| (v.network, v.handle, v.text, v.link, v.media)).collect();
            (p.title, p.state, p.pillar, p.campaign, p.scheduled_local, p.scheduled_zone, p.scheduled_at, variants)
        })
        .collect()
}

async fn upload(b: &Browser, app: &TestApp, ws: &str, name: &'static str, bytes: Vec<u8>) -> Page {
    let url = format!("{}/w/{ws}/calendar/import?_csrf={}", app.url, b.csrf);
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
    let resp = b.http.post(url).multipart(form).send().await.unwrap();
    let status = resp.status().as_u16();
    let location = resp.headers().get("location").map(|v| v.to_str().unwrap().to_string());
    Page { status, location, body: resp.text().await.unwrap() }
}

async fn download(b: &Browser, app: &TestApp, path: &str) -> (u16, String, String, Vec<u8>) {
    let resp = b.http.get(format!("{}{path}", app.url)).send().await.unwrap();
    let header = |h: &str| resp.headers().get(h).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let (ct, cd) = (header("content-type"), header("content-disposition"));
    (resp.status().as_u16(), ct, cd, resp.bytes().await.unwrap().to_vec())
}

async fn round_trip(app: TestApp, path: &str, file_name: &'static str) -> Vec<u8> {
    calendar(&app).await;
    let mut b = Browser::signed_in(&app, ADMIN).await;
    let (status, _, disposition, bytes) = download(&b, &app, &format!("/w/{}/calendar/{path}", app.f.bank)).await;
    assert_eq!(status, 200);
    assert!(disposition.starts_with("attachment; filename=\"calend"), "{disposition}");

    // An empty workspace with the same accounts, pillars, campaign and media.
    equip(&app.store, &app.f.coffee).await;
    assert!(seen(&app.store, &app.f.coffee).await.is_empty());
    b.get(&format!("/w/{}/calendar/import", app.f.coffee)).await;
    let page = upload(&b, &app, &app.f.coffee, file_name, bytes.clone()).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location.as_deref(), Some(format!("/w/{}/calendar/import?imported=4", app.f.coffee).as_str()));
    b.get(page.location.as_deref().unwrap()).await.assert_contains("Publications importées : 4.");

    let (before, after) = (seen(&app.store, &app.f.bank).await, seen(&app.store, &app.f.coffee).await);
    assert_eq!(before.len(), 4);
    assert_eq!(after, before, "the same calendar, field by field");
    // The scheduled post was scheduled as the composer does: one publish job per variant.
    let imported = app.store.calendar_export(&app.f.coffee, ExportRange::default()).await.unwrap();
    let scheduled = imported.iter().find(|e| e.post.state == PostState::Scheduled).unwrap();
    assert_eq!(app.store.publish_jobs_for_test(&scheduled.post.id).await.unwrap().len(), 2);
    let history = app.store.post_events(&scheduled.post.id).await.unwrap();
    assert_eq!(history[0].action, "import");
    assert_eq!(history[0].comment.as_deref(), Some(file_name));
    bytes
}

app_test!(a_calendar_exported_to_xlsx_comes_back_the_same_in_an_empty_workspace, |app: TestApp| async move {
    let bytes = round_trip(app, "export.xlsx?lang=en", "calendar.xlsx").await;
    assert!(bytes.starts_with(b"PK\x03\x04"), "an XLSX file is a ZIP archive");
});

app_test!(a_calendar_exported_to_csv_in_french_comes_back_the_same, |app: TestApp| async move {
    let bytes = round_trip(app, "export.csv?lang=fr", "calendrier.csv").await;
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("\u{feff}Date;Heure;Compte;Texte;Lien;Média;Pilier;Campagne;Statut;Titre;Publication\r\n"), "{text}");
    assert!(text.contains("01/09/2099;09:30;sandbox:banque;"), "{text}");
    assert!(text.contains(";programmé;Rentrée;1\r\n"), "{text}");
});

app_test!(an_export_is_a_download_named_after_the_workspace_and_can_be_limited_to_dates, |app: TestApp| async move {
    calendar(&app).await;
    let client = Browser::signed_in(&app, CLIENT).await;
    let (status, ct, cd, bytes) =
        download(&client, &app, &format!("/w/{}/calendar/export.csv?lang=en&from=2099-09-02&to=2099-09-30", app.f.bank)).await;
    assert_eq!(status, 200, "a client may export the calendar");
    assert_eq!(ct, "text/csv; charset=utf-8");
    assert_eq!(cd, "attachment; filename=\"calendar-banque-de-bourgogne.csv\"");
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.matches("\r\n").count(), 2, "the header and the post of 2 September only: {text}");
    assert!(text.contains("2099-09-02,18:00,sandbox:banque,"), "{text}");
    let (status, ct, cd, _) = download(&client, &app, &format!("/w/{}/calendar/export.xlsx", app.f.bank)).await;
    assert_eq!((status, ct.as_str()), (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    assert_eq!(cd, "attachment; filename=\"calendrier-banque-de-bourgogne.xlsx\"", "French by default for a French reader");
    let (status, ..) = download(&client, &app, &format!("/w/{}/calendar/export.csv?from=demain", app.f.bank)).await;
    assert_eq!(status, 422);
    let outsider = Browser::signed_in(&app, OUTSIDER).await;
    assert_eq!(download(&outsider, &app, &format!("/w/{}/calendar/export.xlsx", app.f.bank)).await.0, 404);
});

app_test!(an_import_with_problems_names_each_row_and_column_and_writes_nothing, |app: TestApp| async move {
    equip(&app.store, &app.f.bank).await;
    let mut b = Browser::signed_in(&app, ADMIN).await;
    b.get(&format!("/w/{}/calendar/import", app.f.bank)).await;
    let long = "x".repeat(501);
    let csv = format!(
        "date;heure;compte;texte;lien;média;pilier;statut\n\
         04/05/2099;09:30;sandbox:banque;Une bonne ligne;;;Offres;brouillon\n\
         01/01/2020;10:00;inconnu;Bonjour;pas-un-lien;absent.png;Cuisine;programmé\n\
         29/03/2099;02:30;banque_pro;{long};;;;\n\
         demain;25h;banque;;;;;publié\n"
    );
    let page = upload(&b, &app, &app.f.bank, "plan.csv", csv.into_bytes()).await;
    assert_eq!(page.status, 422, "{}", page.body);
    page.assert_contains("Rien n'a été importé : 11 problème(s) à corriger.").assert_contains("Problèmes dans plan.csv");
    for (row, column, message) in [
        ("3", "date", "2020-01-01T10:00 (Europe/Paris) est passé"),
        ("3", "compte", "Aucun compte « inconnu » dans cet espace"),
        ("3", "lien", "« pas-un-lien » n'est pas une adresse web"),
        ("3", "média", "Aucun fichier « absent.png » dans la médiathèque."),
        ("3", "pilier", "Pilier inconnu « Cuisine »."),
        (
            "4",
            "heure",
            "2099-03-29T02:30 n'existe pas en Europe/Paris (passage à l'heure d'été) ; l'heure valide suivante est 2099-03-29T03:00.",
        ),
        ("4", "texte", "Le texte compte 501 caractères au sens de Sandbox (simulator) ; la limite est de 500."),
        ("5", "date", "« demain » n'est pas une date"),
        ("5", "heure", "« 25h » n'est pas une heure"),
        ("5", "texte", "Le texte est vide."),
        ("5", "statut", "Une publication au statut « publié » ne peut pas être importée"),
    ] {
        page.assert_contains(&format!("<tr><td>{row}</td><td>{column}</td><td>{message}"));
    }
    assert!(seen(&app.store, &app.f.bank).await.is_empty(), "nothing was imported");

    // In English, for an English reader, with the headers as written.
    let mut en = Browser::with_language(&app, "en");
    en.sign_in(ADMIN).await;
    let page = upload(&en, &app, &app.f.bank, "plan.csv", b"Date,Time,Account,Text,Notes\n2099-05-04,09:30,banque,Hi,x\n".to_vec()).await;
    assert_eq!(page.status, 422);
    page.assert_contains("<tr><td>1</td><td>Notes</td><td>Unknown column “Notes”; the columns are: Date, Time, Account, Text,");
    let page = upload(&en, &app, &app.f.bank, "plan.xlsx", b"PK\x03\x04not really".to_vec()).await;
    assert_eq!(page.status, 422);
    page.assert_contains("The file could not be read: the file is not a spreadsheet");
    assert!(seen(&app.store, &app.f.bank).await.is_empty());
});

app_test!(who_may_import_and_what_a_cm_may_not_import, |app: TestApp| async move {
    equip(&app.store, &app.f.bank).await;
    let rows = "Date;Heure;Compte;Texte;Statut\n04/05/2099;09:30;banque;Approuvée d'avance;approuvé\n05/05/2099;09:30;banque;Programmée;programmée\n06/05/2099;09:30;banque;À relire;en relecture\n";

    let mut cm = Browser::signed_in(&app, CM).await;
    cm.get(&format!("/w/{}/calendar/import", app.f.bank)).await.assert_contains("Importer le fichier");
    let page = upload(&cm, &app, &app.f.bank, "cm.csv", rows.as_bytes().to_vec()).await;
    assert_eq!(page.status, 422, "{}", page.body);
    page.assert_contains(
        "<tr><td>2</td><td>Statut</td><td>Seul un membre qui approuve les publications peut importer le statut « approuvé »",
    );
    page.assert_contains(
        "<tr><td>3</td><td>Statut</td><td>Seul un membre qui approuve les publications peut importer le statut « programmé »",
    );
    assert!(seen(&app.store, &app.f.bank).await.is_empty());
    let drafts = "Date;Heure;Compte;Texte;Statut\n04/05/2099;09:30;banque;Brouillon;\n06/05/2099;09:30;banque;À relire;en relecture\n";
    let page = upload(&cm, &app, &app.f.bank, "cm.csv", drafts.as_bytes().to_vec()).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let states: Vec<PostState> = seen(&app.store, &app.f.bank).await.into_iter().map(|p| p.1).collect();
    assert_eq!(states, [PostState::Draft, PostState::InReview]);

    let mut smm = Browser::signed_in(&app, SMM).await;
    smm.get(&format!("/w/{}/calendar/import", app.f.bank)).await;
    assert_eq!(upload(&smm, &app, &app.f.bank, "smm.csv", rows.as_bytes().to_vec()).await.status, 303);
    assert_eq!(seen(&app.store, &app.f.bank).await.len(), 5);

    let mut client = Browser::signed_in(&app, CLIENT).await;
    let page = client.get(&format!("/w/{}/calendar/import", app.f.bank)).await;
    assert_eq!(page.status, 200, "a client sees the export");
    assert!(!page.body.contains("Importer le fichier"), "but not the import form");
    assert_eq!(upload(&client, &app, &app.f.bank, "client.csv", rows.as_bytes().to_vec()).await.status, 403);
    assert_eq!(seen(&app.store, &app.f.bank).await.len(), 5);

    let mut outsider = Browser::signed_in(&app, OUTSIDER).await;
    assert_eq!(outsider.get(&format!("/w/{}/calendar/import", app.f.bank)).await.status, 404);

    // Where the client approves content, approved rows would skip the client.
    app.store.set_client_approval(&app.f.bank, true).await.unwrap();
    let page = upload(&smm, &app, &app.f.bank, "smm.csv", rows.as_bytes().to_vec()).await;
    assert_eq!(page.status, 422);
    page.assert_contains("<tr><td>2</td><td>Statut</td><td>Dans cet espace, le client valide les publications");
});
