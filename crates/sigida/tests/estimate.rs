//! `sigida estimate` gives R `survey`'s numbers (to 1e-9 relative) on the datasets R ships:
//! simple random, stratified and one-stage cluster samples, with and without finite
//! population correction; means (with missing values), proportions, totals and ratios by
//! domain. Reference files: `scripts/reference/r_survey_reference.R` (R's datasets, from
//! `../shared`) and `scripts/reference/r_survey_synthetic.R` (households made in the repository,
//! checked on every clone).

use std::path::Path;
use std::process::Command;

mod support;
use support::{shared, sigida};

fn reference(case: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../sigida-survey/tests/reference/{case}.csv"));
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) || (a - b).abs() < 1e-12
}

/// The analyses of R's api datasets.
const API: &[&str] = &[
    "--mean",
    "api00,api99,acs.k3,growth",
    "--prop",
    "awards,sch.wide,comp.imp",
    "--total",
    "enroll",
    "--ratio",
    "api00/api99",
];

fn check(case: &str, file: &str, design: &[&str], by: &str) {
    let Some(data) = shared(&format!("r-survey-datasets/{file}")) else {
        return;
    };
    compare(case, &data, design, by, API);
}

/// Runs `sigida estimate` on `data` and compares every row with R's reference `case`.
fn compare(case: &str, data: &Path, design: &[&str], by: &str, analyses: &[&str]) {
    let out = sigida()
        .args(["estimate", "--data", data.to_str().unwrap()])
        .args(design)
        .args(["--by", by])
        .args(analyses)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<Vec<String>> = csv::Reader::from_reader(out.stdout.as_slice())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let want = reference(case);
    assert_eq!(got.len(), want.len(), "{case}: rows");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g[..3], w[..3], "{case}: row keys");
        for c in 3..7 {
            let (a, b): (f64, f64) = (g[c].parse().unwrap(), w[c].parse().unwrap());
            assert!(close(a, b), "{case} {:?} column {c}: {a} vs R {b}", &g[..3]);
        }
        assert_eq!(g[7], w[7], "{case} {:?}: n", &g[..3]);
    }
}

/// Synthetic households made in the repository (`scripts/reference/r_survey_synthetic.R`), so
/// that every clone, with or without `../shared`, holds the engine to R: strata, village
/// clusters with and without fpc, a lonely PSU, unequal weights, missing answers.
#[test]
fn synthetic_designs_made_in_the_repository_give_r_numbers() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sigida-survey/tests/reference/synthetic/households.data.csv");
    let analyses = [
        "--mean",
        "income,size",
        "--prop",
        "displaced,water",
        "--total",
        "members",
        "--ratio",
        "income/size",
    ];
    let clusters = [
        "--strata",
        "cercle",
        "--cluster",
        "village",
        "--weight",
        "weight",
    ];
    compare(
        "synthetic/stratified_clusters_fpc",
        &data,
        &[&clusters[..], &["--fpc", "villages"]].concat(),
        "region",
        &analyses,
    );
    compare(
        "synthetic/stratified_clusters",
        &data,
        &clusters,
        "region",
        &analyses,
    );
    // The table as `sigida estimate` prints it, byte for byte.
    let table = sigida()
        .args(["estimate", "--data", data.to_str().unwrap()])
        .args(clusters)
        .args(["--fpc", "villages", "--by", "region"])
        .args(analyses)
        .output()
        .unwrap();
    insta::assert_snapshot!(
        "estimate_stratified_clusters_fpc",
        String::from_utf8(table.stdout).unwrap()
    );
    compare(
        "synthetic/stratified_households",
        &data,
        &["--strata", "cercle", "--weight", "weight"],
        "cercle",
        &analyses,
    );
}

#[test]
fn simple_random_sample_with_and_without_fpc() {
    check(
        "apisrs_fpc",
        "apisrs.csv",
        &["--weight", "pw", "--fpc", "fpc"],
        "stype",
    );
    check("apisrs", "apisrs.csv", &["--weight", "pw"], "stype");
}

#[test]
fn stratified_sample_with_and_without_fpc() {
    check(
        "apistrat_fpc",
        "apistrat.csv",
        &["--strata", "stype", "--weight", "pw", "--fpc", "fpc"],
        "both",
    );
    check(
        "apistrat",
        "apistrat.csv",
        &["--strata", "stype", "--weight", "pw"],
        "both",
    );
}

#[test]
fn one_stage_cluster_sample_with_and_without_fpc() {
    check(
        "apiclus1_fpc",
        "apiclus1.csv",
        &["--cluster", "dnum", "--weight", "pw", "--fpc", "fpc"],
        "stype",
    );
    check(
        "apiclus1",
        "apiclus1.csv",
        &["--cluster", "dnum", "--weight", "pw"],
        "stype",
    );
}

#[test]
fn bad_designs_are_refused_with_the_row_and_column() {
    let Some(data) = shared("r-survey-datasets/apistrat.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| sigida().arg("estimate").args(args).output().unwrap();
    let text = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let out = run(&[
        "--data",
        data.to_str().unwrap(),
        "--weight",
        "nope",
        "--mean",
        "api00",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out).contains("colonne « nope » (donnée par --weight) absente"),
        "{}",
        text(&out)
    );

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "w;y;h\n1;2;a\nx;3;a\n").unwrap();
    // A misspelt column is named before the body is read (its bad weight is not reached).
    let out = run(&[
        "--data",
        bad.to_str().unwrap(),
        "--weight",
        "w",
        "--mean",
        "yy",
    ]);
    assert!(
        text(&out).contains("colonne « yy » (donnée par --mean) absente ; colonnes : w, y, h"),
        "{}",
        text(&out)
    );
    let out = run(&[
        "--data",
        bad.to_str().unwrap(),
        "--weight",
        "w",
        "--mean",
        "y",
    ]);
    assert!(
        text(&out).contains("ligne 3, colonne « w » : « x » n'est pas un nombre"),
        "{}",
        text(&out)
    );
    std::fs::write(&bad, "w;y;h\n1;2;a\n0;3;a\n").unwrap();
    let out = run(&[
        "--data",
        bad.to_str().unwrap(),
        "--weight",
        "w",
        "--mean",
        "y",
    ]);
    assert!(
        text(&out).contains("ligne 3, colonne « w » : poids « 0 »"),
        "{}",
        text(&out)
    );
    std::fs::write(&bad, "w;y;h\n1;2;a\n1;3;\n").unwrap();
    let out = run(&[
        "--data",
        bad.to_str().unwrap(),
        "--strata",
        "h",
        "--mean",
        "y",
    ]);
    assert!(
        text(&out).contains("ligne 3, colonne « h » : strate manquante"),
        "{}",
        text(&out)
    );
    std::fs::write(&bad, "w;y;g\n1;2;\n1;3;\n").unwrap();
    let out = run(&["--data", bad.to_str().unwrap(), "--by", "g", "--mean", "y"]);
    assert!(text(&out).contains("aucun domaine"), "{}", text(&out));
}

#[test]
fn lonely_psus_are_handled_as_r_does() {
    // Strata by county: many counties hold a single school district.
    check(
        "apistrat_lonely",
        "apistrat.csv",
        &["--strata", "cname", "--cluster", "dnum", "--weight", "pw"],
        "stype",
    );
}

fn run_csv(args: &[&str]) -> Vec<Vec<String>> {
    let out = sigida().arg("estimate").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    csv::Reader::from_reader(out.stdout.as_slice())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn design_effects_match_r() {
    let (Some(strat), Some(clus)) = (
        shared("r-survey-datasets/apistrat.csv"),
        shared("r-survey-datasets/apiclus1.csv"),
    ) else {
        return;
    };
    for (case, data, design, by, vars) in [
        (
            "apistrat_deff",
            strat,
            vec!["--strata", "stype", "--weight", "pw"],
            "both",
            "api00,acs.k3",
        ),
        (
            "apiclus1_deff",
            clus,
            vec!["--cluster", "dnum", "--weight", "pw"],
            "stype",
            "api00,growth",
        ),
    ] {
        let mut args = vec![
            "--data",
            data.to_str().unwrap(),
            "--by",
            by,
            "--mean",
            vars,
            "--deff",
        ];
        args.extend(design);
        let got = run_csv(&args);
        let mut want = reference(case);
        want.sort_by(|a, b| (&a[0], &a[1]).cmp(&(&b[0], &b[1])));
        assert_eq!(got.len(), want.len(), "{case}");
        for (g, w) in got.iter().zip(&want) {
            // variable,option,by,estimate,se,ci_low,ci_high,n,deff_kish,deff vs variable,by,estimate,deff_kish,deff
            assert_eq!((&g[0], &g[2]), (&w[0], &w[1]), "{case}");
            for (gc, wc) in [(3, 2), (8, 3), (9, 4)] {
                let (a, b): (f64, f64) = (g[gc].parse().unwrap(), w[wc].parse().unwrap());
                assert!(
                    close(a, b),
                    "{case} {:?} column {gc}: {a} vs R {b}",
                    &g[..3]
                );
            }
        }
    }
}

#[test]
fn reach_msna_export_with_strata_clusters_weights_and_select_multiple() {
    let Some(_) = shared("r-survey-datasets/apistrat.csv") else {
        return;
    };
    let workbook = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/reach-msna-2024/dummy_raw_data.xlsx");
    let got = run_csv(&[
        "--data",
        workbook.to_str().unwrap(),
        "--sheet",
        "main",
        "--strata",
        "stratum",
        "--cluster",
        "cluster_id",
        "--weight",
        "weight",
        "--by",
        "admin1",
        "--mean",
        "resp_age,hh_size",
        "--prop",
        "setting,resp_gender",
        "--multi",
        "aap_priority_challenge",
    ]);
    let want = reference("msna_dummy");
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g[..3], w[..3]);
        for c in 3..7 {
            let (a, b): (f64, f64) = (g[c].parse().unwrap(), w[c].parse().unwrap());
            assert!(close(a, b), "{:?} column {c}: {a} vs R {b}", &g[..3]);
        }
        assert_eq!(g[7], w[7]);
    }
}

/// (question, option, locality, sex)
type Key = (String, String, String, String);

/// The benchmark's job on its synthetic Kobo export (10 000 rows, every field quoted, quoted
/// newlines, `""` missing): 4 572 estimates, each equal to R's. The file is made by the
/// benchmark's own generator (numpy); R's values are stored.
#[test]
fn the_synthetic_household_job_gives_r_numbers() {
    let generator = sigida_testkit::shared_root().join("bench/gen_household.py");
    if !sigida_testkit::needed("../shared/bench", generator.exists()) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hh10k.csv");
    let made = Command::new("python3")
        .arg(&generator)
        .arg("10000")
        .arg(&data)
        .output();
    match made {
        Ok(o) if o.status.success() => {}
        other => {
            sigida_testkit::needed(&format!("python3 with numpy ({other:?})"), false);
            return;
        }
    }
    let header = std::fs::read_to_string(&data)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .replace('"', "");
    let columns: Vec<&str> = header.split(';').collect();
    let list = |prefix: &str, split: bool| {
        columns
            .iter()
            .filter(|c| c.starts_with(prefix) && (c.contains('/') == split))
            .copied()
            .collect::<Vec<_>>()
            .join(",")
    };
    let got = run_csv(&[
        "--data",
        data.to_str().unwrap(),
        "--strata",
        "locality",
        "--cluster",
        "cluster_id",
        "--weight",
        "weight",
        "--by",
        "locality,resp_sex",
        "--prop",
        &list("q_so_", false),
        "--multi",
        &list("q_sm_", false),
        "--mean",
        &list("q_int_", false),
    ]);
    let reference = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sigida-survey/tests/reference/household_10k_r.csv");
    let want: std::collections::HashMap<Key, (f64, f64, String)> =
        csv::Reader::from_path(reference)
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                let option = if &r[1] == "mean" {
                    String::new()
                } else {
                    r[1].to_owned()
                };
                (
                    (r[0].to_owned(), option, r[2].to_owned(), r[3].to_owned()),
                    (
                        r[4].parse().unwrap(),
                        r[5].parse().unwrap(),
                        r[6].to_owned(),
                    ),
                )
            })
            .collect();
    assert_eq!(got.len(), 4_572);
    assert_eq!(got.len(), want.len());
    for g in &got {
        let (e, s, n) = &want[&(g[0].clone(), g[1].clone(), g[2].clone(), g[3].clone())];
        let (ge, gs): (f64, f64) = (g[4].parse().unwrap(), g[5].parse().unwrap());
        assert!(
            close(ge, *e) && close(gs, *s),
            "{:?}: {ge} {gs} vs R {e} {s}",
            &g[..4]
        );
        assert_eq!(&g[8], n, "{:?}", &g[..4]);
    }
}
