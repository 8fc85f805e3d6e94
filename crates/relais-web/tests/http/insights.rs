//! Community insights over HTTP, on SQLite and PostgreSQL: who reads the page, what it groups
//! from messages tagged through the store, "answer with a post" (the pre-filled composer, the
//! link shown once the post exists) and the JSON API.

use crate::api::{call, token};
use crate::helpers::*;
use relais_core::{Role, now_ms};
use relais_store::{Actor, Incoming, SocialAccount};
use reqwest::Method;

const DAY: i64 = 24 * 3600 * 1000;

fn mention(remote_id: &str, text: &str, days_ago: i64, language: &str) -> Incoming {
    Incoming {
        remote_id: remote_id.into(),
        kind: "mention".into(),
        author_remote_id: format!("author-{remote_id}"),
        author_handle: format!("@{remote_id}"),
        text: text.into(),
        created_at: now_ms() - days_ago * DAY,
        language: Some(language.into()),
        ..Incoming::default()
    }
}

/// The bank's community: two password questions, two late-delivery complaints (tagged), an
/// unrelated question, an old question outside 30 days, and the coffee brand's own question.
async fn seed(app: &TestApp) -> (SocialAccount, Vec<String>) {
    let acc = app.store.create_social_account(&app.f.bank, "sandbox", "@banque", "@banque", |_| "sealed".into()).await.unwrap();
    let items = [
        mention("pw1", "Comment changer mon mot de passe ?", 1, "fr"),
        mention("pw2", "je n'arrive pas à changer de mot de passe", 3, "fr"),
        mention("late1", "Livraison en retard, inadmissible", 2, "fr"),
        mention("late2", "Encore une livraison en retard...", 9, "fr"),
        mention("lyon", "Vous ouvrez une agence à Lyon ?", 4, "fr"),
        mention("old1", "Quels sont vos horaires d'ouverture ?", 60, "fr"),
        mention("old2", "Vos horaires d'ouverture samedi ?", 61, "fr"),
    ];
    let ids = app.store.ingest_activity(&acc, &items, None).await.unwrap().messages;
    let lucas = Actor { id: None, label: "Lucas".into() };
    app.store.tag_message(&ids[1], "recurring-question", &lucas).await.unwrap();
    app.store.tag_message(&ids[2], "complaint", &lucas).await.unwrap();
    app.store.tag_message(&ids[3], "complaint", &lucas).await.unwrap();
    let coffee = app.store.create_social_account(&app.f.coffee, "sandbox", "@cafes", "@cafes", |_| "sealed".into()).await.unwrap();
    app.store.ingest_activity(&coffee, &[mention("c1", "Comment changer mon mot de passe du café ?", 1, "fr")], None).await.unwrap();
    (acc, ids)
}

app_test!(the_team_reads_grouped_questions_and_topics_and_a_client_does_not, |app: TestApp| async move {
    let (_, ids) = seed(&app).await;
    let path = format!("/w/{}/insights", app.f.bank);
    for who in [ADMIN, SMM, CM] {
        let mut b = Browser::signed_in(&app, who).await;
        assert_eq!(b.get(&path).await.status, 200, "{who}");
    }
    let mut client = Browser::signed_in(&app, CLIENT).await;
    assert_eq!(client.get(&path).await.status, 403);
    let mut outsider = Browser::signed_in(&app, OUTSIDER).await;
    assert_eq!(outsider.get(&path).await.status, 404);

    let mut b = Browser::signed_in(&app, CM).await;
    let page = b.get(&path).await;
    page.assert_contains("Questions récurrentes")
        .assert_contains("changer · mot · passe")
        .assert_contains("2 messages")
        .assert_contains("livraison · retard")
        .assert_contains("réclamation (2)")
        .assert_contains("horaires · ouverture")
        .assert_contains("question récurrente (1)")
        .assert_contains("Répondre par un post");
    // The examples link to their conversation; the lone question and the coffee brand's stay out.
    assert!(page.body.contains(&format!("/w/{}/inbox/{}", app.f.bank, ids[0])));
    assert!(!page.body.contains("Lyon"), "a question asked once is no insight");
    assert!(!page.body.contains("du café"), "another workspace's message");
    // A weekly bar chart, server-rendered.
    assert!(page.body.contains("<svg class=\"insight-weeks\""));
    assert_eq!(page.body.matches("<rect ").count() % 13, 0, "13 weekly bars per insight over 90 days");

    // A shorter period leaves the old questions out; a tag keeps only its messages.
    let month = b.get(&format!("{path}?days=30")).await;
    assert!(!month.body.contains("horaires · ouverture"));
    month.assert_contains("changer · mot · passe");
    let complaints = b.get(&format!("{path}?tag=complaint")).await;
    complaints.assert_contains("livraison · retard");
    assert!(!complaints.body.contains("changer · mot · passe"));
    b.get(&format!("{path}?days=12")).await.assert_contains("« days » n'est pas valable");
    // A client cannot draft, and the team's SMM can.
    let mut smm = Browser::signed_in(&app, SMM).await;
    smm.get(&path).await.assert_contains("Répondre par un post");
    let mut en = Browser::with_language(&app, "en");
    en.sign_in(CM).await;
    en.get(&path).await.assert_contains("Recurring questions").assert_contains("Topics").assert_contains("Answer with a post");
});

app_test!(answering_an_insight_prefills_the_composer_and_links_the_post, |app: TestApp| async move {
    let (acc, _) = seed(&app).await;
    let mut b = Browser::signed_in(&app, CM).await;
    b.get(&format!("/w/{}/insights", app.f.bank)).await;
    let key = "question:chang+mot+pass";
    let answered = b.post(&format!("/w/{}/insights/answer", app.f.bank), &[("key", key), ("days", "90"), ("tag", "")]).await;
    assert_eq!(answered.status, 303, "{}", answered.body);
    let compose = answered.location.clone().unwrap();
    assert!(compose.starts_with(&format!("/w/{}/compose?insight=", app.f.bank)), "{compose}");
    let insight_id = compose.split("insight=").nth(1).unwrap().to_string();

    let form = b.get(&compose).await;
    assert_eq!(form.status, 200);
    form.assert_contains("Vous êtes nombreux à nous demander : « Comment changer mon mot de passe ? »")
        .assert_contains("Voici la réponse :")
        .assert_contains("Ce post répond à la tendance « changer · mot · passe » (2 messages).")
        .assert_contains("Réponse : changer · mot · passe");
    assert!(form.body.contains(&format!("name=\"insight\" value=\"{insight_id}\"")));
    // Another workspace cannot open it, and a client cannot draft at all.
    let mut admin = Browser::signed_in(&app, ADMIN).await;
    assert_eq!(admin.get(&format!("/w/{}/compose?insight={insight_id}", app.f.coffee)).await.status, 404);
    let mut client = Browser::signed_in(&app, CLIENT).await;
    assert_eq!(client.get(&compose).await.status, 403);
    assert_eq!(client.post(&format!("/w/{}/insights/answer", app.f.bank), &[("key", key), ("days", "90")]).await.status, 403);

    let text = "Vous êtes nombreux à nous demander comment changer de mot de passe. Voici la réponse : Profil → Sécurité.";
    let saved = b
        .post(
            &format!("/w/{}/compose", app.f.bank),
            &[("title", "Mot de passe"), ("account", &acc.id), (&format!("text_{}", acc.id), text), ("insight", &insight_id)],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let post_path = saved.location.unwrap();
    let post_path = post_path.split('?').next().unwrap();
    b.get(post_path).await.assert_contains("Ce post répond à la tendance « changer · mot · passe » (2 messages).");
    let page = b.get(&format!("/w/{}/insights", app.f.bank)).await;
    page.assert_contains("Réponse : le post").assert_contains("Mot de passe").assert_contains("(Brouillon)");
    assert!(page.body.contains(post_path));

    // A group that no longer exists is refused with the reason.
    let gone = b.post(&format!("/w/{}/insights/answer", app.f.bank), &[("key", "question:nothing"), ("days", "90")]).await;
    assert_eq!(gone.status, 409);
    gone.assert_contains("n'existe plus");
});

app_test!(the_api_gives_the_insights_of_a_period, |app: TestApp| async move {
    seed(&app).await;
    let cm = token(&app, &app.f.bank, Role::Cm).await;
    let (s, _, body) = call(&app, Method::GET, &format!("/api/v1/workspaces/{}/insights", app.f.bank), Some(&cm), None).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["days"], 90);
    let questions = body["questions"].as_array().unwrap();
    let labels: Vec<&str> = questions.iter().map(|q| q["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["changer · mot · passe", "horaires · ouverture"]);
    assert_eq!(questions[0]["message_count"], 2);
    assert_eq!(questions[0]["kind"], "question");
    assert_eq!(questions[0]["language"], "fr");
    assert_eq!(questions[0]["weekly"].as_array().unwrap().len(), 13);
    assert_eq!(questions[0]["weekly"].as_array().unwrap().iter().map(|w| w.as_u64().unwrap()).sum::<u64>(), 2);
    assert_eq!(questions[0]["examples"][0]["text"], "Comment changer mon mot de passe ?");
    assert!(questions[0]["examples"][0]["conversation_id"].as_str().is_some_and(|c| !c.is_empty()));
    assert_eq!(body["topics"][0]["label"], "livraison · retard");
    assert_eq!(body["topics"][0]["tags"][0]["tag"], "complaint");
    assert_eq!(body["ungrouped"], 1);

    let (s, _, body) =
        call(&app, Method::GET, &format!("/api/v1/workspaces/{}/insights?days=30&tag=complaint", app.f.bank), Some(&cm), None).await;
    assert_eq!(s, 200);
    assert!(body["questions"].as_array().unwrap().is_empty());
    assert_eq!(body["topics"].as_array().unwrap().len(), 1);
    let (s, _, body) = call(&app, Method::GET, &format!("/api/v1/workspaces/{}/insights?days=12", app.f.bank), Some(&cm), None).await;
    assert_eq!((s, body["field"].as_str()), (422, Some("days")));
    let client = token(&app, &app.f.bank, Role::Client).await;
    let (s, _, _) = call(&app, Method::GET, &format!("/api/v1/workspaces/{}/insights", app.f.bank), Some(&client), None).await;
    assert_eq!(s, 403);
});
