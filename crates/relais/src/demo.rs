//! `relais demo`: a French agency with two client workspaces and one user per role, so that a
//! newcomer can try every screen in a minute.

use crate::config::{ServeArgs, Settings};
use crate::users::ensure_workspace;
use relais_core::password::{self, HashCost};
use relais_core::{Colour, Email, Locale, Name, Role, TimeZoneName};
use relais_store::{AuditEvent, Store, Workspace, WorkspaceSettings};

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
    let created = seed(&store).await?;
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
pub async fn seed(store: &Store) -> anyhow::Result<bool> {
    if store.find_organisation_by_name(AGENCY).await?.is_some() {
        return Ok(false);
    }
    let agency = Name::parse("org", AGENCY)?;
    let bank = branded_workspace(store, &agency, BANK, "#7a1f2b", "#d4a017").await?;
    let coffee = branded_workspace(store, &agency, COFFEE, "#3f2a1d", "#c9782b").await?;
    let hash = password::hash(DEMO_PASSWORD, HashCost::PRODUCTION)?;
    for (email, name, roles) in PEOPLE {
        let user = store.create_user(&Email::parse(email)?, &Name::parse("name", name)?, &hash).await?;
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
    Ok(true)
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
