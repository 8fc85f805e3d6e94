//! Reading and acting on single statuses: thread context, replies from the inbox, deletion,
//! counters and search.

use super::Mastodon;
use super::client::{Session, classify, id_newer, read, send, string_field, transport, value_string};
use super::entities::{self, visibility_of};
use super::publishing::{NewStatus, post_status};
use crate::{AccountMetrics, NetworkError, PostMetrics, Published, RemotePost, ReplyRequest, SearchPage, Visibility};
use reqwest::StatusCode;
use serde_json::Value;

/// Search results per page (the API's default).
const SEARCH_PAGE: usize = 20;

impl Mastodon {
    /// `GET /api/v1/statuses/:id/context`: the ancestors come root first.
    pub(super) async fn thread_above(&self, session: &Session<'_>, id: &str) -> Result<Vec<RemotePost>, NetworkError> {
        let context = send(session.get(&format!("/api/v1/statuses/{}/context", path_id(id)?))).await?;
        Ok(context["ancestors"].as_array().into_iter().flatten().map(entities::remote_post).collect())
    }

    /// Replies as a Mastodon client does: the parent's author is mentioned (or they would not be
    /// told), and the reply is never more public than the status it answers (a direct message
    /// gets a direct answer). The `Idempotency-Key` makes a repeated call within the server's
    /// window (one hour on Mastodon) answer the status made the first time.
    pub(super) async fn reply_to(&self, session: &Session<'_>, request: &ReplyRequest) -> Result<Published, NetworkError> {
        let parent = send(session.get(&format!("/api/v1/statuses/{}", path_id(&request.parent_remote_id)?))).await?;
        let me = string_field(&send(session.get("/api/v1/accounts/verify_credentials")).await?, "id")?;
        let mut text = request.text.clone();
        if let Some(acct) = parent["account"]["acct"].as_str().filter(|_| value_string(&parent["account"]["id"]).is_some_and(|id| id != me))
        {
            let mention = format!("@{acct}");
            if !text.split_whitespace().any(|w| w.trim_end_matches([',', ':', '.', '!', '?']).eq_ignore_ascii_case(&mention)) {
                text = format!("{mention} {text}");
            }
        }
        let visibility = match parent["visibility"].as_str().and_then(visibility_of) {
            Some(v @ (Visibility::Direct | Visibility::Followers | Visibility::Unlisted)) => v,
            _ => Visibility::Public,
        };
        let reply = NewStatus {
            text: &text,
            in_reply_to: Some(&request.parent_remote_id),
            media_ids: &[],
            content_warning: None,
            visibility: Some(visibility),
        };
        let status = post_status(session, &request.idempotency_key, &reply).await?;
        Ok(entities::published(&status))
    }

    /// `DELETE /api/v1/statuses/:id`, after the account's own replies chained under it (the
    /// parts of a thread and the first comment Relais posted with it); a status already gone is
    /// not an error.
    pub(super) async fn delete_unit(&self, session: &Session<'_>, id: &str) -> Result<(), NetworkError> {
        let id = path_id(id)?;
        let status = match session.get(&format!("/api/v1/statuses/{id}")).send().await.map_err(transport)? {
            r if r.status() == StatusCode::NOT_FOUND => return Ok(()),
            r => read(r).await?,
        };
        let context = send(session.get(&format!("/api/v1/statuses/{id}/context"))).await?;
        let author = value_string(&status["account"]["id"]);
        let parts = own_chain(id, author.as_deref(), context["descendants"].as_array().map(Vec::as_slice).unwrap_or_default());
        // Last part first, the status itself last: an interrupted deletion can be run again.
        for part in parts.iter().rev().map(String::as_str).chain([id]) {
            let response = session.delete(&format!("/api/v1/statuses/{part}")).send().await.map_err(transport)?;
            let status = response.status();
            if !status.is_success() && status != StatusCode::NOT_FOUND {
                let body = response.text().await.unwrap_or_default();
                return Err(classify(status, 60_000, &body));
            }
        }
        Ok(())
    }

    /// `GET /api/v1/statuses/:id` for each; those the server no longer has are left out.
    pub(super) async fn counters(&self, session: &Session<'_>, ids: &[String]) -> Result<Vec<PostMetrics>, NetworkError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let response = session.get(&format!("/api/v1/statuses/{}", path_id(id)?)).send().await.map_err(transport)?;
            if response.status() == StatusCode::NOT_FOUND {
                continue;
            }
            out.push(entities::metrics(&read(response).await?));
        }
        Ok(out)
    }

    pub(super) async fn account_counters(&self, session: &Session<'_>) -> Result<AccountMetrics, NetworkError> {
        let me = send(session.get("/api/v1/accounts/verify_credentials")).await?;
        let count = |field: &str| me[field].as_i64().unwrap_or(0);
        Ok(AccountMetrics { followers: count("followers_count"), following: count("following_count"), posts: count("statuses_count") })
    }

    /// `GET /api/v2/search?type=statuses`, older pages through `max_id` (the cursor is the last
    /// id of the page before). Without full-text search on the instance, Mastodon only finds
    /// statuses the account wrote, favourited, bookmarked or was mentioned in.
    pub(super) async fn search_statuses(
        &self,
        session: &Session<'_>,
        query: &str,
        cursor: Option<&str>,
    ) -> Result<SearchPage, NetworkError> {
        let mut params = vec![("q", query.to_string()), ("type", "statuses".into()), ("resolve", "false".into())];
        params.push(("limit", SEARCH_PAGE.to_string()));
        if let Some(max_id) = cursor {
            params.push(("max_id", max_id.to_string()));
        }
        let answer = send(session.get("/api/v2/search").query(&params)).await?;
        let statuses = answer["statuses"].as_array().cloned().unwrap_or_default();
        let full = statuses.len() >= SEARCH_PAGE;
        // A server that ignores max_id would give the first page again: keep only older ones.
        let posts: Vec<RemotePost> = statuses
            .iter()
            .filter(|s| cursor.is_none_or(|c| value_string(&s["id"]).is_some_and(|id| id_newer(c, &id))))
            .map(entities::remote_post)
            .collect();
        let cursor = if full && !posts.is_empty() { posts.last().map(|p| p.remote_id.clone()) } else { None };
        Ok(SearchPage { posts, cursor })
    }
}

/// The account's own statuses that hang from `root` through its own replies only, in thread
/// order: the rest of a unit Relais published (a status of someone else breaks the chain).
fn own_chain(root: &str, author: Option<&str>, descendants: &[Value]) -> Vec<String> {
    let Some(author) = author else { return vec![] };
    let mut chain = vec![root.to_string()];
    for status in descendants {
        let (Some(id), Some(parent)) = (value_string(&status["id"]), value_string(&status["in_reply_to_id"])) else { continue };
        if value_string(&status["account"]["id"]).as_deref() == Some(author) && chain.contains(&parent) {
            chain.push(id);
        }
    }
    chain.split_off(1)
}

/// A status id fit for a path: Mastodon's are digits, and nothing else may reach the URL.
fn path_id(id: &str) -> Result<&str, NetworkError> {
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(NetworkError::Permanent(format!("mastodon: “{id}” is not a status id")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_unit_under_a_status_is_its_authors_chain() {
        let s = |id: &str, parent: &str, author: &str| json!({ "id": id, "in_reply_to_id": parent, "account": { "id": author } });
        // 1 (brand) ← 2 (brand) ← 3 (brand); 4 (fan) replies to 2, 5 (brand) answers the fan.
        let descendants = [s("2", "1", "b"), s("4", "2", "f"), s("3", "2", "b"), s("5", "4", "b")];
        assert_eq!(own_chain("1", Some("b"), &descendants), ["2", "3"]);
        assert!(own_chain("1", None, &descendants).is_empty());
    }

    #[test]
    fn only_ids_reach_a_path() {
        assert!(path_id("110435").is_ok());
        assert!(path_id("../admin").is_err());
        assert!(path_id("").is_err());
    }
}
