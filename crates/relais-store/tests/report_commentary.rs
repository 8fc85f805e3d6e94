//! Report commentaries on SQLite and PostgreSQL: one per workspace, scope and period, replaced
//! when written again, removed when cleared, never read from another workspace.

use relais_core::{Locale, Name, TimeZoneName};
use relais_store::{Store, both_backends};

async fn workspace(store: &Store, name: &str) -> String {
    let o = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
    store
        .create_workspace(&o.id, &Name::parse("n", name).unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
        .await
        .unwrap()
        .id
}

both_backends!(a_commentary_belongs_to_one_workspace_scope_and_period, |store: Store| async move {
    let bank = workspace(&store, "Banque").await;
    let coffee = workspace(&store, "Cafés").await;
    assert_eq!(store.report_commentary(&bank, "workspace", "2026-03-01", "2026-03-31").await.unwrap(), None);

    store.save_report_commentary(&bank, "workspace", "2026-03-01", "2026-03-31", "  Un bon mois.  ", None).await.unwrap();
    store.save_report_commentary(&bank, "network:sandbox", "2026-03-01", "2026-03-31", "Le bac à sable", None).await.unwrap();
    let read = store.report_commentary(&bank, "workspace", "2026-03-01", "2026-03-31").await.unwrap().unwrap();
    assert_eq!(read.body, "Un bon mois.", "kept trimmed");
    assert_eq!(read.scope, "workspace");

    // Written again: replaced, not duplicated.
    store.save_report_commentary(&bank, "workspace", "2026-03-01", "2026-03-31", "Un très bon mois.", None).await.unwrap();
    assert_eq!(store.report_commentary(&bank, "workspace", "2026-03-01", "2026-03-31").await.unwrap().unwrap().body, "Un très bon mois.");
    // Another period, scope or workspace has its own (or none).
    assert_eq!(store.report_commentary(&bank, "workspace", "2026-03-02", "2026-03-31").await.unwrap(), None);
    assert_eq!(
        store.report_commentary(&bank, "network:sandbox", "2026-03-01", "2026-03-31").await.unwrap().unwrap().body,
        "Le bac à sable"
    );
    assert_eq!(store.report_commentary(&coffee, "workspace", "2026-03-01", "2026-03-31").await.unwrap(), None);

    // Cleared: gone.
    store.save_report_commentary(&bank, "workspace", "2026-03-01", "2026-03-31", "   ", None).await.unwrap();
    assert_eq!(store.report_commentary(&bank, "workspace", "2026-03-01", "2026-03-31").await.unwrap(), None);
});
