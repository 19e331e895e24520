//! A team's own indicators on REACH's MSNA export (`../shared/data`), defined through the
//! indicators pages only: a share of an option, a mean and an expression, on the survey's
//! clusters, previewed then saved; a wrong expression refused at its character. The values the
//! community's page stores equal `sigida estimate` run on the same clean rows (the community's,
//! downloaded as clean data). Then the chain through the pages: two risk reports entered, an
//! indicator and a code linked to risks, findings citing an indicator cell, a flow figure, a
//! document and an excerpt, a meeting that validates one and amends the other, an action answering
//! the validated one, and the contextual analysis, the minutes and the plan that show them.

mod support;

use support::{DemoServer, Session, add_user, csrf_of, run, text};

const COD: &str = "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date,Version\n\
                   MLI,1,ML11,Nioro,MLI,2025-09-04,v03\n\
                   MLI,2,ML1101,Nioro,ML11,2025-09-04,v03\n";

/// `sigida estimate`'s rows: (variable, option) → (estimate, se, n).
fn estimate(args: &[&str]) -> Vec<(String, String, f64, f64, u64)> {
    let out = run(&[&["estimate"], args].concat());
    assert!(out.status.success(), "{}", text(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_owned(),
                r[1].to_owned(),
                r[2].parse().unwrap(),
                r[3].parse().unwrap(),
                r[6].parse().unwrap(),
            )
        })
        .collect()
}

#[test]
fn an_analyst_defines_indicators_that_equal_sigida_estimate_on_the_same_clean_rows() {
    let (Some(form), Some(data)) = (
        support::shared("reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"),
        support::shared("reach-msna-2024/dummy_raw_data.xlsx"),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nioro");
    let d = dir.to_str().unwrap();
    let cod = tmp.path().join("cod.csv");
    std::fs::write(&cod, COD).unwrap();
    for args in [
        vec!["init", d, "--name", "Nioro"],
        vec!["geo", "import", cod.to_str().unwrap(), "--dir", d],
        vec![
            "community",
            "add",
            "Nioro du Sahel",
            "--cercle",
            "ML1101",
            "--dir",
            d,
        ],
        vec![
            "locality",
            "add",
            "nioro-du-sahel",
            "Nioro-Ville",
            "--dir",
            d,
        ],
        vec![
            "import",
            "form",
            form.to_str().unwrap(),
            "--instrument",
            "MSNA",
            "--dir",
            d,
        ],
        vec![
            "import",
            "data",
            data.to_str().unwrap(),
            "--instrument",
            "MSNA",
            "--accept-warnings",
            "--dir",
            d,
        ],
    ] {
        let out = run(&args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
    add_user(&dir, "analyste", "analyst", "un mot de passe assez long");

    let server = DemoServer::serve(&dir);
    let s = Session::login(&server.base, "analyste", "un mot de passe assez long");
    let (_, list) = s.get("/indicators");
    let instrument = list
        .split("<option value=\"")
        .nth(1)
        .and_then(|o| o.split('"').next())
        .unwrap()
        .to_owned();
    // Nioro-Ville's answers are admin3's PCODE111: mapped on the instrument's page.
    let (_, mapping) = s.get(&format!(
        "/instruments/{instrument}/localities?question=admin3"
    ));
    let locality = mapping
        .split("<option value=\"")
        .map(|o| o.split('"').next().unwrap())
        .find(|v| v.len() == 36)
        .unwrap()
        .to_owned();
    let (status, _) = s.post(
        &format!("/instruments/{instrument}/localities"),
        &[
            ("csrf", &csrf_of(&mapping)),
            ("question", "admin3"),
            ("answer_0", "PCODE111"),
            ("locality_0", &locality),
        ],
    );
    assert_eq!(status, 303);

    let (status, page) = s.get(&format!("/indicators/new?instrument={instrument}"));
    assert_eq!(status, 200);
    assert!(
        page.contains("value=\"cluster_id\""),
        "the form's cluster is proposed: {page}"
    );
    let csrf = csrf_of(&page);
    let define = |code: &str, kind: &str, question: &str, option: &str, step: &str| {
        s.post(
            "/indicators",
            &[
                ("csrf", &csrf),
                ("instrument", &instrument),
                ("code", code),
                ("label", code),
                ("theme", "protection"),
                ("kind", kind),
                ("question", question),
                ("option", option),
                ("cluster", "cluster_id"),
                ("locality", "admin3"),
                ("by", "setting"),
                ("step", step),
            ],
        )
    };
    // A wrong expression is refused at its character; an unknown option with the options.
    let (status, page) = define("hh_large", "share", "${hh_size} >= ", "", "preview");
    assert_eq!(status, 422);
    assert!(page.contains("caractère"), "{page}");
    let (status, page) = define("resp_female", "share", "resp_gender", "femme", "preview");
    assert_eq!(status, 422);
    assert!(page.contains("female"), "the options are listed: {page}");
    // The preview, on all 241 clean rows, says the estimate before anything is saved.
    let (status, page) = define("resp_female", "share", "resp_gender", "female", "preview");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Calculé sur 241 lignes propres"), "{page}");
    assert!(page.contains("24,9"), "female: 60 of 241: {page}");
    for (code, kind, question, option) in [
        ("resp_female", "share", "resp_gender", "female"),
        ("hh_size_mean", "mean", "hh_size", ""),
        ("hh_large", "share", "${hh_size} >= 5", ""),
    ] {
        let (status, to) = define(code, kind, question, option, "save");
        assert_eq!(
            (status, to.as_str()),
            (303, "/indicators?saved=1"),
            "{code}"
        );
    }
    let (status, page) = s.get("/communities/nioro-du-sahel/indicators");
    assert_eq!(status, 200);
    assert!(page.contains("hh_size_mean"), "{page}");

    // The community's clean rows, downloaded, and `sigida estimate` on them.
    let (status, clean) = s.get_bytes(&format!("/instruments/{instrument}/clean.csv"));
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(clean.as_slice());
    let headers = reader.headers().unwrap().clone();
    let admin3 = headers.iter().position(|h| h == "admin3").unwrap();
    let size = headers.iter().position(|h| h == "hh_size").unwrap();
    let mut writer = csv::Writer::from_path(tmp.path().join("nioro.csv")).unwrap();
    let mut out_headers: Vec<&str> = headers.iter().collect();
    out_headers.push("hh_large");
    writer.write_record(&out_headers).unwrap();
    let mut rows = 0;
    for record in reader.records().map(Result::unwrap) {
        if &record[admin3] != "PCODE111" {
            continue;
        }
        let large = match record[size].trim().parse::<f64>() {
            Ok(n) => {
                if n >= 5.0 {
                    "1"
                } else {
                    "0"
                }
            }
            Err(_) => "",
        };
        let mut cells: Vec<&str> = record.iter().collect();
        cells.push(large);
        writer.write_record(&cells).unwrap();
        rows += 1;
    }
    writer.flush().unwrap();
    assert_eq!(rows, 54);
    let nioro = tmp.path().join("nioro.csv");
    let reference = estimate(&[
        "--data",
        nioro.to_str().unwrap(),
        "--prop",
        "resp_gender,hh_large",
        "--mean",
        "hh_size",
        "--cluster",
        "cluster_id",
    ]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let stored = runtime.block_on(async {
        let store = support::open_store(&dir).await;
        let (diagnostic, community) =
            support::diagnostic_and_community(&store, "nioro-du-sahel").await;
        let mut out = Vec::new();
        for i in store.indicators(diagnostic.id).await.unwrap() {
            let values = store.indicator_values(i.id, community.id).await.unwrap();
            let all = values.into_iter().find(|v| v.by.is_none()).unwrap();
            out.push((i.code, all));
        }
        store.close().await;
        out
    });
    assert_eq!(stored.len(), 3);
    for (code, variable, option) in [
        ("resp_female", "resp_gender", "female"),
        ("hh_size_mean", "hh_size", ""),
        ("hh_large", "hh_large", "1"),
    ] {
        let (_, value) = stored.iter().find(|(c, _)| c == code).unwrap();
        let (_, _, estimate, se, n) = reference
            .iter()
            .find(|r| r.0 == variable && r.1 == option)
            .unwrap_or_else(|| panic!("no {variable} {option} in {reference:?}"));
        assert!(
            (value.estimate - estimate).abs() <= 1e-12,
            "{code}: {} vs {estimate}",
            value.estimate
        );
        assert!(
            (value.se - se).abs() <= 1e-12,
            "{code}: se {} vs {se}",
            value.se
        );
        assert_eq!(value.n, *n, "{code}");
    }

    // Redefined, the indicator is computed again: its provenance names the new definition.
    let id = runtime.block_on(async {
        let store = support::open_store(&dir).await;
        let diagnostic = store.main_diagnostic().await.unwrap();
        let id = store
            .indicators(diagnostic.id)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.code == "hh_large")
            .unwrap()
            .id;
        store.close().await;
        id
    });
    let (_, page) = s.get(&format!("/indicators/{id}"));
    assert!(
        page.contains("${hh_size} &gt;= 5") || page.contains("${hh_size} >= 5"),
        "{page}"
    );
    let (status, _) = s.post(
        &format!("/indicators/{id}"),
        &[
            ("csrf", &csrf),
            ("instrument", &instrument),
            ("code", "hh_large"),
            ("label", "Ménages de 4 personnes ou plus"),
            ("theme", "protection"),
            ("kind", "share"),
            ("question", "${hh_size} >= 4"),
            ("cluster", "cluster_id"),
            ("locality", "admin3"),
            ("step", "save"),
        ],
    );
    assert_eq!(status, 303);
    let (_, page) = s.get("/communities/nioro-du-sahel/indicators");
    assert!(page.contains("Ménages de 4 personnes ou plus"), "{page}");
    let (before, after) = runtime.block_on(async {
        let store = support::open_store(&dir).await;
        let (_, community) = support::diagnostic_and_community(&store, "nioro-du-sahel").await;
        let values = store.indicator_values(id, community.id).await.unwrap();
        store.close().await;
        let before = stored
            .iter()
            .find(|(c, _)| c == "hh_large")
            .unwrap()
            .1
            .clone();
        (before, values.into_iter().find(|v| v.by.is_none()).unwrap())
    });
    assert_ne!(before.provenance.method, after.provenance.method);
    assert!(
        (after.estimate - 49.0 / 54.0).abs() < 1e-12,
        "{}",
        after.estimate
    );

    // Two findings, citing an indicator's cell and a document of the register.
    let (status, _) = s.post(
        "/documents",
        &[
            ("csrf", &csrf),
            ("title", "Profil migratoire du Mali"),
            ("publisher", "OIM"),
            ("published_on", "2024-06-30"),
            ("link", ""),
        ],
    );
    assert_eq!(status, 303);
    // Flow counts and coded notes for the community, through the same imports as a team's.
    let flows = tmp.path().join("flux-nioro.csv");
    std::fs::write(
        &flows,
        "#date,#direction,#loc+origin,#loc+destination,#affected+total,#affected+children+unaccompanied,#meta+transport\n\
         2026-02-02,outgoing,Nioro,Nouakchott (Mauritanie),42,2,bus\n\
         2026-02-09,outgoing,Nioro,Kayes,18,0,bus\n",
    )
    .unwrap();
    let notes = tmp.path().join("notes-nioro.xlsx");
    let sheet = |name: &str, rows: &[&[&str]]| sigida_formats::table::Table {
        file: "notes-nioro.xlsx".into(),
        sheet: Some(name.into()),
        headers: rows[0].iter().map(|c| c.to_string()).collect(),
        rows: rows[1..]
            .iter()
            .enumerate()
            .map(|(i, r)| (i + 2, r.iter().map(|c| c.to_string()).collect()))
            .collect(),
    };
    sigida_formats::write::write_workbook(
        &notes,
        &[
            sheet(
                "notes",
                &[
                    &[
                        "code",
                        "type",
                        "groupe",
                        "sexe",
                        "date",
                        "texte",
                        "localité",
                    ],
                    &[
                        "NIO-KII-01",
                        "kii",
                        "",
                        "hommes",
                        "2026-02-10",
                        "Transporteur",
                        "Nioro-Ville",
                    ],
                ],
            ),
            sheet(
                "codes",
                &[
                    &["code", "libellé", "thème"],
                    &["extorsion", "Extorsion sur la route", "protection"],
                ],
            ),
            sheet(
                "extraits",
                &[
                    &["note", "extrait", "codes"],
                    &[
                        "NIO-KII-01",
                        "Il faut payer à chaque poste avant la frontière.",
                        "extorsion",
                    ],
                ],
            ),
        ],
    )
    .unwrap();
    for args in [
        vec![
            "import",
            "flows",
            flows.to_str().unwrap(),
            "--community",
            "nioro-du-sahel",
            "--dir",
            d,
        ],
        vec![
            "import",
            "notes",
            notes.to_str().unwrap(),
            "--community",
            "nioro-du-sahel",
            "--dir",
            d,
        ],
    ] {
        let out = run(&args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }

    // The indicators in the diagnostic workbook: exported, imported back unchanged; a label
    // edited in the file changes that indicator only; an expression broken in it is refused at
    // its cell, nothing written.
    let exported = tmp.path().join("registres.xlsx");
    let out = run(&[
        "workbook",
        "export",
        "--out",
        exported.to_str().unwrap(),
        "--dir",
        d,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["workbook", "import", exported.to_str().unwrap(), "--dir", d]);
    assert!(
        text(&out).contains("Indicateurs : 0 ajout(s), 0 modification(s), 3 inchangé(s)"),
        "{}",
        text(&out)
    );
    let mut tables = sigida_formats::table::read_tables(&exported).unwrap();
    let sheet = tables
        .iter_mut()
        .find(|t| t.sheet.as_deref() == Some("indicateurs"))
        .unwrap();
    let (label, question) = (
        sheet.column("libelle").unwrap(),
        sheet.column("question").unwrap(),
    );
    let row = sheet
        .rows
        .iter_mut()
        .find(|(_, r)| r.iter().any(|c| c == "hh_size_mean"))
        .unwrap();
    row.1[label] = "Taille moyenne des ménages".into();
    let edited = tmp.path().join("indicateurs.xlsx");
    sigida_formats::write::write_workbook(&edited, &tables).unwrap();
    let out = run(&["workbook", "import", edited.to_str().unwrap(), "--dir", d]);
    assert!(
        text(&out).contains("Indicateurs : 0 ajout(s), 1 modification(s), 2 inchangé(s)"),
        "{}",
        text(&out)
    );
    let sheet = tables
        .iter_mut()
        .find(|t| t.sheet.as_deref() == Some("indicateurs"))
        .unwrap();
    let row = sheet
        .rows
        .iter_mut()
        .find(|(_, r)| r.iter().any(|c| c == "hh_large"))
        .unwrap();
    row.1[question] = "${hh_size} >=".into();
    let broken = tmp.path().join("casse.xlsx");
    sigida_formats::write::write_workbook(&broken, &tables).unwrap();
    let out = run(&["workbook", "import", broken.to_str().unwrap(), "--dir", d]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("feuille « indicateurs »") && text(&out).contains("caractère"),
        "{}",
        text(&out)
    );

    // Risks: two reports entered; an indicator linked to a risk (a report by locality once it
    // is disaggregated by its locality question); a code linked to a risk (its note of
    // Nioro-Ville becomes that locality's report).
    let (_, protection) = s.get("/communities/nioro-du-sahel/protection");
    for (risk, cases) in [("gbv", "4"), ("child_protection", "2")] {
        let (status, to) = s.post(
            "/communities/nioro-du-sahel/protection/reports",
            &[
                ("csrf", &csrf),
                ("locality", &locality),
                ("risk", risk),
                ("source", "service_map"),
                ("date", "2026-02-15"),
                ("cases", cases),
                ("present", "1"),
                ("note", "CSREF de Nioro"),
            ],
        );
        assert!(status == 303 && to.contains("saved=1"), "{to}");
    }
    let action = |page: &str, part: &str, code: &str| {
        page.split("action=\"")
            .filter(|a| {
                a.split("</form>")
                    .next()
                    .unwrap()
                    .contains(&format!("<code>{code}</code>"))
            })
            .map(|a| a.split('"').next().unwrap().to_owned())
            .find(|a| a.contains(part))
            .unwrap_or_else(|| panic!("no {part} form for {code}"))
    };
    let link = action(&protection, "/protection/indicators/", "resp_female");
    let (status, _) = s.post(&link, &[("csrf", &csrf), ("risk", "gbv")]);
    assert_eq!(status, 303);
    let (_, page) = s.get("/communities/nioro-du-sahel/protection");
    assert!(
        page.contains("non désagrégé par sa question de localité"),
        "the page says why"
    );
    let female = link.rsplit('/').next().unwrap().to_owned();
    let (status, _) = s.post(
        &format!("/indicators/{female}"),
        &[
            ("csrf", &csrf),
            ("instrument", &instrument),
            ("code", "resp_female"),
            ("label", "resp_female"),
            ("theme", "protection"),
            ("kind", "share"),
            ("question", "resp_gender"),
            ("option", "female"),
            ("cluster", "cluster_id"),
            ("locality", "admin3"),
            ("by", "setting\nadmin3"),
            ("step", "save"),
        ],
    );
    assert_eq!(status, 303);
    let code = action(&page, "/protection/codes/", "extorsion");
    let (status, _) = s.post(&code, &[("csrf", &csrf), ("risk", "detention_extortion")]);
    assert_eq!(status, 303);
    let (_, page) = s.get("/communities/nioro-du-sahel/protection");
    assert!(
        page.contains("indicateur resp_female"),
        "the survey's report by locality"
    );
    assert!(
        page.contains("code extorsion, note NIO-KII-01"),
        "the coded note's report"
    );
    assert!(page.contains("CSREF de Nioro"), "the entered reports");

    // Two findings, citing an indicator's cell and a flow figure, a document and an excerpt.
    let mut findings = Vec::new();
    for (statement, wants) in [
        (
            "Un quart des répondants de Nioro-Ville sont des femmes.",
            ["resp_female — ", "Flux — toute la période"],
        ),
        (
            "Les ménages de Nioro-Ville comptent quatre personnes en moyenne.",
            ["Profil migratoire", "(extorsion) — Informateurs clés"],
        ),
    ] {
        let (status, to) = s.post(
            "/communities/nioro-du-sahel/findings",
            &[
                ("csrf", &csrf),
                ("theme", "migration"),
                ("statement", statement),
            ],
        );
        assert_eq!(status, 303, "{to}");
        let page_path = to.trim_end_matches("?saved=1").to_owned();
        for want in wants {
            let (_, page) = s.get(&page_path);
            let citation = page
                .split("<option value=\"")
                .skip(1)
                .find(|o| o.split("</option>").next().unwrap().contains(want))
                .and_then(|o| o.split('"').next())
                .unwrap_or_else(|| panic!("nothing to cite like {want}"))
                .replace("&amp;", "&");
            let (status, to) = s.post(
                &format!("{page_path}/evidence"),
                &[
                    ("csrf", &csrf),
                    ("citation", &citation),
                    ("stance", "supports"),
                    ("page", "3"),
                ],
            );
            assert_eq!(status, 303, "{to}");
        }
        let (_, page) = s.get(&page_path);
        assert!(
            page.contains("Convergent"),
            "two kinds of source agree: {page}"
        );
        findings.push((statement, page_path));
    }

    // The coordinator runs the meeting: the findings put to validation, one validated, the other
    // amended; then an action answers the validated one.
    add_user(&dir, "coord", "coordinator", "un mot de passe assez long");
    let c = Session::login(&server.base, "coord", "un mot de passe assez long");
    let (_, community) = c.get("/communities/nioro-du-sahel");
    let ccsrf = csrf_of(&community);
    let (status, meeting) = c.post(
        "/communities/nioro-du-sahel/meetings",
        &[
            ("csrf", &ccsrf),
            ("title", "Réunion de consultation de Nioro"),
            ("level", "local"),
            ("date", "2026-03-12"),
            ("place", "Mairie de Nioro"),
            ("facilitators", "Équipe OIM"),
        ],
    );
    assert_eq!(status, 303, "{meeting}");
    let meeting = meeting.split('?').next().unwrap().to_owned();
    let (status, _) = c.post(&format!("{meeting}/findings"), &[("csrf", &ccsrf)]);
    assert_eq!(status, 303);
    let (_, screen) = c.get(&meeting);
    let decide: Vec<String> = screen
        .split("action=\"")
        .map(|a| a.split('"').next().unwrap().to_owned())
        .filter(|a| a.ends_with("/decide"))
        .collect();
    assert_eq!(decide.len(), 2, "both findings put to validation");
    // The screen lists the questions in the order the findings were written.
    let amended = "Les ménages de Nioro-Ville comptent quatre personnes, moins en ville.";
    for (action, outcome, wording) in [
        (&decide[0], "validated", ""),
        (&decide[1], "amended", amended),
    ] {
        let (status, to) = c.post(
            action,
            &[
                ("csrf", &ccsrf),
                ("outcome", outcome),
                ("wording", wording),
                ("reason", ""),
            ],
        );
        assert_eq!(status, 303, "{to}");
    }
    let (_, page) = c.get("/communities/nioro-du-sahel/findings");
    assert!(page.contains("Validé") && page.contains(amended), "{page}");
    let validated = &findings[0].1;
    let finding_id = validated.rsplit('/').next().unwrap();
    let (status, to) = c.post(
        "/communities/nioro-du-sahel/plan/actions",
        &[
            ("csrf", &ccsrf),
            ("title", "Groupes de parole pour les femmes de Nioro-Ville"),
            ("objective", "Les femmes de Nioro-Ville sont entendues"),
            ("lead_partner", "OIM"),
            ("start", "1-2"),
            ("end", "2-1"),
            ("findings", finding_id),
        ],
    );
    assert_eq!(status, 303, "{to}");
    assert!(!to.contains("refused"), "{to}");

    // The documents show them: the analysis (findings with their cited values), the minutes
    // (the amendment), the plan (the action and the finding it answers).
    let out = run(&["report", "--dir", d, "--lang", "fr", "--format", "html"]);
    assert!(out.status.success(), "{}", text(&out));
    let reports = dir.join("reports").join("nioro-du-sahel");
    let analysis = std::fs::read_to_string(reports.join("analyse-contextuelle.html")).unwrap();
    assert!(analysis.contains(findings[0].0), "the validated finding");
    assert!(analysis.contains(amended), "the amended wording");
    assert!(
        analysis.contains("Profil migratoire du Mali, p. 3"),
        "the document cited"
    );
    assert!(analysis.contains("60 voyageurs"), "the flow figure cited");
    assert!(
        analysis.contains("1 extrait(s) dans 1 note(s)"),
        "the excerpt cited"
    );
    let minutes: String = std::fs::read_dir(reports.join("reunions"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(minutes.contains(amended), "the minutes say the amendment");
    let plan = std::fs::read_to_string(reports.join("plan-action.html")).unwrap();
    assert!(plan.contains("Groupes de parole pour les femmes de Nioro-Ville"));
    assert!(
        plan.contains(findings[0].0),
        "the plan names the finding its action answers"
    );

    // The findings and their evidence in the workbook: exported, imported back unchanged (the
    // decided findings stand); a finding and a piece of evidence added in the file are written
    // through the same use-cases; an unreadable reference is refused at its cell.
    let exported = tmp.path().join("constats.xlsx");
    let out = run(&[
        "workbook",
        "export",
        "--out",
        exported.to_str().unwrap(),
        "--dir",
        d,
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&["workbook", "import", exported.to_str().unwrap(), "--dir", d]);
    let said = text(&out);
    assert!(
        said.contains("Constats : 0 ajout(s), 0 modification(s), 2 inchangé(s)")
            && said.contains("Preuves : 0 ajout(s), 0 modification(s), 4 inchangé(s)"),
        "{said}"
    );
    let mut tables = sigida_formats::table::read_tables(&exported).unwrap();
    let document = tables
        .iter()
        .find(|t| t.sheet.as_deref() == Some("documents"))
        .and_then(|t| {
            t.rows
                .iter()
                .find(|(_, r)| r.iter().any(|c| c == "Profil migratoire du Mali"))
        })
        .map(|(_, r)| r[0].clone())
        .unwrap();
    let statement = "Les départs vers la Mauritanie passent par Nioro-Ville.";
    for (name, row) in [
        (
            "constats",
            vec![
                "",
                "Nioro du Sahel",
                "Migration et flux",
                statement,
                "Nioro-Ville",
                "",
                "",
            ],
        ),
        (
            "preuves",
            vec![
                "",
                statement,
                &format!("document|{document}|8"),
                "confirme",
                "",
                "",
                "",
            ],
        ),
    ] {
        let sheet = tables
            .iter_mut()
            .find(|t| t.sheet.as_deref() == Some(name))
            .unwrap();
        let next = sheet.rows.last().map_or(3, |(n, _)| n + 1);
        sheet
            .rows
            .push((next, row.iter().map(|c| c.to_string()).collect()));
    }
    let added = tmp.path().join("ajouts.xlsx");
    sigida_formats::write::write_workbook(&added, &tables).unwrap();
    let out = run(&["workbook", "import", added.to_str().unwrap(), "--dir", d]);
    let said = text(&out);
    assert!(
        said.contains("Constats : 1 ajout(s)") && said.contains("Preuves : 1 ajout(s)"),
        "{said}"
    );
    let (_, page) = s.get("/communities/nioro-du-sahel/findings");
    assert!(page.contains(statement) && page.contains("Profil migratoire du Mali, p. 8"));
    let sheet = tables
        .iter_mut()
        .find(|t| t.sheet.as_deref() == Some("preuves"))
        .unwrap();
    let last = sheet.rows.len() - 1;
    sheet.rows[last].1[2] = "enquête|x".into();
    sheet.rows[last].1[0] = String::new();
    let broken = tmp.path().join("reference.xlsx");
    sigida_formats::write::write_workbook(&broken, &tables).unwrap();
    let out = run(&["workbook", "import", broken.to_str().unwrap(), "--dir", d]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("feuille « preuves »")
            && text(&out).contains("référence « enquête|x » illisible"),
        "{}",
        text(&out)
    );
}
