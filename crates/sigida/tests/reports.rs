//! The demo's reports against the engine: every published indicator value in a community's
//! contextual analysis report is the stored value the engine computed, with its interval, and
//! a value resting on fewer than 5 respondents is never printed.

use sigida_core::disclosure::{Cell, DEFAULT_MIN_CELL, publish};
use sigida_report::indicators::{interval, value};
use sigida_report::{Lang, Tr};

mod support;
use support::{run, text};

/// The part of the report that shows indicator `code`.
fn indicator_section<'h>(html: &'h str, code: &str) -> &'h str {
    let start = html
        .find(&format!("<section class=\"indicator\" id=\"{code}\">"))
        .unwrap_or_else(|| panic!("no section for {code}"));
    let end = html[start..].find("</section>").unwrap() + start;
    &html[start..end]
}

#[test]
fn every_indicator_value_in_a_report_is_the_engines() {
    let dir = tempfile::tempdir().unwrap();
    let demo = run(&["demo", "--dir", dir.path().to_str().unwrap()]);
    assert!(demo.status.success(), "{}", text(&demo));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut checked = 0;
    let mut suppressed = 0;
    for (slug, lang) in [("diboli", Lang::Fr), ("gao-chateau", Lang::En)] {
        let tr = Tr::new(lang);
        let file = format!("analyse-contextuelle{}.html", lang.file_suffix());
        let html =
            std::fs::read_to_string(dir.path().join("reports").join(slug).join(file)).unwrap();
        let stored = runtime.block_on(async {
            let store = support::open_store(dir.path()).await;
            let (diagnostic, community) = support::diagnostic_and_community(&store, slug).await;
            let mut out = Vec::new();
            for indicator in store.indicators(diagnostic.id).await.unwrap() {
                let values = store
                    .indicator_values(indicator.id, community.id)
                    .await
                    .unwrap();
                out.push((indicator, values));
            }
            store.close().await;
            out
        });
        assert!(!stored.is_empty());
        for (indicator, values) in &stored {
            let section = indicator_section(&html, &indicator.code);
            assert!(!values.is_empty(), "{} has values", indicator.code);
            let printed_of = |v: &sigida_core::indicator::IndicatorValue| {
                format!(
                    "{}</td><td class=\"num\">{}",
                    value(tr, indicator.kind, v.estimate),
                    interval(tr, indicator.kind, v)
                )
            };
            // What the shown cells print: a suppressed cell may print the same as one of them
            // (0,0 % [0,0 % – 0,0 %]), and then its absence cannot be read from the text.
            let shown: Vec<String> = values
                .iter()
                .filter(|v| matches!(publish((), v.n, DEFAULT_MIN_CELL), Cell::Shown(())))
                .map(printed_of)
                .collect();
            for v in values {
                let printed = printed_of(v);
                match publish((), v.n, DEFAULT_MIN_CELL) {
                    Cell::Shown(()) => {
                        assert!(
                            section.contains(&printed) || v.by.is_none(),
                            "{} {:?}: {printed} not in the report",
                            indicator.code,
                            v.by
                        );
                        if v.by.is_none() {
                            assert!(section.contains(&value(tr, indicator.kind, v.estimate)));
                        }
                        checked += 1;
                    }
                    Cell::Suppressed => {
                        assert!(
                            shown.contains(&printed) || !section.contains(&printed),
                            "{} printed: {printed} ({:?}, n = {})",
                            indicator.code,
                            v.by,
                            v.n
                        );
                        suppressed += 1;
                    }
                }
            }
        }
    }
    assert!(
        checked > 300,
        "{checked} values checked ({suppressed} suppressed)"
    );

    // The PDF, read back as text.
    let pdf = dir.path().join("reports/diboli/analyse-contextuelle.pdf");
    let Ok(out) = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
    else {
        eprintln!("pdftotext (poppler-utils) is not installed: the PDF is not read back");
        return;
    };
    assert!(out.status.success());
    // Spaces of any kind as one, so that French no-break spaces compare.
    let normal = |t: &str| {
        t.split(|c: char| c.is_whitespace())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let text = normal(&String::from_utf8_lossy(&out.stdout));
    let tr = Tr::new(Lang::Fr);
    for key in [
        "report.contents",
        "report.part_context",
        "report.part_flows",
        "report.part_protection",
        "report.part_groups",
        "report.part_services",
        "report.part_findings",
        "report.part_perspectives",
        "report.part_annexes",
        "report.annex_indicators",
        "report.annex_sources",
        "flows.od_matrix",
        "protection.heat_map",
    ] {
        assert!(
            text.contains(&normal(tr.t(key))),
            "the PDF lacks « {} »",
            tr.t(key)
        );
    }
    assert!(text.contains("Page 3 / "), "numbered pages");
    let stored = runtime.block_on(async {
        let store = support::open_store(dir.path()).await;
        let (diagnostic, diboli) = support::diagnostic_and_community(&store, "diboli").await;
        let mut out = Vec::new();
        for indicator in store.indicators(diagnostic.id).await.unwrap() {
            for v in store
                .indicator_values(indicator.id, diboli.id)
                .await
                .unwrap()
            {
                out.push((indicator.kind, v));
            }
        }
        store.close().await;
        out
    });
    for (kind, v) in stored.iter().filter(|(_, v)| v.by.is_none()) {
        let printed = normal(&interval(tr, *kind, v));
        assert!(text.contains(&printed), "the PDF lacks {printed}");
    }
}

#[test]
fn a_pdf_shows_french_and_arabic_text_with_its_embedded_fonts() {
    let dir = tempfile::tempdir().unwrap();
    let meta = sigida_report::pdf::Meta {
        title: "Essai — Gao".into(),
        subtitle: "Sous-titre".into(),
        generated: String::new(),
        synthetic: None,
        part_per_page: true,
    };
    let body = "<h2>1. Élément</h2><p>Où ça ? « Déjà » : 12\u{202f}% des ménages.</p>\
                <p>مرحبا بكم</p><table><thead><tr><th>Localité</th><th class=\"num\">n</th></tr></thead>\
                <tbody><tr><th>Ségou</th><td class=\"num\">7</td></tr></tbody></table>";
    let pdf = sigida_report::pdf::render(Tr::new(Lang::Fr), &meta, body).unwrap();
    let path = dir.path().join("essai.pdf");
    std::fs::write(&path, pdf).unwrap();
    let Ok(out) = std::process::Command::new("pdftotext")
        .args([path.to_str().unwrap(), "-"])
        .output()
    else {
        eprintln!("pdftotext (poppler-utils) is not installed: the PDF is not read back");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in ["1. Élément", "Où ça ?", "« Déjà » :", "Ségou", "Sommaire"] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(
        text.contains("مرحبا") || text.contains("ابحرم"),
        "the Arabic words: {text}"
    );
    let fonts = std::process::Command::new("pdffonts")
        .arg(&path)
        .output()
        .unwrap();
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    assert!(
        fonts.lines().skip(2).all(|l| l.contains(" yes ")),
        "every font embedded:\n{fonts}"
    );
}

/// LibreOffice opens the workbook, recalculates every formula (a profile that tells it to
/// recalculate on load, whatever values the file caches) and writes each sheet as CSV: the
/// recalculated amounts, total and yearly totals must equal the stored lines.
fn recalculated_by_libreoffice(
    workbook: &std::path::Path,
    total: i64,
    lines: &[sigida_core::plan::BudgetLine],
) {
    if std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "LibreOffice (libreoffice-calc-nogui) is missing: scripts/test.sh installs it"
        );
        eprintln!("LibreOffice is not installed: the workbook is not opened in it");
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let profile = scratch.path().join("profile");
    std::fs::create_dir_all(profile.join("user")).unwrap();
    std::fs::write(
        profile.join("user/registrymodifications.xcu"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#,
    )
    .unwrap();
    let out = scratch.path().join("out");
    let convert = |filter: &str| {
        let status = std::process::Command::new("soffice")
            .arg(format!(
                "-env:UserInstallation=file://{}",
                profile.display()
            ))
            .args(["--headless", "--convert-to", filter, "--outdir"])
            .arg(&out)
            .arg(workbook)
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
    };
    convert("pdf");
    assert!(
        out.join("plan-action.pdf").exists(),
        "LibreOffice made a PDF"
    );
    // Every sheet as CSV (the last option, -1, asks for all of them).
    convert("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1");
    let sheet = |name: &str| {
        sigida_formats::table::read_tables(&out.join(format!("plan-action-{name}.csv")))
            .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
            .remove(0)
    };
    let number = |v: &str| v.parse::<f64>().unwrap() as i64;
    let budget = sheet("Budget");
    let amount = budget.column("Montant").unwrap();
    let (last, body) = budget.rows.split_last().unwrap();
    assert_eq!(body.len(), lines.len());
    assert_eq!(number(&last.1[amount]), total, "the recalculated total row");
    let mut by_year = [0i64; 4];
    for line in lines {
        by_year[usize::from(line.year) - 1] += line.quantity * line.unit_cost_fcfa;
    }
    let totals = sheet("Totaux");
    let years: Vec<i64> = totals.rows[..4]
        .iter()
        .map(|(_, c)| number(&c[2]))
        .collect();
    assert_eq!(years, by_year, "the recalculated SUMIFs by year");
    assert_eq!(number(&totals.rows.last().unwrap().1[2]), total);
    for name in ["Plan", "Indicateurs", "Calendrier", "Suivi", "Jalons"] {
        assert!(!sheet(name).rows.is_empty(), "sheet {name}");
    }
}

#[test]
fn a_plans_budget_adds_up_alike_in_its_html_pdf_and_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let demo = run(&["demo", "--dir", dir.path().to_str().unwrap()]);
    assert!(demo.status.success(), "{}", text(&demo));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let lines = runtime.block_on(async {
        let store = support::open_store(dir.path()).await;
        let (_, diboli) = support::diagnostic_and_community(&store, "diboli").await;
        let plan = store.plans(diboli.id).await.unwrap().remove(0);
        let lines = store.budget_lines(plan.id).await.unwrap();
        store.close().await;
        lines
    });
    let total: i64 = lines.iter().map(|l| l.quantity * l.unit_cost_fcfa).sum();
    assert!(total > 0 && lines.len() > 3);
    let tr = Tr::new(Lang::Fr);
    let folder = dir.path().join("reports/diboli");

    let html = std::fs::read_to_string(folder.join("plan-action.html")).unwrap();
    let printed = sigida_report::format::fcfa(tr, total);
    assert!(
        html.contains(&format!("<strong>{printed}</strong>")),
        "{printed}"
    );

    let book = sigida_formats::table::read_tables(&folder.join("plan-action.xlsx")).unwrap();
    let names: Vec<&str> = book.iter().filter_map(|t| t.sheet.as_deref()).collect();
    assert_eq!(
        names,
        [
            "Plan",
            "Budget",
            "Totaux",
            "Indicateurs",
            "Calendrier",
            "Suivi",
            "Jalons"
        ]
    );
    let follow_up = &book[5];
    assert!(
        !follow_up.rows.is_empty(),
        "the demo's first round of follow-up is in the workbook"
    );
    recalculated_by_libreoffice(&folder.join("plan-action.xlsx"), total, &lines);
    let budget = &book[1];
    let amount = budget.column("Montant").unwrap();
    let number = |v: &str| v.parse::<f64>().unwrap() as i64;
    let (last, body) = budget.rows.split_last().unwrap();
    assert_eq!(body.len(), lines.len());
    let mut sum = 0;
    for ((_, cells), line) in body.iter().zip(&lines) {
        assert_eq!(number(&cells[amount]), line.quantity * line.unit_cost_fcfa);
        sum += number(&cells[amount]);
    }
    assert_eq!(sum, total);
    assert_eq!(number(&last.1[amount]), total, "the total row");
    let totals = &book[2];
    let by_year: i64 = totals.rows[..4].iter().map(|(_, c)| number(&c[2])).sum();
    assert_eq!(by_year, total, "the years add up to the total");

    let Ok(out) = std::process::Command::new("pdftotext")
        .args([folder.join("plan-action.pdf").to_str().unwrap(), "-"])
        .output()
    else {
        eprintln!("pdftotext (poppler-utils) is not installed: the PDF is not read back");
        return;
    };
    let normal = |t: &str| {
        t.split(|c: char| c.is_whitespace())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let pdf = normal(&String::from_utf8_lossy(&out.stdout));
    assert!(pdf.contains(&normal(&printed)));
    assert!(
        pdf.contains("5. Jalons") && pdf.contains("15 juillet 2026"),
        "the milestones and the one reached in the first round of follow-up"
    );
}
