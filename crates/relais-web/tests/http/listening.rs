//! The Listening section: who may open it, queries written with their mistakes shown where they
//! are, the posts found newest first, "search now", deactivation, and no leak across workspaces.

use crate::helpers::*;
use relais_core::listening_query::ListeningQuery;
use relais_core::now_ms;
use relais_store::{HitSource, LISTEN_SEARCH_JOB, NewListeningHit, Store};

/// The listening search jobs queued for a query.
async fn queued_searches(store: &Store, query_id: &str) -> usize {
    let jobs = store.claim_jobs("test", 100, 60_000).await.unwrap();
    jobs.iter().filter(|j| j.kind == LISTEN_SEARCH_JOB && j.payload["query"] == query_id).count()
}

fn query_id_of(location: &str) -> String {
    location.rsplit('/').next().unwrap().split('?').next().unwrap().to_string()
}

app_test!(the_agency_listens_and_the_client_and_outsiders_do_not, |app: TestApp| async move {
    let ws = &app.f.bank;
    for email in [ADMIN, SMM, CM] {
        let mut b = Browser::signed_in(&app, email).await;
        b.get(&format!("/w/{ws}")).await.assert_contains(&format!("href=\"/w/{ws}/listening\""));
        let page = b.get(&format!("/w/{ws}/listening")).await;
        assert_eq!(page.status, 200, "{email}");
        page.assert_contains("Veille").assert_contains("Nouvelle requête");
        let name = format!("Marque {email}");
        let created = b.post(&format!("/w/{ws}/listening"), &[("name", &name), ("query", "banque"), ("active", "on")]).await;
        assert_eq!(created.status, 303, "{email} creates a query: {}", created.body);
    }
    let mine = app.store.listening_queries(ws).await.unwrap();
    assert_eq!(mine.len(), 3);

    let mut client = Browser::signed_in(&app, CLIENT).await;
    assert!(!client.get(&format!("/w/{ws}")).await.body.contains(&format!("href=\"/w/{ws}/listening\"")));
    assert_eq!(client.get(&format!("/w/{ws}/listening")).await.status, 403);
    assert_eq!(client.get(&format!("/w/{ws}/listening/{}", mine[0].id)).await.status, 403);
    assert_eq!(client.post(&format!("/w/{ws}/listening"), &[("name", "x"), ("query", "x")]).await.status, 403);
    assert_eq!(client.post(&format!("/w/{ws}/listening/{}/search", mine[0].id), &[]).await.status, 403);
    assert_eq!(client.post(&format!("/w/{ws}/listening/{}/active", mine[0].id), &[("active", "0")]).await.status, 403);

    // Another organisation's admin sees nothing, and a query id of one workspace is not found
    // from another workspace of the same member.
    let mut outsider = Browser::signed_in(&app, OUTSIDER).await;
    assert_eq!(outsider.get(&format!("/w/{ws}/listening")).await.status, 404);
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    let coffee = &app.f.coffee;
    assert_eq!(admin.get(&format!("/w/{coffee}/listening/{}", mine[0].id)).await.status, 404);
    assert_eq!(admin.post(&format!("/w/{coffee}/listening/{}/search", mine[0].id), &[]).await.status, 404);
    assert_eq!(admin.post(&format!("/w/{coffee}/listening/{}", mine[0].id), &[("name", "x"), ("query", "y")]).await.status, 404);
    assert_eq!(app.store.listening_queries(ws).await.unwrap().iter().filter(|q| q.name == "x").count(), 0);
    // A form without its CSRF token is refused.
    let forged = admin.post_raw(&format!("/w/{ws}/listening"), &[("name", "forgé"), ("query", "x")], &[]).await;
    assert_eq!(forged.status, 403);
});

app_test!(a_query_with_a_mistake_comes_back_with_the_problem_and_its_place, |app: TestApp| async move {
    let ws = &app.f.bank;
    let mut sophie = Browser::signed_in(&app, SMM).await;
    sophie.get(&format!("/w/{ws}/listening")).await;
    let refused = sophie.post(&format!("/w/{ws}/listening"), &[("name", "Marque"), ("query", "banque \"crédit")]).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("Requête, caractère 8 : ce guillemet n'est jamais refermé.");
    refused.assert_contains("value=\"banque \"crédit\"");
    let refused = sophie.post(&format!("/w/{ws}/listening"), &[("name", ""), ("query", "-emploi")]).await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("ajoutez un mot qui doit apparaître").assert_contains("Nom");
    assert!(app.store.listening_queries(ws).await.unwrap().is_empty());

    let created =
        sophie.post(&format!("/w/{ws}/listening"), &[("name", "Marque"), ("query", "\"crédit agricole\" -emploi"), ("active", "on")]).await;
    assert_eq!(created.status, 303);
    let id = query_id_of(created.location.as_deref().unwrap());
    assert_eq!(queued_searches(&app.store, &id).await, 1, "a first search is queued at creation");
    let dup = sophie.post(&format!("/w/{ws}/listening"), &[("name", "Marque"), ("query", "x")]).await;
    assert_eq!(dup.status, 422);
    dup.assert_contains("une autre requête de cet espace porte ce nom");

    // Editing: a mistake keeps the saved query; a good edit saves it.
    let bad = sophie.post(&format!("/w/{ws}/listening/{id}"), &[("name", "Marque"), ("query", "(prêt OU"), ("active", "on")]).await;
    assert_eq!(bad.status, 422);
    bad.assert_contains("caractère 9 : OU demande un mot de chaque côté.");
    assert_eq!(app.store.listening_query(ws, &id).await.unwrap().query, "\"crédit agricole\" -emploi");
    let good = sophie
        .post(&format!("/w/{ws}/listening/{id}"), &[("name", "Marque et prêts"), ("query", "(prêt OU crédit) artisans"), ("active", "on")])
        .await;
    assert_eq!(good.status, 303);
    let saved = app.store.listening_query(ws, &id).await.unwrap();
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    admin
        .get(&format!("/w/{ws}/settings/audit"))
        .await
        .assert_contains("Requête de veille créée")
        .assert_contains("Requête de veille modifiée");
    assert_eq!((saved.name.as_str(), saved.query.as_str(), saved.active), ("Marque et prêts", "(prêt OU crédit) artisans", true));
    let mut english = Browser::with_language(&app, "en");
    english.sign_in(SMM).await;
    let bad = english.post(&format!("/w/{ws}/listening/{id}"), &[("name", "Marque"), ("query", "a - b")]).await;
    bad.assert_contains("Query, character 3: a minus sign must be followed by the word or phrase to leave out.");
});

app_test!(a_query_page_shows_its_posts_newest_first_and_searches_on_demand, |app: TestApp| async move {
    let ws = &app.f.bank;
    let query = ListeningQuery::parse("crédit").unwrap();
    let name = relais_core::Name::parse("name", "Marque").unwrap();
    let record = app.store.create_listening_query(ws, &name, &query, &app.f.cm).await.unwrap();
    let now = now_ms();
    let hit = |remote_id: &'static str, text: &'static str, posted_at: i64, source| NewListeningHit {
        query_id: &record.id,
        network: "bluesky",
        remote_id,
        author_remote_id: "did:plc:fan",
        author_handle: "fan.bsky.social",
        author_name: Some("Une Fan"),
        text,
        url: Some("https://bsky.app/profile/fan.bsky.social/post/3k"),
        language: Some("fr"),
        posted_at,
        source,
    };
    app.store
        .store_listening_hits(&[
            hit("at://fan/1", "Mon vieux crédit <b>auto</b>", now - 3_600_000, HitSource::Search),
            hit("at://fan/2", "Le nouveau crédit artisans", now - 60_000, HitSource::Stream),
        ])
        .await
        .unwrap();

    let mut lucas = Browser::signed_in(&app, CM).await;
    let list = lucas.get(&format!("/w/{ws}/listening")).await;
    list.assert_contains("<code>crédit</code></td><td>2</td>");
    let page = lucas.get(&format!("/w/{ws}/listening/{}", record.id)).await;
    assert_eq!(page.status, 200);
    page.assert_contains("Posts trouvés : 2").assert_contains("Une Fan").assert_contains("@fan.bsky.social · Bluesky");
    page.assert_contains("trouvé dans le flux").assert_contains("trouvé par recherche");
    page.assert_contains("href=\"https://bsky.app/profile/fan.bsky.social/post/3k\"");
    assert!(!page.body.contains("<b>auto</b>"), "a post's text is escaped");
    let newest = page.body.find("Le nouveau crédit").unwrap();
    let oldest = page.body.find("Mon vieux crédit").unwrap();
    assert!(newest < oldest, "newest first");

    let asked = lucas.post(&format!("/w/{ws}/listening/{}/search", record.id), &[]).await;
    assert_eq!(asked.status, 303);
    lucas.get(asked.location.as_deref().unwrap()).await.assert_contains("Recherche demandée");
    // A double click within the same ten seconds queues one search (plus none at creation here:
    // the query was written through the store).
    lucas.post(&format!("/w/{ws}/listening/{}/search", record.id), &[]).await;
    assert!((1..=2).contains(&queued_searches(&app.store, &record.id).await));

    // Deactivated: no longer searched or matched, and "search now" says why.
    let off = lucas.post(&format!("/w/{ws}/listening/{}/active", record.id), &[("active", "0")]).await;
    assert_eq!(off.status, 303);
    lucas.get(off.location.as_deref().unwrap()).await.assert_contains("Requête désactivée").assert_contains("(inactive)");
    assert!(!app.store.active_listening_queries().await.unwrap().iter().any(|q| q.id == record.id));
    let refused = lucas.post(&format!("/w/{ws}/listening/{}/search", record.id), &[]).await;
    assert_eq!(refused.status, 409);
    assert!(!lucas.get(&format!("/w/{ws}/listening/{}", record.id)).await.body.contains("Chercher maintenant"));
    lucas.post(&format!("/w/{ws}/listening/{}/active", record.id), &[("active", "1")]).await;
    assert!(app.store.active_listening_queries().await.unwrap().iter().any(|q| q.id == record.id));
});
