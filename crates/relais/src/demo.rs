//! `relais demo`: a French agency with two client workspaces and one user per role, so that a
//! newcomer can try every screen in a minute.

use crate::config::{ServeArgs, Settings};
use crate::users::ensure_workspace;
use jiff::ToSpan;
use relais_core::password::{self, HashCost};
use relais_core::scheduling::resolve_local;
use relais_core::secrets::SecretBox;
use relais_core::workflow::PostState;
use relais_core::{Colour, Email, Locale, Name, Role, TimeZoneName};
use relais_store::{
    Actor, AuditEvent, MediaFiles, NewMedia, NewPost, NewVariant, PlannedAt, SocialAccount, Store, VariantOutcome, Workspace,
    WorkspaceSettings,
};

pub const DEMO_PASSWORD: &str = "relais-demo-2026";
const AGENCY: &str = "Agence Rivage";
const BANK: &str = "Banque de Bourgogne";
const COFFEE: &str = "Cafés Morvan";

/// A demo user: email, name, and their role in each workspace.
type Person = (&'static str, &'static str, &'static [(&'static str, Role)]);

const PEOPLE: &[Person] = &[
    ("claire.dumont@agence-rivage.example", "Claire Dumont", &[(BANK, Role::Admin), (COFFEE, Role::Admin)]),
    ("sophie.martin@agence-rivage.example", "Sophie Martin", &[(BANK, Role::Smm), (COFFEE, Role::Smm)]),
    ("lucas.bernard@agence-rivage.example", "Lucas Bernard", &[(BANK, Role::Cm), (COFFEE, Role::Cm)]),
    ("helene.girard@banque-bourgogne.example", "Hélène Girard", &[(BANK, Role::Client)]),
];

pub async fn run(settings: &Settings, args: &ServeArgs) -> anyhow::Result<()> {
    let store = crate::serve::open(settings).await?;
    let media = MediaFiles::new(settings.media_dir());
    let created = seed(&store, &SecretBox::new(&settings.secret_key), &media).await?;
    let mut banner = String::new();
    banner.push_str(if created { "Demo data created in " } else { "Demo data reused from " });
    banner.push_str(&format!(
        "{}\n\nRelais demo: {{url}}\n\nDemo logins (password for all: {DEMO_PASSWORD}):\n",
        settings.data_dir.display()
    ));
    for (email, name, roles) in PEOPLE {
        let r: Vec<String> = roles.iter().map(|(w, r)| format!("{r} of {w}")).collect();
        banner.push_str(&format!("  {email:<42} {name} — {}\n", r.join(", ")));
    }
    crate::serve::serve_store(settings, args, store, Some(banner)).await
}

/// Creates the demo organisation once; returns false when it was already there.
pub async fn seed(store: &Store, secrets: &SecretBox, media: &MediaFiles) -> anyhow::Result<bool> {
    if store.find_organisation_by_name(AGENCY).await?.is_some() {
        return Ok(false);
    }
    let agency = Name::parse("org", AGENCY)?;
    let bank = branded_workspace(store, &agency, BANK, "#7a1f2b", "#d4a017").await?;
    let coffee = branded_workspace(store, &agency, COFFEE, "#3f2a1d", "#c9782b").await?;
    let hash = password::hash(DEMO_PASSWORD, HashCost::PRODUCTION)?;
    let mut cm = None;
    let mut smm = None;
    for (email, name, roles) in PEOPLE {
        let user = store.create_user(&Email::parse(email)?, &Name::parse("name", name)?, &hash).await?;
        if name.starts_with("Sophie") {
            smm = Some(user.id.clone());
        }
        if name.starts_with("Lucas") {
            cm = Some(Actor { id: Some(user.id.clone()), label: (*name).into() });
        }
        for (ws_name, role) in roles.iter() {
            let ws = if *ws_name == BANK { &bank } else { &coffee };
            store.set_membership(&ws.id, &user.id, *role).await?;
            store
                .record_audit(AuditEvent {
                    org_id: &ws.org_id,
                    workspace_id: Some(&ws.id),
                    actor_id: None,
                    actor_label: "demo",
                    action: "member.added",
                    target: email,
                    details: serde_json::json!({"role": role.as_str()}),
                })
                .await?;
        }
    }
    let cm = cm.unwrap_or_else(Actor::system);
    store.set_client_approval(&bank.id, true).await?;
    let bank_accounts = [
        sandbox_account(store, secrets, &bank, "@banquedebourgogne", "Banque de Bourgogne").await?,
        sandbox_account(store, secrets, &bank, "@bdb_pros", "Banque de Bourgogne Pros").await?,
    ];
    let coffee_accounts = [sandbox_account(store, secrets, &coffee, "@cafesmorvan", "Cafés Morvan").await?];
    let banner = demo_image(store, media, &bank, "pret-artisan.png", [0x7a, 0x1f, 0x2b], "Affiche du prêt Artisan").await?;
    for (i, (title, pillar, campaign, text, when, state)) in BANK_POSTS.iter().enumerate() {
        // The launch post carries the campaign's visual.
        let images = if i == 0 { std::slice::from_ref(&banner) } else { &[] };
        demo_post(store, &bank, &bank_accounts, &cm, (title, *pillar, *campaign, text), *when, *state, images).await?;
    }
    demo_image(store, media, &coffee, "torrefaction.png", [0x3f, 0x2a, 0x1d], "Grains de café fraîchement torréfiés").await?;
    for (title, pillar, campaign, text, when, state) in COFFEE_POSTS {
        demo_post(store, &coffee, &coffee_accounts, &cm, (title, *pillar, *campaign, text), *when, *state, &[]).await?;
    }
    // Posts already out for a day or two: the sandbox's simulated audience has answered them, and
    // the inbox fills at the first sync, seconds after start.
    for (title, text, hours_ago) in BANK_PUBLISHED {
        published_post(store, &bank, &bank_accounts, &cm, title, text, *hours_ago).await?;
    }
    for (title, text, hours_ago) in COFFEE_PUBLISHED {
        published_post(store, &coffee, &coffee_accounts, &cm, title, text, *hours_ago).await?;
    }
    if let Some(smm) = smm {
        for (ws, name, query) in LISTENING {
            let ws = if *ws == BANK { &bank } else { &coffee };
            let query =
                relais_core::listening_query::ListeningQuery::parse(query).map_err(|e| anyhow::anyhow!("demo query {name}: {e}"))?;
            store.create_listening_query(&ws.id, &Name::parse("name", name)?, &query, &smm).await?;
        }
    }
    Ok(true)
}

/// Listening queries of the demo: (workspace, name, query).
const LISTENING: &[(&str, &str, &str)] = &[
    (BANK, "Marque", "\"banque de bourgogne\" OR BdB -recrutement"),
    (BANK, "Prêt Artisan", "(\"prêt artisan\" OR pretartisan) -immobilier"),
    (COFFEE, "Marque", "\"cafés morvan\" OR \"brûlerie de saulieu\""),
];

/// When a demo post is planned: days from today and the wall-clock time, or minutes from now.
#[derive(Clone, Copy)]
enum When {
    Day(i64, &'static str),
    InMinutes(i64),
    Unplanned,
}

type DemoPost = (&'static str, Option<&'static str>, Option<&'static str>, &'static str, When, PostState);

const BANK_POSTS: &[DemoPost] = &[
    (
        "Lancement du prêt Artisan",
        Some("Produits"),
        Some("Prêt Artisan"),
        "Artisans de Bourgogne, le prêt Artisan est là : jusqu'à 50 000 € pour vos équipements, réponse en 48 h. #PrêtArtisan",
        When::Day(2, "09:00"),
        PostState::Scheduled,
    ),
    (
        "Démonstration : publication en direct",
        None,
        None,
        "Cette publication part sur le réseau bac à sable quelques minutes après le lancement de la démo.",
        When::InMinutes(3),
        PostState::Scheduled,
    ),
    (
        "Témoignage : la boulangerie Morel à Beaune",
        Some("Clients"),
        Some("Prêt Artisan"),
        "« Grâce au prêt Artisan, nous avons changé notre four en une semaine. » Rencontre avec Julie Morel. #PrêtArtisan",
        When::Day(3, "12:30"),
        PostState::InReview,
    ),
    (
        "Jours fériés : horaires des agences",
        Some("Vie locale"),
        None,
        "Nos agences seront fermées le jour férié ; l'application reste disponible 24 h/24.",
        When::Day(4, "17:00"),
        PostState::ClientReview,
    ),
    (
        "Conseil : préparer son dossier de financement",
        Some("Conseils"),
        Some("Prêt Artisan"),
        "Trois pièces à réunir avant votre rendez-vous : bilan, devis, prévisionnel.",
        When::Day(6, "18:00"),
        PostState::Draft,
    ),
    (
        "Foire aux vins : nos conseillers sur place",
        Some("Vie locale"),
        None,
        "Retrouvez nos conseillers sur notre stand tout le week-end.",
        When::Day(9, "10:00"),
        PostState::Approved,
    ),
    (
        "Série « Les artisans de nos villages »",
        Some("Clients"),
        None,
        "Idée : un portrait d'artisan par semaine.",
        When::Unplanned,
        PostState::Draft,
    ),
];

const COFFEE_POSTS: &[DemoPost] = &[
    (
        "Nouvelle torréfaction de Noël",
        Some("Produits"),
        Some("Noël"),
        "Notre mélange de Noël arrive en boutique : notes de cacao et d'épices. ☕",
        When::Day(5, "08:30"),
        PostState::Draft,
    ),
    (
        "Visite de la brûlerie",
        Some("Coulisses"),
        None,
        "Samedi, portes ouvertes à la brûlerie de Saulieu.",
        When::Day(7, "11:00"),
        PostState::InReview,
    ),
];

/// Posts published before the demo starts: title, text, hours ago.
const BANK_PUBLISHED: &[(&str, &str, i64)] = &[
    (
        "Application mobile : nouvelle version",
        "La nouvelle version de notre application est disponible : virements instantanés et carte bloquable en un geste.",
        40,
    ),
    ("Atelier « Créer son entreprise »", "Jeudi à Dijon, atelier gratuit pour les créateurs d'entreprise. Inscriptions ouvertes !", 20),
];

const COFFEE_PUBLISHED: &[(&str, &str, i64)] = &[(
    "Le café du mois : Éthiopie Sidamo",
    "Ce mois-ci, un Sidamo lavé aux notes de jasmin et de bergamote. Disponible en grains et moulu.",
    30,
)];

/// A post that went out `hours_ago` on the sandbox (the simulator keeps it as if published then).
async fn published_post(
    store: &Store,
    ws: &Workspace,
    accounts: &[SocialAccount],
    author: &Actor,
    title: &str,
    text: &str,
    hours_ago: i64,
) -> anyhow::Result<()> {
    let new = NewPost {
        workspace_id: ws.id.clone(),
        title: title.into(),
        pillar: None,
        campaign: None,
        variants: accounts.iter().map(|a| NewVariant::text(a.id.clone(), text, None)).collect(),
    };
    let post = store.create_post(&new, author).await?;
    let agency = Actor { id: None, label: "Sophie Martin".into() };
    store.move_post(&post.id, PostState::Draft, PostState::InReview, author, "submit_for_review", None).await?;
    store.move_post(&post.id, PostState::InReview, PostState::Approved, &agency, "approve", None).await?;
    let at = jiff::Timestamp::now().checked_sub(hours_ago.hours())?;
    let zone = ws.time_zone.as_str();
    let local = at.in_tz(zone)?.strftime("%Y-%m-%dT%H:%M").to_string();
    store.schedule_post(&post.id, PostState::Approved, at.as_millisecond(), &local, zone, &agency).await?;
    let variants = store.variants(&post.id).await?;
    let ids: Vec<String> = variants.iter().map(|v| v.id.clone()).collect();
    store.begin_publish_attempts(&ids).await?;
    let mut outcomes = vec![];
    for v in &variants {
        let remote_id = store.sandbox_create_post(&v.account_id, &v.idempotency_key, &v.text).await?;
        store.sandbox_backdate(&remote_id, at.as_millisecond()).await?;
        let handle = accounts.iter().find(|a| a.id == v.account_id).map(|a| a.handle.trim_start_matches('@')).unwrap_or("");
        let url = Some(format!("sandbox://{handle}/{remote_id}"));
        outcomes.push((v.id.clone(), VariantOutcome::Published { remote_id, remote_url: url }));
    }
    store.finish_variants(&outcomes).await?;
    Ok(())
}

async fn sandbox_account(store: &Store, secrets: &SecretBox, ws: &Workspace, handle: &str, name: &str) -> anyhow::Result<SocialAccount> {
    Ok(store
        .create_social_account(&ws.id, "sandbox", handle, name, |id| secrets.seal("demo-token", &SocialAccount::credentials_context(id)))
        .await?)
}

/// A generated picture in the brand's colour, added to the workspace's media library.
async fn demo_image(store: &Store, media: &MediaFiles, ws: &Workspace, name: &str, rgb: [u8; 3], alt: &str) -> anyhow::Result<String> {
    let picture = image::RgbImage::from_fn(1200, 675, |x, y| {
        let shade = |c: u8, k: u32| (u32::from(c) + (255 - u32::from(c)) * k / 1875) as u8;
        let k = x + y;
        image::Rgb([shade(rgb[0], k), shade(rgb[1], k), shade(rgb[2], k)])
    });
    let mut png = std::io::Cursor::new(vec![]);
    picture.write_to(&mut png, image::ImageFormat::Png)?;
    let bytes = png.into_inner();
    let inspected = relais_core::media::inspect(&bytes, &relais_core::media::MediaLimits::default())?;
    media.put(&inspected.sha256, &bytes, inspected.thumbnail.as_deref()).await?;
    let (item, _) = store
        .insert_media(&NewMedia {
            workspace_id: ws.id.clone(),
            sha256: inspected.sha256,
            kind: inspected.kind,
            mime: inspected.mime.to_string(),
            filename: name.into(),
            bytes: inspected.bytes,
            width: inspected.width,
            height: inspected.height,
            duration_ms: inspected.duration_ms,
            alt_text: alt.into(),
            created_by: None,
        })
        .await?;
    Ok(item.id)
}

/// Creates a demo post and walks it through the workflow to `state`, as the people would.
#[allow(clippy::too_many_arguments)]
async fn demo_post(
    store: &Store,
    ws: &Workspace,
    accounts: &[SocialAccount],
    author: &Actor,
    (title, pillar, campaign, text): (&str, Option<&str>, Option<&str>, &str),
    when: When,
    state: PostState,
    media_ids: &[String],
) -> anyhow::Result<()> {
    let new = NewPost {
        workspace_id: ws.id.clone(),
        title: title.into(),
        pillar: pillar.map(Into::into),
        campaign: campaign.map(Into::into),
        variants: accounts
            .iter()
            .map(|a| NewVariant { media_ids: media_ids.to_vec(), ..NewVariant::text(a.id.clone(), text, None) })
            .collect(),
    };
    let post = store.create_post(&new, author).await?;
    let zone = ws.time_zone.as_str();
    let local = match when {
        When::Day(days, time) => {
            let day = jiff::Zoned::now().in_tz(zone)?.date().checked_add(days.days())?;
            Some(format!("{day}T{time}"))
        }
        When::InMinutes(m) => Some(jiff::Timestamp::now().checked_add(m.minutes())?.in_tz(zone)?.strftime("%Y-%m-%dT%H:%M").to_string()),
        When::Unplanned => None,
    };
    let agency = Actor { id: None, label: "Sophie Martin".into() };
    let path: &[(PostState, PostState, &str)] = match state {
        PostState::Draft => &[],
        PostState::InReview => &[(PostState::Draft, PostState::InReview, "submit_for_review")],
        PostState::ClientReview => {
            &[(PostState::Draft, PostState::InReview, "submit_for_review"), (PostState::InReview, PostState::ClientReview, "approve")]
        }
        _ => &[(PostState::Draft, PostState::InReview, "submit_for_review"), (PostState::InReview, PostState::Approved, "approve")],
    };
    for (from, to, action) in path {
        let who = if *action == "submit_for_review" { author } else { &agency };
        store.move_post(&post.id, *from, *to, who, action, None).await?;
    }
    if let Some(local) = local {
        let at = resolve_local(&local, zone)?.as_millisecond();
        if state == PostState::Scheduled {
            store.schedule_post(&post.id, PostState::Approved, at, &local, zone, &agency).await?;
        } else {
            store.plan_post(&post.id, Some(PlannedAt { at_ms: at, local: &local, zone }), author).await?;
        }
    }
    Ok(())
}

/// A workspace of the demo agency in the brand's colours.
async fn branded_workspace(store: &Store, agency: &Name, name: &str, primary: &str, accent: &str) -> anyhow::Result<Workspace> {
    let ws = ensure_workspace(store, agency, &Name::parse("workspace", name)?).await?;
    let settings = WorkspaceSettings {
        name: Name::parse("name", name)?,
        time_zone: TimeZoneName::parse("Europe/Paris")?,
        locale: Locale::Fr,
        primary_colour: Colour::parse("primary_colour", primary)?,
        accent_colour: Colour::parse("accent_colour", accent)?,
    };
    store.update_workspace_settings(&ws.id, &settings).await?;
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use super::*;
    use relais_core::secrets::SecretKey;
    use relais_jobs::{ActivitySync, MetricsCollector, ReplySender, SyncSettings, Worker, WorkerConfig};
    use relais_networks::Registry;
    use relais_networks::sandbox::{Sandbox, SandboxConfig};
    use std::sync::Arc;

    relais_store::both_backends!(the_demo_inbox_fills_at_the_first_sync, |store: Store| async move {
        let secrets = SecretBox::new(&SecretKey::generate());
        let dir = std::env::temp_dir().join(format!("relais-demo-test-{}", relais_core::new_id()));
        assert!(seed(&store, &secrets, &MediaFiles::new(dir.join("media"))).await.unwrap());
        let sandbox = SandboxConfig { latency: std::time::Duration::ZERO, ..SandboxConfig::default() };
        let networks = Registry::default().with(Arc::new(Sandbox::new(store.clone(), sandbox)));
        // What `relais demo` does at start: one sync and one collection per sandbox account.
        assert_eq!(ActivitySync::schedule(&store, &networks, 120_000).await.unwrap(), 3);
        assert_eq!(MetricsCollector::schedule(&store, &networks, 3_600_000).await.unwrap(), 3);
        let worker = Worker::new(store.clone(), "demo-test", WorkerConfig::default())
            .register(Arc::new(ActivitySync {
                store: store.clone(),
                networks: networks.clone(),
                secrets: secrets.clone(),
                settings: SyncSettings::default(),
            }))
            .register(Arc::new(ReplySender { store: store.clone(), networks: networks.clone(), secrets: secrets.clone() }))
            .register(Arc::new(MetricsCollector { store: store.clone(), networks, secrets, lookback_days: 30 }));
        while worker.run_once().await.unwrap() > 0 {}
        let org = store.find_organisation_by_name(AGENCY).await.unwrap().unwrap();
        for ws in store.workspaces_of_org(&org.id).await.unwrap() {
            let inbox = store.inbox_page(&ws.id, &Default::default(), 200).await.unwrap().messages;
            assert!(!inbox.is_empty(), "{} has an empty inbox", ws.name);
            assert!(inbox.iter().any(|m| m.variant_id.is_some()), "messages about the brand's own posts");
            assert!(!store.latest_account_metrics(&ws.id).await.unwrap().is_empty());
        }
        let _ = std::fs::remove_dir_all(dir);
    });
}
