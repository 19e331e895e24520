//! Indicators end to end: the demo's stored values equal what `sigida estimate` computes on
//! the same clean data, and a new cleaning decision makes them be computed again with the new
//! cleaning-log version in their provenance.

use sigida_core::cleaning::{Decision, LogEntry};
use sigida_core::community::slugify;

mod support;
use support::{run, text};

#[test]
fn stored_values_equal_the_engine_and_follow_the_cleaning_log() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().to_str().unwrap();
    let demo = run(&["demo", "--dir", at]);
    assert!(demo.status.success(), "{}", text(&demo));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (localities, stored, instrument, indicator, diboli) = runtime.block_on(async {
        let store = support::open_store(dir.path()).await;
        let (diagnostic, diboli) = support::diagnostic_and_community(&store, "diboli").await;
        let localities: Vec<String> = store
            .localities(diboli.id)
            .await
            .unwrap()
            .iter()
            .map(|l| slugify(&l.name))
            .collect();
        let indicator = store
            .indicators(diagnostic.id)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.code == "hh_member_abroad")
            .unwrap();
        let stored = store
            .indicator_values(indicator.id, diboli.id)
            .await
            .unwrap();
        store.close().await;
        (
            localities,
            stored,
            indicator.instrument_id,
            indicator.id,
            diboli.id,
        )
    });

    // The same clean data through `sigida estimate`, Diboli's rows only.
    let clean = dir.path().join("propre.csv");
    let applied = run(&[
        "clean",
        "apply",
        "--instrument",
        "Enquête ménage",
        "--out",
        clean.to_str().unwrap(),
        "--dir",
        at,
    ]);
    assert!(applied.status.success(), "{}", text(&applied));
    let mut reader = csv::Reader::from_path(&clean).unwrap();
    let headers = reader.headers().unwrap().clone();
    let locality = headers.iter().position(|h| h == "locality").unwrap();
    let mut writer = csv::Writer::from_path(dir.path().join("diboli.csv")).unwrap();
    writer.write_record(&headers).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        if localities.iter().any(|l| l == &record[locality]) {
            writer.write_record(&record).unwrap();
        }
    }
    writer.flush().unwrap();
    let estimates = dir.path().join("estimations.csv");
    let estimated = run(&[
        "estimate",
        "--data",
        dir.path().join("diboli.csv").to_str().unwrap(),
        "--strata",
        "locality",
        "--cluster",
        "cluster_id",
        "--weight",
        "weight",
        "--by",
        "resp_sex",
        "--prop",
        "member_abroad",
        "--out",
        estimates.to_str().unwrap(),
    ]);
    assert!(estimated.status.success(), "{}", text(&estimated));
    let mut compared = 0;
    for record in csv::Reader::from_path(&estimates).unwrap().records() {
        let r = record.unwrap();
        if &r[1] != "yes" {
            continue;
        }
        let value = stored
            .iter()
            .find(|v| {
                v.by.as_ref()
                    .is_some_and(|(c, value)| c == "resp_sex" && value == &r[2])
            })
            .unwrap_or_else(|| panic!("no stored value for resp_sex = {}", &r[2]));
        let (estimate, se): (f64, f64) = (r[3].parse().unwrap(), r[4].parse().unwrap());
        assert!(
            (value.estimate - estimate).abs() <= 1e-12 * estimate.abs(),
            "{} vs {estimate}",
            value.estimate
        );
        assert!(
            (value.se - se).abs() <= 1e-9 * se.abs(),
            "{} vs {se}",
            value.se
        );
        assert_eq!(value.n.to_string(), &r[7]);
        compared += 1;
    }
    assert_eq!(compared, 2, "both sexes compared");

    // The demo's findings cite the indicators: the evidence keeps the stored figure.
    let (evidence, values) = runtime.block_on(async {
        let store = support::open_store(dir.path()).await;
        let evidence = store.evidence_of_community(diboli).await.unwrap();
        let diagnostic = store.main_diagnostic().await.unwrap();
        let remittances = store
            .indicators(diagnostic.id)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.code == "hh_remittances")
            .unwrap();
        let values = store
            .indicator_values(remittances.id, diboli)
            .await
            .unwrap();
        store.close().await;
        (evidence, values)
    });
    let cited = evidence
        .iter()
        .find(|e| e.reference == "indicator|hh_remittances")
        .expect("a Diboli finding cites the remittances indicator");
    let overall = values.iter().find(|v| v.by.is_none()).unwrap();
    match &cited.cited {
        Some(sigida_core::citation::CitedValue::Estimate { estimate, n, .. }) => {
            assert_eq!(
                (*estimate, *n),
                (overall.estimate, overall.n),
                "the value cited"
            );
        }
        other => panic!("the evidence keeps the figure it cited: {other:?}"),
    }

    // A cleaning decision on a Diboli answer: the values are computed again, with the new
    // log version, and the share moves.
    let before_log = stored[0].provenance.log_version.clone();
    let overall_before = stored.iter().find(|v| v.by.is_none()).unwrap().estimate;
    let mut reader = csv::Reader::from_path(&clean).unwrap();
    let headers = reader.headers().unwrap().clone();
    let (uuid, abroad) = (
        headers.iter().position(|h| h == "_uuid").unwrap(),
        headers.iter().position(|h| h == "member_abroad").unwrap(),
    );
    let changed = reader
        .records()
        .map(Result::unwrap)
        .find(|r| localities.iter().any(|l| l == &r[locality]) && &r[abroad] == "no")
        .unwrap();
    runtime.block_on(async {
        let store = support::open_store(dir.path()).await;
        let mut tx = store.begin().await.unwrap();
        tx.merge_log(
            instrument,
            &[LogEntry {
                uuid: changed[uuid].to_owned(),
                loop_index: String::new(),
                question: "member_abroad".into(),
                old_value: "no".into(),
                new_value: "yes".into(),
                issue: "rectifié après rappel du ménage".into(),
                check: "manual".into(),
                decision: Decision::Change,
                author: "test".into(),
                date: "2026-03-01".into(),
                reason: "le fils est parti en janvier".into(),
            }],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let (diagnostic, community) = support::diagnostic_and_community(&store, "diboli").await;
        sigida_app::analysis::indicators::community_indicators(
            &store,
            &diagnostic,
            &community,
            "fr",
        )
        .await
        .unwrap();
        let again = store.indicator_values(indicator, diboli).await.unwrap();
        assert_ne!(
            again[0].provenance.log_version, before_log,
            "the new log version is recorded"
        );
        let overall_after = again.iter().find(|v| v.by.is_none()).unwrap().estimate;
        assert!(
            overall_after > overall_before,
            "{overall_before} → {overall_after}"
        );
        store.close().await;
    });
}
