//! In headless Chromium: a coordinator signs in to the demo, opens the overview and a
//! community at desktop and phone widths, and no page loads anything from another host.

mod support;

use std::path::PathBuf;

use support::DemoServer;
use support::webdriver::{Browser, available};

fn screenshots() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
}

/// Every resource and navigation the page made, as URLs.
fn requested_urls(browser: &Browser) -> Vec<String> {
    let urls = browser.script(
        "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map(e => e.name)",
    );
    urls.as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_coordinator_signs_in_and_every_page_stays_on_the_laptop() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = DemoServer::start(dir.path());
    let browser = Browser::start();
    browser.viewport(1280, 900, false);

    browser.goto(&format!("{}/communities/gao-chateau", server.base));
    assert!(
        browser.url().contains("/login?next="),
        "unauthenticated visitors go to the login page"
    );
    browser.screenshot(&screenshots().join("login.png"));
    browser.type_into("input[name=username]", "coordination");
    browser.type_into("input[name=password]", server.password("coordination"));
    browser.click("button[type=submit]");
    // The click returns before the next page has loaded: wait for it.
    let page = browser.wait_for_text("Sosso Koïra");
    assert!(
        browser.url().ends_with("/communities/gao-chateau"),
        "back where the visitor wanted to go: {}",
        browser.url()
    );
    assert!(page.contains("Données synthétiques de démonstration"));
    // The coordinator may see contacts: the access is audited (checked in the route tests).
    assert!(page.contains("+223"));

    for (path, name) in [
        ("/", "overview"),
        ("/communities", "communities"),
        ("/communities/diboli", "community-diboli"),
        ("/communities/diboli/flows", "flows-diboli"),
        ("/communities/gao-chateau/protection", "protection-gao"),
        ("/communities/diboli/groups", "groups-diboli"),
        ("/communities/diboli/indicators", "indicators-diboli"),
        ("/communities/gao-chateau/findings", "findings-gao"),
        ("/communities/gao-chateau/services", "services-gao"),
        ("/communities/diboli/qualitative", "qualitative-diboli"),
        ("/communities/gao-chateau/exercises", "exercises-gao"),
    ] {
        browser.goto(&format!("{}{path}", server.base));
        for url in requested_urls(&browser) {
            assert!(url.starts_with(&server.base), "{path} requested {url}");
        }
        let stylesheet_loaded = browser.script(
            "return getComputedStyle(document.querySelector('header.top')).backgroundColor",
        );
        assert_eq!(
            stylesheet_loaded, "rgb(8, 61, 66)",
            "the embedded stylesheet applies on {path}"
        );
        browser.screenshot(&screenshots().join(format!("{name}-desktop.png")));
    }

    // A phone: the community page stays readable without horizontal scrolling of the page.
    browser.viewport(390, 844, true);
    browser.goto(&format!("{}/communities/gao-chateau", server.base));
    let overflow = browser.script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "the page scrolls sideways on a phone: {overflow}"
    );
    browser.screenshot(&screenshots().join("community-phone.png"));
    browser.goto(&format!("{}/", server.base));
    browser.screenshot(&screenshots().join("overview-phone.png"));
    // The flows of Gao on a phone: the wide origin–destination matrix scrolls in its own
    // frame, the page does not.
    browser.goto(&format!("{}/communities/gao-chateau/flows", server.base));
    let page = browser.wait_for_text("Matrice origine–destination");
    assert!(
        page.contains("Tamanrasset (Algérie)"),
        "Gao's route north is there"
    );
    assert!(
        page.contains("Enquête auprès des voyageurs") && page.contains("Itinéraires par tronçon"),
        "the traveller survey follows the counts"
    );
    let overflow = browser.script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "the flows page scrolls sideways on a phone: {overflow}"
    );
    browser.screenshot(&screenshots().join("flows-phone.png"));
}

#[test]
fn an_analyst_decides_about_a_cleaning_log_entry_in_the_browser() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = DemoServer::start(dir.path());
    let browser = Browser::start();
    browser.viewport(1280, 900, false);
    browser.goto(&format!("{}/login?next=/instruments", server.base));
    browser.type_into("input[name=username]", "analyste");
    browser.type_into("input[name=password]", server.password("analyste"));
    browser.click("button[type=submit]");
    browser.wait_for_text("Instruments et données");
    assert!(browser.url().ends_with("/instruments"), "{}", browser.url());
    assert!(browser.source().contains("Enquête ménage"));
    browser.screenshot(&screenshots().join("instruments-desktop.png"));

    // The questions of the form, in French.
    browser.click_link("Enquête ménage");
    browser.wait_for_text("Âge du répondant");
    browser.click_link("Journal de nettoyage →");
    browser.wait_for_text("Les données brutes ne sont jamais modifiées");
    let log_url = browser.url();

    // Only the outliers, then a decision about the first one.
    browser.click("select[name=check] option[value=outlier_iqr]");
    browser.click("form.filters button");
    let page = browser.wait_for_url("check=outlier_iqr");
    assert!(
        browser.url().contains("check=outlier_iqr"),
        "{}",
        browser.url()
    );
    assert!(page.contains("valeur aberrante"), "{page}");
    assert!(!page.contains("entretien trop court"), "{page}");
    browser.click("form.decide select[name=decision] option[value=change_response]");
    browser.type_into("form.decide input[name=new_value]", "45000");
    browser.type_into("form.decide input[name=reason]", "deux zéros de trop");
    browser.click("form.decide button");
    browser.wait_for_text("Décision enregistrée.");
    browser.goto(&format!("{log_url}?decision=change_response"));
    let decided = browser.wait_for_text("deux zéros de trop");
    assert!(
        decided.contains("deux zéros de trop") && decided.contains("45000"),
        "the decision is kept"
    );
    browser.screenshot(&screenshots().join("journal-nettoyage.png"));
}

/// The meeting in three browsers and a facilitator's: the facilitator registers three
/// participants and asks a question; three phones join with their codes and vote; a paper
/// count is entered; the live results and the minutes show the right numbers.
#[test]
fn a_facilitator_runs_a_vote_that_three_phones_answer() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = DemoServer::start(dir.path());
    let facilitator = Browser::start();
    facilitator.viewport(1280, 900, false);
    facilitator.goto(&format!(
        "{}/login?next=/communities/gao-chateau",
        server.base
    ));
    facilitator.type_into("input[name=username]", "animation");
    facilitator.type_into("input[name=password]", server.password("animation"));
    facilitator.click("button[type=submit]");
    facilitator.wait_for_text("Préparer une réunion de consultation");
    // The facilitator creates the meeting from the community's page.
    facilitator.script("document.querySelectorAll('details').forEach(d => d.open = true)");
    let form = "form[action$='/meetings']";
    facilitator.type_into(
        &format!("{form} input[name=title]"),
        "Restitution à Château",
    );
    facilitator.script(&format!(
        "document.querySelector(\"{form} input[name=date]\").value = '2026-04-02'"
    ));
    facilitator.type_into(&format!("{form} input[name=place]"), "Maison des jeunes");
    facilitator.type_into(
        &format!("{form} textarea[name=agenda]"),
        "Restitution\nVote",
    );
    facilitator.click(&format!("{form} button[type=submit]"));
    facilitator.wait_for_text("Présence et inclusion");
    let meeting_url = facilitator.url();
    assert!(meeting_url.contains("/meetings/"), "{meeting_url}");
    let open_all = "document.querySelectorAll('details').forEach(d => d.open = true)";

    let mut codes = Vec::new();
    for _ in 0..3 {
        facilitator.script(open_all);
        facilitator.click("form[action$='/participants'] input[name=consent]");
        facilitator.click("form[action$='/participants'] button[type=submit]");
        // The page before showed a code too: wait for this registration's, a new one.
        let started = std::time::Instant::now();
        let code = loop {
            let shown = facilitator.script(
                "const c = document.querySelector('.join-code strong'); \
                 return document.readyState === 'complete' && c ? c.textContent : null",
            );
            if let Some(code) = shown.as_str().filter(|c| !codes.iter().any(|k| k == c)) {
                break code.to_owned();
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "no new code after registering"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        codes.push(code);
    }
    facilitator.script(open_all);
    facilitator.type_into(
        "form[action$='/questions'] input[name=prompt]",
        "Quel point d'eau réparer d'abord ?",
    );
    facilitator.type_into(
        "form[action$='/questions'] textarea[name=options]",
        "Forage de Sosso Koïra\nPuits de Saneye",
    );
    facilitator.click("form[action$='/questions'] button[type=submit]");
    facilitator.wait_for_text("Quel point d");
    // The new question is the last one: open its vote.
    let question = facilitator.script(
        "const f = Array.from(document.querySelectorAll(\"form[action$='/open']\")).pop(); \
         const id = f.action.split('/questions/')[1].split('/')[0]; f.querySelector('button').click(); return id;",
    );
    let question = question.as_str().unwrap().to_owned();
    facilitator.wait_for_text("clore le vote");

    // Three phones, three browsers, no accounts.
    let choices = [
        "Forage de Sosso Koïra",
        "Puits de Saneye",
        "Forage de Sosso Koïra",
    ];
    let mut phones = Vec::new();
    for (code, choice) in codes.iter().zip(choices) {
        let phone = Browser::start();
        phone.viewport(390, 844, true);
        phone.goto(&format!("{}/v", server.base));
        phone.type_into("input[name=code]", code);
        phone.click("button[type=submit]");
        phone.wait_for_text("Quel point d");
        let picked = phone.script(&format!(
            "const i = Array.from(document.querySelectorAll('input[name=option]')).find(i => i.value === {} && i.form.querySelector('input[name=question]').value === {}); i.click(); i.form.querySelector('button').click(); return true;",
            serde_json::to_string(choice).unwrap(),
            serde_json::to_string(&question).unwrap(),
        ));
        assert_eq!(picked, serde_json::Value::Bool(true));
        phone.wait_for_text("Vote enregistré");
        phones.push(phone);
    }
    phones[0].screenshot(&screenshots().join("vote-telephone.png"));
    let overflow = phones[0].script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "the phone page scrolls sideways"
    );

    // Two more votes for the well, counted on paper.
    facilitator.goto(&meeting_url);
    facilitator.wait_for_text("Présence et inclusion");
    facilitator.script(open_all);
    let form = format!("form[action$='/questions/{question}/counts']");
    facilitator.script(&format!(
        "document.querySelector(\"{form} select[name=option]\").value = 'Puits de Saneye'"
    ));
    facilitator.type_into(&format!("{form} input[name=count]"), "2");
    facilitator.click(&format!("{form} button[type=submit]"));
    facilitator.wait_for_text("Présence et inclusion");

    // The live results: the borehole 2 by phone; the well 1 by phone and 2 on paper.
    let totals = format!(
        "const s = document.getElementById('q-{question}'); return s ? Array.from(s.querySelectorAll('table')[0].querySelectorAll('tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent.trim()).join('|')) : null;"
    );
    // The page before the count showed the same heading: give the new one time to load.
    let expected = serde_json::json!(["Forage de Sosso Koïra|2|0|0|2", "Puits de Saneye|1|2|0|3"]);
    let started = std::time::Instant::now();
    let mut rows = facilitator.script(&totals);
    while rows != expected && started.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(100));
        rows = facilitator.script(&totals);
    }
    assert_eq!(
        rows,
        serde_json::json!(["Forage de Sosso Koïra|2|0|0|2", "Puits de Saneye|1|2|0|3"]),
        "answer|phone|paper|hands|total"
    );
    facilitator.screenshot(&screenshots().join("reunion-animation.png"));

    // A late phone vote shows up without reloading the page.
    let late = Browser::start();
    late.viewport(390, 844, true);
    late.goto(&format!("{}/v", server.base));
    late.type_into("input[name=code]", &codes[1]);
    late.click("button[type=submit]");
    late.wait_for_text("Quel point d");
    late.script(&format!(
        "const i = Array.from(document.querySelectorAll('input[name=option]')).find(i => i.value === 'Forage de Sosso Koïra' && i.form.querySelector('input[name=question]').value === {}); i.click(); i.form.querySelector('button').click();",
        serde_json::to_string(&question).unwrap()
    ));
    late.wait_for_text("Vote enregistré");
    let started = std::time::Instant::now();
    loop {
        if facilitator.script(&totals)
            == serde_json::json!(["Forage de Sosso Koïra|3|0|0|3", "Puits de Saneye|0|2|0|2"])
        {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the results never refreshed: {}",
            facilitator.script(&totals)
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }

    // The minutes carry the same numbers.
    let minutes = format!(
        "{}/reports/gao-chateau/reunions/2026-04-02-restitution-a-chateau.html",
        server.base
    );
    facilitator.goto(&minutes);
    let page = facilitator.wait_for_text("Quel point d");
    assert!(page.contains("Procès-verbal") && page.contains("Maison des jeunes"));
    let rows = facilitator.script(
        "const h = Array.from(document.querySelectorAll('h3')).find(h => h.textContent.startsWith('Quel point')); \
         let t = h.nextElementSibling; while (t && !t.querySelector('table')) { t = t.nextElementSibling; } \
         return Array.from(t.querySelectorAll('tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent.trim()).join('|'));",
    );
    assert_eq!(
        rows,
        serde_json::json!(["Forage de Sosso Koïra|3|0|0|3", "Puits de Saneye|0|2|0|2"]),
        "the minutes count as the screen did"
    );
}

/// An action from a finding to its follow-up, in two browsers: the analyst opens a revision
/// of the adopted plan, creates an action from a validated finding, gives it an indicator and
/// has the revision adopted; the partner that leads it (Croix-Rouge malienne) marks it under
/// way and records a measurement; the follow-up page and the workbook show both.
#[test]
fn an_action_goes_from_a_finding_to_the_partners_follow_up() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = DemoServer::start(dir.path());
    let analyst = Browser::start();
    analyst.viewport(1280, 900, false);
    analyst.goto(&format!(
        "{}/login?next=/communities/diboli/plan",
        server.base
    ));
    analyst.type_into("input[name=username]", "analyste");
    analyst.type_into("input[name=password]", server.password("analyste"));
    analyst.click("button[type=submit]");
    analyst.wait_for_text("Réviser le plan (nouvelle version)");
    analyst.click("form[action$='/plan/revise'] button");
    analyst.wait_for_text("Ce qui a changé depuis la version précédente");

    // From the findings page, the link that starts an action ticks the finding.
    analyst.goto(&format!("{}/communities/diboli/findings", server.base));
    analyst.wait_for_text("Créer une action à partir de ce constat");
    analyst.click_link("Créer une action à partir de ce constat →");
    analyst.wait_for_url("plan?finding=");
    assert_eq!(
        analyst.script("return document.querySelectorAll('input[name=findings]:checked').length"),
        serde_json::json!(1),
        "the finding is ticked"
    );
    let form = "form[action$='/plan/actions']";
    analyst.type_into(
        &format!("{form} input[name=title]"),
        "Cantines scolaires pour les enfants rapatriés",
    );
    analyst.type_into(
        &format!("{form} input[name=lead_partner]"),
        "Croix-Rouge malienne",
    );
    analyst.script(&format!(
        "document.querySelector(\"{form} input[name=start]\").value = '1-3'"
    ));
    analyst.click(&format!("{form} button"));
    analyst.wait_for_text("Action ajoutée au plan.");
    analyst.click_link("Cantines scolaires pour les enfants rapatriés");
    analyst.wait_for_url("/actions/");
    let action_url = analyst.url();
    analyst.script("document.querySelectorAll('details').forEach(d => d.open = true)");
    let form = "form[action$='/indicators']";
    analyst.type_into(
        &format!("{form} input[name=name]"),
        "Enfants rapatriés nourris à l'école",
    );
    analyst.type_into(&format!("{form} input[name=unit]"), "enfants");
    analyst.type_into(&format!("{form} input[name=baseline]"), "0");
    analyst.type_into(&format!("{form} input[name=target]"), "140");
    analyst.click(&format!("{form} button"));
    analyst.wait_for_text("Enfants rapatriés nourris à l");
    analyst.goto(&format!("{}/communities/diboli/plan", server.base));
    analyst.wait_for_text("Adopter cette version");
    analyst.click("form[action$='/plan/adopt'] button");
    analyst.wait_for_text("Révisé");

    // The partner follows it up.
    let partner = Browser::start();
    partner.viewport(390, 844, true);
    partner.goto(&format!("{}/login?next=/progress", server.base));
    partner.type_into("input[name=username]", "partenaire");
    partner.type_into("input[name=password]", server.password("partenaire"));
    partner.click("button[type=submit]");
    partner.wait_for_text("Vous voyez et mettez à jour les actions");
    partner.click_link("Cantines scolaires pour les enfants rapatriés");
    partner.wait_for_url("/actions/");
    assert_eq!(partner.url(), action_url);
    partner.click("select[name=status] option[value=ongoing]");
    partner.click("form[action$='/status'] button");
    partner.wait_for_text("Avancement enregistré.");
    partner.type_into("form[action$='/measurements'] input[name=value]", "35");
    partner.type_into(
        "form[action$='/measurements'] input[name=note]",
        "Premier mois de cantine",
    );
    partner.click("form[action$='/measurements'] button");
    let page = partner.wait_for_text("Premier mois de cantine");
    assert!(page.contains("25,0"), "35 of 140 is a quarter of the way");
    partner.screenshot(&screenshots().join("action-phone.png"));

    partner.goto(&format!("{}/progress", server.base));
    let progress = partner.wait_for_text("Indicateurs : dernière mesure");
    let row = progress
        .split("<tr>")
        .find(|r| r.contains("Enfants rapatriés nourris"))
        .expect("the indicator is followed");
    assert!(row.contains(">35<") && row.contains("25,0"), "{row}");
    partner.screenshot(&screenshots().join("progress-phone.png"));
    analyst.goto(&format!("{}/progress", server.base));
    analyst.wait_for_text("Indicateurs : dernière mesure");
    analyst.screenshot(&screenshots().join("progress-desktop.png"));

    // The workbook the analyst downloads carries the status and the measurement.
    let session = support::Session::login(&server.base, "analyste", server.password("analyste"));
    let response = support::agent()
        .get(&format!("{}/reports/diboli/plan-action.xlsx", server.base))
        .set("Cookie", &session.cookie)
        .call()
        .unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes).unwrap();
    let book = sigida_formats::table::read_tables_from_bytes("plan-action.xlsx", &bytes).unwrap();
    let sheet = |name: &str| {
        book.iter()
            .find(|t| t.sheet.as_deref() == Some(name))
            .unwrap()
    };
    let plan = sheet("Plan");
    let status = plan.column("Statut").unwrap();
    let (_, cells) = plan
        .rows
        .iter()
        .find(|(_, c)| c[0] == "Cantines scolaires pour les enfants rapatriés")
        .expect("the new action is in the plan sheet");
    assert_eq!(cells[status], "En cours");
    let follow_up = sheet("Suivi");
    let value = follow_up.column("Valeur").unwrap();
    assert!(
        follow_up.rows.iter().any(
            |(_, c)| c[0] == "Cantines scolaires pour les enfants rapatriés" && c[value] == "35"
        ),
        "the measurement is in the follow-up sheet"
    );
}
