//! Each role is refused what it may not do; nobody sees another tenant's data.

use crate::helpers::*;

const ADMIN_ONLY: [&str; 4] = ["/settings", "/settings/members", "/settings/api-tokens", "/settings/audit"];

app_test!(every_role_sees_the_overview_but_only_admins_open_the_settings, |app: TestApp| async move {
    for (email, may_admin) in [(ADMIN, true), (SMM, false), (CM, false), (CLIENT, false)] {
        let mut b = Browser::signed_in(&app, email).await;
        let overview = b.get(&format!("/w/{}", app.f.bank)).await;
        assert_eq!(overview.status, 200, "{email}");
        for page in ADMIN_ONLY {
            let got = b.get(&format!("/w/{}{page}", app.f.bank)).await;
            let expected = if may_admin { 200 } else { 403 };
            assert_eq!(got.status, expected, "{email} GET {page}");
            if !may_admin {
                got.assert_contains("Accès refusé");
            }
        }
    }
});

app_test!(roles_are_refused_every_admin_action_by_post_too, |app: TestApp| async move {
    let ws = &app.f.bank;
    for email in [SMM, CM, CLIENT] {
        let mut b = Browser::signed_in(&app, email).await;
        let attempts = [
            (
                format!("/w/{ws}/settings"),
                vec![("name", "X"), ("time_zone", "UTC"), ("locale", "fr"), ("primary_colour", "#000000"), ("accent_colour", "#000000")],
            ),
            (format!("/w/{ws}/settings/members/invite"), vec![("email", "x@y.example"), ("role", "admin")]),
            (format!("/w/{ws}/settings/members/{}/role", app.f.admin), vec![("role", "client")]),
            (format!("/w/{ws}/settings/members/{}/remove", app.f.admin), vec![]),
            (format!("/w/{ws}/settings/api-tokens"), vec![("name", "t"), ("role", "admin")]),
            (format!("/w/{ws}/settings/logo/delete"), vec![]),
        ];
        for (path, fields) in attempts {
            assert_eq!(b.post(&path, &fields).await.status, 403, "{email} POST {path}");
        }
    }
    assert_eq!(app.store.members(ws).await.unwrap().len(), 4, "nobody was added or removed");
    assert_eq!(app.store.role_in_workspace(&app.f.admin, ws).await.unwrap(), Some(relais_core::Role::Admin));
    assert!(app.store.api_tokens(ws).await.unwrap().is_empty());
});

app_test!(the_navigation_shows_each_role_only_its_sections_and_never_links_unbuilt_ones, |app: TestApp| async move {
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    let page = admin.get(&format!("/w/{}", app.f.bank)).await;
    page.assert_contains(&format!("href=\"/w/{}/settings\"", app.f.bank));
    page.assert_contains(&format!("href=\"/w/{}/calendar\"", app.f.bank));
    page.assert_contains(&format!("href=\"/w/{}/inbox\"", app.f.bank));
    page.assert_contains(&format!("href=\"/w/{}/listening\"", app.f.bank));
    page.assert_contains(&format!("href=\"/w/{}/analytics\"", app.f.bank));
    page.assert_contains(&format!("href=\"/w/{}/campaigns\"", app.f.bank));

    let mut client = Browser::signed_in(&app, CLIENT).await;
    let page = client.get(&format!("/w/{}", app.f.bank)).await;
    assert!(!page.body.contains("/settings\""), "a client has no settings link");
    assert!(!page.body.contains("Messagerie"), "a client does not see the inbox");
    page.assert_contains(&format!("href=\"/w/{}/calendar\"", app.f.bank));
    page.assert_contains(&format!("href=\"/w/{}/analytics\"", app.f.bank));
    assert!(!page.body.contains(&format!("href=\"/w/{}/composer\"", app.f.bank)), "a client writes no posts");
    assert!(!page.body.contains(&format!("href=\"/w/{}/campaigns\"", app.f.bank)), "a client runs no campaigns");
});

app_test!(a_member_of_another_organisation_sees_nothing_of_ours, |app: TestApp| async move {
    let mut b = Browser::signed_in(&app, OUTSIDER).await;
    // Direct URLs with our ids: not found, as if they did not exist.
    for path in [
        format!("/w/{}", app.f.bank),
        format!("/w/{}/settings", app.f.bank),
        format!("/w/{}/settings/members", app.f.bank),
        format!("/w/{}/settings/audit", app.f.bank),
        format!("/w/{}/logo", app.f.bank),
        format!("/switch?workspace={}", app.f.bank),
    ] {
        let got = b.get(&path).await;
        if got.status == 303 {
            assert_eq!(b.get(got.location.as_deref().unwrap()).await.status, 404, "{path}");
        } else {
            assert_eq!(got.status, 404, "{path}");
        }
        assert!(!got.body.contains("Banque de Bourgogne"), "{path} leaked the name");
    }
    // Their own workspace lists only their workspace in the switcher.
    let own = b.get(&format!("/w/{}", app.f.foreign)).await;
    assert_eq!(own.status, 200);
    assert!(!own.body.contains("Banque de Bourgogne") && !own.body.contains("Cafés Morvan"));
    // Acting on our member through their own admin rights: the member is not theirs.
    let path = format!("/w/{}/settings/members/{}/role", app.f.foreign, app.f.admin);
    assert_eq!(b.post(&path, &[("role", "client")]).await.status, 404);
    let path = format!("/w/{}/settings/members/{}/remove", app.f.foreign, app.f.cm);
    assert_eq!(b.post(&path, &[]).await.status, 404);
    assert_eq!(app.store.role_in_workspace(&app.f.admin, &app.f.bank).await.unwrap(), Some(relais_core::Role::Admin));
    assert_eq!(app.store.role_in_workspace(&app.f.cm, &app.f.bank).await.unwrap(), Some(relais_core::Role::Cm));
});

app_test!(a_cm_of_two_brands_switches_between_them_and_no_further, |app: TestApp| async move {
    let mut b = Browser::signed_in(&app, CM).await;
    let first = b.get("/").await;
    assert_eq!(first.status, 303);
    let home = b.get(first.location.as_deref().unwrap()).await;
    home.assert_contains("Banque de Bourgogne").assert_contains("Cafés Morvan");
    assert!(!home.body.contains("Autre marque"));
    let switched = b.get(&format!("/switch?workspace={}", app.f.coffee)).await;
    assert_eq!(switched.location.as_deref(), Some(format!("/w/{}", app.f.coffee).as_str()));
    b.get(&format!("/w/{}", app.f.coffee)).await.assert_contains("<strong>Cafés Morvan</strong>");
    assert_eq!(b.get(&format!("/w/{}", app.f.foreign)).await.status, 404);
});

app_test!(an_admin_creates_a_workspace_and_becomes_its_admin_others_may_not, |app: TestApp| async move {
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    let page = admin.get("/workspaces/new").await;
    assert_eq!(page.status, 200);
    let org = app.store.workspace(&app.f.bank).await.unwrap().org_id;
    let bad = admin.post("/workspaces/new", &[("org", &org), ("name", " "), ("time_zone", "Europe/Paris")]).await;
    assert_eq!(bad.status, 422);
    let made = admin.post("/workspaces/new", &[("org", &org), ("name", "Mairie de Dijon"), ("time_zone", "Europe/Paris")]).await;
    assert_eq!(made.status, 303, "{}", made.body);
    let settings = admin.get(made.location.as_deref().unwrap()).await;
    settings.assert_contains("Espace de travail créé").assert_contains("Mairie de Dijon");
    let mine = app.store.workspaces_of_user(&app.f.admin).await.unwrap();
    let created = mine.iter().find(|(w, _)| w.name == "Mairie de Dijon").unwrap();
    assert_eq!((created.0.org_id.as_str(), created.1), (org.as_str(), relais_core::Role::Admin));

    // A CM is admin nowhere; an admin of another organisation cannot create in ours.
    let mut cm = Browser::signed_in(&app, CM).await;
    assert_eq!(cm.get("/workspaces/new").await.status, 403);
    assert_eq!(cm.post("/workspaces/new", &[("org", &org), ("name", "X"), ("time_zone", "UTC")]).await.status, 403);
    let mut outsider = Browser::signed_in(&app, OUTSIDER).await;
    outsider.get("/workspaces/new").await;
    assert_eq!(outsider.post("/workspaces/new", &[("org", &org), ("name", "Pirate"), ("time_zone", "UTC")]).await.status, 403);
    assert_eq!(app.store.workspaces_of_org(&org).await.unwrap().len(), 3);
});
