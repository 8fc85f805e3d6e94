//! The frame around every page: language, the signed-in user, the workspace switcher, the
//! navigation (only sections that exist and that the role may open are links) and the brand's
//! colours.

use crate::i18n::Tr;
use crate::session::{InWorkspace, SignedIn};
use relais_core::Section;

pub struct NavItem {
    pub label: String,
    /// `None` for a section that does not exist yet: shown, never linked.
    pub href: Option<String>,
    pub current: bool,
}

pub struct SwitchItem {
    pub id: String,
    pub label: String,
    pub current: bool,
}

pub struct Chrome {
    pub tr: Tr,
    pub lang: &'static str,
    pub csrf: String,
    pub user_name: String,
    pub workspace_id: Option<String>,
    pub workspace_name: String,
    pub role_label: String,
    pub has_logo: bool,
    pub switcher: Vec<SwitchItem>,
    pub nav: Vec<NavItem>,
    pub overview_current: bool,
    pub primary: String,
    pub accent: String,
    pub flash: Option<String>,
    /// Unread notifications of the member in this workspace.
    pub unread: i64,
}

impl Chrome {
    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }

    pub fn t1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.tr.t1(id, name, value)
    }

    /// A message with several named values, for templates.
    pub fn tn(&self, id: &str, named: &[(&str, &str)]) -> String {
        let args: Vec<(&str, &dyn std::fmt::Display)> = named.iter().map(|(k, v)| (*k, v as &dyn std::fmt::Display)).collect();
        self.tr.tn(id, &args)
    }

    /// A page outside any workspace (profile, invitations, the empty home).
    pub fn plain(me: &SignedIn) -> Chrome {
        Chrome {
            tr: me.ctx.tr,
            lang: me.ctx.tr.lang(),
            csrf: me.ctx.csrf.clone(),
            user_name: me.user().name.clone(),
            workspace_id: None,
            workspace_name: String::new(),
            role_label: String::new(),
            has_logo: false,
            switcher: vec![],
            nav: vec![],
            overview_current: false,
            primary: "#1d4ed8".into(),
            accent: "#f59e0b".into(),
            flash: None,
            unread: 0,
        }
    }

    /// A page of a workspace; `current` is the section it belongs to (None: the overview).
    pub fn workspace(ws: &InWorkspace, current: Option<Section>) -> Chrome {
        let tr = ws.tr();
        let nav = Section::ALL
            .into_iter()
            .filter(|s| relais_core::policy::allows(ws.role, s.requires()))
            .map(|s| NavItem {
                label: tr.t(&format!("nav-{}", s.key())),
                href: s.is_built().then(|| format!("{}/{}", ws.base(), s.key())),
                current: current == Some(s),
            })
            .collect();
        let switcher =
            ws.all.iter().map(|(w, _)| SwitchItem { id: w.id.clone(), label: w.name.clone(), current: w.id == ws.workspace.id }).collect();
        Chrome {
            workspace_id: Some(ws.workspace.id.clone()),
            workspace_name: ws.workspace.name.clone(),
            role_label: tr.role(ws.role),
            has_logo: ws.workspace.logo_mime.is_some(),
            switcher,
            nav,
            overview_current: current.is_none(),
            primary: ws.workspace.primary_colour.clone(),
            accent: ws.workspace.accent_colour.clone(),
            unread: ws.unread,
            ..Chrome::plain(&ws.me)
        }
    }

    /// Shows a confirmation (`?done=<id>` after a redirect) when the id is one we know.
    pub fn with_flash(mut self, done: Option<&str>) -> Chrome {
        self.flash = done.filter(|d| d.chars().all(|c| c.is_ascii_lowercase() || c == '-')).map(|d| self.tr.t(&format!("done-{d}")));
        self
    }
}
