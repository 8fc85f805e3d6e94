use crate::helpers::*;

app_test!(an_admin_changes_the_workspace_settings_and_the_audit_log_says_so, |app: TestApp| async move {
    let mut b = Browser::signed_in(&app, ADMIN).await;
    let path = format!("/w/{}/settings", app.f.bank);
    b.get(&path).await.assert_contains("Banque de Bourgogne");
    let saved = b
        .post(
            &path,
            &[
                ("name", "Banque de Bourgogne — Pros"),
                ("time_zone", "Europe/Brussels"),
                ("locale", "en"),
                ("primary_colour", "#7A1F2B"),
                ("accent_colour", "#d4a017"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    b.get(saved.location.as_deref().unwrap()).await.assert_contains("Modifications enregistrées.").assert_contains("--brand: #7a1f2b");
    let w = app.store.workspace(&app.f.bank).await.unwrap();
    assert_eq!((w.name.as_str(), w.time_zone.as_str(), w.locale.as_str()), ("Banque de Bourgogne — Pros", "Europe/Brussels", "en"));
    let audit = b.get(&format!("/w/{}/settings/audit", app.f.bank)).await;
    audit.assert_contains("Paramètres modifiés").assert_contains("Claire Admin");
    // Another workspace's log does not show it.
    let other = b.get(&format!("/w/{}/settings/audit", app.f.coffee)).await;
    assert!(!other.body.contains("Paramètres modifiés"));
});

app_test!(bad_settings_are_refused_field_by_field_and_nothing_is_saved, |app: TestApp| async move {
    let mut b = Browser::signed_in(&app, ADMIN).await;
    let path = format!("/w/{}/settings", app.f.bank);
    b.get(&path).await;
    let page = b
        .post(
            &path,
            &[("name", ""), ("time_zone", "Mars/Olympus"), ("locale", "fr"), ("primary_colour", "rouge"), ("accent_colour", "#ffffff")],
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("Ce champ est obligatoire.").assert_contains("Fuseau horaire inconnu").assert_contains("Couleur invalide");
    page.assert_contains("Mars/Olympus");
    assert_eq!(app.store.workspace(&app.f.bank).await.unwrap().name, "Banque de Bourgogne");
});

fn png_1x1() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend_from_slice(&[0u8; 60]);
    v
}

app_test!(a_logo_is_checked_stored_and_served_to_members_only, |app: TestApp| async move {
    let mut b = Browser::signed_in(&app, ADMIN).await;
    b.get(&format!("/w/{}/settings", app.f.bank)).await;
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let url = format!("{}/w/{}/settings/logo?_csrf={}", app.url, app.f.bank, b.csrf);
        let form = reqwest::multipart::Form::new().part("logo", reqwest::multipart::Part::bytes(bytes).file_name(name));
        b.http.post(url).multipart(form).send()
    };
    let resp = upload(b"<svg onload=alert(1)>".to_vec(), "logo.png").await.unwrap();
    assert_eq!(resp.status(), 422);
    assert!(unescape(&resp.text().await.unwrap()).contains("n'est pas une image PNG, JPEG, WebP ou GIF"));
    let resp = upload(vec![0x89; 600 * 1024], "huge.png").await.unwrap();
    assert_eq!(resp.status(), 413, "beyond the body limit");
    let resp = upload(png_1x1(), "logo.png").await.unwrap();
    assert_eq!(resp.status(), 303);

    let mut client = Browser::signed_in(&app, CLIENT).await;
    let logo = client.http.get(format!("{}/w/{}/logo", app.url, app.f.bank)).send().await.unwrap();
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert_eq!(logo.bytes().await.unwrap().to_vec(), png_1x1());
    client.get(&format!("/w/{}", app.f.bank)).await.assert_contains("class=\"ws-logo\"");
    let outsider = Browser::signed_in(&app, OUTSIDER).await;
    let denied = outsider.http.get(format!("{}/w/{}/logo", app.url, app.f.bank)).send().await.unwrap();
    assert_eq!(denied.status(), 404);
});

app_test!(the_last_admin_cannot_demote_themselves, |app: TestApp| async move {
    let mut b = Browser::signed_in(&app, ADMIN).await;
    b.get(&format!("/w/{}/settings/members", app.f.bank)).await;
    let page = b.post(&format!("/w/{}/settings/members/{}/role", app.f.bank, app.f.admin), &[("role", "cm")]).await;
    assert_eq!(page.status, 409);
    page.assert_contains("au moins un administrateur");
    let ok = b.post(&format!("/w/{}/settings/members/{}/role", app.f.bank, app.f.smm), &[("role", "admin")]).await;
    assert_eq!(ok.status, 303);
    assert_eq!(b.post(&format!("/w/{}/settings/members/{}/role", app.f.bank, app.f.admin), &[("role", "cm")]).await.status, 303);
});
