//! The four roles a member can hold in a workspace.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A member's role in one workspace. The same person may be `smm` for one brand and `client`
/// of another; roles never leak from one workspace to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including members, API tokens and the audit log.
    Admin,
    /// The Social Media Manager: strategy, calendar, approval, campaigns, reports.
    Smm,
    /// The Community Manager: drafts, publishing the workflow allows, inbox, moderation, listening.
    Cm,
    /// The client: reads the calendar and reports, approves what is sent to them.
    Client,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Smm, Role::Cm, Role::Client];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Smm => "smm",
            Role::Cm => "cm",
            Role::Client => "client",
        }
    }

    /// Whether this role carries at least every permission of `other`. Used to stop a member
    /// from minting an API token or an invitation more powerful than themselves.
    pub fn covers(self, other: Role) -> bool {
        crate::policy::Action::ALL.iter().all(|a| !crate::policy::allows(other, *a) || crate::policy::allows(self, *a))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown role {0:?}: expected one of admin, smm, cm, client")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "smm" => Ok(Role::Smm),
            "cm" => Ok(Role::Cm),
            "client" => Ok(Role::Client),
            _ => Err(UnknownRole(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_text() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        assert!("owner".parse::<Role>().is_err());
    }

    #[test]
    fn admin_covers_everyone_and_client_covers_only_itself() {
        for r in Role::ALL {
            assert!(Role::Admin.covers(r));
        }
        assert!(Role::Client.covers(Role::Client));
        assert!(!Role::Client.covers(Role::Cm));
        assert!(!Role::Cm.covers(Role::Smm));
        assert!(!Role::Smm.covers(Role::Admin));
    }
}
