//! Moderation's network actions against the sandbox simulator, on SQLite and PostgreSQL: a rule
//! fired at ingestion hides, deletes and answers through jobs, once; undoing a hide shows the
//! reply again; a network that does not offer hiding is logged as such.

use relais_core::moderation::{CompiledRule, Conditions, Rule, RuleAction};
use relais_core::secrets::{SecretBox, SecretKey};
use relais_core::{Locale, Name, TimeZoneName, now_ms};
use relais_jobs::{ActivitySync, NetworkModerator, ReplySender, SyncSettings, Worker, WorkerConfig};
use relais_networks::sandbox::{CAPABILITIES, Sandbox, SandboxConfig};
use relais_networks::{
    AccountCheck, AccountRef, ActivityPage, Capabilities, NetFuture, Network, PublishRequest, Published, Registry, ReplyRequest,
};
use relais_store::{Actor, AudienceEvent, InboxFilter, LogFilter, NewJob, SocialAccount, Store, Undone, both_backends};
use std::sync::Arc;
use std::time::Duration;

struct World {
    store: Store,
    secrets: SecretBox,
    workspace: String,
}

impl World {
    async fn new(store: Store) -> World {
        let org = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
        let ws = store
            .create_workspace(&org.id, &Name::parse("n", "Banque").unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
            .await
            .unwrap();
        World { store, secrets: SecretBox::new(&SecretKey::generate()), workspace: ws.id }
    }

    async fn account(&self) -> SocialAccount {
        let secrets = self.secrets.clone();
        self.store
            .create_social_account(&self.workspace, "sandbox", "@banque", "@banque", |id| {
                secrets.seal("tok", &SocialAccount::credentials_context(id))
            })
            .await
            .unwrap()
    }

    fn sandbox(&self) -> Sandbox {
        Sandbox::new(
            self.store.clone(),
            SandboxConfig { latency: Duration::from_millis(1), failure_rate: 0.0, rate_limit_per_minute: None },
        )
    }

    fn worker(&self, network: Arc<dyn Network>) -> Worker {
        let networks = Registry::default().with(network);
        let (store, secrets) = (self.store.clone(), self.secrets.clone());
        Worker::new(store.clone(), "w", WorkerConfig { batch: 16, lease_ms: 60_000, idle_poll: Duration::from_millis(10) })
            .register(Arc::new(ActivitySync {
                store: store.clone(),
                networks: networks.clone(),
                secrets: secrets.clone(),
                settings: SyncSettings::default(),
            }))
            .register(Arc::new(ReplySender { store: store.clone(), networks: networks.clone(), secrets: secrets.clone() }))
            .register(Arc::new(NetworkModerator { store, networks, secrets }))
    }

    /// Two audience replies the next sync will bring.
    async fn audience(&self, account: &SocialAccount) {
        let at = now_ms() - 60_000;
        let event = |id: &str, text: &str, n: i64| AudienceEvent {
            id: id.into(),
            account_id: account.id.clone(),
            kind: "reply".into(),
            author_handle: format!("@{id}"),
            author_name: id.into(),
            text: text.into(),
            language: Some("fr".into()),
            subject_id: None,
            parent_id: None,
            root_id: None,
            created_at: at + n,
        };
        self.store
            .sandbox_audience_record(&[event("spam-1", "Gagnez vite, ZORGLUB !", 0), event("rude-1", "Vous êtes des escrocs grobul", 1)])
            .await
            .unwrap();
    }

    async fn sync(&self, worker: &Worker, account: &SocialAccount) {
        let job = NewJob {
            kind: ActivitySync::KIND.into(),
            payload: serde_json::json!({ "account": account.id }),
            run_at: now_ms(),
            unique_key: None,
            max_attempts: 3,
        };
        self.store.enqueue_job(&job).await.unwrap();
        while worker.run_once().await.unwrap() > 0 {}
    }

    async fn rule(&self, words: &[&str], actions: Vec<RuleAction>) {
        let r = CompiledRule::compile(Rule {
            id: String::new(),
            name: format!("Rule {}", words[0]),
            enabled: true,
            stop: false,
            conditions: Conditions { words: words.iter().map(|w| w.to_string()).collect(), ..Default::default() },
            actions,
        })
        .unwrap();
        self.store.save_moderation_rule(&self.workspace, &r).await.unwrap();
    }

    async fn message(&self, remote_id: &str) -> String {
        let page = self.store.inbox_page(&self.workspace, &InboxFilter::default(), 200).await.unwrap();
        page.messages.into_iter().find(|m| m.remote_id == remote_id).unwrap().id
    }

    async fn log(&self, action: &str) -> relais_store::ModerationLogEntry {
        self.store.moderation_log(&self.workspace, &LogFilter { action: Some(action.into()), rule_id: None }, 10).await.unwrap().remove(0)
    }
}

both_backends!(rules_hide_delete_and_answer_on_the_sandbox_once_and_hiding_is_undone, |store: Store| async move {
    let w = World::new(store).await;
    let acc = w.account().await;
    w.rule(&["zorglub"], vec![RuleAction::Hide, RuleAction::AutoReply { text: "Merci de rester courtois.".into() }]).await;
    w.rule(&["grobul"], vec![RuleAction::Delete]).await;
    w.audience(&acc).await;
    let worker = w.worker(Arc::new(w.sandbox()));
    w.sync(&worker, &acc).await;

    let spam = w.message("spam-1").await;
    let rude = w.message("rude-1").await;
    assert!(w.store.sandbox_hidden_at("spam-1").await.unwrap().is_some());
    assert_eq!(w.store.moderation_marks(&spam).await.unwrap().1.as_deref(), Some("hidden"));
    assert_eq!(w.log("hide").await.outcome, "done");
    assert!(w.store.sandbox_node("rude-1").await.unwrap().is_none(), "deleted on the sandbox");
    assert_eq!(w.store.moderation_marks(&rude).await.unwrap().1.as_deref(), Some("deleted"));
    let reply = w.log("auto_reply").await;
    assert_eq!(reply.outcome, "done");
    let conv = w.store.inbox_message(&spam).await.unwrap().conversation_id;
    let replies = w.store.conversation_replies(&conv).await.unwrap();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].state, "sent");

    // Syncing again repeats nothing.
    w.sync(&worker, &acc).await;
    assert_eq!(w.store.moderation_log(&w.workspace, &LogFilter::default(), 100).await.unwrap().len(), 3);

    // Undo: the reply is shown again, and the auto-reply is deleted (our own post).
    let me = Actor { id: None, label: "Lucas".into() };
    assert_eq!(w.store.undo_moderation(&w.workspace, &w.log("hide").await.id, &me).await.unwrap(), Undone::Queued);
    assert_eq!(w.store.undo_moderation(&w.workspace, &reply.id, &me).await.unwrap(), Undone::Queued);
    while worker.run_once().await.unwrap() > 0 {}
    assert!(w.store.sandbox_hidden_at("spam-1").await.unwrap().is_none());
    assert_eq!(w.store.moderation_marks(&spam).await.unwrap().1, None);
    assert_eq!(w.log("unhide").await.outcome, "done");
    assert_eq!(w.log("delete_reply").await.outcome, "done");
    let sent = replies[0].remote_id.clone().unwrap();
    assert!(w.store.sandbox_node(&sent).await.unwrap().is_none(), "our reply is gone from the sandbox");
});

/// The sandbox, but saying what Mastodon says: no hiding, no deleting others' comments.
struct NoHiding {
    sandbox: Sandbox,
    capabilities: Capabilities,
}

impl Network for NoHiding {
    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }
    fn publish<'a>(&'a self, account: &'a AccountRef, request: &'a PublishRequest) -> NetFuture<'a, Published> {
        self.sandbox.publish(account, request)
    }
    fn find_published<'a>(&'a self, account: &'a AccountRef, key: &'a str) -> NetFuture<'a, Option<Published>> {
        self.sandbox.find_published(account, key)
    }
    fn check<'a>(&'a self, account: &'a AccountRef) -> NetFuture<'a, AccountCheck> {
        self.sandbox.check(account)
    }
    fn fetch_activity<'a>(&'a self, account: &'a AccountRef, since: Option<&'a str>) -> NetFuture<'a, ActivityPage> {
        self.sandbox.fetch_activity(account, since)
    }
    fn reply<'a>(&'a self, account: &'a AccountRef, request: &'a ReplyRequest) -> NetFuture<'a, Published> {
        self.sandbox.reply(account, request)
    }
}

both_backends!(a_network_without_hiding_is_logged_as_not_offering_it, |store: Store| async move {
    let w = World::new(store).await;
    let acc = w.account().await;
    w.rule(&["zorglub"], vec![RuleAction::Hide]).await;
    w.rule(&["grobul"], vec![RuleAction::Delete]).await;
    w.audience(&acc).await;
    let capabilities = Capabilities { hide_replies: false, delete_comments: false, ..CAPABILITIES };
    let worker = w.worker(Arc::new(NoHiding { sandbox: w.sandbox(), capabilities }));
    w.sync(&worker, &acc).await;
    for action in ["hide", "delete"] {
        let e = w.log(action).await;
        assert_eq!(e.outcome, "not_offered", "{action}");
        assert!(e.error.as_deref().unwrap().contains("does not offer"), "{:?}", e.error);
    }
    assert!(w.store.sandbox_hidden_at("spam-1").await.unwrap().is_none());
    assert!(w.store.sandbox_node("rude-1").await.unwrap().is_some());
    assert_eq!(w.store.moderation_marks(&w.message("spam-1").await).await.unwrap().1, None);
});
