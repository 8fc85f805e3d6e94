//! Mastodon's JSON entities (Status, Account, Notification, as the API documentation describes
//! them) mapped onto Relais's types. Pure functions, tested on documented shapes.

use super::client::value_string;
use crate::{Activity, ActivityKind, PostMetrics, Published, RemoteAuthor, RemotePost, Visibility};
use serde_json::Value;

/// Mastodon's word for a [`Visibility`] (`private` is "followers only").
pub fn visibility_key(visibility: Visibility) -> &'static str {
    match visibility {
        Visibility::Public => "public",
        Visibility::Unlisted => "unlisted",
        Visibility::Followers => "private",
        Visibility::Direct => "direct",
    }
}

pub fn visibility_of(key: &str) -> Option<Visibility> {
    match key {
        "public" => Some(Visibility::Public),
        "unlisted" => Some(Visibility::Unlisted),
        "private" => Some(Visibility::Followers),
        "direct" => Some(Visibility::Direct),
        _ => None,
    }
}

/// The plain text of a status's HTML (`content`): paragraphs and line breaks kept, entities
/// decoded, links as their full address (Mastodon hides parts of long links in
/// `<span class="invisible">`, which text keeps).
pub fn html_text(html: &str) -> String {
    let text = html2text::config::with_decorator(html2text::render::TrivialDecorator::new())
        .link_footnotes(false)
        .no_link_wrapping()
        .allow_width_overflow()
        .string_from_read(html.as_bytes(), 100_000)
        .unwrap_or_else(|_| html.to_string());
    text.lines().map(str::trim_end).collect::<Vec<_>>().join("\n").trim().to_string()
}

/// A status's words: the content warning, when there is one, stays in front of the text so no
/// reader sees the text without it.
pub fn status_text(status: &Value) -> String {
    let body = html_text(status["content"].as_str().unwrap_or_default());
    match status["spoiler_text"].as_str().map(str::trim).filter(|s| !s.is_empty()) {
        Some(warning) => format!("[{warning}]\n\n{body}"),
        None => body,
    }
}

pub fn author(account: &Value) -> RemoteAuthor {
    RemoteAuthor {
        remote_id: value_string(&account["id"]).unwrap_or_default(),
        handle: account["acct"].as_str().or(account["username"].as_str()).unwrap_or_default().to_string(),
        display_name: account["display_name"].as_str().filter(|n| !n.is_empty()).map(str::to_string),
        avatar_url: account["avatar"].as_str().filter(|a| !a.is_empty()).map(str::to_string),
    }
}

pub fn created_at_ms(value: &Value) -> i64 {
    value.as_str().and_then(|t| t.parse::<jiff::Timestamp>().ok()).map(|t| t.as_millisecond()).unwrap_or_default()
}

fn url_of(status: &Value) -> Option<String> {
    status["url"].as_str().or(status["uri"].as_str()).map(str::to_string)
}

fn language_of(status: &Value) -> Option<String> {
    status["language"].as_str().filter(|l| !l.is_empty()).map(str::to_string)
}

pub fn metrics(status: &Value) -> PostMetrics {
    let count = |field: &str| status[field].as_i64().unwrap_or(0);
    PostMetrics {
        remote_id: value_string(&status["id"]).unwrap_or_default(),
        likes: count("favourites_count"),
        replies: count("replies_count"),
        reposts: count("reblogs_count"),
        // Mastodon 4.5 and later; older servers have no quotes.
        quotes: count("quotes_count"),
        // Mastodon shows none of these: unknown, not zero.
        impressions: None,
        reach: None,
        link_clicks: None,
    }
}

pub fn remote_post(status: &Value) -> RemotePost {
    RemotePost {
        remote_id: value_string(&status["id"]).unwrap_or_default(),
        url: url_of(status),
        author: author(&status["account"]),
        text: status_text(status),
        created_at_ms: created_at_ms(&status["created_at"]),
        language: language_of(status),
        parent_remote_id: value_string(&status["in_reply_to_id"]),
        metrics: Some(metrics(status)),
    }
}

pub fn published(status: &Value) -> Published {
    Published { remote_id: value_string(&status["id"]).unwrap_or_default(), url: status["url"].as_str().map(str::to_string) }
}

/// The status a quote quotes: Mastodon 4.5's `quote` is a Quote (`quoted_status`) or, nested
/// deeper, a ShallowQuote (`quoted_status_id`).
fn quoted_id(status: &Value) -> Option<String> {
    let quote = &status["quote"];
    value_string(&quote["quoted_status"]["id"]).or_else(|| value_string(&quote["quoted_status_id"]))
}

/// One notification of the account `me` as community activity; `None` for the kinds Relais does
/// not take in (polls ended, edits, follow requests, moderation notices, …).
///
/// Ids: a message (mention, reply, quote, direct message) is its status id, so the same status
/// reached twice (a notification and the stream, say) is one message; a like, a boost or a
/// follow has no status of its own and is `notification:<id>`.
pub fn activity(notification: &Value, me: &str) -> Option<Activity> {
    let kind = notification["type"].as_str()?;
    let status = &notification["status"];
    let who = author(&notification["account"]);
    let at = created_at_ms(&notification["created_at"]);
    let notification_id = value_string(&notification["id"])?;
    let plain = |kind: ActivityKind, subject: Option<String>| Activity {
        remote_id: format!("notification:{notification_id}"),
        kind,
        author: who.clone(),
        text: String::new(),
        created_at_ms: at,
        url: url_of(status),
        subject_remote_id: subject,
        parent_remote_id: None,
        root_remote_id: None,
        language: None,
    };
    match kind {
        "favourite" => Some(plain(ActivityKind::Like, value_string(&status["id"]))),
        "reblog" => Some(plain(ActivityKind::Repost, value_string(&status["id"]))),
        "follow" => {
            Some(Activity { url: notification["account"]["url"].as_str().map(str::to_string), ..plain(ActivityKind::Follow, None) })
        }
        "mention" | "quote" if status.is_object() => {
            let parent = value_string(&status["in_reply_to_id"]);
            let replies_to_me = value_string(&status["in_reply_to_account_id"]).is_some_and(|a| a == me);
            let (kind, subject) = if status["visibility"] == "direct" {
                (ActivityKind::DirectMessage, parent.clone().filter(|_| replies_to_me))
            } else if kind == "quote" {
                (ActivityKind::Quote, quoted_id(status))
            } else if parent.is_some() {
                (ActivityKind::Reply, parent.clone().filter(|_| replies_to_me))
            } else {
                (ActivityKind::Mention, None)
            };
            Some(Activity {
                remote_id: value_string(&status["id"])?,
                kind,
                author: author(&status["account"]),
                text: status_text(status),
                created_at_ms: created_at_ms(&status["created_at"]),
                url: url_of(status),
                subject_remote_id: subject,
                parent_remote_id: parent,
                root_remote_id: None,
                language: language_of(status),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An Account as the API documentation shows it (trimmed to what Relais reads).
    fn account(id: &str, acct: &str) -> Value {
        json!({
            "id": id, "username": acct.split('@').next().unwrap(), "acct": acct, "display_name": "Fan de la marque",
            "url": format!("https://mastodon.example/@{acct}"), "avatar": "https://files.mastodon.example/avatars/1.png",
            "followers_count": 3, "following_count": 5, "statuses_count": 7
        })
    }

    fn status(id: &str, in_reply_to: Option<(&str, &str)>, visibility: &str, content: &str) -> Value {
        json!({
            "id": id, "created_at": "2026-03-01T10:15:00.000Z", "in_reply_to_id": in_reply_to.map(|r| r.0),
            "in_reply_to_account_id": in_reply_to.map(|r| r.1), "sensitive": false, "spoiler_text": "",
            "visibility": visibility, "language": "fr", "uri": format!("https://mastodon.example/users/fan/statuses/{id}"),
            "url": format!("https://mastodon.example/@fan/{id}"), "replies_count": 2, "reblogs_count": 1, "favourites_count": 4,
            "content": content, "account": account("200", "fan@autre.example"), "reblog": null, "media_attachments": [],
            "mentions": [], "tags": [], "emojis": [], "card": null, "poll": null
        })
    }

    fn notification(id: &str, kind: &str, status: Value) -> Value {
        json!({ "id": id, "type": kind, "created_at": "2026-03-01T10:16:00.000Z", "account": account("200", "fan@autre.example"), "status": status })
    }

    #[test]
    fn html_becomes_text() {
        assert_eq!(html_text("<p>Un &amp; deux<br>trois</p><p>quatre</p>"), "Un & deux\ntrois\n\nquatre");
        // A long link as Mastodon writes it: the hidden parts are part of the address.
        let link = r#"<p>Voir <a href="https://exemple.fr/un/long/chemin" rel="nofollow noopener" target="_blank"><span class="invisible">https://</span><span class="ellipsis">exemple.fr/un/long</span><span class="invisible">/chemin</span></a></p>"#;
        assert_eq!(html_text(link), "Voir https://exemple.fr/un/long/chemin");
        let mention = r#"<p><span class="h-card"><a href="https://m.example/@marque" class="u-url mention">@<span>marque</span></a></span> merci&nbsp;!</p>"#;
        assert_eq!(html_text(mention), "@marque merci\u{a0}!");
    }

    #[test]
    fn notifications_become_activity_of_the_right_kind() {
        let me = "100";
        let reply = activity(&notification("9", "mention", status("51", Some(("50", "100")), "public", "<p>Bravo</p>")), me).unwrap();
        assert_eq!(reply.kind, ActivityKind::Reply);
        assert_eq!(reply.remote_id, "51");
        assert_eq!(reply.subject_remote_id.as_deref(), Some("50"));
        assert_eq!(reply.parent_remote_id.as_deref(), Some("50"));
        assert_eq!(reply.text, "Bravo");
        assert_eq!(reply.language.as_deref(), Some("fr"));
        assert_eq!(reply.author.handle, "fan@autre.example");
        assert_eq!(reply.url.as_deref(), Some("https://mastodon.example/@fan/51"));
        assert_eq!(reply.created_at_ms, "2026-03-01T10:15:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond());

        // A reply in the thread to someone else's status: a reply, about none of ours.
        let aside = activity(&notification("10", "mention", status("52", Some(("51", "300")), "public", "<p>+1</p>")), me).unwrap();
        assert_eq!((aside.kind, aside.subject_remote_id), (ActivityKind::Reply, None));

        let mention = activity(&notification("11", "mention", status("53", None, "unlisted", "<p>@marque</p>")), me).unwrap();
        assert_eq!(mention.kind, ActivityKind::Mention);
        let dm = activity(&notification("12", "mention", status("54", None, "direct", "<p>psst</p>")), me).unwrap();
        assert_eq!(dm.kind, ActivityKind::DirectMessage);

        let mut quoting = status("55", None, "public", "<p>Lisez ça</p>");
        quoting["quote"] = json!({ "state": "accepted", "quoted_status": status("50", None, "public", "<p>Le nôtre</p>") });
        let quote = activity(&notification("13", "quote", quoting), me).unwrap();
        assert_eq!((quote.kind, quote.subject_remote_id.as_deref(), quote.remote_id.as_str()), (ActivityKind::Quote, Some("50"), "55"));

        let like = activity(&notification("14", "favourite", status("50", None, "public", "<p>Le nôtre</p>")), me).unwrap();
        assert_eq!(
            (like.kind, like.remote_id.as_str(), like.subject_remote_id.as_deref()),
            (ActivityKind::Like, "notification:14", Some("50"))
        );
        assert_eq!(like.text, "");
        assert_eq!(like.created_at_ms, "2026-03-01T10:16:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond());
        let boost = activity(&notification("15", "reblog", status("50", None, "public", "")), me).unwrap();
        assert_eq!((boost.kind, boost.remote_id.as_str()), (ActivityKind::Repost, "notification:15"));
        let follow = activity(&notification("16", "follow", Value::Null), me).unwrap();
        assert_eq!((follow.kind, follow.subject_remote_id), (ActivityKind::Follow, None));

        assert_eq!(activity(&notification("17", "poll", status("56", None, "public", "")), me), None);
        assert_eq!(activity(&notification("18", "follow_request", Value::Null), me), None);
    }

    #[test]
    fn a_content_warning_stays_in_front_of_the_text() {
        let mut s = status("60", None, "public", "<p>La fin du film</p>");
        s["spoiler_text"] = "Divulgâchage".into();
        assert_eq!(status_text(&s), "[Divulgâchage]\n\nLa fin du film");
    }

    #[test]
    fn statuses_become_posts_with_their_counters() {
        let mut s = status("61", Some(("60", "100")), "public", "<p>Bonjour</p>");
        s["quotes_count"] = 3.into();
        let post = remote_post(&s);
        assert_eq!(post.parent_remote_id.as_deref(), Some("60"));
        assert_eq!(
            post.metrics,
            Some(PostMetrics {
                remote_id: "61".into(),
                likes: 4,
                replies: 2,
                reposts: 1,
                quotes: 3,
                impressions: None,
                reach: None,
                link_clicks: None
            })
        );
        assert_eq!(metrics(&status("62", None, "public", "")).quotes, 0, "servers before 4.5 have no quotes_count");
        assert_eq!(post.author.display_name.as_deref(), Some("Fan de la marque"));
    }

    #[test]
    fn visibilities_use_mastodons_words() {
        for v in Visibility::ALL {
            assert_eq!(visibility_of(visibility_key(v)), Some(v));
        }
        assert_eq!(visibility_key(Visibility::Followers), "private");
    }
}
