//! The change log and its application between two copies, through the store alone: a copy
//! made from the log, a batch applied twice, a batch that skips one refused, and a name two
//! copies both gave (a community's slug) kept as a conflict rather than failing the sync.
//! Between two SQLite copies, and between the central PostgreSQL and an SQLite laptop both
//! ways (PostgreSQL's own log, triggers and unique refusals).

#[allow(dead_code)] // the stories here take the PostgreSQL store only
mod common;

use sigida_core::cleaning::{Decision, LogEntry};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::instrument::{Instrument, InstrumentKind};
use sigida_core::{Id, Timestamp};
use sigida_store::Store;

fn community(diagnostic: Id<Diagnostic>, name: &str, slug: &str) -> Community {
    Community {
        id: Id::new(),
        diagnostic_id: diagnostic,
        name: name.into(),
        slug: slug.into(),
        region_pcode: "ML01".into(),
        cercle_pcode: "ML0101".into(),
        cod_version: "v03".into(),
        description: String::new(),
        latitude: Some(14.445_678_901_234_567),
        longitude: None,
        selection_reason: String::new(),
        archived_at: None,
    }
}

async fn exchange(from: &Store, to: &Store) -> sigida_store::sync::Applied {
    let (peer, _) = to.replica().await.unwrap();
    let batch = from.outgoing(Some(&peer), None).await.unwrap();
    let mut tx = to.begin().await.unwrap();
    let done = tx.apply(&batch, "2026-12-07T10:00:00Z").await.unwrap();
    tx.commit().await.unwrap();
    done
}

#[tokio::test]
async fn between_two_sqlite_copies() {
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = Store::open_dir(a_dir.path()).await.unwrap();
    let b = Store::open_dir(b_dir.path()).await.unwrap();
    copy_merge_and_clash(&a, &b).await;
}

async fn postgres() -> Option<Store> {
    match std::env::var("SIGIDA_TEST_POSTGRES_URL") {
        Ok(url) => Some(common::fresh_postgres(&url).await.0),
        Err(_) => {
            sigida_testkit::needed("PostgreSQL (SIGIDA_TEST_POSTGRES_URL)", false);
            None
        }
    }
}

#[tokio::test]
async fn from_the_central_postgres_to_a_laptop() {
    let Some(centre) = postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let laptop = Store::open_dir(dir.path()).await.unwrap();
    copy_merge_and_clash(&centre, &laptop).await;
}

#[tokio::test]
async fn from_a_laptop_to_the_central_postgres() {
    let Some(centre) = postgres().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let laptop = Store::open_dir(dir.path()).await.unwrap();
    copy_merge_and_clash(&laptop, &centre).await;
}

/// A makes a diagnostic, B is made from A's log, both name a community alike.
async fn copy_merge_and_clash(a: &Store, b: &Store) {
    let diagnostic = Diagnostic {
        id: Id::new(),
        name: "Diagnostic".into(),
        country_iso3: "MLI".into(),
        programme: "Test".into(),
        synthetic: true,
        min_cell: 5,
        created_at: Timestamp::parse("2026-01-12T08:00:00Z").unwrap(),
        period_start: None,
        period_end: None,
        languages: sigida_core::diagnostic::default_languages(),
    };
    let diboli = community(diagnostic.id, "Diboli", "diboli");
    let mut tx = a.begin().await.unwrap();
    tx.insert_diagnostic(&diagnostic).await.unwrap();
    let unit = |pcode: &str, level, parent: Option<&str>| sigida_core::geography::AdminUnit {
        pcode: pcode.into(),
        cod_version: "v03".into(),
        level,
        name: "Kayes".into(),
        parent_pcode: parent.map(Into::into),
        valid_from: None,
    };
    tx.upsert_admin_units(&[unit("ML01", 1, None), unit("ML0101", 2, Some("ML01"))])
        .await
        .unwrap();
    tx.insert_community(&diboli).await.unwrap();
    tx.commit().await.unwrap();

    // The new copy, from everything A logged.
    let batch = a.outgoing(None, None).await.unwrap();
    let mut tx = b.begin().await.unwrap();
    let done = tx.apply(&batch, "2026-12-07T09:00:00Z").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(done.conflicts, 0);
    let copied = b.communities(diagnostic.id).await.unwrap();
    assert_eq!(copied, vec![diboli.clone()], "reals travel exactly");
    // The same batch again changes nothing.
    let mut tx = b.begin().await.unwrap();
    let again = tx.apply(&batch, "2026-12-07T09:01:00Z").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((again.applied, again.skipped), (0, batch.changes.len()));

    // Both name a new community « kayes »: each copy keeps its own and the other's row beside.
    for store in [a, b] {
        let mut tx = store.begin().await.unwrap();
        tx.insert_community(&community(diagnostic.id, "Kayes", "kayes"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let to_a = exchange(b, a).await;
    let to_b = exchange(a, b).await;
    assert_eq!((to_a.conflicts, to_b.conflicts), (1, 1));
    for store in [a, b] {
        let conflicts = store.open_conflicts().await.unwrap();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].field, "unique");
        assert!(conflicts[0].remote.as_ref().unwrap()["slug"] == "kayes");
        assert_eq!(store.communities(diagnostic.id).await.unwrap().len(), 2);
    }

    // A batch that starts after what B received (one in between went missing) is refused.
    let mut tx = a.begin().await.unwrap();
    tx.insert_community(&community(diagnostic.id, "Nioro", "nioro"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (b_id, _) = b.replica().await.unwrap();
    let mut skipping = a.outgoing(Some(&b_id), None).await.unwrap();
    skipping.after += 1_000;
    let mut tx = b.begin().await.unwrap();
    let refused = tx.apply(&skipping, "2026-12-07T11:00:00Z").await;
    assert!(
        matches!(&refused, Err(sigida_store::StoreError::Refused(r)) if r.code == "sync.gap"),
        "{refused:?}"
    );

    cleaning_logs_numbered_alike(a, b, diagnostic.id).await;
}

fn entry(uuid: &str, question: &str) -> LogEntry {
    LogEntry {
        uuid: uuid.into(),
        loop_index: String::new(),
        question: question.into(),
        old_value: "999".into(),
        new_value: String::new(),
        issue: "valeur extrême".into(),
        check: "outlier_iqr".into(),
        decision: Decision::Pending,
        author: "sigida".into(),
        date: "2026-03-01".into(),
        reason: String::new(),
    }
}

/// Each copy logs a different entry under the same number, and both the same entry: after the
/// exchange each copy holds the three, once each, and a decision taken on one reaches the
/// other's entry, whatever number each gave it.
async fn cleaning_logs_numbered_alike(a: &Store, b: &Store, diagnostic: Id<Diagnostic>) {
    let instrument = Instrument {
        id: Id::new(),
        diagnostic_id: diagnostic,
        kind: InstrumentKind::HouseholdSurvey,
        name: "Ménages".into(),
    };
    let mut tx = a.begin().await.unwrap();
    tx.insert_instrument(&instrument).await.unwrap();
    tx.commit().await.unwrap();
    exchange(a, b).await;
    for (store, own) in [(a, "a-1"), (b, "b-1")] {
        let mut tx = store.begin().await.unwrap();
        tx.merge_log(
            instrument.id,
            &[entry(own, "age"), entry("commun", "revenu")],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let (to_a, to_b) = (exchange(b, a).await, exchange(a, b).await);
    assert_eq!((to_a.conflicts, to_b.conflicts), (0, 0));
    let about = |log: Vec<(i64, LogEntry)>| -> Vec<String> {
        let mut all: Vec<String> = log.into_iter().map(|(_, e)| e.uuid).collect();
        all.sort();
        all
    };
    for store in [a, b] {
        let log = store.numbered_log(instrument.id).await.unwrap();
        assert_eq!(about(log), ["a-1", "b-1", "commun"]);
    }
    // A decides on B's entry, under A's number for it; B's entry takes the decision.
    let seq = a
        .numbered_log(instrument.id)
        .await
        .unwrap()
        .into_iter()
        .find(|(_, e)| e.uuid == "b-1")
        .unwrap()
        .0;
    let decided = LogEntry {
        new_value: "45".into(),
        decision: Decision::Change,
        reason: "âge en mois".into(),
        ..entry("b-1", "age")
    };
    let mut tx = a.begin().await.unwrap();
    tx.decide(instrument.id, seq, &decided).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(exchange(a, b).await.conflicts, 0);
    let on_b = b.cleaning_log(instrument.id).await.unwrap();
    let theirs = on_b.iter().find(|e| e.uuid == "b-1").unwrap();
    assert_eq!(
        (theirs.decision, theirs.new_value.as_str()),
        (Decision::Change, "45")
    );
    assert_eq!(on_b.len(), 3);
}
