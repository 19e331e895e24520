//! Findings as analysts write them, on the real server: a finding written through its form,
//! evidence cited from what Sigida holds (a document of the register at a page, an indicator
//! cell), a refused form kept with what was typed; and after a cleaning decision changes a
//! cited indicator, the finding says so with the old and the new value until it is re-read.

mod support;

use support::{DemoServer, Session, csrf_of};

/// The `value` of the first `<option>` whose text contains `text`.
fn option_value(page: &str, text: &str) -> String {
    page.split("<option value=\"")
        .skip(1)
        .find(|o| o.split("</option>").next().unwrap().contains(text))
        .and_then(|o| o.split('"').next())
        .map(|v| v.replace("&amp;", "&"))
        .unwrap_or_else(|| panic!("no option with {text}"))
}

#[test]
fn an_analyst_writes_a_finding_cites_its_sources_and_sees_when_a_cleaning_decision_changes_one() {
    let dir = tempfile::tempdir().unwrap();
    let server = DemoServer::start(dir.path());
    let s = Session::login(&server.base, "analyste", server.password("analyste"));
    let (status, page) = s.get("/communities/diboli/findings");
    assert_eq!(status, 200);
    assert!(!page.contains("valeur modifiée"), "nothing changed yet");
    let csrf = csrf_of(&page);

    // A document into the register; a bad link is refused with what was typed.
    let (status, page) = s.post(
        "/documents",
        &[
            ("csrf", &csrf),
            ("title", "Profil migratoire du Mali"),
            ("publisher", "OIM"),
            ("published_on", "2024-06-30"),
            ("link", "javascript:alert(1)"),
        ],
    );
    assert_eq!(status, 422);
    assert!(page.contains("attendu une adresse web"), "{page}");
    assert!(
        page.contains("Profil migratoire du Mali"),
        "what was typed is kept"
    );
    let (status, to) = s.post(
        "/documents",
        &[
            ("csrf", &csrf),
            ("title", "Profil migratoire du Mali"),
            ("publisher", "OIM"),
            ("published_on", "2024-06-30"),
            ("link", "https://publications.iom.int/"),
        ],
    );
    assert_eq!((status, to.as_str()), (303, "/documents?saved=1"));

    // A finding: refused without a statement, then written for one locality.
    let (status, page) = s.post(
        "/communities/diboli/findings",
        &[("csrf", &csrf), ("theme", "migration"), ("statement", " ")],
    );
    assert_eq!(status, 422);
    assert!(page.contains("Un constat demande son énoncé"), "{page}");
    let (_, page) = s.get("/communities/diboli/findings");
    let sobokou = option_value(
        &page.replace(
            "<input type=\"checkbox\" name=\"locality\" value=\"",
            "<option value=\"",
        ),
        "Sobokou",
    );
    let statement = "Les femmes de Sobokou partent moins que les hommes.";
    let (status, to) = s.post(
        "/communities/diboli/findings",
        &[
            ("csrf", &csrf),
            ("theme", "migration"),
            ("statement", statement),
            ("locality", &sobokou),
        ],
    );
    assert_eq!(status, 303, "{to}");
    let finding_page = to.trim_end_matches("?saved=1").to_owned();
    let (status, page) = s.get(&finding_page);
    assert_eq!(status, 200);
    assert!(page.contains(statement) && page.contains("Localités concernées : Sobokou"));

    // Its evidence, chosen among what Sigida holds: an indicator cell and the document at a page.
    let cell = option_value(&page, "Sexe du répondant : Femme");
    assert!(cell.starts_with("indicator|"), "{cell}");
    let document = option_value(&page, "Profil migratoire du Mali");
    for (citation, stance, page_no) in [(&cell, "supports", ""), (&document, "partly", "47")] {
        let (status, to) = s.post(
            &format!("{finding_page}/evidence"),
            &[
                ("csrf", &csrf),
                ("citation", citation),
                ("stance", stance),
                ("page", page_no),
                ("summary", ""),
            ],
        );
        assert_eq!(status, 303, "{citation}: {to}");
    }
    let (status, page) = s.post(
        &format!("{finding_page}/evidence"),
        &[
            ("csrf", &csrf),
            ("citation", "indicator|nulle_part"),
            ("stance", "supports"),
        ],
    );
    assert_eq!(status, 422);
    assert!(page.contains("ne contient pas la source"), "{page}");
    let (_, page) = s.get(&finding_page);
    assert!(page.contains("Profil migratoire du Mali, p. 47"), "{page}");
    assert!(
        page.contains("(n = "),
        "the indicator cell's value is shown"
    );
    assert!(page.contains("Convergent") || page.contains("Partiel"));

    // A cleaning decision leaves a submission out: every indicator of its community changes.
    let (_, instruments) = s.get("/instruments");
    let household = instruments
        .split("href=\"/instruments/")
        .skip(1)
        .find(|l| l.split("</a>").next().unwrap().contains("Enquête ménage"))
        .and_then(|l| l.split('"').next())
        .unwrap()
        .to_owned();
    let (_, log) = s.get(&format!("/instruments/{household}/cleaning"));
    let log_csrf = csrf_of(&log);
    // Submissions are left out one by one until one of Sobokou's women (the cited cell) goes.
    let mut page = String::new();
    for seq in 1..=60 {
        let (status, _) = s.post(
            &format!("/instruments/{household}/cleaning/{seq}"),
            &[
                ("csrf", &log_csrf),
                ("decision", "remove_survey"),
                ("reason", "doublon confirmé"),
            ],
        );
        assert_eq!(status, 303);
        page = s.get(&finding_page).1;
        if page.contains("valeur modifiée") {
            break;
        }
    }
    assert!(page.contains("valeur modifiée"), "the cited cell changed");
    assert!(
        page.contains("Au moment de la citation"),
        "the old value is shown"
    );
    assert!(page.contains("relisez le constat"), "{page}");
    let (_, list) = s.get("/communities/diboli/findings");
    assert!(
        list.contains("citent une valeur qui a changé"),
        "the list says so too"
    );
    // Re-read, the finding no longer flags the value (it keeps the new one).
    let action = page
        .split("action=\"")
        .skip(1)
        .find(|a| a.split('"').next().unwrap().ends_with("/reread"))
        .and_then(|a| a.split('"').next())
        .unwrap()
        .to_owned();
    let (status, _) = s.post(&action, &[("csrf", &csrf)]);
    assert_eq!(status, 303);
    let (_, page) = s.get(&finding_page);
    assert!(!page.contains("valeur modifiée"), "re-read");

    // A document a finding cites cannot be removed; the finding can, with its evidence.
    let document_id = document.trim_start_matches("document|");
    let (status, page) = s.post(
        &format!("/documents/{document_id}/delete"),
        &[("csrf", &csrf)],
    );
    assert_eq!(status, 422);
    assert!(page.contains("citent ce document"), "{page}");
    let (status, _) = s.post(&format!("{finding_page}/delete"), &[("csrf", &csrf)]);
    assert_eq!(status, 303);
    let (status, _) = s.post(
        &format!("/documents/{document_id}/delete"),
        &[("csrf", &csrf)],
    );
    assert_eq!(status, 303);
}

/// The value of the first `<option>` of the `<select name="…">` after `after` on a page.
fn first_option(page: &str, after: &str, select: &str) -> String {
    let rest = &page[page.find(after).unwrap_or_else(|| panic!("no {after}"))..];
    let rest = &rest[rest.find(&format!("<select name=\"{select}\"")).unwrap()..];
    rest.split("<option value=\"")
        .nth(1)
        .and_then(|o| o.split('"').next())
        .unwrap()
        .to_owned()
}

#[test]
fn risks_come_from_entered_reports_linked_indicators_and_coded_notes() {
    let dir = tempfile::tempdir().unwrap();
    let server = DemoServer::start(dir.path());
    let s = Session::login(&server.base, "analyste", server.password("analyste"));
    let (status, page) = s.get("/communities/diboli/protection");
    assert_eq!(status, 200);
    let csrf = csrf_of(&page);

    // Entered: a protection monitor's report; a wrong date comes back with what is expected.
    let locality = first_option(&page, "/protection/reports", "locality");
    let report = |date: &str| {
        s.post(
            "/communities/diboli/protection/reports",
            &[
                ("csrf", csrf.as_str()),
                ("locality", &locality),
                ("risk", "gbv"),
                ("source", "service_map"),
                ("date", date),
                ("share", ""),
                ("cases", "7"),
                ("present", "1"),
                ("note", "Sept cas au centre de santé"),
            ],
        )
    };
    let (_, to) = report("20/02/2026");
    assert!(to.contains("refused=risk.form_date"), "{to}");
    let (_, page) = s.get(&to.replace(&server.base, ""));
    assert!(
        page.contains("AAAA-MM-JJ"),
        "the refusal says what is expected"
    );
    let (_, to) = report("2026-02-20");
    assert!(to.contains("saved=1"), "{to}");
    let (_, page) = s.get("/communities/diboli/protection");
    assert!(page.contains("Sept cas au centre de santé") && page.contains("saisi"));

    // Derived from an indicator: the demo links the shares of households naming a concern to
    // their risks; the share holding an identity paper, linked here, gives each locality's
    // survey report of missing papers too.
    assert!(
        page.contains("indicateur hh_concern_extortion")
            && !page.contains("indicateur hh_id_document"),
        "the demo's linked indicators give reports, the unlinked one none"
    );
    let action = page
        .split("action=\"")
        .filter(|a| {
            a.split("</form>")
                .next()
                .unwrap()
                .contains("<code>hh_id_document</code>")
        })
        .map(|a| a.split('"').next().unwrap())
        .find(|a| a.starts_with("/communities/diboli/protection/indicators/"))
        .unwrap()
        .to_owned();
    let (status, _) = s.post(
        &action,
        &[("csrf", &csrf), ("risk", "lack_of_documentation")],
    );
    assert_eq!(status, 303);
    let (_, page) = s.get("/communities/diboli/protection");
    assert!(
        page.contains("indicateur hh_id_document"),
        "derived reports name their indicator"
    );

    // Derived from coded notes: the code linked to a risk, the note given its locality.
    let code_action = page
        .split("action=\"")
        .filter(|a| {
            a.split("</form>")
                .next()
                .unwrap()
                .contains("<code>orpaillage</code>")
        })
        .map(|a| a.split('"').next().unwrap())
        .find(|a| a.starts_with("/communities/diboli/protection/codes/"))
        .unwrap()
        .to_owned();
    let (status, _) = s.post(&code_action, &[("csrf", &csrf), ("risk", "forced_labour")]);
    assert_eq!(status, 303);
    let (_, qualitative) = s.get("/communities/diboli/qualitative");
    // The gold fields' code, which the former gold miner's interview carries.
    let note_action = qualitative
        .split("action=\"")
        .filter(|a| {
            a.split("</form>")
                .next()
                .unwrap()
                .contains("<code>DIB-KII-04</code>")
        })
        .map(|a| a.split('"').next().unwrap())
        .find(|a| a.contains("/qualitative/notes/"))
        .unwrap()
        .to_owned();
    let (status, to) = s.post(&note_action, &[("csrf", &csrf), ("locality", &locality)]);
    assert_eq!(status, 303, "{to}");
    let (_, page) = s.get("/communities/diboli/protection");
    assert!(
        page.contains("code orpaillage, note DIB-KII-04"),
        "a coded note is its locality's report"
    );
}
