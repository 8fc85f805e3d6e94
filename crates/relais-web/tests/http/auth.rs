use crate::helpers::*;

app_test!(a_wrong_password_or_an_unknown_user_gets_the_same_clear_refusal, |app: TestApp| async move {
    let mut b = Browser::new(&app);
    b.get("/signin").await;
    let wrong = b.post("/signin", &[("email", ADMIN), ("password", "not the password")]).await;
    assert_eq!(wrong.status, 401);
    wrong.assert_contains("Adresse e-mail ou mot de passe incorrect.");
    wrong.assert_contains(ADMIN);
    let unknown = b.post("/signin", &[("email", "nobody@agence.example"), ("password", PASSWORD)]).await;
    assert_eq!(unknown.status, 401);
    unknown.assert_contains("Adresse e-mail ou mot de passe incorrect.");
});

app_test!(repeated_failures_are_throttled_even_with_the_right_password_then, |app: TestApp| async move {
    let mut b = Browser::with_language(&app, "en");
    b.get("/signin").await;
    for _ in 0..5 {
        assert_eq!(b.post("/signin", &[("email", SMM), ("password", "guess")]).await.status, 401);
    }
    let blocked = b.post("/signin", &[("email", SMM), ("password", PASSWORD)]).await;
    assert_eq!(blocked.status, 429);
    blocked.assert_contains("Too many failed sign-in attempts. Try again in 15 minutes.");
    // Another account is not locked by someone hammering this one.
    assert_eq!(b.post("/signin", &[("email", CM), ("password", PASSWORD)]).await.status, 303);
});

app_test!(pages_speak_the_browser_language_unless_the_user_chose_one, |app: TestApp| async move {
    let mut en = Browser::with_language(&app, "en-GB,en;q=0.9");
    en.get("/signin").await.assert_contains("Sign in").assert_contains("lang=\"en\"");
    let mut fr = Browser::with_language(&app, "de-DE,fr;q=0.5");
    fr.get("/signin").await.assert_contains("Se connecter").assert_contains("lang=\"fr\"");

    // The user picks English in their profile: it wins over the French browser.
    let mut b = Browser::signed_in(&app, CM).await;
    let saved = b.post("/profile", &[("name", "Lucas CM"), ("locale", "en")]).await;
    assert_eq!(saved.status, 303);
    b.get(&format!("/w/{}", app.f.bank)).await.assert_contains("Overview").assert_contains("Community Manager");
});

app_test!(signing_out_ends_the_session_and_everywhere_ends_them_all, |app: TestApp| async move {
    let mut laptop = Browser::signed_in(&app, ADMIN).await;
    let mut phone = Browser::signed_in(&app, ADMIN).await;
    assert_eq!(phone.get(&format!("/w/{}", app.f.bank)).await.status, 200);

    laptop.get("/profile").await;
    let out = laptop.post("/signout/everywhere", &[]).await;
    assert_eq!((out.status, out.location.as_deref()), (303, Some("/signin")));
    let after = phone.get(&format!("/w/{}", app.f.bank)).await;
    assert_eq!(after.status, 303, "the phone's session ended too");
    assert!(after.location.unwrap().starts_with("/signin?next=%2Fw%2F"));

    let mut b = Browser::signed_in(&app, SMM).await;
    b.post("/signout", &[]).await;
    assert_eq!(b.get("/").await.status, 303);
});

app_test!(an_expired_session_is_sent_to_sign_in_and_comes_back, |app: TestApp| async move {
    let (token, _) = app.store.create_session(&app.f.cm, -1).await.unwrap();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = http.get(format!("{}/w/{}", app.url, app.f.bank)).header("cookie", format!("relais_session={token}")).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], format!("/signin?next=%2Fw%2F{}", app.f.bank));
});

app_test!(a_state_changing_request_without_a_valid_csrf_token_is_refused, |app: TestApp| async move {
    let b = Browser::signed_in(&app, ADMIN).await;
    let path = format!("/w/{}/settings", app.f.bank);
    let fields = [("name", "Piraté"), ("time_zone", "UTC"), ("locale", "fr"), ("primary_colour", "#000000"), ("accent_colour", "#000000")];
    let missing = b.post_raw(&path, &fields, &[]).await;
    assert_eq!(missing.status, 403);
    missing.assert_contains("Vérification de sécurité du formulaire échouée");
    let mut forged = fields.to_vec();
    forged.push(("_csrf", "csrf_forged"));
    assert_eq!(b.post_raw(&path, &forged, &[]).await.status, 403);
    // The right token, but the browser says the request comes from another site.
    let mut genuine = fields.to_vec();
    let token = b.csrf.clone();
    genuine.push(("_csrf", &token));
    assert_eq!(b.post_raw(&path, &genuine, &[("sec-fetch-site", "cross-site")]).await.status, 403);
    assert_eq!(b.post_raw(&path, &genuine, &[("origin", "https://evil.example")]).await.status, 403);
    assert_eq!(app.store.workspace(&app.f.bank).await.unwrap().name, "Banque de Bourgogne", "nothing changed");
    // The sign-in form is protected too, before any session exists.
    let anon = Browser::new(&app);
    assert_eq!(anon.post_raw("/signin", &[("email", ADMIN), ("password", PASSWORD)], &[]).await.status, 403);
});

app_test!(a_malformed_form_gets_a_clear_error, |app: TestApp| async move {
    let mut b = Browser::signed_in(&app, ADMIN).await;
    let page = b.post(&format!("/w/{}/settings", app.f.bank), &[("name", "Sans le reste")]).await;
    assert_eq!(page.status, 422);
    page.assert_contains("Le formulaire envoyé est incomplet ou mal formé.").assert_contains("time_zone");
});

app_test!(an_invitation_link_creates_the_account_with_its_role_once, |app: TestApp| async move {
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    admin.get(&format!("/w/{}/settings/members", app.f.bank)).await;
    let page =
        admin.post(&format!("/w/{}/settings/members/invite", app.f.bank), &[("email", "nouvelle.cm@agence.example"), ("role", "cm")]).await;
    assert_eq!(page.status, 200);
    let start = page.body.find("/invite/inv_").expect("the link is shown");
    let end = page.body[start..].find('"').unwrap();
    let path = page.body[start..start + end].to_string();

    let mut guest = Browser::new(&app);
    guest.get(&path).await.assert_contains("Banque de Bourgogne").assert_contains("Community Manager");
    let short = guest.post(&path, &[("name", "Nina"), ("password", "court")]).await;
    assert_eq!(short.status, 422);
    short.assert_contains("au moins 10 caractères");
    let joined = guest.post(&path, &[("name", "Nina Nouvelle"), ("password", "un mot de passe solide")]).await;
    assert_eq!(joined.status, 303, "{}", joined.body);
    let home = guest.get(&format!("/w/{}", app.f.bank)).await;
    assert_eq!(home.status, 200);
    home.assert_contains("Nina Nouvelle").assert_contains("Community Manager");
    // Not a member of the other workspace.
    assert_eq!(guest.get(&format!("/w/{}", app.f.coffee)).await.status, 404);

    let mut again = Browser::new(&app);
    assert_eq!(again.get(&path).await.status, 410);
    assert_eq!(again.get("/invite/inv_forged").await.status, 404);
    let audit = admin.get(&format!("/w/{}/settings/audit", app.f.bank)).await;
    audit.assert_contains("Membre invité").assert_contains("Membre arrivé").assert_contains("nouvelle.cm@agence.example");
});

app_test!(an_invitation_for_an_existing_account_asks_to_sign_in_as_that_account, |app: TestApp| async move {
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    admin.get(&format!("/w/{}/settings/members", app.f.coffee)).await;
    let page = admin.post(&format!("/w/{}/settings/members/invite", app.f.coffee), &[("email", SMM), ("role", "smm")]).await;
    let start = page.body.find("/invite/inv_").unwrap();
    let path = page.body[start..start + page.body[start..].find('"').unwrap()].to_string();

    let mut anon = Browser::new(&app);
    anon.get(&path).await.assert_contains("connectez-vous pour accepter");
    let mut wrong = Browser::signed_in(&app, CM).await;
    wrong.get(&path).await;
    assert_eq!(wrong.post(&path, &[]).await.status, 403);
    let mut smm = Browser::signed_in(&app, SMM).await;
    smm.get(&path).await.assert_contains("Accepter l'invitation");
    assert_eq!(smm.post(&path, &[]).await.status, 303);
    assert_eq!(app.store.role_in_workspace(&app.f.smm, &app.f.coffee).await.unwrap(), Some(relais_core::Role::Smm));
});

#[tokio::test]
async fn health_and_readiness_answer() {
    let db = relais_store::testing::TestDb::sqlite().await;
    let app = spawn(&db).await;
    let http = reqwest::Client::new();
    assert_eq!(http.get(format!("{}/healthz", app.url)).send().await.unwrap().text().await.unwrap(), "ok");
    let ready = http.get(format!("{}/readyz", app.url)).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    app.store.close().await;
    let down = http.get(format!("{}/readyz", app.url)).send().await.unwrap();
    assert_eq!(down.status(), 503, "a closed database is not ready");
}
