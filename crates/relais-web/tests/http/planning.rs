//! The editorial calendar, the composer and the post page as members use them: writing, review
//! and approval by role, scheduling at a wall-clock time, moving posts, what a client sees.

use crate::helpers::*;
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use relais_core::workflow::PostState;

async fn accounts(app: &TestApp) -> (String, String) {
    let a = app.store.create_social_account(&app.f.bank, "sandbox", "@banque", "Banque", |_| "x".into()).await.unwrap().id;
    let b = app.store.create_social_account(&app.f.bank, "sandbox", "@banque_pro", "Banque Pro", |_| "x".into()).await.unwrap().id;
    (a, b)
}

/// A date some weeks ahead, so the tests never plan in the past.
fn ahead(days: i64) -> Date {
    jiff::Zoned::now().date().checked_add(days.days()).unwrap()
}

fn post_id_of(location: &str) -> String {
    location.split("/posts/").nth(1).unwrap().split('?').next().unwrap().to_string()
}

async fn compose(b: &mut Browser, app: &TestApp, fields: &[(&str, &str)]) -> String {
    b.get(&format!("/w/{}/compose", app.f.bank)).await;
    let page = b.post(&format!("/w/{}/compose", app.f.bank), fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    post_id_of(page.location.as_deref().unwrap())
}

app_test!(a_cm_writes_for_two_accounts_and_the_smm_approves_and_schedules, |app: TestApp| async move {
    let (a, b_acc) = accounts(&app).await;
    let bank = app.f.bank.clone();
    let mut cm = Browser::signed_in(&app, CM).await;
    let form = cm.get(&format!("/w/{bank}/compose")).await;
    assert_eq!(form.status, 200);
    form.assert_contains("@banque_pro").assert_contains("Bac à sable");
    let day = ahead(20).to_string();
    let (ta, tb) = (format!("text_{a}"), format!("text_{b_acc}"));
    let id = compose(
        &mut cm,
        &app,
        &[
            ("title", "Prêt Artisan"),
            ("pillar", "Produits"),
            ("account", &a),
            ("account", &b_acc),
            (&ta, "Le prêt Artisan est là #artisans"),
            (&tb, "Pour les pros : le prêt Artisan"),
            ("date", &day),
            ("time", "09:30"),
            ("intent", "submit"),
        ],
    )
    .await;
    let post = app.store.post(&id).await.unwrap();
    assert_eq!((post.state, post.pillar.as_deref()), (PostState::InReview, Some("Produits")));
    assert_eq!(post.scheduled_local.as_deref(), Some(format!("{day}T09:30").as_str()), "the planned time is kept");
    assert_eq!(app.store.variants(&id).await.unwrap().len(), 2);

    // The SMM is told, approves; the CM is told in turn.
    let mut smm = Browser::signed_in(&app, SMM).await;
    smm.get(&format!("/w/{bank}/notifications")).await.assert_contains("Lucas CM a envoyé « Prêt Artisan » en relecture");
    let page = smm.get(&format!("/w/{bank}/posts/{id}")).await;
    page.assert_contains("Approuver").assert_contains("En relecture").assert_contains("Pour les pros");
    let page = smm.post(&format!("/w/{bank}/posts/{id}/act"), &[("action", "approve"), ("comment", "Parfait")]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    cm.get(&format!("/w/{bank}/notifications")).await.assert_contains("Sophie SMM a approuvé « Prêt Artisan »").assert_contains("Parfait");

    // A CM may not approve: the button is not there and the action is refused.
    let other = compose(&mut cm, &app, &[("account", &a), (&ta, "Autre"), ("intent", "submit")]).await;
    assert!(!cm.get(&format!("/w/{bank}/posts/{other}")).await.body.contains("value=\"approve\""));
    assert_eq!(cm.post(&format!("/w/{bank}/posts/{other}/act"), &[("action", "approve")]).await.status, 403);

    let page = smm.post(&format!("/w/{bank}/posts/{id}/act"), &[("action", "schedule"), ("date", &day), ("time", "09:30")]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let post = app.store.post(&id).await.unwrap();
    assert_eq!(post.state, PostState::Scheduled);
    let history = smm.get(&format!("/w/{bank}/posts/{id}")).await;
    history.assert_contains("approbation : En relecture → Approuvée").assert_contains("« Parfait »").assert_contains("programmation");

    // The month of that day shows it, linked; the list view too.
    let month = cm.get(&format!("/w/{bank}/calendar?view=month&date={day}")).await;
    month.assert_contains("Prêt Artisan").assert_contains(&format!("href=\"/w/{bank}/posts/{id}\""));
    cm.get(&format!("/w/{bank}/calendar?view=list&date={day}")).await.assert_contains("Prêt Artisan").assert_contains("09:30");
});

app_test!(errors_block_scheduling_but_not_saving_and_editing_sends_back_to_review, |app: TestApp| async move {
    let (a, _) = accounts(&app).await;
    let bank = app.f.bank.clone();
    let mut cm = Browser::signed_in(&app, CM).await;
    let ta = format!("text_{a}");
    let long = "é".repeat(501);
    let id = compose(&mut cm, &app, &[("title", "Trop long"), ("account", &a), (&ta, &long), ("intent", "submit")]).await;
    cm.get(&format!("/w/{bank}/posts/{id}")).await.assert_contains("Trop long pour ce réseau : 501/500 caractères");

    let mut smm = Browser::signed_in(&app, SMM).await;
    smm.get(&format!("/w/{bank}/posts/{id}")).await;
    assert_eq!(smm.post(&format!("/w/{bank}/posts/{id}/act"), &[("action", "approve")]).await.status, 303);
    let day = ahead(10).to_string();
    let page = smm.post(&format!("/w/{bank}/posts/{id}/act"), &[("action", "schedule"), ("date", &day), ("time", "10:00")]).await;
    assert_eq!(page.status, 422);
    page.assert_contains("corrigez-la avant de programmer");
    assert_eq!(app.store.post(&id).await.unwrap().state, PostState::Approved);

    // Fixing the text from the composer sends the approved post back to review.
    let edit = cm.get(&format!("/w/{bank}/posts/{id}/edit")).await;
    edit.assert_contains("toute modification la renvoie en relecture");
    let page = cm.post(&format!("/w/{bank}/posts/{id}/edit"), &[("title", "Plus court"), ("account", &a), (&ta, "Court")]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let post = app.store.post(&id).await.unwrap();
    assert_eq!((post.state, post.title.as_str()), (PostState::InReview, "Plus court"));
    cm.get(&format!("/w/{bank}/posts/{id}")).await.assert_contains("modification : Approuvée → En relecture");

    // A form with no account is sent back with the reason, nothing saved.
    let before = app.store.calendar(&bank, relais_store::When::Unplanned, &Default::default()).await.unwrap().len();
    cm.get(&format!("/w/{bank}/compose")).await;
    let page = cm.post(&format!("/w/{bank}/compose"), &[("title", "Rien")]).await;
    assert_eq!(page.status, 422);
    page.assert_contains("Cochez au moins un compte");
    assert_eq!(app.store.calendar(&bank, relais_store::When::Unplanned, &Default::default()).await.unwrap().len(), before);
});

app_test!(the_live_check_counts_the_networks_way_and_points_at_words_to_avoid, |app: TestApp| async move {
    let (a, _) = accounts(&app).await;
    let mut cm = Browser::signed_in(&app, CM).await;
    cm.get(&format!("/w/{}/compose", app.f.bank)).await;
    let ta = format!("text_{a}");
    let text = "e\u{301}".repeat(3);
    let page = cm
        .post_raw(
            &format!("/w/{}/compose/check", app.f.bank),
            &[("account", &a), (&ta, &text)],
            &[("accept", "application/json"), ("x-csrf-token", &cm.csrf)],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let json: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(json[0]["length"], 3, "three graphemes, six code points");
    assert_eq!(json[0]["max_length"], 500);
    let mut client = Browser::signed_in(&app, CLIENT).await;
    client.get(&format!("/w/{}", app.f.bank)).await;
    let page = client.post_raw(&format!("/w/{}/compose/check", app.f.bank), &[("account", &a)], &[("x-csrf-token", &client.csrf)]).await;
    assert_eq!(page.status, 403);
});

app_test!(moving_a_post_keeps_the_wall_clock_time_across_a_dst_change, |app: TestApp| async move {
    let (a, _) = accounts(&app).await;
    let bank = app.f.bank.clone();
    let mut smm = Browser::signed_in(&app, SMM).await;
    let ta = format!("text_{a}");
    // Next year's spring change in Paris: the last Sunday of March.
    let year = jiff::Zoned::now().year() + 1;
    let change = jiff::civil::date(year, 3, 1).nth_weekday_of_month(-1, Weekday::Sunday).unwrap();
    let before = change.checked_sub(2.days()).unwrap().to_string();
    let after = change.checked_add(1.day()).unwrap().to_string();
    let id = compose(&mut smm, &app, &[("account", &a), (&ta, "Avant le changement d'heure"), ("intent", "submit")]).await;
    smm.post(&format!("/w/{bank}/posts/{id}/act"), &[("action", "approve")]).await;
    let page = smm.post(&format!("/w/{bank}/posts/{id}/act"), &[("action", "schedule"), ("date", &before), ("time", "09:00")]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let winter = app.store.post(&id).await.unwrap();

    smm.get(&format!("/w/{bank}/calendar")).await;
    let headers = [("accept", "application/json"), ("x-csrf-token", smm.csrf.as_str())];
    let page = smm.post_raw(&format!("/w/{bank}/posts/{id}/move"), &[("date", &after), ("time", "09:00")], &headers).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let summer = app.store.post(&id).await.unwrap();
    assert_eq!(summer.state, PostState::Scheduled);
    assert_eq!(summer.scheduled_local.as_deref(), Some(format!("{after}T09:00").as_str()));
    assert_eq!(summer.schedule_version, winter.schedule_version + 1);
    // 09:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer.
    let hour_utc = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap().to_zoned(jiff::tz::TimeZone::UTC).hour();
    assert_eq!((hour_utc(winter.scheduled_at.unwrap()), hour_utc(summer.scheduled_at.unwrap())), (8, 7));

    // The night of the change, 02:30 does not exist: refused with the next valid time.
    let page = smm.post_raw(&format!("/w/{bank}/posts/{id}/move"), &[("date", &change.to_string()), ("time", "02:30")], &headers).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("03:00"), "{}", page.body);
    let page = smm.post_raw(&format!("/w/{bank}/posts/{id}/move"), &[("date", "2020-01-01"), ("time", "09:00")], &headers).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("dans le passé"), "{}", page.body);

    // The plain form (no script) does the same and comes back to the post.
    let page = smm.post(&format!("/w/{bank}/posts/{id}/move"), &[("date", &before), ("time", "18:15")]).await;
    assert_eq!(page.status, 303);
    assert_eq!(app.store.post(&id).await.unwrap().scheduled_local.as_deref(), Some(format!("{before}T18:15").as_str()));
});

app_test!(a_client_sees_only_what_was_sent_and_answers_it, |app: TestApp| async move {
    let (a, _) = accounts(&app).await;
    let bank = app.f.bank.clone();
    app.store.set_client_approval(&bank, true).await.unwrap();
    let mut cm = Browser::signed_in(&app, CM).await;
    let ta = format!("text_{a}");
    let day = ahead(15).to_string();
    let secret = compose(&mut cm, &app, &[("title", "Brouillon interne"), ("account", &a), (&ta, "x"), ("date", &day)]).await;
    let sent =
        compose(&mut cm, &app, &[("title", "Pour validation"), ("account", &a), (&ta, "y"), ("date", &day), ("intent", "submit")]).await;
    cm.post(&format!("/w/{bank}/posts/{sent}/comments"), &[("body", "Note interne : vérifier le taux")]).await;
    let mut smm = Browser::signed_in(&app, SMM).await;
    smm.get(&format!("/w/{bank}/posts/{sent}")).await;
    smm.post(&format!("/w/{bank}/posts/{sent}/act"), &[("action", "approve")]).await;
    assert_eq!(app.store.post(&sent).await.unwrap().state, PostState::ClientReview);

    let mut client = Browser::signed_in(&app, CLIENT).await;
    client.get(&format!("/w/{bank}/notifications")).await.assert_contains("vous soumet « Pour validation » pour validation");
    let month = client.get(&format!("/w/{bank}/calendar?date={day}")).await;
    month.assert_contains("Pour validation");
    assert!(!month.body.contains("Brouillon interne"), "a client never sees internal drafts");
    assert_eq!(client.get(&format!("/w/{bank}/posts/{secret}")).await.status, 404);
    let page = client.get(&format!("/w/{bank}/posts/{sent}")).await;
    assert!(!page.body.contains("Note interne"), "internal comments stay internal");
    assert!(!page.body.contains("value=\"cancel\""));
    assert_eq!(client.get(&format!("/w/{bank}/compose")).await.status, 403);
    let page = client.post(&format!("/w/{bank}/posts/{sent}/act"), &[("action", "client_reject"), ("comment", "Le taux est faux")]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(app.store.post(&sent).await.unwrap().state, PostState::Draft);
    cm.get(&format!("/w/{bank}/notifications"))
        .await
        .assert_contains("Hélène Client demande des modifications")
        .assert_contains("Le taux est faux");

    // Outsiders see nothing, not even that the post exists.
    let mut outsider = Browser::signed_in(&app, OUTSIDER).await;
    assert_eq!(outsider.get(&format!("/w/{bank}/posts/{sent}")).await.status, 404);
    assert_eq!(outsider.get(&format!("/w/{bank}/calendar")).await.status, 404);
});

app_test!(the_calendar_filters_and_shows_the_marketing_dates, |app: TestApp| async move {
    let (a, b_acc) = accounts(&app).await;
    let bank = app.f.bank.clone();
    let mut cm = Browser::signed_in(&app, CM).await;
    let year = jiff::Zoned::now().year() + 1;
    let (ta, tb) = (format!("text_{a}"), format!("text_{b_acc}"));
    compose(
        &mut cm,
        &app,
        &[("title", "Vœux"), ("pillar", "Marque"), ("account", &a), (&ta, "Bonne année"), ("date", &format!("{year}-12-24"))],
    )
    .await;
    compose(&mut cm, &app, &[("title", "Offre pro"), ("account", &b_acc), (&tb, "Pros"), ("date", &format!("{year}-12-10"))]).await;
    let idea = compose(&mut cm, &app, &[("title", "Sans date"), ("account", &a), (&ta, "Idée"), ("intent", "idea")]).await;
    assert_eq!(app.store.post(&idea).await.unwrap().state, PostState::Idea);
    let month = format!("/w/{bank}/calendar?view=month&date={year}-12-01");
    let page = cm.get(&month).await;
    page.assert_contains("Vœux").assert_contains("Offre pro").assert_contains("Noël").assert_contains("décembre");
    page.assert_contains("Pas encore datées").assert_contains("Sans date");
    let page = cm.get(&format!("{month}&account={b_acc}")).await;
    assert!(page.body.contains("Offre pro") && !page.body.contains("Vœux"));
    let page = cm.get(&format!("{month}&pillar=Marque")).await;
    assert!(!page.body.contains("Offre pro") && page.body.contains("Vœux"));
    let page = cm.get(&format!("{month}&status=approved")).await;
    assert!(!page.body.contains("Offre pro") && !page.body.contains("Vœux"));
    assert!(!cm.get(&format!("{month}&layer=off")).await.body.contains("Noël"));
    let week = cm.get(&format!("/w/{bank}/calendar?view=week&date={year}-12-24")).await;
    week.assert_contains("Vœux").assert_contains("Semaine du lundi");
    assert!(!week.body.contains("Offre pro"));
});

app_test!(assignment_and_comments_notify_the_people_concerned, |app: TestApp| async move {
    let (a, _) = accounts(&app).await;
    let bank = app.f.bank.clone();
    let mut smm = Browser::signed_in(&app, SMM).await;
    let ta = format!("text_{a}");
    let id = compose(&mut smm, &app, &[("title", "À écrire"), ("account", &a), (&ta, "Plan")]).await;
    let page = smm.post(&format!("/w/{bank}/posts/{id}/assign"), &[("assignee", &app.f.cm)]).await;
    assert_eq!(page.status, 303);
    let mut cm = Browser::signed_in(&app, CM).await;
    let page = cm.get(&format!("/w/{bank}/notifications")).await;
    page.assert_contains("Sophie SMM vous a attribué « À écrire »");
    assert!(page.body.contains("class=\"count\">1<"), "the bell counts one unread");
    cm.post(&format!("/w/{bank}/posts/{id}/comments"), &[("body", "Je m'en occupe")]).await;
    smm.get(&format!("/w/{bank}/notifications")).await.assert_contains("Lucas CM a commenté « À écrire »");
    smm.get(&format!("/w/{bank}/posts/{id}")).await.assert_contains("Je m'en occupe").assert_contains("Lucas CM");
    cm.get(&format!("/w/{bank}/notifications")).await;
    cm.post(&format!("/w/{bank}/notifications/read"), &[]).await;
    assert!(!cm.get(&format!("/w/{bank}/notifications")).await.body.contains("class=\"count\""));
    // Only members who write posts can be assigned.
    let page = smm.post(&format!("/w/{bank}/posts/{id}/assign"), &[("assignee", &app.f.foreign)]).await;
    assert_eq!(page.status, 422);
});

app_test!(the_charter_and_custom_events_reach_the_composer_and_the_calendar, |app: TestApp| async move {
    let (a, _) = accounts(&app).await;
    let bank = app.f.bank.clone();
    let charter = relais_core::brand_charter::BrandCharter {
        base: relais_core::text_rules::Charter {
            words_to_avoid: vec!["gratuit".into()],
            tone_notes: "Vouvoiement, ton chaleureux.".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    app.store.save_charter(&bank, &charter).await.unwrap();
    let day = ahead(12);
    let event =
        relais_core::recurrence::RecurringEvent { starts_on: day, ends_on: day, recurrence: relais_core::recurrence::Recurrence::None };
    app.store.create_calendar_event(&bank, &relais_core::Name::parse("t", "Salon de l'artisanat").unwrap(), &event).await.unwrap();
    app.store
        .create_pillar(
            &bank,
            &relais_store::PillarInput {
                name: relais_core::Name::parse("name", "Conseils").unwrap(),
                colour: relais_core::Colour::parse("colour", "#123456").unwrap(),
                target_share: None,
            },
        )
        .await
        .unwrap();

    let mut cm = Browser::signed_in(&app, CM).await;
    cm.get(&format!("/w/{bank}/compose"))
        .await
        .assert_contains("<option value=\"Conseils\">")
        .assert_contains("Vouvoiement, ton chaleureux.");
    let ta = format!("text_{a}");
    let id = compose(&mut cm, &app, &[("account", &a), (&ta, "Ouverture de compte Gratuit !")]).await;
    cm.get(&format!("/w/{bank}/posts/{id}")).await.assert_contains("« gratuit » fait partie des mots à éviter de la charte");
    let page = cm
        .post_raw(
            &format!("/w/{bank}/compose/check"),
            &[("account", &a), (&ta, "Un Gratuit")],
            &[("accept", "application/json"), ("x-csrf-token", &cm.csrf)],
        )
        .await;
    let json: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(json[0]["findings"][0]["span"], serde_json::json!([3, 10]), "{json}");
    assert_eq!(json[0]["findings"][0]["error"], false, "a word to avoid warns, it does not block");
    cm.get(&format!("/w/{bank}/calendar?view=list&date={day}")).await.assert_contains("Salon de l'artisanat");
});

app_test!(add_to_queue_schedules_at_the_next_free_slot, |app: TestApp| async move {
    let (a, _) = accounts(&app).await;
    let bank = app.f.bank.clone();
    let mut smm = Browser::signed_in(&app, SMM).await;
    let ta = format!("text_{a}");
    let first = compose(&mut smm, &app, &[("account", &a), (&ta, "Premier"), ("intent", "submit")]).await;
    smm.post(&format!("/w/{bank}/posts/{first}/act"), &[("action", "approve")]).await;
    // No slot yet: the page says where to set them.
    smm.get(&format!("/w/{bank}/posts/{first}")).await.assert_contains("Aucun créneau de publication");

    // Tuesdays at 08:15.
    app.store.add_posting_slot(&bank, &a, relais_core::scheduling::Slot::parse("2", "08:15").unwrap()).await.unwrap();
    let page = smm.get(&format!("/w/{bank}/posts/{first}")).await;
    page.assert_contains("Ajouter à la file").assert_contains("prochain créneau libre de @banque");
    let date = page.body.split("name=\"date\" value=\"").nth(1).unwrap()[..10].to_string();
    let page = smm.post(&format!("/w/{bank}/posts/{first}/act"), &[("action", "schedule"), ("date", &date), ("time", "08:15")]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let p = app.store.post(&first).await.unwrap();
    assert_eq!(p.state, PostState::Scheduled);
    let local = p.scheduled_local.unwrap();
    assert!(local.ends_with("T08:15"), "{local}");
    assert_eq!(local[..10].parse::<Date>().unwrap().weekday(), Weekday::Tuesday);

    // The next post of that account gets the following Tuesday: the slot is taken.
    let second = compose(&mut smm, &app, &[("account", &a), (&ta, "Second"), ("intent", "submit")]).await;
    smm.post(&format!("/w/{bank}/posts/{second}/act"), &[("action", "approve")]).await;
    let page = smm.get(&format!("/w/{bank}/posts/{second}")).await;
    let next = page.body.split("name=\"date\" value=\"").nth(1).unwrap()[..10].to_string();
    assert_eq!(next.parse::<Date>().unwrap(), date.parse::<Date>().unwrap().checked_add(7.days()).unwrap());
});

app_test!(media_are_picked_per_variant_and_the_networks_limits_block_scheduling, |app: TestApp| async move {
    let (a, _) = accounts(&app).await;
    let bank = app.f.bank.clone();
    let mut cm = Browser::signed_in(&app, CM).await;
    cm.get(&format!("/w/{bank}/media")).await;
    let files: Vec<(String, Vec<u8>)> = (1..=5).map(|i| (format!("visuel-{i}.png"), crate::media::png(20 + i, 20))).collect();
    let files: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    assert_eq!(crate::media::upload(&cm, &bank, &files).await.status, 303);
    let mut library = app.store.media_list(&bank).await.unwrap();
    library.sort_by(|x, y| x.filename.cmp(&y.filename));
    let ids: Vec<String> = library.iter().map(|m| m.id.clone()).collect();

    cm.get(&format!("/w/{bank}/compose")).await.assert_contains("visuel-3.png");
    let (ta, ma) = (format!("text_{a}"), format!("media_{a}"));
    let mut fields: Vec<(&str, &str)> = vec![("title", "Cinq visuels"), ("account", &a), (&ta, "Carrousel"), ("intent", "submit")];
    fields.extend(ids.iter().map(|id| (ma.as_str(), id.as_str())));
    let id = compose(&mut cm, &app, &fields).await;
    let page = cm.get(&format!("/w/{bank}/posts/{id}")).await;
    page.assert_contains(&format!("/media/{}/thumb", ids[4]));
    assert!(page.body.contains("class=\"f-error\""), "five images on a network that takes four: {}", page.body);

    let mut smm = Browser::signed_in(&app, SMM).await;
    smm.get(&format!("/w/{bank}/posts/{id}")).await;
    smm.post(&format!("/w/{bank}/posts/{id}/act"), &[("action", "approve")]).await;
    let day = ahead(9).to_string();
    let page = smm.post(&format!("/w/{bank}/posts/{id}/act"), &[("action", "schedule"), ("date", &day), ("time", "11:00")]).await;
    assert_eq!(page.status, 422, "media problems block scheduling");

    // Keep two: the edit form shows them ticked, the post is fine again.
    let edit = cm.get(&format!("/w/{bank}/posts/{id}/edit")).await;
    assert_eq!(edit.body.matches(" checked>").count(), 1 + 5, "the account and its five media are ticked");
    let page =
        cm.post(&format!("/w/{bank}/posts/{id}/edit"), &[("account", &a), (&ta, "Deux visuels"), (&ma, &ids[1]), (&ma, &ids[0])]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let variant = app.store.variants(&id).await.unwrap().remove(0);
    let attached = app.store.variant_media(std::slice::from_ref(&variant.id)).await.unwrap().remove(&variant.id).unwrap();
    assert_eq!(attached.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), [ids[1].as_str(), ids[0].as_str()], "in the order chosen");
    assert!(!cm.get(&format!("/w/{bank}/posts/{id}")).await.body.contains("class=\"f-error\""));

    // A media id that is not in this workspace's library is refused, nothing saved.
    cm.get(&format!("/w/{bank}/compose")).await;
    let page = cm.post(&format!("/w/{bank}/compose"), &[("account", &a), (&ta, "x"), (&ma, "not-a-media")]).await;
    assert_eq!(page.status, 422);
    page.assert_contains("Média inconnu");
});

app_test!(an_smm_connects_an_account_and_reconnects_a_paused_one, |app: TestApp| async move {
    let bank = app.f.bank.clone();
    let mut smm = Browser::signed_in(&app, SMM).await;
    smm.get(&format!("/w/{bank}/strategy/accounts")).await.assert_contains("Aucun compte n'est encore connecté");
    let fields = [("network", "sandbox"), ("handle", "@banque"), ("display_name", "Banque"), ("credentials", "jeton-secret")];
    let page = smm.post(&format!("/w/{bank}/strategy/accounts"), &fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let account = app.store.social_accounts(&bank).await.unwrap().remove(0);
    assert_eq!((account.handle.as_str(), account.status.as_str()), ("@banque", "active"));
    assert!(!account.credentials.contains("jeton-secret"), "credentials are stored sealed");
    let page = smm.post(&format!("/w/{bank}/strategy/accounts"), &fields).await;
    assert_eq!(page.status, 409);
    page.assert_contains("@banque est déjà connecté");
    let page = smm.post(&format!("/w/{bank}/strategy/accounts"), &[("network", "myspace"), ("handle", "x"), ("credentials", "y")]).await;
    assert_eq!(page.status, 422);

    // Bluesky and Mastodon keep their server with the secret; Mastodon needs its instance.
    let bluesky = [("network", "bluesky"), ("handle", "@marque.bsky.social"), ("credentials", "abcd-efgh-ijkl-mnop")];
    assert_eq!(smm.post(&format!("/w/{bank}/strategy/accounts"), &bluesky).await.status, 303);
    let stored = app.store.social_accounts(&bank).await.unwrap().into_iter().find(|a| a.network == "bluesky").unwrap();
    assert!(!stored.credentials.contains("abcd-efgh"), "sealed");
    let page =
        smm.post(&format!("/w/{bank}/strategy/accounts"), &[("network", "mastodon"), ("handle", "@marque"), ("credentials", "tok")]).await;
    assert_eq!(page.status, 422);
    page.assert_contains("L'adresse du serveur ne convient pas");

    // The token expired: the calendar says so and links to the reconnection.
    app.store.pause_social_account(&account.id, "sandbox: the access token was revoked").await.unwrap();
    let calendar = smm.get(&format!("/w/{bank}/calendar")).await;
    calendar.assert_contains("Le compte @banque est en pause").assert_contains("the access token was revoked");
    calendar.assert_contains(&format!("href=\"/w/{bank}/strategy/accounts\""));
    let page = smm.post(&format!("/w/{bank}/strategy/accounts/{}/reconnect", account.id), &[("credentials", "nouveau-jeton")]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(app.store.social_account(&account.id).await.unwrap().status, "active");

    // A CM sees the alert but does not manage accounts; outsiders see nothing.
    let mut cm = Browser::signed_in(&app, CM).await;
    assert_eq!(cm.get(&format!("/w/{bank}/strategy/accounts")).await.status, 403);
    let mut outsider = Browser::signed_in(&app, OUTSIDER).await;
    assert_eq!(outsider.get(&format!("/w/{bank}/strategy/accounts")).await.status, 404);
});

app_test!(the_composer_offers_a_content_warning_and_a_visibility_only_where_the_network_has_them, |app: TestApp| async move {
    let (sandbox, _) = accounts(&app).await;
    let mastodon =
        app.store.create_social_account(&app.f.bank, "mastodon", "@banque@m.example", "Banque", |_| "x".into()).await.unwrap().id;
    let bank = app.f.bank.clone();
    let mut cm = Browser::signed_in(&app, CM).await;
    let form = cm.get(&format!("/w/{bank}/compose")).await;
    form.assert_contains(&format!("name=\"content_warning_{mastodon}\"")).assert_contains(&format!("name=\"visibility_{mastodon}\""));
    form.assert_contains("Abonnés uniquement");
    assert!(
        !form.body.contains(&format!("content_warning_{sandbox}")) && !form.body.contains(&format!("visibility_{sandbox}")),
        "the sandbox has neither"
    );

    let (cw, vis, text) = (format!("content_warning_{mastodon}"), format!("visibility_{mastodon}"), format!("text_{mastodon}"));
    let id = compose(&mut cm, &app, &[("account", &mastodon), (&text, "La fin du film"), (&cw, "Divulgâchage"), (&vis, "followers")]).await;
    let variant = app.store.variants(&id).await.unwrap().remove(0);
    assert_eq!((variant.content_warning.as_deref(), variant.visibility.as_deref()), (Some("Divulgâchage"), Some("followers")));
    let edit = cm.get(&format!("/w/{bank}/posts/{id}/edit")).await;
    edit.assert_contains("value=\"Divulgâchage\"").assert_contains("<option value=\"followers\" selected>");
    cm.get(&format!("/w/{bank}/posts/{id}")).await.assert_contains("Divulgâchage").assert_contains("Visibilité : Abonnés uniquement");

    // A warning sent for the sandbox (by hand: the form has no field for it) blocks scheduling.
    let (cw, ts) = (format!("content_warning_{sandbox}"), format!("text_{sandbox}"));
    let page = cm
        .post_raw(
            &format!("/w/{bank}/compose/check"),
            &[("account", &sandbox), (&ts, "Bonjour"), (&cw, "Attention")],
            &[("accept", "application/json"), ("x-csrf-token", &cm.csrf)],
        )
        .await;
    let json: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(json[0]["findings"][0]["error"], true, "{json}");
    assert!(json[0]["findings"][0]["message"].as_str().unwrap().contains("n'affiche pas d'avertissement de contenu"), "{json}");
    assert_eq!(json[0]["length"], 7, "the sandbox has no warnings: they do not count");

    // On Mastodon the counter counts the warning with the text.
    let (cw, text) = (format!("content_warning_{mastodon}"), format!("text_{mastodon}"));
    let page = cm
        .post_raw(
            &format!("/w/{bank}/compose/check"),
            &[("account", &mastodon), (&text, "Bonjour"), (&cw, "Attention")],
            &[("accept", "application/json"), ("x-csrf-token", &cm.csrf)],
        )
        .await;
    let json: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(json[0]["length"], 16, "{json}");
});
