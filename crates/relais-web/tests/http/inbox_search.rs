//! Searching the inbox and the author's history across networks, over HTTP on both backends:
//! the search box combined with the filters and its mistakes shown where they are, `q` in the
//! API with a problem naming the field, linking and unlinking an author's handles, and tenancy.

use crate::api::{call, token};
use crate::helpers::*;
use relais_core::Role;
use relais_store::{Incoming, SocialAccount};
use reqwest::Method;

async fn account(app: &TestApp, ws: &str, network: &str, handle: &str) -> SocialAccount {
    app.store.create_social_account(ws, network, handle, handle, |_| "sealed".into()).await.unwrap()
}

fn message(remote_id: &str, handle: &str, name: &str, text: &str, at: i64) -> Incoming {
    Incoming {
        remote_id: remote_id.into(),
        kind: "mention".into(),
        author_remote_id: format!("id-{handle}"),
        author_handle: handle.into(),
        author_name: Some(name.into()),
        text: text.into(),
        created_at: at,
        ..Incoming::default()
    }
}

const T: i64 = 1_700_000_000_000;

app_test!(a_cm_searches_the_inbox_with_the_filters_and_sees_mistakes_where_they_are, |app: TestApp| async move {
    let sandbox = account(&app, &app.f.bank, "sandbox", "@banque").await;
    let bluesky = account(&app, &app.f.bank, "bluesky", "banque.bsky.social").await;
    let coffee = account(&app, &app.f.coffee, "sandbox", "@cafes").await;
    app.store
        .ingest_activity(
            &sandbox,
            &[
                message("s1", "@julie", "Julie", "Merci Élodie pour le remboursement", T),
                message("s2", "@paul", "Paul", "Toujours pas de remboursement !", T + 1000),
                message("s3", "@paul", "Paul", "Carte bloquée depuis hier", T + 2000),
            ],
            None,
        )
        .await
        .unwrap();
    app.store.ingest_activity(&bluesky, &[message("b1", "paul.bsky.social", "Paul", "Remboursement reçu", T + 3000)], None).await.unwrap();
    app.store.ingest_activity(&coffee, &[message("c1", "@zoe", "Zoé", "Remboursement du café", T + 4000)], None).await.unwrap();

    let mut cm = Browser::signed_in(&app, CM).await;
    let found = cm.get(&format!("/w/{}/inbox?q=ELODIE", app.f.bank)).await;
    assert_eq!(found.status, 200);
    found.assert_contains("Merci Élodie pour le remboursement").assert_contains("value=\"ELODIE\"");
    assert!(!found.body.contains("Carte bloquée"));

    let all = cm.get(&format!("/w/{}/inbox?q=remboursement", app.f.bank)).await;
    all.assert_contains("Toujours pas de remboursement").assert_contains("Remboursement reçu");
    assert!(!all.body.contains("Remboursement du café"), "another workspace's message is never found");
    let combined = cm.get(&format!("/w/{}/inbox?q=remboursement+-merci&network=bluesky", app.f.bank)).await;
    combined.assert_contains("Remboursement reçu");
    assert!(!combined.body.contains("Toujours pas"), "the network filter applies with the search");
    let phrase = cm.get(&format!("/w/{}/inbox?q=%22pas+de+remboursement%22+OR+carte", app.f.bank)).await;
    phrase.assert_contains("Toujours pas de remboursement").assert_contains("Carte bloquée");
    assert!(!phrase.body.contains("Remboursement reçu"));

    let bad = cm.get(&format!("/w/{}/inbox?q=remboursement+%22carte", app.f.bank)).await;
    assert_eq!(bad.status, 200);
    bad.assert_contains("Recherche, caractère 15 : ").assert_contains("aria-invalid=\"true\"");
    cm.get(&format!("/w/{}/inbox?q=-merci", app.f.bank)).await.assert_contains("Recherche, caractère 1 : ");
    cm.get(&format!("/w/{}/inbox?q=le+OR+de", app.f.bank)).await.assert_contains("ne contient que des mots très courants");

    // Pages of a search keep the search.
    let many: Vec<Incoming> =
        (0..60).map(|i| message(&format!("p{i}"), "@lea", "Léa", &format!("Prélèvement numéro {i}"), T + 10_000 + i * 1000)).collect();
    app.store.ingest_activity(&sandbox, &many, None).await.unwrap();
    let first = cm.get(&format!("/w/{}/inbox?q=prelevement", app.f.bank)).await;
    first.assert_contains("Prélèvement numéro 59");
    let at = first.body.find("rel=\"next\" href=\"").expect("a link to older results") + "rel=\"next\" href=\"".len();
    let next = unescape(&first.body[at..at + first.body[at..].find('"').unwrap()]);
    assert!(next.contains("q=prelevement"), "{next}");
    let older = cm.get(next.trim_start_matches(&app.url)).await;
    older.assert_contains("Prélèvement numéro 0<");
    assert!(!older.body.contains("Carte bloquée"));
});

app_test!(the_api_searches_with_q_and_names_the_field_of_a_bad_query, |app: TestApp| async move {
    let sandbox = account(&app, &app.f.bank, "sandbox", "@banque").await;
    app.store
        .ingest_activity(
            &sandbox,
            &[message("s1", "@julie", "Julie", "Où est mon colis ?", T), message("s2", "@paul", "Paul", "Colis reçu, merci", T + 1000)],
            None,
        )
        .await
        .unwrap();
    let t = token(&app, &app.f.bank, Role::Cm).await;
    let (status, _, body) =
        call(&app, Method::GET, &format!("/api/v1/workspaces/{}/inbox?q=colis%20-merci&limit=1", app.f.bank), Some(&t), None).await;
    assert_eq!(status, 200);
    let texts: Vec<&str> = body["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Où est mon colis ?"]);
    let (status, content_type, body) =
        call(&app, Method::GET, &format!("/api/v1/workspaces/{}/inbox?q=(colis", app.f.bank), Some(&t), None).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("q")));
    assert!(content_type.starts_with("application/problem+json"), "{content_type}");
    assert!(body["detail"].as_str().unwrap().contains("character 1: this parenthesis is never closed"), "{body}");
    let (status, _, body) = call(&app, Method::GET, &format!("/api/v1/workspaces/{}/inbox?q=-colis", app.f.bank), Some(&t), None).await;
    assert_eq!((status, body["field"].as_str()), (422, Some("q")));
    assert!(body["detail"].as_str().unwrap().contains("only leaves words out"), "{body}");
    // The OpenAPI document names the parameter.
    let (_, _, doc) = call(&app, Method::GET, "/api/openapi.json", None, None).await;
    let params = doc["paths"]["/api/v1/workspaces/{id}/inbox"]["get"]["parameters"].as_array().unwrap();
    assert!(params.iter().any(|p| p["name"] == "q"));
});

app_test!(a_cm_links_an_authors_handles_and_the_history_covers_both, |app: TestApp| async move {
    let mastodon = account(&app, &app.f.bank, "mastodon", "@banque@mastodon.social").await;
    let bluesky = account(&app, &app.f.bank, "bluesky", "banque.bsky.social").await;
    let other_ws = account(&app, &app.f.coffee, "bluesky", "cafes.bsky.social").await;
    let on_mastodon = app
        .store
        .ingest_activity(
            &mastodon,
            &[
                message("m1", "@marie@mastodon.social", "Marie Dupont", "Ma carte est bloquée", T),
                message("m2", "@marie@mastodon.social", "Marie Dupont", "Merci, c'est réglé, parfait", T + 1000),
            ],
            None,
        )
        .await
        .unwrap()
        .messages;
    app.store
        .ingest_activity(
            &bluesky,
            &[message("b1", "marie.bsky.social", "Marie D.", "Toujours aucune nouvelle de ma carte", T + 2000)],
            None,
        )
        .await
        .unwrap();
    let foreign =
        app.store.ingest_activity(&other_ws, &[message("x1", "marie.bsky.social", "Marie", "Café froid", T + 3000)], None).await.unwrap();

    let mut cm = Browser::signed_in(&app, CM).await;
    let path = format!("/w/{}/inbox/{}", app.f.bank, on_mastodon[1]);
    let page = cm.get(&path).await;
    assert_eq!(page.status, 200);
    page.assert_contains("Historique de Marie Dupont").assert_contains("2 messages dans cet espace depuis le");
    page.assert_contains("Ma carte est bloquée").assert_contains("Peut-être la même personne").assert_contains("marie.bsky.social");
    assert!(!page.body.contains("Café froid"), "another workspace's author is not in the history");
    assert!(!page.body.contains("Toujours aucune nouvelle"), "not linked yet");

    // Linking needs a handle the workspace heard from.
    let unknown = cm.post(&format!("{path}/identities"), &[("network", "bluesky"), ("handle", "nobody.bsky.social")]).await;
    assert_eq!(unknown.status, 422);
    unknown.assert_contains("Aucun message de nobody.bsky.social");
    let linked = cm.post(&format!("{path}/identities"), &[("network", "bluesky"), ("handle", "marie.bsky.social")]).await;
    assert_eq!(linked.status, 303, "{}", linked.body);
    let page = cm.get(&path).await;
    page.assert_contains("3 messages dans cet espace").assert_contains("Toujours aucune nouvelle de ma carte");
    page.assert_contains("Délier marie.bsky.social");
    assert!(!page.body.contains("Peut-être la même personne"), "a linked handle is no suggestion");
    let history = app
        .store
        .author_history(&app.f.bank, &relais_store::AuthorHandle { network: "bluesky".into(), handle: "marie.bsky.social".into() }, "", 10)
        .await
        .unwrap();
    assert_eq!(history.count, 3, "the link works from either handle");
    assert_eq!(history.first_seen_at, Some(T));

    let unlinked =
        cm.post(&format!("{path}/identities"), &[("op", "unlink"), ("network", "bluesky"), ("handle", "marie.bsky.social")]).await;
    assert_eq!(unlinked.status, 303);
    let page = cm.get(&path).await;
    page.assert_contains("2 messages dans cet espace");
    assert!(!page.body.contains("Toujours aucune nouvelle"));

    // Tenancy: a message of another workspace answers 404, read or linked.
    let foreign_path = format!("/w/{}/inbox/{}", app.f.bank, foreign.messages[0]);
    assert_eq!(cm.get(&foreign_path).await.status, 404);
    let refused = cm.post(&format!("{foreign_path}/identities"), &[("network", "mastodon"), ("handle", "@marie@mastodon.social")]).await;
    assert_eq!(refused.status, 404);
    // Whoever may not read the inbox may not link.
    let mut client = Browser::signed_in(&app, CLIENT).await;
    client.get(&format!("/w/{}", app.f.bank)).await;
    let denied = client.post(&format!("{path}/identities"), &[("network", "bluesky"), ("handle", "marie.bsky.social")]).await;
    assert_eq!(denied.status, 403);
});
