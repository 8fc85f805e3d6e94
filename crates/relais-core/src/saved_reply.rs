//! Saved replies: the team's prepared answers, with variables filled from the message being
//! answered. `{author_name}` becomes "Camille", `{lien:faq}` the URL the team saved as "faq".
//!
//! A template is checked when it is saved ([`check`]: every variable must be one Relais knows or
//! a link the workspace defines) and rendered for one message ([`render`]). `{{` and `}}` write
//! a literal brace.

use std::collections::BTreeMap;

/// The variables a saved reply may use, besides the workspace's named links.
pub const VARIABLES: [&str; 6] = ["author_name", "author_handle", "account", "network", "link", "post_link"];

/// The longest title and body, in characters.
pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_BODY_CHARS: usize = 5000;
pub const MAX_SHORTCUT_CHARS: usize = 30;

/// What a template is filled with: the message's facts and the workspace's saved links.
#[derive(Debug, Clone)]
pub struct ReplyContext<'a> {
    pub author_name: Option<&'a str>,
    pub author_handle: &'a str,
    /// Our account's handle.
    pub account: &'a str,
    /// The network's name as shown ("Bluesky").
    pub network: &'a str,
    /// The message's own URL.
    pub link: Option<&'a str>,
    /// Our post's URL when the conversation is about one of our posts.
    pub post_link: Option<&'a str>,
    /// The workspace's named links (name → URL).
    pub links: &'a BTreeMap<String, String>,
}

/// Why a template cannot be saved or rendered. Positions count characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown variable {{{name}}} at character {position}; known: {known}")]
    UnknownVariable { name: String, position: usize, known: String },
    #[error("no saved link named {name:?} (used at character {position}); add it to the workspace's links first")]
    UnknownLink { name: String, position: usize },
    #[error("the brace at character {position} is not closed; write {{{{ for a literal brace")]
    Unclosed { position: usize },
    #[error("the closing brace at character {position} has no opening one; write }}}} for a literal brace")]
    StrayClose { position: usize },
    #[error("{{{name}}} at character {position} has no value for this message ({why})")]
    Unavailable { name: String, position: usize, why: &'static str },
}

/// One piece of a template.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'t> {
    Text(String),
    /// A variable's name and the position (from 1) of its opening brace.
    Var(&'t str, usize),
}

fn pieces(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut out = vec![];
    let mut text = String::new();
    let mut chars = template.char_indices().enumerate().peekable();
    while let Some((n, (byte, c))) = chars.next() {
        match c {
            '{' if chars.peek().is_some_and(|(_, (_, c))| *c == '{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek().is_some_and(|(_, (_, c))| *c == '}') => {
                chars.next();
                text.push('}');
            }
            '}' => return Err(TemplateError::StrayClose { position: n + 1 }),
            '{' => {
                let rest = &template[byte + 1..];
                let Some(end) = rest.find('}') else { return Err(TemplateError::Unclosed { position: n + 1 }) };
                let name = &rest[..end];
                if name.contains('{') {
                    return Err(TemplateError::Unclosed { position: n + 1 });
                }
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Var(name, n + 1));
                // Skip the name and the closing brace.
                for _ in 0..name.chars().count() + 1 {
                    chars.next();
                }
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}

/// The link a `{lien:name}` / `{link:name}` variable names, if it is one.
fn link_name(var: &str) -> Option<&str> {
    var.strip_prefix("lien:").or_else(|| var.strip_prefix("link:")).map(str::trim)
}

/// Checks that every variable of `template` is known, given the workspace's link names.
pub fn check<'n>(template: &str, link_names: impl IntoIterator<Item = &'n str> + Clone) -> Result<(), TemplateError> {
    for piece in pieces(template)? {
        if let Piece::Var(name, position) = piece {
            if let Some(link) = link_name(name) {
                if !link_names.clone().into_iter().any(|n| n == link) {
                    return Err(TemplateError::UnknownLink { name: link.to_string(), position });
                }
            } else if !VARIABLES.contains(&name.trim()) {
                return Err(unknown(name, position));
            }
        }
    }
    Ok(())
}

fn unknown(name: &str, position: usize) -> TemplateError {
    TemplateError::UnknownVariable { name: name.to_string(), position, known: format!("{}, lien:<name>", VARIABLES.join(", ")) }
}

/// The template filled for one message.
pub fn render(template: &str, ctx: &ReplyContext<'_>) -> Result<String, TemplateError> {
    let mut out = String::new();
    for piece in pieces(template)? {
        match piece {
            Piece::Text(t) => out.push_str(&t),
            Piece::Var(name, position) => {
                let unavailable = |why| TemplateError::Unavailable { name: name.to_string(), position, why };
                let value = if let Some(link) = link_name(name) {
                    ctx.links.get(link).map(String::as_str).ok_or(TemplateError::UnknownLink { name: link.to_string(), position })?
                } else {
                    match name.trim() {
                        // A display name is optional on every network: the handle stands in.
                        "author_name" => ctx.author_name.filter(|n| !n.trim().is_empty()).unwrap_or(ctx.author_handle),
                        "author_handle" => ctx.author_handle,
                        "account" => ctx.account,
                        "network" => ctx.network,
                        "link" => ctx.link.ok_or_else(|| unavailable("the network gave no link to the message"))?,
                        "post_link" => {
                            ctx.post_link.ok_or_else(|| unavailable("the conversation is not about a published post of ours"))?
                        }
                        _ => return Err(unknown(name, position)),
                    }
                };
                out.push_str(value);
            }
        }
    }
    Ok(out)
}

/// A shortcut as stored: trimmed, lower case, letters, digits, `-` and `_` (typed after `/`).
pub fn normalize_shortcut(raw: &str) -> Result<Option<String>, String> {
    let s = raw.trim().trim_start_matches('/').to_lowercase();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > MAX_SHORTCUT_CHARS {
        return Err(format!("a shortcut has at most {MAX_SHORTCUT_CHARS} characters"));
    }
    if let Some(c) = s.chars().find(|c| !(c.is_alphanumeric() || *c == '-' || *c == '_')) {
        return Err(format!("a shortcut is letters, digits, - and _; {c:?} is not allowed"));
    }
    Ok(Some(s))
}

/// A link name as stored (what follows `lien:`): the same rules as a shortcut, and required.
pub fn normalize_link_name(raw: &str) -> Result<String, String> {
    normalize_shortcut(raw)?.ok_or_else(|| "a link needs a name".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> BTreeMap<String, String> {
        BTreeMap::from([("faq".to_string(), "https://example.org/faq".to_string())])
    }

    fn ctx(links: &BTreeMap<String, String>) -> ReplyContext<'_> {
        ReplyContext {
            author_name: Some("Camille"),
            author_handle: "camille.example",
            account: "brand.example",
            network: "Bluesky",
            link: Some("https://bsky.app/profile/camille.example/post/1"),
            post_link: None,
            links,
        }
    }

    #[test]
    fn fills_the_message_facts_and_named_links() {
        let l = links();
        let out = render("Bonjour {author_name} (@{author_handle}), voir {lien:faq} ou {link:faq} — {account} sur {network}", &ctx(&l));
        assert_eq!(
            out.unwrap(),
            "Bonjour Camille (@camille.example), voir https://example.org/faq ou https://example.org/faq — brand.example sur Bluesky"
        );
    }

    #[test]
    fn the_handle_stands_in_for_a_missing_or_blank_name() {
        let l = links();
        for name in [None, Some("  ")] {
            let c = ReplyContext { author_name: name, ..ctx(&l) };
            assert_eq!(render("Merci {author_name} !", &c).unwrap(), "Merci camille.example !");
        }
    }

    #[test]
    fn an_unknown_variable_is_named_with_its_position() {
        let err = check("Bonjour {autor_name}", ["faq"]).unwrap_err();
        assert!(matches!(&err, TemplateError::UnknownVariable { name, position: 9, .. } if name == "autor_name"), "{err:?}");
        assert!(err.to_string().contains("{autor_name} at character 9"), "{err}");
        // Characters, not bytes: the accented letters before count once each.
        let err = check("Éé {x}", ["faq"]).unwrap_err();
        assert!(matches!(err, TemplateError::UnknownVariable { position: 4, .. }), "{err:?}");
    }

    #[test]
    fn a_link_the_workspace_lacks_is_refused() {
        assert_eq!(check("{lien:faq} {lien:tarifs}", ["faq"]), Err(TemplateError::UnknownLink { name: "tarifs".into(), position: 12 }));
        assert_eq!(check("{lien:faq} {link:faq}", ["faq"]), Ok(()));
    }

    #[test]
    fn braces_must_pair_and_can_be_escaped() {
        assert_eq!(check("a {author_name", ["faq"]), Err(TemplateError::Unclosed { position: 3 }));
        assert_eq!(check("a } b", ["faq"]), Err(TemplateError::StrayClose { position: 3 }));
        let l = links();
        assert_eq!(render("{{author_name}} = {author_name}", &ctx(&l)).unwrap(), "{author_name} = Camille");
    }

    #[test]
    fn a_post_link_without_a_post_says_why() {
        let l = links();
        let err = render("Voir {post_link}", &ctx(&l)).unwrap_err();
        assert!(matches!(err, TemplateError::Unavailable { ref name, position: 6, .. } if name == "post_link"), "{err:?}");
        let c = ReplyContext { post_link: Some("https://x/p/1"), ..ctx(&l) };
        assert_eq!(render("Voir {post_link}", &c).unwrap(), "Voir https://x/p/1");
    }

    #[test]
    fn shortcuts_and_link_names_are_normalized() {
        assert_eq!(normalize_shortcut(" /Merci "), Ok(Some("merci".into())));
        assert_eq!(normalize_shortcut(""), Ok(None));
        assert!(normalize_shortcut("a b").is_err());
        assert!(normalize_link_name("").is_err());
        assert_eq!(normalize_link_name("FAQ"), Ok("faq".into()));
    }
}
