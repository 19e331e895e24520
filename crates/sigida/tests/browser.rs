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
    browser.screenshot(&screenshots().join("cleaning-desktop.png"));
}
