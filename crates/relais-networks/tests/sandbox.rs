//! The sandbox simulator's community (on SQLite and PostgreSQL): activity arrives as its clock
//! moves, with stable ids and markers; context, replies, deletion, metrics and search read and
//! write the same simulated world.

use relais_networks::sandbox::{Clock, EXPIRED_CREDENTIALS, Sandbox, SandboxConfig};
use relais_networks::{AccountRef, ActivityKind, Network, NetworkError, ReplyRequest};
use relais_store::{Store, both_backends};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

const DAY: i64 = 86_400_000;

/// A sandbox whose clock is `offset` ahead of the wall clock.
fn sandbox(store: &Store) -> (Sandbox, Arc<AtomicI64>) {
    let offset = Arc::new(AtomicI64::new(0));
    let o = offset.clone();
    let clock: Clock = Arc::new(move || relais_core::now_ms() + o.load(Ordering::SeqCst));
    let config = SandboxConfig { latency: Duration::ZERO, ..SandboxConfig::default() };
    (Sandbox::new(store.clone(), config).with_clock(clock), offset)
}

fn account(id: &str) -> AccountRef {
    AccountRef { id: id.into(), handle: "@banque".into(), credentials: "tok".into() }
}

both_backends!(activity_arrives_as_the_clock_moves_and_a_marker_resumes_after_it, |store: Store| async move {
    let (net, offset) = sandbox(&store);
    assert!(net.capabilities().inbox && net.capabilities().metrics && net.capabilities().search && net.capabilities().delete);
    let acc = account("acc-1");
    let post = store.sandbox_create_post("acc-1", "k1", "Le prêt Artisan est là").await.unwrap();
    let first = net.fetch_activity(&acc, None).await.unwrap();
    assert!(first.items.is_empty(), "nobody reacts in the first second: {:?}", first.items);
    assert_eq!(first.next_since, None);

    offset.store(DAY / 16, Ordering::SeqCst);
    let page = net.fetch_activity(&acc, None).await.unwrap();
    assert!(!page.items.is_empty(), "the first reaction comes within minutes");
    assert!(page.items.windows(2).all(|w| w[0].created_at_ms <= w[1].created_at_ms), "oldest first");
    assert!(page.items.iter().all(|a| a.remote_id.starts_with(&format!("sbx-{post}-"))));
    // Fetching again from the start gives the same items with the same ids.
    let again = net.fetch_activity(&acc, None).await.unwrap();
    assert_eq!(again.items, page.items);
    let marker = page.next_since.clone().unwrap();
    let nothing_new = net.fetch_activity(&acc, Some(&marker)).await.unwrap();
    assert!(nothing_new.items.is_empty());

    offset.store(10 * DAY, Ordering::SeqCst);
    let later = net.fetch_activity(&acc, Some(&marker)).await.unwrap();
    assert!(!later.items.is_empty(), "the audience kept reacting over the following days");
    let total = net.fetch_activity(&acc, None).await.unwrap().items.len();
    assert_eq!(page.items.len() + later.items.len(), total, "the marker resumes exactly after the last item");
    for a in later.items.iter().filter(|a| a.kind.is_message()) {
        assert!(!a.text.is_empty());
        assert!(a.url.as_deref().unwrap().starts_with("sandbox://"));
    }
    // Another account's audience is its own.
    assert!(net.fetch_activity(&account("acc-2"), None).await.unwrap().items.is_empty());
    let expired = AccountRef { credentials: EXPIRED_CREDENTIALS.into(), ..acc.clone() };
    assert!(matches!(net.fetch_activity(&expired, None).await, Err(NetworkError::AuthExpired(_))));
    assert!(matches!(net.fetch_activity(&acc, Some("garbage")).await, Err(NetworkError::Permanent(_))));
});

both_backends!(context_walks_up_to_the_post_and_replies_are_stored_once_per_key, |store: Store| async move {
    let (net, offset) = sandbox(&store);
    let acc = account("acc-1");
    // Enough posts that some thread has a reply under another member's aside.
    for n in 0..12 {
        store.sandbox_create_post("acc-1", &format!("k{n}"), &format!("Publication {n}")).await.unwrap();
    }
    offset.store(4 * DAY, Ordering::SeqCst);
    let items = net.fetch_activity(&acc, None).await.unwrap().items;
    let under_aside = items
        .iter()
        .find(|a| a.kind == ActivityKind::Reply && a.parent_remote_id != a.root_remote_id && a.remote_id.ends_with("-b"))
        .unwrap_or_else(|| {
            panic!(
                "a reply to an aside: {:?}",
                items.iter().map(|a| (a.kind, a.remote_id.clone(), a.parent_remote_id.clone())).collect::<Vec<_>>()
            )
        });
    assert!(!items.iter().any(|a| Some(&a.remote_id) == under_aside.parent_remote_id.as_ref()), "the aside was not notified");
    let context = net.context(&acc, &under_aside.remote_id).await.unwrap();
    assert_eq!(context.len(), 2, "{context:?}");
    assert_eq!(Some(&context[0].remote_id), under_aside.root_remote_id.as_ref());
    assert_eq!(context[0].author.handle, "@banque");
    assert_eq!(Some(&context[1].remote_id), under_aside.parent_remote_id.as_ref());
    assert_ne!(context[1].author.handle, "@banque");

    let request =
        ReplyRequest { parent_remote_id: under_aside.remote_id.clone(), text: "Bonjour, oui !".into(), idempotency_key: "reply-1".into() };
    assert_eq!(net.find_published(&acc, "reply-1").await.unwrap(), None);
    let sent = net.reply(&acc, &request).await.unwrap();
    assert_eq!(net.find_published(&acc, "reply-1").await.unwrap().map(|p| p.remote_id), Some(sent.remote_id.clone()));
    // Its author thanks the account a few minutes later, under the reply.
    let marker = net.fetch_activity(&acc, None).await.unwrap().next_since.unwrap();
    offset.store(4 * DAY + DAY / 24, Ordering::SeqCst);
    let thanks = net.fetch_activity(&acc, Some(&marker)).await.unwrap().items;
    assert_eq!(thanks.len(), 1, "{thanks:?}");
    assert_eq!((thanks[0].kind, thanks[0].parent_remote_id.as_ref()), (ActivityKind::Reply, Some(&sent.remote_id)));
    assert_eq!(thanks[0].author.handle, under_aside.author.handle);
    assert_eq!(thanks[0].root_remote_id, under_aside.root_remote_id);
    let thread = net.context(&acc, &sent.remote_id).await.unwrap();
    assert_eq!(thread.last().map(|p| p.remote_id.clone()), Some(under_aside.remote_id.clone()));
    assert_eq!(thread.len(), 3);
    let gone = ReplyRequest { parent_remote_id: "nope".into(), ..request.clone() };
    assert!(matches!(net.reply(&acc, &gone).await, Err(NetworkError::Permanent(m)) if m.contains("nope")));
    let empty = ReplyRequest { text: "  ".into(), ..request.clone() };
    assert!(matches!(net.reply(&acc, &empty).await, Err(NetworkError::Permanent(_))));

    net.delete(&acc, &sent.remote_id).await.unwrap();
    assert_eq!(net.find_published(&acc, "reply-1").await.unwrap(), None);
    net.delete(&acc, &sent.remote_id).await.unwrap();
});

both_backends!(metrics_count_what_the_audience_did_and_search_reads_the_posts, |store: Store| async move {
    let (net, offset) = sandbox(&store);
    let acc = account("acc-1");
    let post = store.sandbox_create_post("acc-1", "k1", "Portes ouvertes à la brûlerie samedi").await.unwrap();
    let before = net.post_metrics(&acc, std::slice::from_ref(&post)).await.unwrap();
    // Nothing yet at release; the sandbox reports impressions, reach and clicks (zero so far).
    assert_eq!((before[0].likes, before[0].reposts, before[0].impressions, before[0].link_clicks), (0, 0, Some(0), Some(0)));

    offset.store(5 * DAY, Ordering::SeqCst);
    let items = net.fetch_activity(&acc, None).await.unwrap().items;
    assert!(items.len() >= 8, "{items:?}");
    let metrics = net.post_metrics(&acc, &[post.clone(), "gone".into()]).await.unwrap();
    assert_eq!(metrics.len(), 1, "posts the network does not have are left out");
    let count =
        |k: ActivityKind| items.iter().filter(|a| a.kind == k && a.subject_remote_id.as_deref() == Some(post.as_str())).count() as i64;
    // The named audience's reactions, plus the silent crowd's.
    assert!(metrics[0].likes > count(ActivityKind::Like), "{metrics:?}");
    assert!(metrics[0].reposts >= count(ActivityKind::Repost));
    assert!(metrics[0].quotes >= count(ActivityKind::Quote));
    let impressions = metrics[0].impressions.unwrap();
    assert!(impressions > metrics[0].likes && metrics[0].reach.unwrap() < impressions);
    assert_eq!(metrics[0].link_clicks, Some(0), "a post without a link");
    let replies = items.iter().filter(|a| a.kind == ActivityKind::Reply).count() as i64;
    assert!(metrics[0].replies >= replies, "asides count as replies too");
    let account_metrics = net.account_metrics(&acc).await.unwrap();
    let follows = items.iter().filter(|a| a.kind == ActivityKind::Follow).count() as i64;
    assert!(account_metrics.followers > follows + 500, "the crowd follows too: {account_metrics:?}");
    assert_eq!(account_metrics.posts, 1);
    assert!(account_metrics.following > 0);

    let found = net.search(&acc, "BRÛLERIE", None).await.unwrap();
    assert_eq!(found.posts.iter().map(|p| p.remote_id.as_str()).collect::<Vec<_>>(), [post.as_str()]);
    assert_eq!(found.cursor, None);
    assert!(net.search(&acc, "introuvable", None).await.unwrap().posts.is_empty());
    assert!(matches!(net.search(&acc, " ", None).await, Err(NetworkError::Permanent(_))));
});
