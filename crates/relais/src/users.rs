//! `relais user …`: accounts from the command line, for the first admin and for recovery.

use crate::config::Settings;
use anyhow::{Context, bail};
use clap::Subcommand;
use relais_core::password::{self, HashCost};
use relais_core::values::check_new_password;
use relais_core::{Email, Locale, Name, Role, TimeZoneName};
use relais_store::{AuditEvent, Store};
use std::io::BufRead;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user and give them a role in a workspace (created, with its organisation, if missing).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The password; read from the first line of standard input when not given.
        #[arg(long, env = "RELAIS_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Organisation name (an agency or a company).
        #[arg(long)]
        org: String,
        /// Workspace name (a brand or a client) inside the organisation.
        #[arg(long)]
        workspace: String,
        /// admin, smm, cm or client.
        #[arg(long, default_value = "admin")]
        role: Role,
    },
    /// Set a user's password (and end their sessions).
    SetPassword {
        #[arg(long)]
        email: String,
        #[arg(long, env = "RELAIS_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List users and their workspaces.
    List,
}

fn password_from(arg: Option<String>) -> anyhow::Result<String> {
    let pw = match arg {
        Some(p) => p,
        None => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    check_new_password(&pw)?;
    Ok(pw)
}

pub async fn run(settings: &Settings, cmd: UserCommand) -> anyhow::Result<()> {
    let store = Store::open(&settings.database_url).await?;
    match cmd {
        UserCommand::Add { email, name, password, org, workspace, role } => {
            let email = Email::parse(&email)?;
            let name = Name::parse("name", &name)?;
            let pw = password_from(password)?;
            let org_name = Name::parse("org", &org)?;
            let ws_name = Name::parse("workspace", &workspace)?;
            let hash = password::hash(&pw, HashCost::PRODUCTION)?;
            let user = store.create_user(&email, &name, &hash).await?;
            let ws = ensure_workspace(&store, &org_name, &ws_name).await?;
            store.set_membership(&ws.id, &user.id, role).await?;
            store
                .record_audit(AuditEvent {
                    org_id: &ws.org_id,
                    workspace_id: Some(&ws.id),
                    actor_id: None,
                    actor_label: "cli",
                    action: "member.added",
                    target: email.as_str(),
                    details: serde_json::json!({"role": role.as_str()}),
                })
                .await?;
            println!("created {email} as {role} of “{}” ({})", ws.name, org_name.as_str());
        }
        UserCommand::SetPassword { email, password } => {
            let email = Email::parse(&email)?;
            let Some(user) = store.user_by_email(&email).await? else { bail!("no user has the email {email}") };
            let pw = password_from(password)?;
            store.set_password_hash(&user.id, &password::hash(&pw, HashCost::PRODUCTION)?).await?;
            let ended = store.delete_sessions_of_user(&user.id).await?;
            println!("password of {email} changed; {ended} session(s) ended");
        }
        UserCommand::List => {
            for u in store.all_users().await? {
                let ws = store.workspaces_of_user(&u.id).await?;
                let roles: Vec<String> = ws.iter().map(|(w, r)| format!("{} ({r})", w.name)).collect();
                println!("{}\t{}\t{}", u.email, u.name, roles.join(", "));
            }
        }
    }
    Ok(())
}

/// The workspace `ws` of organisation `org`, creating either when missing.
pub async fn ensure_workspace(store: &Store, org: &Name, ws: &Name) -> anyhow::Result<relais_store::Workspace> {
    let org = match store.find_organisation_by_name(org.as_str()).await? {
        Some(o) => o,
        None => store.create_organisation(org).await?,
    };
    if let Some(w) = store.workspaces_of_org(&org.id).await?.into_iter().find(|w| w.name == ws.as_str()) {
        return Ok(w);
    }
    Ok(store.create_workspace(&org.id, ws, &TimeZoneName::parse("Europe/Paris")?, Locale::Fr).await?)
}
