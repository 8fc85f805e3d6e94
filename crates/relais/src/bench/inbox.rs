//! `relais bench inbox`: a workspace's inbox at scale. Ingests generated community messages
//! through the real ingestion path (language, sentiment and toxicity read, moderation rules
//! applied), spreads the team's work over them, then times the inbox list under each single
//! filter, full-text searches and the conversation view (with the author's history), as the web
//! handlers call them.

use super::{Db, report};
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use relais_core::inbox::{Cursor, MessageStatus};
use relais_core::inbox_search::InboxSearch;
use relais_core::moderation::{CompiledRule, Conditions, Repeated, Rule, RuleAction};
use relais_core::secrets::{SecretBox, SecretKey};
use relais_core::understanding::Sentiment;
use relais_core::{Locale, Name, TimeZoneName, now_ms};
use relais_store::{AssigneeFilter, AuthorHandle, InboxFilter, Incoming, SocialAccount, Store};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct InboxBench {
    /// Messages to ingest into one workspace.
    #[arg(long, default_value_t = 1_000_000)]
    messages: usize,
    /// Accounts of the workspace (spread over sandbox, Bluesky and Mastodon).
    #[arg(long, default_value_t = 12)]
    accounts: usize,
    /// Messages per ingestion call (what one sync of one account stores at once).
    #[arg(long, default_value_t = 500)]
    batch: usize,
    /// Sync jobs storing pages at once, each its share of the accounts' pages in order (as the
    /// worker runs one job per account); at most one per account.
    #[arg(long, default_value_t = 1)]
    writers: usize,
    /// Timed runs per query case.
    #[arg(long, default_value_t = 100)]
    runs: usize,
    /// A PostgreSQL server (postgres://USER@HOST:PORT): a fresh database is created there and
    /// dropped afterwards. Without it, a fresh SQLite file.
    #[arg(long)]
    postgres: Option<String>,
}

pub async fn run(b: InboxBench) -> anyhow::Result<()> {
    let (db, url) = Db::fresh(b.postgres.as_deref()).await?;
    let result = run_on(&b, &url).await;
    db.remove().await;
    result
}

const DAY_MS: i64 = 86_400_000;
const NETWORKS: [&str; 3] = ["sandbox", "bluesky", "mastodon"];

async fn run_on(b: &InboxBench, url: &str) -> anyhow::Result<()> {
    let backend = if b.postgres.is_some() { "PostgreSQL" } else { "SQLite" };
    println!(
        "relais bench inbox: {} messages over {} accounts, batches of {}, {} writer(s), {backend}",
        b.messages, b.accounts, b.batch, b.writers
    );
    let store = Store::open(url).await?;
    let secrets = SecretBox::new(&SecretKey::generate());
    let org = store.create_organisation(&Name::parse("org", "Bench")?).await?;
    let ws =
        store.create_workspace(&org.id, &Name::parse("workspace", "Bench")?, &TimeZoneName::parse("Europe/Paris")?, Locale::Fr).await?;
    let mut accounts: Vec<SocialAccount> = vec![];
    for (i, network) in NETWORKS.iter().enumerate() {
        let count = b.accounts / NETWORKS.len() + usize::from(i < b.accounts % NETWORKS.len());
        for id in
            store.bulk_accounts(&ws.id, network, count, |id| secrets.seal("bench-token", &SocialAccount::credentials_context(id))).await?
        {
            accounts.push(store.social_account(&id).await?);
        }
    }
    let mut members = vec![];
    for i in 0..4 {
        let email = relais_core::Email::parse(&format!("cm{i}@bench.example"))?;
        let user = store.create_user(&email, &Name::parse("name", &format!("CM {i}"))?, "not-a-hash").await?;
        store.set_membership(&ws.id, &user.id, relais_core::Role::Cm).await?;
        members.push(user.id);
    }

    // The house rules a busy desk runs: every message goes through them at ingestion.
    for rule in bench_rules(&members[0]) {
        store.save_moderation_rule(&ws.id, &CompiledRule::compile(rule)?).await?;
    }

    // Ingestion: chronological batches, one account per call, as the sync jobs store pages.
    let mut rng = StdRng::seed_from_u64(20261123);
    let start_at = now_ms() - 365 * DAY_MS;
    let step = (365 * DAY_MS) / b.messages.max(1) as i64;
    let mut batches: Vec<(usize, Vec<Incoming>)> = vec![];
    let mut made = 0usize;
    while made < b.messages {
        let account = batches.len() % accounts.len();
        let n = b.batch.min(b.messages - made);
        // Jitter within the step: times (and the work spread on them) vary like real ones.
        let items = (made..made + n)
            .map(|i| {
                let jitter = rng.gen_range(0..step.max(1));
                message(&mut rng, i, account, start_at + i as i64 * step + jitter)
            })
            .collect();
        batches.push((account, items));
        made += n;
    }
    // Each writer is a sync job: its accounts' pages one after the other, as the worker runs an
    // account's pages, while the other writers store theirs.
    let writers = b.writers.clamp(1, accounts.len());
    let mut streams: Vec<Vec<(usize, Vec<Incoming>)>> = vec![vec![]; writers];
    for (account, items) in batches {
        streams[account % writers].push((account, items));
    }
    // A server with autovacuum off never refreshes the planner's statistics, and ingestion's
    // queries stay planned for empty tables: the bench stands in for the daemon every server
    // runs by default, at its default thresholds.
    let standing_in = store.autovacuum_off().await?;
    if standing_in {
        println!(
            "  this server's autovacuum is off: the bench runs ANALYZE itself, as autovacuum would (10% growth, once a minute at most)"
        );
    }
    let ingesting = Instant::now();
    let stored = Arc::new(AtomicUsize::new(0));
    let mut calls = tokio::task::JoinSet::new();
    for stream in streams {
        let (store, accounts, stored) = (store.clone(), accounts.clone(), stored.clone());
        calls.spawn(async move {
            for (account, items) in stream {
                let new = store.ingest_activity(&accounts[account], &items, None).await?.messages.len();
                let before = stored.fetch_add(new, Ordering::Relaxed);
                if (before + new) / 100_000 > before / 100_000 {
                    println!("  {} ingested ({:.0} messages/s)", before + new, (before + new) as f64 / ingesting.elapsed().as_secs_f64());
                }
            }
            anyhow::Ok(())
        });
    }
    let (mut analyzed_at, mut analyzed) = (0, None::<Instant>);
    loop {
        match tokio::time::timeout(Duration::from_millis(500), calls.join_next()).await {
            Ok(Some(done)) => done??,
            Ok(None) => break,
            Err(_) => {}
        }
        // autovacuum's defaults: a table is analysed past 50 rows plus 10% changed, and the
        // daemon looks at a database once a minute.
        let now = stored.load(Ordering::Relaxed);
        if standing_in && now > analyzed_at + analyzed_at / 10 + 50 && analyzed.is_none_or(|at| at.elapsed().as_secs() >= 60) {
            store.refresh_statistics().await?;
            (analyzed_at, analyzed) = (now, Some(Instant::now()));
        }
    }
    let stored = stored.load(Ordering::Relaxed);
    let seconds = ingesting.elapsed().as_secs_f64();
    println!(
        "ingestion: {stored} messages in {seconds:.1} s: {:.0} messages/s (language, sentiment and toxicity read, 5 moderation rules run)",
        stored as f64 / seconds
    );
    if stored != b.messages {
        anyhow::bail!("{} messages generated but {stored} stored", b.messages);
    }
    store.bulk_inbox_work(&ws.id, &members).await?;
    store.analyze().await?;

    println!("{:<28} {:>8} {:>8} {:>8}", "inbox list (50 per page)", "p50 ms", "p95 ms", "max ms");
    let oldest = start_at;
    let newest = start_at + b.messages as i64 * step;
    let cases: Vec<(&str, InboxFilter)> = vec![
        ("no filter", InboxFilter::default()),
        ("account", InboxFilter { account_id: Some(accounts[accounts.len() - 1].id.clone()), ..Default::default() }),
        ("network", InboxFilter { network: Some("mastodon".into()), ..Default::default() }),
        ("kind: direct message", InboxFilter { kind: Some("direct_message".into()), ..Default::default() }),
        ("status: open", InboxFilter { status: Some(MessageStatus::Open), ..Default::default() }),
        ("sentiment: negative", InboxFilter { sentiment: Some(Sentiment::Negative), ..Default::default() }),
        ("language: en", InboxFilter { language: Some("en".into()), ..Default::default() }),
        ("tag: complaint", InboxFilter { tag: Some("complaint".into()), ..Default::default() }),
        ("assignee: a member", InboxFilter { assignee: Some(AssigneeFilter::Member(members[1].clone())), ..Default::default() }),
        ("assignee: nobody", InboxFilter { assignee: Some(AssigneeFilter::Nobody), ..Default::default() }),
        ("flagged by a rule", InboxFilter { flagged: true, ..Default::default() }),
        // A week a quarter of the way back, as the date filter gives it.
        ("dates: one week", {
            let since = newest - (newest - oldest) / 4;
            InboxFilter { since: Some(since), until: Some(since + 7 * DAY_MS), ..Default::default() }
        }),
        // Full-text search: a word in about 4% of messages, a rare one (0.2%), a phrase or a
        // word, and a search with a filter.
        ("search: horaires (4%)", InboxFilter { search: Some(InboxSearch::parse("horaires")?), ..Default::default() }),
        ("search: elodie (0.2%)", InboxFilter { search: Some(InboxSearch::parse("Élodie")?), ..Default::default() }),
        (
            "search: \"mot de passe\" OR password",
            InboxFilter { search: Some(InboxSearch::parse("\"mot de passe\" OR password")?), ..Default::default() },
        ),
        (
            "search: remboursement -merci, en",
            InboxFilter { search: Some(InboxSearch::parse("refund -thanks")?), language: Some("en".into()), ..Default::default() },
        ),
        (
            "negative, open, fr",
            InboxFilter {
                sentiment: Some(Sentiment::Negative),
                status: Some(MessageStatus::Open),
                language: Some("fr".into()),
                ..Default::default()
            },
        ),
    ];
    let mut worst = 0;
    for (name, filter) in cases {
        let mut times = vec![];
        for run in 0..b.runs {
            let mut f = filter.clone();
            // Half the runs open the first page, half a page deep in the past.
            if run % 2 == 1 {
                let (from, to) = (f.since.unwrap_or(oldest), f.until.unwrap_or(newest));
                f.after = Some(Cursor { created_at: rng.gen_range(from..to), id: String::new() });
            }
            let t = Instant::now();
            let page = store.inbox_page(&ws.id, &f, 50).await?;
            times.push(t.elapsed().as_micros() as i64);
            if run == 0 && page.messages.is_empty() {
                anyhow::bail!("the case {name:?} found no message: the benchmark's data does not exercise it");
            }
        }
        worst = worst.max(report(name, &mut times));
    }

    // The conversation view: the conversation, its messages, the posts above, replies, notes, tags.
    let mut times = vec![];
    for _ in 0..b.runs {
        let cursor = Cursor { created_at: rng.gen_range(oldest..newest), id: String::new() };
        let page = store.inbox_page(&ws.id, &InboxFilter { after: Some(cursor), ..Default::default() }, 1).await?;
        let Some(m) = page.messages.first() else { continue };
        let t = Instant::now();
        let conversation = store.conversation(&m.conversation_id).await?;
        let messages = store.conversation_messages(&conversation.id).await?;
        store.conversation_context(&conversation.id).await?;
        store.conversation_replies(&conversation.id).await?;
        store.inbox_notes(&conversation.id).await?;
        store.message_tags(&messages.iter().map(|m| m.id.clone()).collect::<Vec<_>>()).await?;
        // The author's history and the handles that may be theirs.
        let author = AuthorHandle { network: m.network.clone(), handle: m.author_handle.clone() };
        store.author_history(&ws.id, &author, &m.id, 10).await?;
        store.author_suggestions(&ws.id, &author, m.author_name.as_deref()).await?;
        times.push(t.elapsed().as_micros() as i64);
    }
    worst = worst.max(report("conversation view", &mut times));
    println!("slowest p95: {:.1} ms (target: under 100 ms)", worst as f64 / 1000.0);
    store.close().await;
    Ok(())
}

/// Five rules of the kinds teams write: spam links hidden, complaints tagged and assigned,
/// insults flagged, account closures answered at once, floods flagged.
fn bench_rules(member: &str) -> Vec<Rule> {
    let rule = |name: &str, conditions: Conditions, actions: Vec<RuleAction>| Rule {
        id: String::new(),
        name: name.into(),
        enabled: true,
        stop: false,
        conditions,
        actions,
    };
    vec![
        rule("Liens douteux", Conditions { min_links: Some(2), ..Default::default() }, vec![RuleAction::Hide, RuleAction::Flag]),
        rule(
            "Remboursements",
            Conditions {
                words: vec!["rembourser".into(), "prélevé".into(), "refund".into(), "charged twice".into()],
                ..Default::default()
            },
            vec![RuleAction::Tag { tag: "billing".into() }, RuleAction::Assign { member_id: member.into() }],
        ),
        rule("Insultes", Conditions { toxicity_above: Some(700), ..Default::default() }, vec![RuleAction::Flag]),
        rule(
            "Fermeture de compte",
            Conditions { words: vec!["fermer mon compte".into()], ..Default::default() },
            vec![RuleAction::AutoReply { text: "Bonjour, un conseiller vous répond en message privé sous 24 h.".into() }],
        ),
        rule(
            "Flood",
            Conditions { repeated: Some(Repeated { times: 3, window_minutes: 10 }), ..Default::default() },
            vec![RuleAction::Flag],
        ),
    ]
}

const FR: [&str; 16] = [
    "Bonjour, ma commande {n} n'est toujours pas arrivée, c'est inadmissible",
    "Impossible de me connecter à l'application depuis hier soir",
    "Le service client ne répond jamais, je suis très déçu",
    "J'ai été prélevé deux fois ce mois-ci, merci de me rembourser",
    "Merci pour votre réponse rapide, au top !",
    "J'adore la nouvelle offre {p}, bravo à toute l'équipe",
    "Super conseiller en agence, très contente de mon prêt {p}",
    "Quels sont vos horaires d'ouverture le samedi ?",
    "Comment changer mon mot de passe ?",
    "Est-ce que l'offre {p} est disponible pour les artisans ?",
    "Où trouver les conditions du prêt {p} ?",
    "Votre dernière mise à jour a tout cassé, plus rien ne marche",
    "Je voudrais fermer mon compte {n}, comment faire ?",
    "Livraison reçue ce matin, tout est parfait",
    "Le taux du prêt {p} a changé ?",
    "Gagnez 500€ en crypto ici http://promo.example/{n} http://x.example",
];

const EN: [&str; 12] = [
    "Hi, my order {n} still has not arrived, this is unacceptable",
    "I cannot log in to the app since last night",
    "Customer service never answers, really disappointed",
    "Thanks for the quick answer, great job!",
    "Love the new {p} offer, well done team",
    "What are your opening hours on Saturday?",
    "How do I change my password?",
    "Is the {p} loan available for small businesses?",
    "Your last update broke everything, nothing works anymore",
    "Delivery came this morning, everything is perfect",
    "Where can I find the terms of the {p} plan?",
    "I was charged twice this month, please refund me",
];

const PRODUCTS: [&str; 5] = ["Artisan", "Horizon", "Solo", "Duo", "Famille"];

/// The `i`th generated message of an account: two thirds in French, mostly replies under the
/// account's recent posts, some mentions, quotes and direct messages, from 50,000 authors.
fn message(rng: &mut StdRng, i: usize, account: usize, created_at: i64) -> Incoming {
    let template = if rng.gen_ratio(2, 3) { FR[rng.gen_range(0..FR.len())] } else { EN[rng.gen_range(0..EN.len())] };
    let mut text =
        template.replace("{n}", &rng.gen_range(10_000..99_999).to_string()).replace("{p}", PRODUCTS[rng.gen_range(0..PRODUCTS.len())]);
    // A rare word for the search to find (one message in 500).
    if rng.gen_ratio(1, 500) {
        text.push_str(" Merci à Élodie.");
    }
    let author = rng.gen_range(0..50_000);
    let kind = match rng.gen_range(0..100) {
        0..70 => "reply",
        70..85 => "mention",
        85..95 => "direct_message",
        _ => "quote",
    };
    // About twenty messages per thread: the thread's root is one of the account's posts.
    let root = format!("post-{account}-{}", i / (20 * 12));
    Incoming {
        remote_id: format!("m-{i}"),
        kind: kind.into(),
        author_remote_id: format!("author-{author}"),
        author_handle: format!("user{author}.example"),
        author_name: Some(format!("User {author}")),
        text,
        url: Some(format!("https://social.example/m-{i}")),
        created_at,
        subject_remote_id: (kind != "direct_message").then(|| root.clone()),
        parent_remote_id: (kind == "reply").then(|| root.clone()),
        root_remote_id: (kind == "reply").then_some(root),
        ..Default::default()
    }
}
