//! The media library: uploads checked by their bytes, one item per content, thumbnails served to
//! the workspace's members only, refusals that say why, deletion refused while a post uses it.

use crate::api::{call, token};
use crate::helpers::*;
use relais_core::Role;
use relais_store::{Actor, NewPost, NewVariant};

pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = std::io::Cursor::new(vec![]);
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn form(files: &[(&str, Vec<u8>)]) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        // The browser's guess of the type is ignored: the bytes decide.
        let part = reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()).mime_str("application/octet-stream").unwrap();
        form = form.part("file", part);
    }
    form
}

/// Sends files through the page's upload form (multipart, CSRF token in the URL).
pub(crate) async fn upload(b: &Browser, ws: &str, files: &[(&str, Vec<u8>)]) -> Page {
    let url = format!("{}/w/{ws}/media?_csrf={}", b.base, b.csrf);
    let resp = b.http.post(url).multipart(form(files)).send().await.unwrap();
    let status = resp.status().as_u16();
    let location = resp.headers().get("location").map(|v| v.to_str().unwrap().to_string());
    Page { status, location, body: resp.text().await.unwrap() }
}

async fn fetch(b: &Browser, path: &str) -> (u16, String, String, Vec<u8>) {
    let resp = b.http.get(format!("{}{path}", b.base)).send().await.unwrap();
    let header = |name: &str| resp.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let (status, ctype, cache) = (resp.status().as_u16(), header("content-type"), header("cache-control"));
    (status, ctype, cache, resp.bytes().await.unwrap().to_vec())
}

app_test!(a_cm_uploads_an_image_and_its_thumbnail_is_served_as_jpeg, |app: TestApp| async move {
    let mut cm = Browser::signed_in(&app, CM).await;
    let bank = app.f.bank.clone();
    cm.get(&format!("/w/{bank}/media")).await.assert_contains("La médiathèque est vide.");
    let original = png(800, 600);
    let page = upload(&cm, &bank, &[("Vitrine Dijon.png", original.clone())]).await;
    assert_eq!(
        (page.status, page.location.as_deref()),
        (303, Some(format!("/w/{bank}/media?done=media-uploaded").as_str())),
        "{}",
        page.body
    );
    let page = cm.get(&format!("/w/{bank}/media?done=media-uploaded")).await;
    page.assert_contains("Fichiers ajoutés à la médiathèque.").assert_contains("Vitrine Dijon.png").assert_contains("800 × 600 px");
    page.assert_contains("Utilisé par aucune publication").assert_contains("Pas encore de texte alternatif");

    let item = &app.store.media_list(&bank).await.unwrap()[0];
    assert_eq!((item.mime.as_str(), item.bytes), ("image/png", original.len() as i64));
    let (status, ctype, cache, thumb) = fetch(&cm, &format!("/w/{bank}/media/{}/thumb", item.id)).await;
    assert_eq!((status, ctype.as_str()), (200, "image/jpeg"));
    assert!(cache.starts_with("private") && cache.contains("immutable"), "{cache}");
    let t = image::load_from_memory(&thumb).unwrap();
    assert_eq!((t.width(), t.height()), (320, 240));
    let (status, ctype, _, bytes) = fetch(&cm, &format!("/w/{bank}/media/{}/file", item.id)).await;
    assert_eq!((status, ctype.as_str()), (200, "image/png"));
    assert_eq!(bytes, original);
    // Stored by content in the media directory.
    assert!(app.media_dir.path().join(&item.sha256[..2]).join(&item.sha256[2..]).exists());

    let page = cm.post(&format!("/w/{bank}/media/{}/alt", item.id), &[("alt_text", "  La vitrine de l'agence de Dijon  ")]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(app.store.media(&bank, &item.id).await.unwrap().alt_text, "La vitrine de l'agence de Dijon");
});

app_test!(the_same_file_uploaded_twice_is_kept_once, |app: TestApp| async move {
    let mut cm = Browser::signed_in(&app, CM).await;
    let bank = app.f.bank.clone();
    cm.get(&format!("/w/{bank}/media")).await;
    let bytes = png(64, 64);
    assert_eq!(upload(&cm, &bank, &[("logo.png", bytes.clone())]).await.status, 303);
    let again = upload(&cm, &bank, &[("logo-copie.png", bytes)]).await;
    assert_eq!(again.location.as_deref(), Some(format!("/w/{bank}/media?done=media-existing").as_str()));
    let list = app.store.media_list(&bank).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].filename, "logo.png");
});

app_test!(damaged_foreign_and_oversized_files_are_refused_with_the_reason, |app: TestApp| async move {
    let mut cm = Browser::signed_in(&app, CM).await;
    let bank = app.f.bank.clone();
    cm.get(&format!("/w/{bank}/media")).await;
    let good = png(300, 200);
    let cut = good[..good.len() / 2].to_vec();
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&[0; 64]);
    let page = upload(&cm, &bank, &[("coupée.png", cut), ("scan.png", tiff), ("notes.png", b"juste du texte".to_vec())]).await;
    assert_eq!(page.status, 422, "{}", page.body);
    page.assert_contains("coupée.png : Le fichier PNG est incomplet : il s'arrête trop tôt");
    page.assert_contains("scan.png : Le fichier est au format TIFF ; Relais accepte JPEG, PNG, WebP, GIF et MP4.");
    page.assert_contains("notes.png : Relais ne reconnaît pas le format de ce fichier");
    // Over the image limit (20 MB by default): refused from its size, before any decoding.
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(21 * 1024 * 1024, 0);
    let page = upload(&cm, &bank, &[("énorme.png", big)]).await;
    assert_eq!(page.status, 422);
    page.assert_contains("énorme.png : Le fichier fait 21 Mo ; la limite pour les images est de 20 Mo.");
    assert!(app.store.media_list(&bank).await.unwrap().is_empty());
    // In English for an English reader.
    let mut en = Browser::with_language(&app, "en");
    en.sign_in(CM).await;
    en.get(&format!("/w/{bank}/media")).await;
    let page = upload(&en, &bank, &[("scan.tif", b"MM\0*\0\0\0\x08".to_vec())]).await;
    page.assert_contains("scan.tif: The file is in the TIFF format; Relais accepts JPEG, PNG, WebP, GIF and MP4.");
});

app_test!(a_client_sees_the_library_but_cannot_change_it_and_other_tenants_see_nothing, |app: TestApp| async move {
    let mut cm = Browser::signed_in(&app, CM).await;
    let bank = app.f.bank.clone();
    cm.get(&format!("/w/{bank}/media")).await;
    assert_eq!(upload(&cm, &bank, &[("affiche.png", png(100, 100))]).await.status, 303);
    let id = app.store.media_list(&bank).await.unwrap()[0].id.clone();

    let mut client = Browser::signed_in(&app, CLIENT).await;
    let page = client.get(&format!("/w/{bank}/media")).await;
    assert_eq!(page.status, 200);
    page.assert_contains("affiche.png");
    assert!(!page.body.contains("type=\"file\""), "no upload form for a client");
    assert_eq!(fetch(&client, &format!("/w/{bank}/media/{id}/thumb")).await.0, 200);
    assert_eq!(upload(&client, &bank, &[("x.png", png(10, 10))]).await.status, 403);
    assert_eq!(client.post(&format!("/w/{bank}/media/{id}/alt"), &[("alt_text", "x")]).await.status, 403);
    assert_eq!(client.post(&format!("/w/{bank}/media/{id}/delete"), &[]).await.status, 403);

    let mut outsider = Browser::signed_in(&app, OUTSIDER).await;
    assert_eq!(outsider.get(&format!("/w/{bank}/media")).await.status, 404);
    assert_eq!(fetch(&outsider, &format!("/w/{bank}/media/{id}/file")).await.0, 404);
    assert_eq!(fetch(&outsider, &format!("/w/{bank}/media/{id}/thumb")).await.0, 404);
    // The CM of the coffee brand, asking for the bank's item through the coffee workspace.
    let coffee = app.f.coffee.clone();
    assert_eq!(fetch(&cm, &format!("/w/{coffee}/media/{id}/file")).await.0, 404);
});

app_test!(a_file_used_by_a_post_cannot_be_deleted_until_it_is_removed_from_it, |app: TestApp| async move {
    let mut cm = Browser::signed_in(&app, CM).await;
    let bank = app.f.bank.clone();
    cm.get(&format!("/w/{bank}/media")).await;
    assert_eq!(upload(&cm, &bank, &[("bannière.png", png(120, 60))]).await.status, 303);
    let item = app.store.media_list(&bank).await.unwrap().remove(0);
    let account = app.store.create_social_account(&bank, "sandbox", "banque", "Banque", |_| "sealed".into()).await.unwrap();
    let variant = NewVariant { media_ids: vec![item.id.clone()], ..NewVariant::text(account.id, "Bientôt !", None) };
    let new = NewPost { workspace_id: bank.clone(), title: "Annonce".into(), pillar: None, campaign: None, variants: vec![variant] };
    let post = app.store.create_post(&new, &Actor { id: None, label: "test".into() }).await.unwrap();

    cm.get(&format!("/w/{bank}/media")).await.assert_contains("Utilisé par 1 publication");
    let page = cm.post(&format!("/w/{bank}/media/{}/delete", item.id), &[]).await;
    assert_eq!(page.status, 409, "{}", page.body);
    page.assert_contains("bannière.png est utilisé par 1 publication(s) : retirez-le de ces publications avant de le supprimer.");

    let variant_id = app.store.variants(&post.id).await.unwrap()[0].id.clone();
    app.store.attach_media(&variant_id, &[]).await.unwrap();
    let page = cm.post(&format!("/w/{bank}/media/{}/delete", item.id), &[]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(app.store.media_list(&bank).await.unwrap().is_empty());
    assert!(!app.media_dir.path().join(&item.sha256[..2]).join(&item.sha256[2..]).exists(), "the file went with its last record");
    assert_eq!(fetch(&cm, &format!("/w/{bank}/media/{}/file", item.id)).await.0, 404);
});

app_test!(the_api_uploads_and_lists_media_by_token_role, |app: TestApp| async move {
    let bank = app.f.bank.clone();
    let (cm, client) = (token(&app, &bank, Role::Cm).await, token(&app, &bank, Role::Client).await);
    let send = |t: String, files: Vec<(&'static str, Vec<u8>)>, alt: Option<&'static str>| {
        let url = format!("{}/api/v1/workspaces/{bank}/media", app.url);
        async move {
            let mut form = form(&files);
            if let Some(a) = alt {
                form = form.text("alt_text", a);
            }
            let resp = reqwest::Client::new().post(url).bearer_auth(t).multipart(form).send().await.unwrap();
            (resp.status().as_u16(), resp.json::<serde_json::Value>().await.unwrap())
        }
    };
    let bytes = png(40, 30);
    let (s, m) = send(cm.clone(), vec![("carte.png", bytes.clone())], Some("Carte des agences")).await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(
        (m["kind"].as_str(), m["mime"].as_str(), m["width"].as_i64(), m["height"].as_i64()),
        (Some("image"), Some("image/png"), Some(40), Some(30))
    );
    assert_eq!(m["alt_text"], "Carte des agences");
    let (s, again) = send(cm.clone(), vec![("carte.png", bytes)], None).await;
    assert_eq!((s, &again["id"]), (200, &m["id"]));
    let (s, p) = send(cm.clone(), vec![("faux.gif", b"GIF89a tronque".to_vec())], None).await;
    assert_eq!((s, p["field"].as_str()), (422, Some("file")), "{p}");
    assert!(p["detail"].as_str().unwrap().starts_with("the GIF is"), "{p}");
    let (s, p) = send(client.clone(), vec![("x.png", png(5, 5))], None).await;
    assert_eq!(s, 403, "{p}");
    let (s, _, list) = call(&app, reqwest::Method::GET, &format!("/api/v1/workspaces/{bank}/media"), Some(&client), None).await;
    assert_eq!((s, list.as_array().map(Vec::len)), (200, Some(1)), "{list}");
    let (s, _, _) = call(&app, reqwest::Method::GET, &format!("/api/v1/workspaces/{}/media", app.f.coffee), Some(&client), None).await;
    assert_eq!(s, 404);
});
