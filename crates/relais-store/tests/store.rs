//! Storage stories, each run on SQLite and on PostgreSQL.

use relais_core::{Colour, Email, Locale, Name, Role, TimeZoneName, now_ms};
use relais_store::testing::TestDb;
use relais_store::{AuditEvent, JobStatus, NewJob, Store, StoreError, WorkspaceSettings, both_backends};

#[path = "store/strategy.rs"]
mod strategy;

#[path = "store/listening.rs"]
mod listening;

#[path = "store/insights.rs"]
mod insights;

#[path = "store/campaigns.rs"]
mod campaigns;
#[path = "store/report_schedules.rs"]
mod report_schedules;

async fn org_with_workspace(store: &Store, org: &str, ws: &str) -> (String, String) {
    let o = store.create_organisation(&Name::parse("name", org).unwrap()).await.unwrap();
    let w = store
        .create_workspace(&o.id, &Name::parse("name", ws).unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
        .await
        .unwrap();
    (o.id, w.id)
}

async fn user(store: &Store, email: &str) -> String {
    store.create_user(&Email::parse(email).unwrap(), &Name::parse("name", "Test").unwrap(), "hash").await.unwrap().id
}

both_backends!(a_user_sees_only_the_workspaces_they_belong_to, |store: Store| async move {
    let (_, bank) = org_with_workspace(&store, "Agence", "Banque de Bourgogne").await;
    let (_, other) = org_with_workspace(&store, "Autre agence", "Fromagerie").await;
    let lea = user(&store, "lea@example.org").await;
    store.set_membership(&bank, &lea, Role::Cm).await.unwrap();

    let mine = store.workspaces_of_user(&lea).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].0.id, bank);
    assert_eq!(mine[0].1, Role::Cm);
    assert_eq!(store.role_in_workspace(&lea, &bank).await.unwrap(), Some(Role::Cm));
    assert_eq!(store.role_in_workspace(&lea, &other).await.unwrap(), None);
});

both_backends!(emails_are_unique_and_a_duplicate_is_a_conflict, |store: Store| async move {
    user(&store, "a@example.org").await;
    let err = store.create_user(&Email::parse("A@example.org").unwrap(), &Name::parse("name", "B").unwrap(), "h").await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(ref m) if m.contains("a@example.org")), "{err}");
});

both_backends!(the_last_admin_cannot_be_demoted_or_removed, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "O", "W").await;
    let a = user(&store, "admin@example.org").await;
    let b = user(&store, "smm@example.org").await;
    store.set_membership(&ws, &a, Role::Admin).await.unwrap();
    store.set_membership(&ws, &b, Role::Smm).await.unwrap();
    assert!(matches!(store.set_membership(&ws, &a, Role::Cm).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.remove_member(&ws, &a).await, Err(StoreError::Conflict(_))));
    store.set_membership(&ws, &b, Role::Admin).await.unwrap();
    store.remove_member(&ws, &a).await.unwrap();
    let members = store.members(&ws).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].role, Role::Admin);
});

both_backends!(workspace_settings_and_logo_are_saved, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "O", "W").await;
    store
        .update_workspace_settings(
            &ws,
            &WorkspaceSettings {
                name: Name::parse("name", "Banque de Bourgogne").unwrap(),
                time_zone: TimeZoneName::parse("America/Montreal").unwrap(),
                locale: Locale::En,
                primary_colour: Colour::parse("c", "#7A1F2B").unwrap(),
                accent_colour: Colour::parse("c", "#D4A017").unwrap(),
            },
        )
        .await
        .unwrap();
    store.set_workspace_logo(&ws, Some(("image/png", "iVBORw0KGgo="))).await.unwrap();
    let w = store.workspace(&ws).await.unwrap();
    assert_eq!((w.name.as_str(), w.time_zone.as_str(), w.locale.as_str()), ("Banque de Bourgogne", "America/Montreal", "en"));
    assert_eq!(w.primary_colour, "#7a1f2b");
    assert_eq!(w.logo_mime.as_deref(), Some("image/png"));
    assert_eq!(store.workspace_logo(&ws).await.unwrap().unwrap().1, "iVBORw0KGgo=");
    assert!(matches!(store.workspace("nope").await, Err(StoreError::NotFound("workspace"))));
});

both_backends!(sessions_expire_and_sign_out_everywhere_ends_them_all, |store: Store| async move {
    let u = user(&store, "u@example.org").await;
    let (t1, rec) = store.create_session(&u, 60_000).await.unwrap();
    let (t2, _) = store.create_session(&u, 60_000).await.unwrap();
    let (expired, _) = store.create_session(&u, -1).await.unwrap();
    assert_eq!(store.session(&t1).await.unwrap(), Some(rec));
    assert_eq!(store.session(&expired).await.unwrap(), None);
    assert_eq!(store.session("rs_forged").await.unwrap(), None);
    assert_eq!(store.delete_sessions_of_user(&u).await.unwrap(), 3);
    assert_eq!(store.session(&t1).await.unwrap(), None);
    assert_eq!(store.session(&t2).await.unwrap(), None);
});

both_backends!(an_invitation_link_works_once_and_not_after_expiry, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "O", "W").await;
    let admin = user(&store, "admin@example.org").await;
    let guest = user(&store, "guest@example.org").await;
    let email = Email::parse("guest@example.org").unwrap();
    let (inv, secret) = store.create_invitation(&ws, &email, Role::Client, &admin, 60_000).await.unwrap();
    assert_eq!(store.pending_invitations(&ws).await.unwrap(), vec![inv.clone()]);
    let accepted = store.accept_invitation(&secret, &guest).await.unwrap();
    assert_eq!(accepted.role, Role::Client);
    assert_eq!(store.role_in_workspace(&guest, &ws).await.unwrap(), Some(Role::Client));
    assert!(matches!(store.accept_invitation(&secret, &guest).await, Err(StoreError::NotFound(_))));
    assert!(store.pending_invitations(&ws).await.unwrap().is_empty());

    let (_, old) = store.create_invitation(&ws, &email, Role::Cm, &admin, -1).await.unwrap();
    assert!(matches!(store.accept_invitation(&old, &guest).await, Err(StoreError::NotFound(_))));
});

both_backends!(api_tokens_grant_their_workspace_and_role_until_revoked, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "O", "W").await;
    let (_, other_ws) = org_with_workspace(&store, "O2", "W2").await;
    let admin = user(&store, "admin@example.org").await;
    let (tok, secret) = store.create_api_token(&ws, &Name::parse("name", "Zapier").unwrap(), Role::Cm, &admin).await.unwrap();
    let grant = store.authenticate_api_token(&secret).await.unwrap().unwrap();
    assert_eq!((grant.workspace_id.as_str(), grant.role), (ws.as_str(), Role::Cm));
    assert!(store.api_tokens(&ws).await.unwrap()[0].last_used_at.is_some());
    assert!(matches!(store.revoke_api_token(&other_ws, &tok.id).await, Err(StoreError::NotFound(_))));
    store.revoke_api_token(&ws, &tok.id).await.unwrap();
    assert_eq!(store.authenticate_api_token(&secret).await.unwrap(), None);
    assert!(store.api_tokens(&ws).await.unwrap().is_empty());
});

both_backends!(the_audit_log_is_per_workspace_newest_first, |store: Store| async move {
    let (org, ws) = org_with_workspace(&store, "O", "W").await;
    let (org2, ws2) = org_with_workspace(&store, "O2", "W2").await;
    for (o, w, action) in [(&org, &ws, "a.first"), (&org, &ws, "a.second"), (&org2, &ws2, "b.other")] {
        store
            .record_audit(AuditEvent {
                org_id: o,
                workspace_id: Some(w),
                actor_id: None,
                actor_label: "cli",
                action,
                target: "t",
                details: serde_json::json!({"k": 1}),
            })
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    let entries = store.audit_entries(&ws, None, 10).await.unwrap();
    let actions: Vec<_> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["a.second", "a.first"]);
    assert_eq!(entries[0].details["k"], 1);
    let older = store.audit_entries(&ws, Some(entries[0].at), 10).await.unwrap();
    assert_eq!(older.len(), 1);
});

both_backends!(sign_in_failures_are_counted_by_email_and_address, |store: Store| async move {
    let since = now_ms() - 1000;
    for _ in 0..3 {
        store.record_sign_in_failure("x@example.org", "10.0.0.1").await.unwrap();
    }
    store.record_sign_in_failure("y@example.org", "10.0.0.1").await.unwrap();
    assert_eq!(store.sign_in_failures_since("x@example.org", "10.0.0.2", since).await.unwrap(), (3, 0));
    assert_eq!(store.sign_in_failures_since("z@example.org", "10.0.0.1", since).await.unwrap(), (0, 4));
    store.clear_sign_in_failures("x@example.org").await.unwrap();
    assert_eq!(store.sign_in_failures_since("x@example.org", "10.0.0.9", since).await.unwrap(), (0, 0));
});

fn job(kind: &str, unique: Option<&str>) -> NewJob {
    NewJob {
        kind: kind.into(),
        payload: serde_json::json!({"n": 1}),
        run_at: now_ms() - 1,
        unique_key: unique.map(Into::into),
        max_attempts: 3,
    }
}

both_backends!(a_job_is_claimed_by_one_worker_and_reclaimed_after_its_lease_expires, |store: Store| async move {
    let id = store.enqueue_job(&job("test", Some("k1"))).await.unwrap().unwrap();
    assert_eq!(store.enqueue_job(&job("test", Some("k1"))).await.unwrap(), None, "same unique key, one job");
    // The clock is given, not read: a busy machine cannot make the lease expire early.
    let t0 = now_ms() + 1_000;
    let a = store.claim_jobs_at("worker-a", 10, 50, t0).await.unwrap();
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].id.as_str(), a[0].attempts), (id.as_str(), 1));
    assert!(store.claim_jobs_at("worker-b", 10, 50, t0 + 49).await.unwrap().is_empty(), "leased");
    let b = store.claim_jobs_at("worker-b", 10, 60_000, t0 + 50).await.unwrap();
    assert_eq!((b.len(), b[0].attempts), (1, 2));
    assert!(!store.complete_job(&id, "worker-a").await.unwrap(), "a lost its lease");
    assert!(store.complete_job(&id, "worker-b").await.unwrap());
    assert_eq!(store.job_state(&id).await.unwrap().unwrap().0, JobStatus::Done);
});

both_backends!(concurrent_claimers_never_share_a_job, |store: Store| async move {
    for _ in 0..40 {
        store.enqueue_job(&job("test", None)).await.unwrap();
    }
    let mut handles = Vec::new();
    for w in 0..4 {
        let s = store.clone();
        handles.push(tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let batch = s.claim_jobs(&format!("w{w}"), 3, 60_000).await.unwrap();
                if batch.is_empty() {
                    break got;
                }
                got.extend(batch.into_iter().map(|j| j.id));
            }
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!((n, all.len()), (40, 40));
});

both_backends!(retries_wait_and_failures_keep_the_error, |store: Store| async move {
    let id = store.enqueue_job(&job("test", None)).await.unwrap().unwrap();
    store.claim_jobs("w", 1, 60_000).await.unwrap();
    store.retry_job(&id, "w", now_ms() + 60_000, "timeout").await.unwrap();
    assert!(store.claim_jobs("w", 1, 60_000).await.unwrap().is_empty(), "not due yet");
    let (status, attempts, err) = store.job_state(&id).await.unwrap().unwrap();
    assert_eq!((status, attempts, err.as_deref()), (JobStatus::Queued, 1, Some("timeout")));
});

#[tokio::test]
async fn a_database_newer_than_the_binary_is_refused_with_a_clear_error() {
    for db in [Some(TestDb::sqlite().await), TestDb::postgres().await].into_iter().flatten() {
        sqlx_bump_version(&db.url).await;
        let err = Store::open(&db.url).await.unwrap_err();
        assert!(matches!(err, StoreError::SchemaTooNew { .. }), "{err}");
        assert!(err.to_string().contains("newer than this relais binary"), "{err}");
    }
}

/// Pretends a future relais applied migration 9999.
async fn sqlx_bump_version(url: &str) {
    let store = Store::connect(url).await.unwrap();
    store.insert_fake_future_migration(9999).await.unwrap();
}

#[tokio::test]
async fn an_unreachable_database_is_an_error_that_names_it_not_a_panic() {
    let err = Store::connect("postgres://nobody:secret@127.0.0.1:1/nothing").await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("cannot reach the database at postgres://nobody:********@127.0.0.1:1/nothing"), "{text}");
    let err = Store::connect("mysql://x").await.unwrap_err();
    assert!(err.to_string().contains("unsupported database URL"), "{err}");
}

#[tokio::test]
async fn migrating_twice_is_harmless_and_the_status_is_current() {
    for db in [Some(TestDb::sqlite().await), TestDb::postgres().await].into_iter().flatten() {
        db.store.migrate().await.unwrap();
        db.store.ensure_schema_current().await.unwrap();
        let s = db.store.schema_status().await.unwrap();
        assert_eq!(s.database, s.binary);
    }
}

both_backends!(an_account_is_connected_once_per_workspace_and_pauses_with_a_reason, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "O", "W").await;
    let a = store.create_social_account(&ws, "sandbox", "banque", "Banque", |id| format!("sealed-for-{id}")).await.unwrap();
    assert_eq!(a.credentials, format!("sealed-for-{}", a.id), "credentials are sealed for the row's own id");
    let again = store.create_social_account(&ws, "sandbox", "banque", "Banque", |_| "x".into()).await.unwrap_err();
    assert!(matches!(again, StoreError::Conflict(ref m) if m.contains("already connected")), "{again}");
    store.pause_social_account(&a.id, "token revoked").await.unwrap();
    let paused = store.social_account(&a.id).await.unwrap();
    assert!(paused.is_paused());
    assert_eq!(paused.status_reason.as_deref(), Some("token revoked"));
    store.resume_social_account(&a.id, "new-sealed").await.unwrap();
    let back = store.social_account(&a.id).await.unwrap();
    assert!(!back.is_paused() && back.credentials == "new-sealed" && back.status_reason.is_none());
    assert_eq!(store.social_accounts(&ws).await.unwrap().len(), 1);
});

both_backends!(an_accounts_checks_and_rate_limits_make_its_health, |store: Store| async move {
    use relais_core::account_health::Health;
    let (_, ws) = org_with_workspace(&store, "O", "W").await;
    let a = store.create_social_account(&ws, "bluesky", "banque.test", "Banque", |_| "sealed".into()).await.unwrap();
    let now = now_ms();
    assert_eq!(Health::of(&a.health_facts(), now), Health::Connected { checked_at: None });

    store.record_account_check_error(&a.id, "the PDS did not answer").await.unwrap();
    let failed = store.social_account(&a.id).await.unwrap();
    assert_eq!(Health::of(&failed.health_facts(), now), Health::CheckFailed { error: "the PDS did not answer".into() });

    let expires = now + 3 * 24 * 3_600_000;
    store
        .record_account_check(&a.id, &relais_store::CheckedAccount { remote_id: "did:plc:abc", credentials_expire_at: Some(expires) })
        .await
        .unwrap();
    let checked = store.social_account(&a.id).await.unwrap();
    assert_eq!(checked.remote_id.as_deref(), Some("did:plc:abc"));
    assert!(checked.check_error.is_none() && checked.checked_at.is_some_and(|t| t >= now));
    assert_eq!(Health::of(&checked.health_facts(), now), Health::TokenExpiring { at: expires });

    // A later limit wins over an earlier one, never the reverse.
    store.mark_rate_limited(&a.id, now + 120_000).await.unwrap();
    store.mark_rate_limited(&a.id, now + 60_000).await.unwrap();
    let limited = store.social_account(&a.id).await.unwrap();
    assert_eq!(Health::of(&limited.health_facts(), now), Health::RateLimited { until: now + 120_000 });
});

both_backends!(an_oauth_state_is_used_once_and_an_app_is_registered_once_per_instance, |store: Store| async move {
    use relais_store::{OAuthApp, OAuthState};
    let (_, ws) = org_with_workspace(&store, "O", "W").await;
    let u = user(&store, "smm@example.org").await;
    let redirect = "https://relais.example.org/oauth/mastodon/callback";
    assert_eq!(store.oauth_app("mastodon", "https://mastodon.example", redirect).await.unwrap(), None);
    let first = OAuthApp { client_id: "id-1".into(), client_secret: "sealed-1".into() };
    let second = OAuthApp { client_id: "id-2".into(), client_secret: "sealed-2".into() };
    assert_eq!(store.save_oauth_app("mastodon", "https://mastodon.example", redirect, &first).await.unwrap(), first);
    assert_eq!(
        store.save_oauth_app("mastodon", "https://mastodon.example", redirect, &second).await.unwrap(),
        first,
        "the first registration stays"
    );

    let started = OAuthState {
        workspace_id: ws.clone(),
        user_id: u.clone(),
        network: "mastodon".into(),
        instance: "https://mastodon.example".into(),
        redirect_uri: redirect.into(),
    };
    store.begin_oauth("state-abc", &started, 600_000).await.unwrap();
    assert_eq!(store.take_oauth_state("state-other").await.unwrap(), None);
    assert_eq!(store.take_oauth_state("state-abc").await.unwrap(), Some(started.clone()));
    assert_eq!(store.take_oauth_state("state-abc").await.unwrap(), None, "a state works once");

    store.begin_oauth("state-old", &started, -1).await.unwrap();
    assert_eq!(store.take_oauth_state("state-old").await.unwrap(), None, "an expired state does not work");
});
