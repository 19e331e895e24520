//! In headless Chromium, a team's own diagnostic from an empty folder, through the pages only:
//! the coordinator sees what to do first, registers a community and its locality, a service
//! provider, reads the geography; the analyst maps a survey's localities, defines an indicator
//! and writes a finding citing a document, the service map and the indicator; the coordinator's
//! meeting validates it and an action of the plan answers it; at desktop and phone widths
//! (screenshots for the README and the guide).

mod support;

use std::path::PathBuf;

use support::webdriver::{Browser, available};
use support::{DemoServer, run, text};

const COD: &str = "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date,Version\n\
                   MLI,1,ML10,Ménaka,MLI,2025-09-04,v03\n\
                   MLI,2,ML1001,Ménaka,ML10,2025-09-04,v03\n\
                   MLI,1,ML11,Nioro,MLI,2025-09-04,v03\n\
                   MLI,2,ML1101,Nioro,ML11,2025-09-04,v03\n";

fn screenshots() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
}

#[test]
fn a_coordinator_builds_a_diagnostic_of_their_own_through_the_pages() {
    if !available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nioro");
    let d = dir.to_str().unwrap();
    assert!(
        run(&["init", d, "--name", "Nioro et Ménaka"])
            .status
            .success()
    );
    let cod = tmp.path().join("cod.csv");
    std::fs::write(&cod, COD).unwrap();
    let out = run(&["geo", "import", cod.to_str().unwrap(), "--dir", d]);
    assert!(out.status.success(), "{}", text(&out));
    for (user, role) in [("coord", "coordinator"), ("analyste", "analyst")] {
        support::add_user(&dir, user, role, "un mot de passe assez long");
    }

    let server = DemoServer::serve(&dir);
    let browser = Browser::start();
    browser.viewport(1280, 900, false);
    browser.goto(&format!("{}/login", server.base));
    browser.type_into("input[name=username]", "coord");
    browser.type_into("input[name=password]", "un mot de passe assez long");
    browser.click("button[type=submit]");
    browser.wait_for_text("Nioro et Ménaka");

    // No community yet: the list says what to do, in order.
    browser.goto(&format!("{}/communities", server.base));
    let page = browser.wait_for_text("Pour commencer");
    assert!(page.contains("Nouvelle communauté"), "{page}");
    browser.screenshot(&screenshots().join("communautes-vides-bureau.png"));

    // A community through its form: the cercle chosen from the stored geography.
    browser.click_link("Nouvelle communauté");
    browser.wait_for_text("Identifiant court");
    browser.type_into("input[name=name]", "Nioro du Sahel");
    browser.script("document.querySelector('select[name=cercle]').value = 'ML1101'; return 0");
    browser.type_into(
        "textarea[name=selection_reason]",
        "Départs vers la Mauritanie",
    );
    browser.screenshot(&screenshots().join("nouvelle-communaute-bureau.png"));
    browser.click("form.stacked button[type=submit]");
    let page = browser.wait_for_text("Enregistré.");
    assert!(
        browser.url().contains("/communities/nioro-du-sahel"),
        "{}",
        browser.url()
    );
    assert!(page.contains("Départs vers la Mauritanie"));

    // Its locality, then a service provider.
    browser.click_link("Ajouter une localité");
    browser.wait_for_text("Source de la population");
    browser.type_into("input[name=name]", "Nioro-Ville");
    browser.script("document.querySelector('select[name=kind]').value = 'town'; return 0");
    browser.type_into("input[name=population]", "30 000");
    browser.type_into("input[name=population_source]", "RGPH 2009");
    browser.click("form.stacked button[type=submit]");
    let page = browser.wait_for_text("Nioro-Ville");
    assert!(page.contains("30"), "{page}");

    browser.goto(&format!(
        "{}/communities/nioro-du-sahel/actors/prestataires/new",
        server.base
    ));
    browser.wait_for_text("Service offert");
    browser.type_into("input[name=organisation]", "CSREF de Nioro");
    browser.type_into("input[name=service]", "Soins et référence");
    browser.click("form.stacked button[type=submit]");
    browser.wait_for_text("CSREF de Nioro");
    browser.goto(&format!(
        "{}/communities/nioro-du-sahel/services",
        server.base
    ));
    browser.wait_for_text("CSREF de Nioro");

    browser.goto(&format!("{}/geography", server.base));
    browser.wait_for_text("ML1101");
    browser.screenshot(&screenshots().join("geographie-bureau.png"));

    let mut msna = false;
    // REACH's MSNA form and its export uploaded from the imports page, then its admin3
    // answers (placeholder codes) mapped to the new locality in the table.
    if let (Some(form), Some(data)) = (
        support::shared("reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"),
        support::shared("reach-msna-2024/dummy_raw_data.xlsx"),
    ) {
        // The analyst imports data (the coordinator does not).
        browser.click("header form button[type=submit]");
        browser.wait_for_text("Mot de passe");
        browser.type_into("input[name=username]", "analyste");
        browser.type_into("input[name=password]", "un mot de passe assez long");
        browser.click("button[type=submit]");
        browser.wait_for_text("Nioro et Ménaka");
        browser.goto(&format!("{}/imports", server.base));
        browser.wait_for_text("Importer un fichier");
        browser
            .script("document.querySelectorAll('details').forEach(d => d.open = true); return 0");
        browser.type_into(
            "form[action='/imports/form'] input[name=instrument]",
            "MSNA",
        );
        browser.type_into(
            "form[action='/imports/form'] input[type=file]",
            form.canonicalize().unwrap().to_str().unwrap(),
        );
        browser.click("form[action='/imports/form'] button[type=submit]");
        browser.wait_for_text("listes de choix");
        browser.goto(&format!("{}/imports", server.base));
        browser.wait_for_text("Importer un fichier");
        browser
            .script("document.querySelectorAll('details').forEach(d => d.open = true); return 0");
        browser.type_into(
            "form[action='/imports/data'] input[type=file]",
            data.canonicalize().unwrap().to_str().unwrap(),
        );
        browser.click("form[action='/imports/data'] input[name=accept_warnings]");
        browser.click("form[action='/imports/data'] button[type=submit]");
        browser.wait_for_text("241 nouvelles soumissions");
        browser.goto(&format!("{}/instruments", server.base));
        browser.click_link("MSNA");
        browser.wait_for_text("Localités des réponses");
        browser.click_link("Localités des réponses →");
        browser.wait_for_text("Question de la localité");
        browser
            .script("document.querySelector('select[name=question]').value = 'admin3'; return 0");
        browser.click("form.filters button[type=submit]");
        browser.wait_for_text("PCODE111");
        browser.script(
            "const s = Array.from(document.querySelectorAll('td select')).find(s => s.closest('tr').textContent.includes('PCODE111')); \
             s.value = Array.from(s.options).find(o => o.textContent.includes('Nioro-Ville')).value; return 0",
        );
        browser.screenshot(&screenshots().join("localites-reponses-bureau.png"));
        browser.click("form.stacked button[type=submit]");
        let page = browser.wait_for_text("Enregistré.");
        assert!(page.contains("Nioro du Sahel — Nioro-Ville"), "{page}");

        // An indicator on it, previewed on every clean row before it is saved.
        browser.goto(&format!("{}/indicators", server.base));
        browser.wait_for_text("Définir un indicateur");
        browser.click("form[action='/indicators/new'] button[type=submit]");
        browser.wait_for_text("Question ou expression");
        browser.type_into("input[name=code]", "resp_female");
        browser.type_into("input[name=label]", "Répondantes");
        browser.type_into("input[name=question]", "resp_gender");
        browser.type_into("input[name=option]", "female");
        // The locality question is the one the mapping named.
        assert!(
            browser
                .source()
                .contains("name=\"locality\" value=\"admin3\"")
        );
        browser.type_into("textarea[name=by]", "setting");
        browser.click("button[value=preview]");
        let page = browser.wait_for_text("Calculé sur 241 lignes propres");
        assert!(page.contains("24,9"), "{page}");
        browser.screenshot(&screenshots().join("indicateur-apercu-bureau.png"));
        browser.click("button[value=save]");
        browser.wait_for_text("Indicateur enregistré");
        msna = true;
    }

    // A finding written on the findings page, citing a document of the register at its page
    // and the service map, each shown with its value.
    browser.goto(&format!("{}/documents", server.base));
    browser.wait_for_text("Registre des documents");
    browser.type_into("input[name=title]", "Profil migratoire du Mali");
    browser.type_into("input[name=publisher]", "OIM");
    browser.type_into("input[name=published_on]", "2024-06-30");
    browser.click("form.stacked button[type=submit]");
    browser.wait_for_text("Registre des documents enregistré.");
    browser.goto(&format!(
        "{}/communities/nioro-du-sahel/findings",
        server.base
    ));
    browser.wait_for_text("Écrire un constat");
    browser.script("document.querySelector('select[name=theme]').value = 'services'; return 0");
    browser.type_into(
        "textarea[name=statement]",
        "Les migrants de retour à Nioro-Ville ne trouvent qu'un seul service de santé.",
    );
    browser.click("form[action='/communities/nioro-du-sahel/findings'] button[type=submit]");
    browser.wait_for_text("Citer un élément de preuve");
    let mut sources = vec![
        (
            "Documents (sources secondaires)",
            "Profil migratoire",
            "12",
            "Profil migratoire du Mali, p. 12",
        ),
        ("Cartographie des services", "Nioro-Ville", "", "Convergent"),
    ];
    if msna {
        // A cell of the new indicator: the rural setting's respondents in Nioro.
        sources.push(("Indicateurs", "rural", "", "Répondantes — "));
    }
    for (group, text, page, cited) in sources {
        browser.script(&format!(
            "const o = Array.from(document.querySelectorAll(\"optgroup[label='{group}'] option\")).find(o => o.textContent.includes('{text}')); \
             document.querySelector('select[name=citation]').value = o.value; return 0"
        ));
        browser.type_into("input[name=page]", page);
        browser.click("form[action$='/evidence'] button[type=submit]");
        browser.wait_for_text(cited);
    }
    let page = browser.wait_for_text("Profil migratoire du Mali, p. 12");
    assert!(page.contains("prestataire(s) dans la localité"), "{page}");
    assert!(
        page.contains("Convergent"),
        "two kinds of source agree: {page}"
    );
    browser.screenshot(&screenshots().join("constat-bureau.png"));
    let finding_page = browser.url();

    // The coordinator's meeting validates the finding; an action of the plan answers it.
    browser.click("header form button[type=submit]");
    browser.wait_for_text("Mot de passe");
    browser.type_into("input[name=username]", "coord");
    browser.type_into("input[name=password]", "un mot de passe assez long");
    browser.click("button[type=submit]");
    browser.wait_for_text("Nioro et Ménaka");
    browser.goto(&format!("{}/communities/nioro-du-sahel", server.base));
    browser.wait_for_text("Nioro du Sahel");
    browser.script("document.querySelectorAll('details').forEach(d => d.open = true); return 0");
    let form = "form[action='/communities/nioro-du-sahel/meetings']";
    browser.type_into(
        &format!("{form} input[name=title]"),
        "Réunion de consultation de Nioro",
    );
    browser.script(&format!(
        "document.querySelector(\"{form} input[name=date]\").value = '2026-03-12'; return 0"
    ));
    browser.type_into(&format!("{form} input[name=place]"), "Mairie de Nioro");
    browser.click(&format!("{form} button[type=submit]"));
    browser.wait_for_url("/meetings/");
    browser.click("form[action$='/findings'] button[type=submit]");
    browser.wait_for_text("Les migrants de retour à Nioro-Ville");
    browser.script("document.querySelectorAll('details').forEach(d => d.open = true); return 0");
    browser.script(
        "document.querySelector(\"form[action$='/decide'] select[name=outcome]\").value = 'validated'; return 0",
    );
    browser.click("form[action$='/decide'] button[type=submit]");
    browser.wait_for_text("Validé");
    browser.goto(&format!(
        "{}/communities/nioro-du-sahel/findings",
        server.base
    ));
    browser.wait_for_text("Validé");
    browser.click_link("Créer une action à partir de ce constat →");
    let form = "form[action$='/plan/actions']";
    browser.wait_for_text("Plan d'action");
    browser.type_into(
        &format!("{form} input[name=title]"),
        "Un second service de santé pour les migrants de retour",
    );
    browser.type_into(
        &format!("{form} input[name=lead_partner]"),
        "CSREF de Nioro",
    );
    browser.script(&format!(
        "document.querySelector(\"{form} input[name=start]\").value = '1-3'; return 0"
    ));
    browser.click(&format!("{form} button"));
    let page = browser.wait_for_text("Action ajoutée au plan.");
    assert!(
        page.contains("Un second service de santé pour les migrants de retour"),
        "{page}"
    );

    // On a phone: the community and its form stay readable without sideways scrolling.
    browser.viewport(390, 844, true);
    browser.goto(&finding_page);
    browser.wait_for_text("Une réunion a statué sur ce constat");
    browser.screenshot(&screenshots().join("constat-telephone.png"));
    let overflow = browser.script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "the finding scrolls sideways on a phone: {overflow}"
    );
    for (path, name) in [
        ("/communities/nioro-du-sahel", "communaute-propre-telephone"),
        (
            "/communities/nioro-du-sahel/localities/new",
            "nouvelle-localite-telephone",
        ),
    ] {
        browser.goto(&format!("{}{path}", server.base));
        browser.wait_for_text("Nioro du Sahel");
        let overflow = browser.script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        );
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "{path} scrolls sideways on a phone: {overflow}"
        );
        browser.screenshot(&screenshots().join(format!("{name}.png")));
    }
}
