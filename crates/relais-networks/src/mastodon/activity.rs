//! The account's community activity, read from its notifications (`GET /api/v1/notifications`).
//!
//! The marker is the newest notification id seen. With a marker, pages are asked with `min_id`
//! (the notifications immediately newer than it) and followed towards newer ones through the
//! `Link` header's `rel="prev"`, a bounded number of pages per call; what is left is fetched
//! next time from the marker, so nothing is skipped.

use super::Mastodon;
use super::client::{Session, id_newer, link_param, send, send_with_headers, string_field, value_string};
use super::entities;
use crate::{ActivityPage, NetworkError};
use serde_json::Value;

/// The API's largest page of notifications.
const PAGE: usize = 40;
/// Pages read per call; the rest waits for the next call.
const MAX_PAGES: usize = 10;

impl Mastodon {
    pub(super) async fn activity_since(&self, session: &Session<'_>, since: Option<&str>) -> Result<ActivityPage, NetworkError> {
        let me = string_field(&send(session.get("/api/v1/accounts/verify_credentials")).await?, "id")?;
        let mut notifications: Vec<Value> = Vec::new();
        match since {
            None => {
                let page = send(session.get("/api/v1/notifications").query(&[("limit", PAGE.to_string())])).await?;
                notifications.extend(page.as_array().cloned().unwrap_or_default());
            }
            Some(marker) => {
                let mut min_id = marker.to_string();
                for _ in 0..MAX_PAGES {
                    let request = session.get("/api/v1/notifications").query(&[("limit", PAGE.to_string()), ("min_id", min_id.clone())]);
                    let (page, headers) = send_with_headers(request).await?;
                    let items = page.as_array().cloned().unwrap_or_default();
                    // A server that ignores min_id would hand back older ones again: keep only the newer.
                    let fresh: Vec<Value> =
                        items.into_iter().filter(|n| value_string(&n["id"]).is_some_and(|id| id_newer(&id, marker))).collect();
                    let full = fresh.len() >= PAGE;
                    let newest = fresh.iter().filter_map(|n| value_string(&n["id"])).max_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
                    notifications.extend(fresh);
                    let next = link_param(&headers, "prev", "min_id").or(newest);
                    match next {
                        Some(next) if full && id_newer(&next, &min_id) => min_id = next,
                        _ => break,
                    }
                }
            }
        }
        Ok(page_of(notifications, &me))
    }
}

/// The activity of these notifications, oldest first, without repeats, and the newest id seen
/// as the next marker (kinds Relais skips move the marker too).
pub(super) fn page_of(mut notifications: Vec<Value>, me: &str) -> ActivityPage {
    notifications.sort_by(|a, b| {
        let (a, b) = (value_string(&a["id"]).unwrap_or_default(), value_string(&b["id"]).unwrap_or_default());
        (a.len(), a).cmp(&(b.len(), b))
    });
    notifications.dedup_by(|a, b| a["id"] == b["id"]);
    let next_since = notifications.last().and_then(|n| value_string(&n["id"]));
    let items = notifications.iter().filter_map(|n| entities::activity(n, me)).collect();
    ActivityPage { items, next_since }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_page_is_oldest_first_and_its_marker_the_newest_id() {
        let n = |id: &str, kind: &str| json!({ "id": id, "type": kind, "created_at": "2026-03-01T10:00:00Z", "account": { "id": "2", "acct": "fan" }, "status": { "id": "7" } });
        let page = page_of(vec![n("120", "favourite"), n("99", "reblog"), n("121", "poll"), n("99", "reblog")], "1");
        let ids: Vec<_> = page.items.iter().map(|a| a.remote_id.as_str()).collect();
        assert_eq!(ids, ["notification:99", "notification:120"]);
        assert_eq!(page.next_since.as_deref(), Some("121"), "a skipped kind still moves the marker");
        assert_eq!(page_of(vec![], "1"), ActivityPage::default());
    }
}
