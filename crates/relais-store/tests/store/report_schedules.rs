//! Scheduled reports: schedules stay in their workspace, a scheduled delivery is recorded (and
//! its job enqueued) once per period however often it is asked for, and a run's status moves
//! only from where the caller expects it.

use super::{org_with_workspace, user};
use jiff::civil::{Weekday, date};
use relais_core::kpi::{Period, Scope};
use relais_core::report_schedule::{Cadence, ReportFormat};
use relais_core::{Email, Locale};
use relais_store::{REPORT_RUN_JOB, RunKind, RunStatus, ScheduleInput, Store, StoreError, both_backends, scheduled_run_key};

fn weekly(recipients: &[&str]) -> ScheduleInput {
    ScheduleInput {
        scope: Scope::Workspace,
        cadence: Cadence::Weekly(Weekday::Monday),
        locale: Locale::Fr,
        formats: vec![ReportFormat::Pdf, ReportFormat::Xlsx],
        recipients: recipients.iter().map(|r| Email::parse(r).unwrap()).collect(),
        enabled: true,
    }
}

fn march_week() -> Period {
    Period::new(date(2026, 3, 2), date(2026, 3, 8)).unwrap()
}

both_backends!(report_schedules_are_saved_and_stay_in_their_workspace, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "Agence", "Banque").await;
    let (_, other) = org_with_workspace(&store, "Autre", "Café").await;
    let smm = user(&store, "smm@example.org").await;
    let saved =
        store.save_report_schedule(&ws, None, &weekly(&["direction@banque.example", "com@banque.example"]), Some(&smm)).await.unwrap();
    assert_eq!(saved.cadence(), Some(Cadence::Weekly(Weekday::Monday)));
    assert_eq!(saved.formats(), [ReportFormat::Pdf, ReportFormat::Xlsx]);
    assert_eq!(saved.recipients(), ["direction@banque.example", "com@banque.example"]);
    assert_eq!((saved.scope.as_str(), saved.locale(), saved.is_enabled()), ("workspace", Locale::Fr, true));

    let monthly = ScheduleInput { cadence: Cadence::Monthly, formats: vec![ReportFormat::Xlsx], enabled: false, ..weekly(&[]) };
    let edited = store.save_report_schedule(&ws, Some(&saved.id), &monthly, None).await.unwrap();
    assert_eq!((edited.cadence(), edited.weekday.as_deref(), edited.formats()), (Some(Cadence::Monthly), None, vec![ReportFormat::Xlsx]));
    assert!(edited.recipients().is_empty() && !edited.is_enabled());
    assert_eq!(store.report_schedules(&ws).await.unwrap(), std::slice::from_ref(&edited));

    // Another workspace neither reads, edits nor deletes it; nor can a schedule point at
    // another workspace's account.
    assert!(store.report_schedules(&other).await.unwrap().is_empty());
    assert!(matches!(store.report_schedule(&other, &saved.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.save_report_schedule(&other, Some(&saved.id), &monthly, None).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.delete_report_schedule(&other, &saved.id).await, Err(StoreError::NotFound(_))));
    let theirs = store.create_social_account(&other, "sandbox", "@cafe", "@cafe", |_| "sealed".into()).await.unwrap().id;
    let foreign = ScheduleInput { scope: Scope::Account(theirs), ..weekly(&[]) };
    assert!(matches!(store.save_report_schedule(&ws, None, &foreign, None).await, Err(StoreError::Conflict(_))));

    store.delete_report_schedule(&ws, &saved.id).await.unwrap();
    assert!(store.report_schedules(&ws).await.unwrap().is_empty());
});

both_backends!(a_scheduled_delivery_is_recorded_once_per_period_with_one_job, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "Agence", "Banque").await;
    let schedule = store.save_report_schedule(&ws, None, &weekly(&["direction@banque.example"]), None).await.unwrap();
    let paused = store.save_report_schedule(&ws, None, &ScheduleInput { enabled: false, ..weekly(&[]) }, None).await.unwrap();

    let check = store.report_schedules_to_check().await.unwrap();
    assert_eq!(check.len(), 1, "a disabled schedule is not checked");
    assert_eq!(
        (check[0].schedule.id.as_str(), check[0].time_zone.as_str(), check[0].last_run_key.as_deref()),
        (schedule.id.as_str(), "Europe/Paris", None)
    );

    // Two processes noticing the same delivery: one run, one job.
    let first = store.request_report_run(&schedule, &march_week(), RunKind::Scheduled, None).await.unwrap().expect("a new run");
    assert!(store.request_report_run(&schedule, &march_week(), RunKind::Scheduled, None).await.unwrap().is_none());
    assert_eq!(
        (first.status(), first.first_day.as_str(), first.last_day.as_str(), first.attempts),
        (RunStatus::Pending, "2026-03-02", "2026-03-08", 0)
    );
    let check = store.report_schedules_to_check().await.unwrap();
    assert_eq!(check[0].last_run_key, Some(scheduled_run_key(&schedule.id, &march_week())));

    // "Send now" is a run each time it is asked for.
    let now_a = store.request_report_run(&schedule, &march_week(), RunKind::Manual, None).await.unwrap().unwrap();
    let now_b = store.request_report_run(&schedule, &march_week(), RunKind::Manual, None).await.unwrap().unwrap();
    assert_ne!(now_a.id, now_b.id);
    assert_eq!(
        store.report_schedules_to_check().await.unwrap()[0].last_run_key,
        check[0].last_run_key,
        "manual runs are not the schedule's"
    );

    let jobs = store.claim_jobs("w1", 10, 60_000).await.unwrap();
    assert_eq!(jobs.len(), 3);
    assert!(jobs.iter().all(|j| j.kind == REPORT_RUN_JOB));
    let mut runs: Vec<String> = jobs.iter().map(|j| j.payload["run"].as_str().unwrap().to_string()).collect();
    runs.sort();
    let mut expected = vec![first.id.clone(), now_a.id.clone(), now_b.id.clone()];
    expected.sort();
    assert_eq!(runs, expected);

    let listed = store.report_runs(&ws, 10).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|r| r.schedule_id == schedule.id));
    // Deleting a schedule takes its runs' records with it.
    store.delete_report_schedule(&ws, &schedule.id).await.unwrap();
    assert!(store.report_runs(&ws, 10).await.unwrap().is_empty());
    assert!(matches!(store.report_run(&first.id).await, Err(StoreError::NotFound(_))));
    store.delete_report_schedule(&ws, &paused.id).await.unwrap();
});

both_backends!(a_runs_status_moves_only_from_where_it_is_expected, |store: Store| async move {
    let (_, ws) = org_with_workspace(&store, "Agence", "Banque").await;
    let schedule = store.save_report_schedule(&ws, None, &weekly(&["direction@banque.example"]), None).await.unwrap();
    let run = store.request_report_run(&schedule, &march_week(), RunKind::Scheduled, None).await.unwrap().unwrap();

    let seen = store.begin_report_attempt(&run.id).await.unwrap();
    assert_eq!((seen.status(), seen.attempts), (RunStatus::Pending, 1));
    let files = vec!["banque/workspace_2026-03-02_2026-03-08_fr.pdf".to_string()];
    let retryable = [RunStatus::Pending, RunStatus::Failed];
    assert!(store.move_report_run(&run.id, &retryable, RunStatus::Failed, Some(&files), Some("connection refused")).await.unwrap());
    let failed = store.report_run(&run.id).await.unwrap();
    assert_eq!(
        (failed.status(), failed.error.as_deref(), failed.file_list()),
        (RunStatus::Failed, Some("connection refused"), files.clone())
    );

    assert_eq!(store.begin_report_attempt(&run.id).await.unwrap().attempts, 2);
    assert!(store.move_report_run(&run.id, &retryable, RunStatus::Sending, None, None).await.unwrap());
    // A second attempt at the same moment finds it taken.
    assert!(!store.move_report_run(&run.id, &retryable, RunStatus::Sending, None, None).await.unwrap());
    assert!(store.move_report_run(&run.id, &[RunStatus::Sending], RunStatus::Sent, None, None).await.unwrap());
    let sent = store.report_run(&run.id).await.unwrap();
    assert_eq!((sent.status(), sent.error.clone(), sent.file_list(), sent.attempts), (RunStatus::Sent, None, files, 2));
    assert!(sent.status().is_final());
    assert!(!store.move_report_run(&run.id, &retryable, RunStatus::Sending, None, None).await.unwrap(), "a sent run is never sent again");
    assert!(matches!(store.begin_report_attempt("nope").await, Err(StoreError::NotFound(_))));
});
