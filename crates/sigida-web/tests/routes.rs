//! Every route, every role, without a socket: who may open what, what personal data each
//! sees, what is audited, and that no page points at another host.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sigida_core::access::Role;
use sigida_core::actors::{Level, Stakeholder};
use sigida_core::audit::AuditAction;
use sigida_core::{Id, Timestamp};
use tower::ServiceExt;

mod support;
use support::*;

/// What the matrix needs beyond the fixture: a meeting with a question, and an action (led by
/// the fixture's organisation) answering a validated finding.
struct Objects {
    meeting: Id<sigida_core::meeting::Meeting>,
    question: Id<sigida_core::meeting::Question>,
    action: Id<sigida_core::plan::Action>,
    locality: Id<sigida_core::geography::Locality>,
    stakeholder: Id<Stakeholder>,
    /// A pending finding (its page and forms) and a document of the register.
    finding: Id<sigida_core::finding::Finding>,
    document: Id<sigida_core::citation::Document>,
}

async fn objects(f: &Fixture) -> Objects {
    let community = gao(f).await;
    let finding = finding_of(
        community.id,
        "Les rapatriés manquent de papiers",
        sigida_core::finding::ValidationStatus::Validated,
    );
    let mut tx = f.store.begin().await.unwrap();
    tx.insert_finding(&finding).await.unwrap();
    tx.commit().await.unwrap();
    let meeting = sigida_app::meetings::create_meeting(
        &f.store,
        sigida_core::meeting::Meeting {
            id: Id::new(),
            community_id: community.id,
            level: Level::Local,
            title: "Réunion de validation".into(),
            date: time::macros::date!(2026 - 03 - 14),
            place: "Mairie".into(),
            facilitators: "Équipe".into(),
            agenda: vec![],
        },
    )
    .await
    .unwrap();
    let question = sigida_app::meetings::add_question(
        &f.store,
        Id::new(),
        &meeting,
        "Quelle priorité ?",
        vec!["Papiers".into(), "Santé".into()],
    )
    .await
    .unwrap();
    let analyst = login(&f.app, "analyst").await;
    let page = get(&f.app, "/communities/gao-chateau/plan", Some(&analyst)).await;
    let added = send(
        &f.app,
        form_post(
            "/communities/gao-chateau/plan/actions",
            &analyst,
            format!(
                "csrf={}&title=Guichet&lead_partner=OIM&start=1-2&end=2-1&findings={}",
                csrf_of(&page.body),
                finding.id
            ),
        ),
    )
    .await;
    assert!(location(&added).contains("saved"), "{}", location(&added));
    let plan = f.store.latest_plan(community.id).await.unwrap().unwrap();
    let action = f.store.actions(plan.id).await.unwrap().remove(0).id;
    let locality = sigida_app::register::register_locality(
        &f.store,
        &community,
        &sigida_app::register::LocalityDraft {
            name: "Château".into(),
            ..Default::default()
        },
        None,
        sigida_core::Timestamp::now(),
    )
    .await
    .unwrap();
    let diagnostic = f.store.main_diagnostic().await.unwrap();
    let stakeholder = f
        .store
        .stakeholders(diagnostic.id, Some(community.id))
        .await
        .unwrap()
        .remove(0)
        .id;
    let mut tx = f.store.begin().await.unwrap();
    let pending = sigida_app::analysis::findings::write_finding(
        &mut tx,
        None,
        &community,
        Id::new(),
        &sigida_app::analysis::findings::FindingDraft {
            theme: sigida_core::finding::Theme::Protection,
            statement: "Les enfants des sites d'orpaillage ne vont pas à l'école".into(),
            localities: vec![locality.id],
        },
        Timestamp::now(),
    )
    .await
    .unwrap();
    let document = sigida_core::citation::Document {
        id: Id::new(),
        diagnostic_id: diagnostic.id,
        title: "Profil migratoire du Mali".into(),
        publisher: "OIM".into(),
        published_on: None,
        link: None,
    };
    sigida_app::analysis::findings::add_document(&mut tx, None, &document)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Objects {
        meeting: meeting.id,
        question: question.id,
        action,
        locality: locality.id,
        stakeholder,
        finding: pending.id,
        document: document.id,
    }
}

/// A route's path with its parameters filled: the fixture's objects where the route loads them,
/// an id that names nothing elsewhere.
fn filled(route: &sigida_web::http::routes::Route, o: &Objects) -> String {
    use sigida_web::http::routes::Loads;
    let id = match route.loads {
        Loads::Meeting => o.meeting.to_string(),
        Loads::Action => o.action.to_string(),
        _ if route.path.contains("/actors/") => o.stakeholder.to_string(),
        _ if route.path.contains("/findings/") => o.finding.to_string(),
        _ if route.path.starts_with("/documents/") => o.document.to_string(),
        _ => uuid::Uuid::new_v4().to_string(),
    };
    let file = if route.path.starts_with("/kit/") {
        "enquete-menage.xlsx"
    } else if route.path.starts_with("/reports/{file}") {
        "synthese.html"
    } else {
        "analyse-contextuelle.html"
    };
    route
        .path
        .replace("{slug}", "gao-chateau")
        .replace("{id}", &id)
        .replace("{question}", &o.question.to_string())
        .replace("{verb}", "open")
        .replace("{code}", "en")
        .replace("{file}", file)
        .replace("{seq}", "1")
        .replace("{line}", &uuid::Uuid::new_v4().to_string())
        .replace("{indicator}", &uuid::Uuid::new_v4().to_string())
        .replace("{milestone}", &uuid::Uuid::new_v4().to_string())
        .replace("{locality}", &o.locality.to_string())
        .replace("{version}", "v03")
        .replace("{kind}", "parties-prenantes")
        .replace("{pcode}", "ML0701")
        .replace("{evidence}", &uuid::Uuid::new_v4().to_string())
}

/// Routes whose `{id}` the matrix fills with an id that names nothing (the fixture has no
/// import nor indicator, which need an instrument's form): they answer 404.
const UNKNOWN_ID: [&str; 2] = ["/imports/{id}", "/indicators/{id}"];

/// The routes in the order the matrix sends them: what reads first, then what changes, what
/// deletes, and signing out last.
fn matrix_order() -> Vec<sigida_web::http::routes::Route> {
    use sigida_web::http::routes::Method;
    let mut routes: Vec<_> = sigida_web::routes().into_iter().map(|e| e.route).collect();
    routes.sort_by_key(|r| {
        (
            r.path == "/logout",
            r.path.contains("delete"),
            r.method == Method::Post,
        )
    });
    routes
}

/// The one table the router is built from, checked for every role on every route and method:
/// a role without the route's permission gets 403 (and the refusal is audited) before anything
/// is loaded; a role with it is let through — to the page, to the form's answer, or to a 404
/// for an id that names nothing — never refused, never a server error.
#[tokio::test]
async fn each_role_reaches_exactly_the_routes_of_its_permissions() {
    use sigida_web::http::routes::{Access, Loads, Method};
    let routes = matrix_order();
    assert!(routes.len() > 70, "{} routes", routes.len());
    for role in Role::ALL {
        // A fresh diagnostic for each role: what one role's posts change, the next does not see.
        let f = fixture().await;
        let o = objects(&f).await;
        let cookie = login(&f.app, role.code()).await;
        let csrf = csrf_of(&get(&f.app, "/", Some(&cookie)).await.body);
        let mut refused = 0;
        for route in &routes {
            let path = filled(route, &o);
            let request = match route.method {
                Method::Get => Request::get(&path)
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
                Method::Post => form_post(&path, &cookie, format!("csrf={csrf}")),
            };
            let reply = send(&f.app, request).await;
            let what = format!("{} {:?} {path}", role.code(), route.method);
            assert!(
                !reply.status.is_server_error(),
                "{what}: {} {}",
                reply.status,
                reply.body
            );
            if route.access == Access::Public {
                assert_ne!(reply.status, StatusCode::FORBIDDEN, "{what}");
                continue;
            }
            if !route.access.admits(|p| role.may(p)) {
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}");
                refused += 1;
                continue;
            }
            assert!(
                ![StatusCode::FORBIDDEN, StatusCode::UNAUTHORIZED].contains(&reply.status),
                "{what}: {}",
                reply.status
            );
            let names_something = matches!(
                route.loads,
                Loads::Nothing
                    | Loads::Community
                    | Loads::Meeting
                    | Loads::Action
                    | Loads::Locality
            ) && !path.contains("/reunions/")
                && !UNKNOWN_ID.contains(&route.path);
            if route.method == Method::Get && names_something {
                assert_eq!(reply.status, StatusCode::OK, "{what}");
            }
            if matches!(route.loads, Loads::Instrument) || UNKNOWN_ID.contains(&route.path) {
                assert_eq!(reply.status, StatusCode::NOT_FOUND, "{what}: an unknown id");
            }
        }
        let denied = f
            .store
            .audit_events(10_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == AuditAction::Denied)
            .count();
        assert_eq!(denied, refused, "{}: every refusal audited", role.code());
    }
}

#[tokio::test]
async fn a_malformed_or_foreign_id_is_not_found() {
    let f = fixture().await;
    let coordinator = login(&f.app, "coordinator").await;
    for path in [
        "/meetings/pas-un-id",
        "/actions/00000000-0000-0000-0000-000000000000",
        "/instruments/x",
        "/communities/nulle-part",
        "/api/communities/nulle-part",
    ] {
        let reply = get(&f.app, path, Some(&coordinator)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn without_a_session_pages_redirect_to_login_and_the_api_answers_401() {
    use sigida_web::http::routes::{Access, Method};
    let f = fixture().await;
    let o = objects(&f).await;
    for route in sigida_web::routes().into_iter().map(|e| e.route) {
        if route.access == Access::Public {
            continue;
        }
        let path = filled(&route, &o);
        let request = match route.method {
            Method::Get => Request::get(&path).body(Body::empty()).unwrap(),
            Method::Post => Request::post(&path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("csrf=x"))
                .unwrap(),
        };
        let reply = send(&f.app, request).await;
        if path.starts_with("/api/") {
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path}");
            assert!(
                reply.body.contains("\"error\":\"unauthenticated\""),
                "{}",
                reply.body
            );
        } else {
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
            assert!(
                reply.headers[header::LOCATION]
                    .to_str()
                    .unwrap()
                    .starts_with("/login?next=")
            );
        }
    }
    let forged = get(&f.app, "/", Some("sigida_session=forged")).await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn personal_data_only_for_roles_that_need_it_and_always_audited() {
    let f = fixture().await;
    let partner = login(&f.app, "partner_viewer").await;
    let page = get(&f.app, "/communities/gao-chateau", Some(&partner)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(PHONE) && !page.body.contains("Fadimata"));
    assert!(page.body.contains("masqué (données personnelles)"));
    let api = get(&f.app, "/api/communities/gao-chateau", Some(&partner)).await;
    assert!(!api.body.contains(PHONE));
    assert!(api.body.contains("\"contact_phone\":null"));
    let report = get(
        &f.app,
        "/reports/gao-chateau/analyse-contextuelle.html",
        Some(&partner),
    )
    .await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(
        !report.body.contains(PHONE),
        "reports never carry personal data"
    );

    let audited = |events: &[sigida_core::audit::AuditEvent], who: &str| {
        events
            .iter()
            .filter(|e| {
                e.action == AuditAction::ViewPersonalData && e.actor.as_deref() == Some(who)
            })
            .count()
    };
    assert_eq!(
        audited(&f.store.audit_events(100).await.unwrap(), "partner_viewer"),
        0
    );

    let coordinator = login(&f.app, "coordinator").await;
    let page = get(&f.app, "/communities/gao-chateau", Some(&coordinator)).await;
    assert!(page.body.contains(PHONE) && page.body.contains("Fadimata"));
    let api = get(&f.app, "/api/communities/gao-chateau", Some(&coordinator)).await;
    assert!(api.body.contains(PHONE));
    let events = f.store.audit_events(100).await.unwrap();
    assert_eq!(
        audited(&events, "coordinator"),
        2,
        "page and API reads both audited"
    );

    let admin = login(&f.app, "admin").await;
    let page = get(&f.app, "/communities/gao-chateau", Some(&admin)).await;
    assert!(
        !page.body.contains(PHONE),
        "the admin manages accounts, not personal data"
    );
}

#[tokio::test]
async fn no_page_refers_to_another_host_and_the_policy_forbids_it() {
    use sigida_web::http::routes::{Loads, Method};
    let f = fixture().await;
    let o = objects(&f).await;
    // Every page the table serves to someone, opened by a role that may, and a PDF.
    let mut pages = vec![(
        "/reports/gao-chateau/analyse-contextuelle.en.pdf".to_owned(),
        Role::Coordinator,
    )];
    for route in sigida_web::routes().into_iter().map(|e| e.route) {
        let path = filled(&route, &o);
        if route.method != Method::Get
            || route.loads == Loads::Instrument
            || path.contains("/reunions/")
            || UNKNOWN_ID.contains(&route.path)
            || path.starts_with("/lang/")
            // Without a participant's code, the ballot sends the phone to the code form.
            || path == "/v/ballot"
        {
            continue;
        }
        let role = *Role::ALL
            .iter()
            .find(|r| route.access.admits(|p| r.may(p)))
            .unwrap();
        pages.push((path, role));
    }
    for (path, role) in pages {
        let path = path.as_str();
        let cookie = login(&f.app, role.code()).await;
        let reply = get(&f.app, path, Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        if path.ends_with(".pdf") {
            // A download, not a page: its XMP metadata names namespaces by URL, and it fetches
            // nothing (fonts are embedded: checked by the report tests).
            assert_eq!(reply.headers[header::CONTENT_TYPE], "application/pdf");
            assert!(reply.body.starts_with("%PDF-"), "{path}");
            continue;
        }
        let csp = reply.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
        assert!(!csp.contains("http"), "{path}: {csp}");
        // The only absolute URL allowed is the SVG namespace, which is never fetched.
        let body = reply
            .body
            .replace("xmlns=\"http://www.w3.org/2000/svg\"", "")
            // The address phones type on the meeting's Wi-Fi: shown, never fetched.
            .replace("class=\"join-url\">http://", "");
        for needle in [
            "http://",
            "https://",
            "src=\"//",
            "href=\"//",
            "url(//",
            "@import",
        ] {
            assert!(!body.contains(needle), "{path} contains {needle}");
        }
    }
}

#[tokio::test]
async fn failed_logins_are_refused_audited_and_name_no_reason() {
    let f = fixture().await;
    for (username, password) in [("coordinator", "wrong-password"), ("nobody", PASSWORD)] {
        let reply = send(
            &f.app,
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "username={username}&password={password}"
                )))
                .unwrap(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(
            reply
                .body
                .contains("Nom d'utilisateur ou mot de passe incorrect.")
        );
        assert!(reply.headers.get(header::SET_COOKIE).is_none());
    }
    let failures = f
        .store
        .audit_events(10)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::LoginFailed)
        .count();
    assert_eq!(failures, 2);
}

fn login_post(body: String) -> Request<Body> {
    Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn repeated_failures_back_off_and_what_was_typed_is_never_stored_whole() {
    let f = fixture().await;
    // A password typed into the username field, for no account: not kept.
    let reply = send(&f.app, login_post("username=S3cret-Pa55&password=x".into())).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // A huge username is refused unread, and a huge body before any work.
    let long = "a".repeat(200);
    let reply = send(&f.app, login_post(format!("username={long}&password=x"))).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let huge = "b".repeat(2 * 1024 * 1024);
    let reply = send(&f.app, login_post(format!("username={huge}&password=x"))).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    let audited: Vec<String> = f
        .store
        .audit_events(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::LoginFailed)
        .map(|e| format!("{} {}", e.subject, e.detail))
        .collect();
    assert_eq!(audited.len(), 1, "{audited:?}");
    assert!(!audited[0].contains("S3cret"), "{audited:?}");
    assert!(audited[0].contains("inconnu, 11 caractères"), "{audited:?}");

    // Five wrong passwords are free; the sixth makes the account wait, with Retry-After,
    // and during the wait even the right password is not checked.
    for _ in 0..6 {
        let reply = send(&f.app, login_post("username=analyst&password=wrong".into())).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let reply = send(
        &f.app,
        login_post(format!("username=analyst&password={PASSWORD}")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
    assert!(reply.body.contains("réessayez dans"), "{}", reply.body);
    // Another account on the same machine signs in.
    login(&f.app, "coordinator").await;
    // Once the wait is over, the right password opens the session and clears the count.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    login(&f.app, "analyst").await;
}

#[tokio::test]
async fn logout_needs_the_form_token_and_ends_the_session() {
    let f = fixture().await;
    let cookie = login(&f.app, "analyst").await;
    let post = |body: &'static str| {
        Request::post("/logout")
            .header(header::COOKIE, cookie.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    assert_eq!(
        send(&f.app, post("csrf=forged")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(get(&f.app, "/", Some(&cookie)).await.status, StatusCode::OK);

    let page = get(&f.app, "/", Some(&cookie)).await.body;
    let csrf = csrf_of(&page);
    let reply = send(
        &f.app,
        Request::post("/logout")
            .header(header::COOKIE, cookie.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}")))
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&f.app, "/", Some(&cookie)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn french_by_default_english_on_request() {
    let f = fixture().await;
    let cookie = login(&f.app, "coordinator").await;
    let french = get(&f.app, "/", Some(&cookie)).await.body;
    assert!(french.contains("lang=\"fr\"") && french.contains("Communautés"));
    let english = get(&f.app, "/", Some(&format!("{cookie}; sigida_lang=en")))
        .await
        .body;
    assert!(english.contains("lang=\"en\"") && english.contains("Communities"));
    let switch = get(&f.app, "/lang/en?next=/communities", None).await;
    assert_eq!(switch.headers[header::LOCATION], "/communities");
    assert!(
        switch.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .starts_with("sigida_lang=en")
    );
    // An offsite `next` never redirects elsewhere.
    let offsite = get(&f.app, "/lang/fr?next=//evil.example", None).await;
    assert_eq!(offsite.headers[header::LOCATION], "/");
}

#[tokio::test]
async fn health_and_unknown_routes() {
    let f = fixture().await;
    let health = get(&f.app, "/healthz", None).await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok")
    );
    let cookie = login(&f.app, "coordinator").await;
    assert_eq!(
        get(&f.app, "/nowhere", Some(&cookie)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&f.app, "/communities/nowhere", Some(&cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let api = get(&f.app, "/api/communities/nowhere", Some(&cookie)).await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert!(api.body.contains("\"error\":\"not_found\""));
}

#[tokio::test]
async fn flow_pages_show_the_figures_of_the_stored_counts() {
    use sigida_core::flows::{Direction, FlowCount};
    let f = fixture().await;
    let cookie = login(&f.app, "analyst").await;
    let empty = get(&f.app, "/communities/gao-chateau/flows", Some(&cookie)).await;
    assert!(
        empty.body.contains("Aucun comptage de flux"),
        "{}",
        empty.body
    );

    let community = f
        .store
        .community_by_slug(f.store.main_diagnostic().await.unwrap().id, "gao-chateau")
        .await
        .unwrap()
        .unwrap();
    let count = |day: u8, direction, origin: &str, destination: &str, n: u32| FlowCount {
        community_id: community.id,
        import_id: None,
        source_row: None,
        point: "Gare routière".into(),
        date: time::Date::from_calendar_date(2026, time::Month::March, day).unwrap(),
        direction,
        origin: origin.into(),
        destination: destination.into(),
        nationality: "Niger".into(),
        transport: "camion".into(),
        travellers: n,
        men: n - 2,
        women: 1,
        boys: 1,
        girls: 0,
        unaccompanied_children: 1,
        vulnerable: 1,
    };
    let counts = [
        count(2, Direction::Outgoing, "Gao", "Tamanrasset (Algérie)", 40),
        count(9, Direction::Outgoing, "Gao", "Agadez (Niger)", 25),
        count(
            30,
            Direction::Incoming,
            "Tamanrasset (Algérie)",
            "Gao",
            1234,
        ),
    ];
    let mut tx = f.store.begin().await.unwrap();
    tx.insert_flow_counts(&counts).await.unwrap();
    tx.commit().await.unwrap();

    let api = get(&f.app, "/api/communities/gao-chateau/flows", Some(&cookie)).await;
    assert_eq!(api.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["profile"]["travellers"], 1299);
    assert_eq!(json["od_matrix"]["total"], 1299);
    assert_eq!(json["od_matrix"]["origins"][0], "Tamanrasset (Algérie)");
    assert_eq!(json["months"][0]["outgoing"], 65);
    assert_eq!(
        json["weeks"].as_array().unwrap().len(),
        5,
        "2 March to 30 March: five ISO weeks"
    );
    assert_eq!(json["routes"][1]["name"], "Gao → Tamanrasset (Algérie)");

    let page = get(&f.app, "/communities/gao-chateau/flows", Some(&cookie)).await;
    // French grouping: 1 299 with a narrow no-break space.
    assert!(page.body.contains("1\u{202f}299"), "{}", page.body);
    assert!(page.body.contains("<svg"), "the trend charts are drawn");
    assert!(page.body.contains("Matrice origine–destination"));
}

#[tokio::test]
async fn findings_show_both_ways_and_an_analyst_sets_the_confidence() {
    use sigida_core::finding::{
        Confidence, Evidence, Finding, SourceType, Stance, ValidationStatus,
    };
    let f = fixture().await;
    let community = f
        .store
        .community_by_slug(f.store.main_diagnostic().await.unwrap().id, "gao-chateau")
        .await
        .unwrap()
        .unwrap();
    let finding = |statement: &str| finding_of(community.id, statement, ValidationStatus::Pending);
    let (a, b) = (
        finding("Les rapatriés manquent de documents"),
        finding("L'extorsion frappe la route du nord"),
    );
    let evidence = |f: &Finding, source_type, reference: &str| Evidence {
        id: Id::new(),
        finding_id: f.id,
        source_type,
        stance: Stance::Supports,
        summary: "dit".into(),
        reference: reference.into(),
        cited: None,
    };
    let mut tx = f.store.begin().await.unwrap();
    for x in [&a, &b] {
        tx.insert_finding(x).await.unwrap();
    }
    for e in [
        evidence(&a, SourceType::KeyInformant, "KII-GAO-04"),
        evidence(&b, SourceType::KeyInformant, "KII-GAO-04"),
        evidence(&b, SourceType::FlowData, "FMP-NORD"),
    ] {
        tx.insert_evidence(&e).await.unwrap();
    }
    tx.commit().await.unwrap();

    let analyst = login(&f.app, "analyst").await;
    let page = get(&f.app, "/communities/gao-chateau/findings", Some(&analyst)).await;
    assert_eq!(page.status, StatusCode::OK);
    // From the source to the findings: one interview cited by both.
    let row = page
        .body
        .split("<tr>")
        .find(|r| r.contains("KII-GAO-04") && r.contains("<ul"))
        .unwrap();
    assert!(row.contains("Les rapatriés manquent de documents"), "{row}");
    assert!(
        row.contains("L&#39;extorsion frappe la route du nord") || row.contains("L'extorsion"),
        "{row}"
    );
    // One source type only: flagged, once (the other finding has two).
    assert_eq!(page.body.matches("une seule source").count(), 1);
    // New evidence from another type of source: the flag goes, the convergence follows.
    let mut tx = f.store.begin().await.unwrap();
    tx.insert_evidence(&evidence(&a, SourceType::ServiceMap, "CIVIL-GAO"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let page = get(&f.app, "/communities/gao-chateau/findings", Some(&analyst)).await;
    assert_eq!(
        page.body.matches("une seule source").count(),
        0,
        "recomputed from the evidence"
    );
    assert_eq!(
        page.body.matches("class=\"tag convergent\"").count(),
        2,
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("href=\"/communities/gao-chateau/flows\""),
        "flow evidence links to the flows"
    );

    let csrf = csrf_of(&page.body);
    let confidence = format!("/communities/gao-chateau/findings/{}/confidence", a.id);
    let post = |cookie: &str, body: String| form_post(&confidence, cookie, body);
    let saved = send(
        &f.app,
        post(&analyst, format!("csrf={csrf}&confidence=high")),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = f.store.findings(community.id).await.unwrap();
    let stored_a = stored.iter().find(|x| x.id == a.id).unwrap();
    assert_eq!(stored_a.confidence, Some(Confidence::High));
    let forged = send(&f.app, post(&analyst, "csrf=forged&confidence=low".into())).await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER);

    // A partner viewer sees the confidence, cannot set it.
    let partner = login(&f.app, "partner_viewer").await;
    let page = get(&f.app, "/communities/gao-chateau/findings", Some(&partner)).await;
    assert!(!page.body.contains("<select name=\"confidence\""));
    let refused = send(
        &f.app,
        post(&partner, format!("csrf={csrf}&confidence=low")),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_service_map_shows_contacts_only_to_those_who_may_and_audits_them() {
    let f = fixture().await;
    let partner = login(&f.app, "partner_viewer").await;
    let page = get(&f.app, "/communities/gao-chateau/services", Some(&partner)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(SERVICE_PHONE));
    assert!(page.body.contains("Cartographie des services (4W)"));
    let api = get(
        &f.app,
        "/api/communities/gao-chateau/services",
        Some(&partner),
    )
    .await;
    assert!(api.body.contains("\"contact_phone\":null") && !api.body.contains(SERVICE_PHONE));
    let coordinator = login(&f.app, "coordinator").await;
    let page = get(
        &f.app,
        "/communities/gao-chateau/services",
        Some(&coordinator),
    )
    .await;
    assert!(page.body.contains(SERVICE_PHONE));
    let audited = f
        .store
        .audit_events(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| {
            e.action == AuditAction::ViewPersonalData
                && e.subject.contains("/communities/gao-chateau/services")
        })
        .count();
    assert_eq!(
        audited, 1,
        "the coordinator's view is audited, the partner's not"
    );
}

#[tokio::test]
async fn a_data_clerk_records_a_seasonal_calendar_and_a_bad_line_is_named() {
    let f = fixture().await;
    let clerk = login(&f.app, "data_clerk").await;
    let page = get(&f.app, "/communities/gao-chateau/exercises", Some(&clerk)).await;
    let csrf = csrf_of(&page.body);
    let post =
        |cookie: &str, body: String| form_post("/communities/gao-chateau/exercises", cookie, body);
    let form = |data: &str| {
        format!(
            "csrf={csrf}&kind=seasonal_calendar&title=Calendrier+des+femmes&group=women&date=2026-02-06&data={}",
            data.replace(' ', "+")
                .replace('|', "%7C")
                .replace('\n', "%0A")
        )
    };
    let refused = send(
        &f.app,
        post(
            &clerk,
            form("Pluies | 0 0 0 0 1 2 3 3 2 1 0 0\nDéparts | 0 0 1"),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("ligne 2 : 3 valeurs"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Calendrier des femmes"),
        "what was typed is kept"
    );
    // The same refusal in English for an English reader.
    let english = format!("{clerk}; sigida_lang=en");
    let refused = send(
        &f.app,
        post(
            &english,
            form("Pluies | 0 0 0 0 1 2 3 3 2 1 0 0\nDéparts | 0 0 1"),
        ),
    )
    .await;
    assert!(
        refused.body.contains("line 2: 3 values, expected 12"),
        "{}",
        refused.body
    );
    let saved = send(
        &f.app,
        post(
            &clerk,
            form("Pluies | 0 0 0 0 1 2 3 3 2 1 0 0\nDéparts | 0 0 1 2 3 3 2 1 0 0 0 0"),
        ),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = get(&f.app, "/communities/gao-chateau/exercises", Some(&clerk)).await;
    assert!(page.body.contains("Calendrier des femmes") && page.body.contains("<svg"));
    assert!(
        page.body.matches("<rect").count() >= 24,
        "twelve months for two rows"
    );
    // A partner viewer sees it and cannot add one.
    let partner = login(&f.app, "partner_viewer").await;
    let page = get(&f.app, "/communities/gao-chateau/exercises", Some(&partner)).await;
    assert!(page.body.contains("Calendrier des femmes") && !page.body.contains("<textarea"));
}

#[tokio::test]
async fn a_data_clerk_records_a_protection_capacity_with_the_risks_it_answers() {
    let f = fixture().await;
    let clerk = login(&f.app, "data_clerk").await;
    let page = get(&f.app, "/communities/gao-chateau/protection", Some(&clerk)).await;
    let csrf = csrf_of(&page.body);
    let post = |cookie: &str, body: String| {
        form_post(
            "/communities/gao-chateau/protection/capacities",
            cookie,
            body,
        )
    };
    let body = format!(
        "csrf={csrf}&name=Comit%C3%A9+de+vigilance+de+Ch%C3%A2teau&kind=community_mechanism&locality=&risk_armed_recruitment=1&risk_child_protection=1&description=Veille+la+nuit"
    );
    let saved = send(&f.app, post(&clerk, body.clone())).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = get(&f.app, "/communities/gao-chateau/protection", Some(&clerk)).await;
    let row = page
        .body
        .split("</tr>")
        .find(|r| r.contains("Comité de vigilance de Château"))
        .unwrap();
    assert!(
        row.contains("Recrutement par des groupes armés")
            && row.contains("Protection de l&#39;enfance")
            || row.contains("Protection de l'enfance"),
        "{row}"
    );
    assert!(
        !row.contains("Traite des personnes"),
        "only the risks ticked"
    );
    let empty = send(
        &f.app,
        post(&clerk, format!("csrf={csrf}&name=&kind=leader")),
    )
    .await;
    assert!(
        empty.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("refused=")
    );
    let partner = login(&f.app, "partner_viewer").await;
    assert_eq!(
        send(&f.app, post(&partner, body)).await.status,
        StatusCode::FORBIDDEN
    );
}

/// A meeting from the register to the results: three participants registered, their phones
/// join with their codes (no account), vote, one changes their mind, a paper count is added;
/// the facilitator's results say so, and a closed question takes no more ballots.
#[tokio::test]
async fn a_meeting_runs_from_the_register_to_the_results() {
    use sigida_core::meeting::{Meeting, tally};
    let f = fixture().await;
    let community = gao(&f).await;
    let meeting = Meeting {
        id: Id::new(),
        community_id: community.id,
        level: Level::Local,
        title: "Consultation de Gao Château".into(),
        date: time::macros::date!(2026 - 03 - 19),
        place: "Mairie".into(),
        facilitators: "A. Maïga".into(),
        agenda: vec![],
    };
    let mut tx = f.store.begin().await.unwrap();
    tx.insert_meeting(&meeting).await.unwrap();
    tx.commit().await.unwrap();
    let base = format!("/meetings/{}", meeting.id);

    let partner = login(&f.app, "partner_viewer").await;
    assert_eq!(
        get(&f.app, &base, Some(&partner)).await.status,
        StatusCode::FORBIDDEN
    );
    let facilitator = login(&f.app, "facilitator").await;
    let page = get(&f.app, &base, Some(&facilitator)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("/v"), "the room is told where to vote");
    let csrf = csrf_of(&page.body);

    let mut codes = Vec::new();
    for (sex, group) in [
        ("female", "women"),
        ("male", "youth"),
        ("female", "returnees"),
    ] {
        let reply = send(
            &f.app,
            form_post(
                &format!("{base}/participants"),
                &facilitator,
                format!("csrf={csrf}&sex={sex}&age_group=18_35&group={group}&consent=yes"),
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let location = reply.headers[header::LOCATION].to_str().unwrap();
        codes.push(location.split("code=").nth(1).unwrap().to_owned());
    }
    let unconsented = send(
        &f.app,
        form_post(
            &format!("{base}/participants"),
            &facilitator,
            format!("csrf={csrf}&sex=male&age_group=18_35"),
        ),
    )
    .await;
    assert!(
        unconsented.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("refused="),
        "no consent, no registration"
    );

    send(
        &f.app,
        form_post(
            &format!("{base}/questions"),
            &facilitator,
            format!("csrf={csrf}&prompt=Priorit%C3%A9&options=eau%0D%0Aemploi"),
        ),
    )
    .await;
    let question = f.store.questions(meeting.id).await.unwrap().remove(0);
    send(
        &f.app,
        form_post(
            &format!("{base}/questions/{}/open", question.id),
            &facilitator,
            format!("csrf={csrf}"),
        ),
    )
    .await;

    // Three phones, no accounts.
    let phone = |code: String| {
        let app = f.app.clone();
        async move {
            let reply = send(
                &app,
                Request::post("/v")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!("code={}", code.to_lowercase())))
                    .unwrap(),
            )
            .await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{code}");
            reply.headers[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned()
        }
    };
    let vote = |voter: String, option: &'static str| {
        let app = f.app.clone();
        let question = question.id;
        async move {
            let reply = send(
                &app,
                form_post(
                    "/v/ballot",
                    &voter,
                    format!("question={question}&option={option}"),
                ),
            )
            .await;
            reply.headers[header::LOCATION].to_str().unwrap().to_owned()
        }
    };
    let mut voters = Vec::new();
    for code in &codes {
        voters.push(phone(code.clone()).await);
    }
    let ballot_page = get(&f.app, "/v/ballot", Some(&voters[0])).await;
    assert!(
        ballot_page.body.contains("Priorité"),
        "{}",
        ballot_page.body
    );
    assert!(vote(voters[0].clone(), "eau").await.contains("saved"));
    assert!(vote(voters[1].clone(), "emploi").await.contains("saved"));
    assert!(vote(voters[2].clone(), "emploi").await.contains("saved"));
    assert!(
        vote(voters[2].clone(), "eau").await.contains("saved"),
        "a change of mind"
    );
    assert!(vote(voters[1].clone(), "routes").await.contains("refused"));

    send(
        &f.app,
        form_post(
            &format!("{base}/questions/{}/counts", question.id),
            &facilitator,
            format!("csrf={csrf}&option=emploi&count=4&source=paper&group=women"),
        ),
    )
    .await;
    let ballots = f.store.ballots(meeting.id).await.unwrap();
    assert_eq!(ballots.len(), 3, "one ballot per participant");
    let participants = f.store.participants(meeting.id).await.unwrap();
    let counted = f.store.counted_votes(meeting.id).await.unwrap();
    let t = tally(&question, &ballots, &participants, &counted);
    assert_eq!((t.overall[0].phone, t.overall[0].paper), (2, 0));
    assert_eq!((t.overall[1].phone, t.overall[1].paper), (1, 4));
    let results = get(&f.app, &format!("{base}/results"), Some(&facilitator)).await;
    assert!(
        results
            .body
            .contains("<td class=\"num\"><strong>5</strong></td>"),
        "emploi: 1 phone + 4 on paper: {}",
        results.body
    );

    send(
        &f.app,
        form_post(
            &format!("{base}/questions/{}/close", question.id),
            &facilitator,
            format!("csrf={csrf}"),
        ),
    )
    .await;
    let closed = vote(voters[0].clone(), "emploi").await;
    assert!(closed.ends_with("refused=ballot.closed"), "{closed}");
    // The URL carries a code, which each reader sees in their language; text put in the URL is
    // never shown.
    let french = get(&f.app, &closed, Some(&voters[0])).await;
    assert!(
        french.body.contains("le vote sur cette question est clos"),
        "{}",
        french.body
    );
    let english = get(
        &f.app,
        &closed,
        Some(&format!("{}; sigida_lang=en", voters[0])),
    )
    .await;
    assert!(
        english.body.contains("voting on this question is closed"),
        "{}",
        english.body
    );
    for forged in [
        "Envoyez+5000+FCFA+au+77+00+00+00",
        "ballot.closed%3Cscript%3E",
        "meeting.join",
        "refusal.ballot.closed",
    ] {
        for page in ["/v/ballot", &base] {
            let shown = get(
                &f.app,
                &format!("{page}?refused={forged}"),
                Some(if page == "/v/ballot" {
                    &voters[0]
                } else {
                    &facilitator
                }),
            )
            .await;
            assert!(
                !shown.body.contains("role=\"alert\""),
                "{page}?refused={forged}: {}",
                shown.body
            );
            assert!(!shown.body.contains("5000"), "{}", shown.body);
        }
    }
    let unknown = send(
        &f.app,
        Request::post("/v")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("code=ZZZZZZ"))
            .unwrap(),
    )
    .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the form again, with a message"
    );
    assert!(unknown.body.contains("aucune réunion en cours"));

    // A finding put to the room, voted on, and amended by the meeting.
    use sigida_core::finding::ValidationStatus;
    let finding = finding_of(
        community.id,
        "L'extorsion frappe la route du nord",
        ValidationStatus::Pending,
    );
    let mut tx = f.store.begin().await.unwrap();
    tx.insert_finding(&finding).await.unwrap();
    tx.commit().await.unwrap();
    let post = |path: String, body: String| send(&f.app, form_post(&path, &facilitator, body));
    post(format!("{base}/findings"), format!("csrf={csrf}")).await;
    post(format!("{base}/findings"), format!("csrf={csrf}")).await;
    let validation = f
        .store
        .questions(meeting.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|q| q.finding_id == Some(finding.id))
        .collect::<Vec<_>>();
    assert_eq!(validation.len(), 1, "a finding is put to the room once");
    let validation = &validation[0];
    post(
        format!("{base}/questions/{}/open", validation.id),
        format!("csrf={csrf}"),
    )
    .await;
    let early = post(
        format!("{base}/questions/{}/decide", validation.id),
        format!("csrf={csrf}&outcome=validated"),
    )
    .await;
    assert!(
        early.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("refused="),
        "no decision while the vote is open"
    );
    let reply = send(
        &f.app,
        form_post(
            "/v/ballot",
            &voters[1],
            format!("question={}&option=amended", validation.id),
        ),
    )
    .await;
    assert!(
        reply.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("saved")
    );
    post(
        format!("{base}/questions/{}/close", validation.id),
        format!("csrf={csrf}"),
    )
    .await;
    let no_wording = post(
        format!("{base}/questions/{}/decide", validation.id),
        format!("csrf={csrf}&outcome=amended"),
    )
    .await;
    assert!(
        no_wording.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("refused="),
        "an amendment needs its wording"
    );
    post(
        format!("{base}/questions/{}/decide", validation.id),
        format!("csrf={csrf}&outcome=amended&wording=L%27extorsion+frappe+les+postes+de+Bourem"),
    )
    .await;
    let stored = f
        .store
        .findings(community.id)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.id == finding.id)
        .unwrap();
    assert_eq!(stored.validation, ValidationStatus::Amended);
    assert_eq!(
        stored.amended_statement.as_deref(),
        Some("L'extorsion frappe les postes de Bourem")
    );
    assert_eq!(
        stored.statement, finding.statement,
        "the old wording is kept"
    );
    let decisions = f.store.decisions(meeting.id).await.unwrap();
    assert!(
        decisions[0].text.contains("Amendé 1"),
        "{}",
        decisions[0].text
    );

    // The selection of localities: computed from the weights in the address, adopted as a
    // decision.
    let selection = get(
        &f.app,
        &format!("{base}/selection?w_severity=1&keep=1"),
        Some(&facilitator),
    )
    .await;
    assert_eq!(selection.status, StatusCode::OK);
    assert!(
        selection.body.contains("Sensibilité aux poids"),
        "{}",
        selection.body
    );
    post(
        format!("{base}/selection"),
        format!("csrf={csrf}&localities=Ch%C3%A2teau&weights=S%C3%A9v%C3%A9rit%C3%A9+1"),
    )
    .await;
    let decisions = f.store.decisions(meeting.id).await.unwrap();
    assert!(
        decisions.iter().any(
            |d| d.kind == sigida_core::meeting::DecisionKind::LocalitySelection
                && d.text.contains("Château")
        ),
        "{decisions:?}"
    );

    // Prioritisation: two groups' rankings combined by agreed weights, then adopted.
    let priorities = get(
        &f.app,
        &format!(
            "{base}/priorities?method=borda&options=Eau%0AEmploi&g_women=Eau%0AEmploi&w_women=3&g_youth=Emploi%0AEau&w_youth=1"
        ),
        Some(&facilitator),
    )
    .await;
    assert_eq!(priorities.status, StatusCode::OK);
    // Women (weight 3) put water first, youth (weight 1) jobs: water 0.75, jobs 0.25.
    assert!(
        priorities
            .body
            .contains("<td class=\"num\"><strong>0,75</strong></td>"),
        "{}",
        priorities.body
    );
    post(
        format!("{base}/priorities"),
        format!("csrf={csrf}&ranking=Eau+%280%2C75%29&weights=Femmes+3"),
    )
    .await;
    assert!(
        f.store
            .decisions(meeting.id)
            .await
            .unwrap()
            .iter()
            .any(|d| d.kind == sigida_core::meeting::DecisionKind::Prioritisation)
    );

    // The minutes say the same numbers, in HTML and PDF.
    let minutes = "/reports/gao-chateau/reunions/2026-03-19-consultation-de-gao-chateau";
    let html = get(&f.app, &format!("{minutes}.html"), Some(&facilitator)).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(
        html.body
            .contains("<td class=\"num\"><strong>5</strong></td>")
    );
    assert!(html.body.contains("Procès-verbal"));
    let pdf = get(&f.app, &format!("{minutes}.en.pdf"), Some(&facilitator)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF-"));
}

/// An action enters the plan only if it answers a validated finding or a decision: the form
/// says so and the store enforces it.
#[tokio::test]
async fn an_analyst_adds_an_action_that_answers_a_validated_finding() {
    use sigida_core::finding::{Finding, ValidationStatus};
    let f = fixture().await;
    let community = gao(&f).await;
    let finding = |statement: &str, validation| finding_of(community.id, statement, validation);
    let validated = finding(
        "Les rapatriés manquent de papiers",
        ValidationStatus::Validated,
    );
    let pending = finding("Les routes sont fermées", ValidationStatus::Pending);
    let mut tx = f.store.begin().await.unwrap();
    tx.insert_finding(&validated).await.unwrap();
    tx.insert_finding(&pending).await.unwrap();
    tx.commit().await.unwrap();

    let analyst = login(&f.app, "analyst").await;
    let findings = get(&f.app, "/communities/gao-chateau/findings", Some(&analyst)).await;
    assert!(
        findings.body.contains(&format!(
            "/communities/gao-chateau/plan?finding={}",
            validated.id
        )),
        "a validated finding offers to start an action"
    );
    let page = get(
        &f.app,
        &format!("/communities/gao-chateau/plan?finding={}", validated.id),
        Some(&analyst),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("Les routes sont fermées"),
        "only validated findings are offered"
    );
    let csrf = csrf_of(&page.body);
    let add = |finding: Id<Finding>| {
        form_post(
            "/communities/gao-chateau/plan/actions",
            &analyst,
            format!(
                "csrf={csrf}&title=Guichet+d%27%C3%A9tat+civil&lead_partner=Mairie&start=1-2&end=2-1&findings={finding}"
            ),
        )
    };
    let untraced = send(&f.app, add(pending.id)).await;
    assert!(
        untraced.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("refused="),
        "an action answering only a pending finding is refused"
    );
    let saved = send(&f.app, add(validated.id)).await;
    assert!(
        saved.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .contains("saved")
    );
    let plan = f.store.plans(community.id).await.unwrap().remove(0);
    let actions = f.store.actions(plan.id).await.unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].finding_ids, [validated.id]);
    let page = get(&f.app, "/communities/gao-chateau/plan", Some(&analyst)).await;
    assert!(
        page.body.contains("Guichet d&#39;état civil")
            || page.body.contains("Guichet d'état civil")
    );
    let findings = get(&f.app, "/communities/gao-chateau/findings", Some(&analyst)).await;
    assert!(
        findings
            .body
            .contains(&format!("href=\"/actions/{}\"", actions[0].id)),
        "from the finding to the action that answers it"
    );

    let partner = login(&f.app, "partner_viewer").await;
    assert_eq!(
        send(
            &f.app,
            form_post(
                "/communities/gao-chateau/plan/actions",
                &partner,
                format!("csrf={csrf}")
            )
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // Follow-up: the partner viewer (of « OIM ») sees only the actions OIM leads, and updates
    // those alone.
    let mut tx = f.store.begin().await.unwrap();
    let oim = sigida_core::plan::Action {
        id: Id::new(),
        lead_partner: "oim ".into(),
        title: "Kits de retour".into(),
        ..actions[0].clone()
    };
    tx.insert_action(&oim).await.unwrap();
    tx.commit().await.unwrap();
    let progress = get(&f.app, "/progress", Some(&partner)).await;
    assert_eq!(progress.status, StatusCode::OK);
    assert!(progress.body.contains("Kits de retour"));
    assert!(
        !progress.body.contains("Guichet"),
        "another partner's action stays hidden"
    );
    let csrf = csrf_of(&progress.body);
    let status = |action: Id<sigida_core::plan::Action>| {
        form_post(
            &format!("/actions/{action}/status"),
            &partner,
            format!("csrf={csrf}&status=ongoing"),
        )
    };
    assert_eq!(
        send(&f.app, status(actions[0].id)).await.status,
        StatusCode::FORBIDDEN,
        "not the partner's action"
    );
    assert_eq!(
        send(&f.app, status(oim.id)).await.status,
        StatusCode::SEE_OTHER
    );
    let stored = f.store.actions(plan.id).await.unwrap();
    let ongoing = |id| stored.iter().find(|a| a.id == id).unwrap().status;
    assert_eq!(ongoing(oim.id), sigida_core::plan::ActionStatus::Ongoing);
    assert_eq!(
        ongoing(actions[0].id),
        sigida_core::plan::ActionStatus::Planned
    );
}

/// A multipart form with one file, as a browser sends it.
fn file_post(path: &str, cookie: &str, csrf: &str, name: &str, content: &str) -> Request<Body> {
    multipart_post(
        path,
        cookie,
        &[("csrf", csrf)],
        &[("file", name, content.as_bytes())],
    )
}

/// A multipart form with its text fields and files `(field, file name, bytes)`.
fn multipart_post(
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Request<Body> {
    let boundary = "----sigida-test-boundary";
    let mut body: Vec<u8> = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .bytes(),
        );
    }
    for (field, name, bytes) in files {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn a_plan_is_adopted_revised_and_followed_with_measurements_in_bulk() {
    use sigida_core::finding::ValidationStatus;
    use sigida_core::plan::PlanStatus;
    let f = fixture().await;
    let community = gao(&f).await;
    let validated = finding_of(
        community.id,
        "Les rapatriés manquent de papiers",
        ValidationStatus::Validated,
    );
    let meeting = sigida_core::meeting::Meeting {
        id: Id::new(),
        community_id: community.id,
        level: Level::Local,
        title: "Réunion de consultation".into(),
        date: time::macros::date!(2026 - 03 - 19),
        place: "Mairie".into(),
        facilitators: "Équipe".into(),
        agenda: vec![],
    };
    let mut tx = f.store.begin().await.unwrap();
    tx.insert_finding(&validated).await.unwrap();
    tx.insert_meeting(&meeting).await.unwrap();
    tx.commit().await.unwrap();

    // The analyst drafts an action (led by the partner's organisation), its indicator, a
    // budget line and a milestone.
    let analyst = login(&f.app, "analyst").await;
    let page = get(&f.app, "/communities/gao-chateau/plan", Some(&analyst)).await;
    let csrf = csrf_of(&page.body);
    let post = |path: &str, body: String| form_post(path, &analyst, format!("csrf={csrf}&{body}"));
    send(
        &f.app,
        post(
            "/communities/gao-chateau/plan/actions",
            format!(
                "title=Audiences+foraines&lead_partner=OIM&start=1-1&end=2-4&findings={}",
                validated.id
            ),
        ),
    )
    .await;
    let plan = f.store.latest_plan(community.id).await.unwrap().unwrap();
    let action = f.store.actions(plan.id).await.unwrap().remove(0);
    let at = |what: &str| format!("/actions/{}/{what}", action.id);
    for (what, body) in [
        (
            "indicators",
            // A unit typed as a spreadsheet formula: the template shows it, never runs it.
            "name=Actes+d%C3%A9livr%C3%A9s&unit=%3DHYPERLINK(%22http%3A%2F%2Fx%22)&baseline=0&target=400&means_of_verification=Registres",
        ),
        (
            "budget",
            "item=Audience&unit=jour&quantity=4&unit_cost=450+000&funding_source=OIM&year=1",
        ),
        ("milestones", "title=Calendrier+arr%C3%AAt%C3%A9&due=1-2"),
    ] {
        let reply = send(&f.app, post(&at(what), body.into())).await;
        assert!(
            location(&reply).ends_with("saved=1"),
            "{what}: {}",
            location(&reply)
        );
    }
    let content = f.store.plan_content(plan.id).await.unwrap();
    assert_eq!(
        content.lines[0].total_fcfa(),
        Some(1_800_000),
        "« 450 000 » is read as typed"
    );
    let page = get(&f.app, &format!("/actions/{}", action.id), Some(&analyst)).await;
    let total =
        sigida_report::format::fcfa(sigida_report::Tr::new(sigida_report::Lang::Fr), 1_800_000);
    assert!(page.body.contains(&total), "the action's total: {total}");
    let plan_page = get(&f.app, "/communities/gao-chateau/plan", Some(&analyst)).await;
    assert!(
        plan_page
            .body
            .contains(&format!("<strong>{total}</strong>")),
        "the plan page's total is the sum of its lines"
    );

    // The meeting adopts it: the content is frozen, the refusal says why, nothing is written.
    let reply = send(
        &f.app,
        post(
            "/communities/gao-chateau/plan/adopt",
            format!("meeting={}&date=2026-03-19", meeting.id),
        ),
    )
    .await;
    assert!(location(&reply).ends_with("saved=1"));
    let adopted = f.store.plan(plan.id).await.unwrap().unwrap();
    assert_eq!(adopted.status, PlanStatus::Adopted);
    assert_eq!(adopted.adopted_by_meeting, Some(meeting.id));
    assert!(
        f.store
            .decisions(meeting.id)
            .await
            .unwrap()
            .iter()
            .any(|d| d.kind == sigida_core::meeting::DecisionKind::PlanAdoption)
    );
    let frozen = send(
        &f.app,
        post(
            &at("budget"),
            "item=Moto&unit=moto&quantity=1&unit_cost=900000&funding_source=OIM&year=1".into(),
        ),
    )
    .await;
    assert!(
        location(&frozen).contains("refused="),
        "{}",
        location(&frozen)
    );
    assert_eq!(f.store.budget_lines(plan.id).await.unwrap().len(), 1);

    // The partner that leads it records a measurement and reaches the milestone; a partner
    // cannot touch the plan's content.
    let partner = login(&f.app, "partner_viewer").await;
    let page = get(&f.app, &format!("/actions/{}", action.id), Some(&partner)).await;
    assert_eq!(page.status, StatusCode::OK);
    let partner_csrf = csrf_of(&page.body);
    let indicator = content.indicators[0].id;
    let by_partner =
        |path: &str, body: String| form_post(path, &partner, format!("csrf={partner_csrf}&{body}"));
    let reply = send(
        &f.app,
        by_partner(
            &at("measurements"),
            format!("indicator={indicator}&date=2026-06-30&value=120&note=Deux+audiences"),
        ),
    )
    .await;
    assert!(location(&reply).ends_with("saved=1"));
    let reply = send(
        &f.app,
        by_partner(
            &format!("{}/{}/done", at("milestones"), content.milestones[0].id),
            "date=2026-05-02".into(),
        ),
    )
    .await;
    assert!(location(&reply).ends_with("saved=1"));
    assert_eq!(
        send(
            &f.app,
            by_partner(&at("indicators"), "name=X&unit=x".into())
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        f.store.measurements(indicator).await.unwrap()[0].value,
        120.0
    );
    assert!(
        f.store.milestones(plan.id).await.unwrap()[0]
            .done_on
            .is_some()
    );

    // Measurements in bulk: a file naming an unknown indicator is refused whole, with its row.
    let csv = |rows: &str| format!("indicateur;date;valeur;note\n{rows}");
    let refused = send(
        &f.app,
        file_post(
            "/progress/import",
            &partner,
            &partner_csrf,
            "suivi.csv",
            &csv(&format!(
                "{indicator};2026-09-30;210;\nComités inconnus;2026-09-30;3;\n"
            )),
        ),
    )
    .await;
    // Answered with the page and the problem, which no URL carries.
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("suivi.csv, ligne 3") && refused.body.contains("Comités inconnus"),
        "{}",
        refused.body
    );
    assert_eq!(
        f.store.measurements(indicator).await.unwrap().len(),
        1,
        "nothing of a refused file is kept"
    );
    let file = csv(&format!(
        "{indicator};30/09/2026;210;Troisième audience\nActes délivrés;;;\n"
    ));
    let imported = send(
        &f.app,
        file_post(
            "/progress/import",
            &partner,
            &partner_csrf,
            "suivi.csv",
            &file,
        ),
    )
    .await;
    assert!(
        location(&imported).contains("imported=1&already=0"),
        "{}",
        location(&imported)
    );
    let again = send(
        &f.app,
        file_post(
            "/progress/import",
            &partner,
            &partner_csrf,
            "suivi.csv",
            &file,
        ),
    )
    .await;
    assert!(
        location(&again).contains("imported=0&already=1"),
        "sending a file twice records nothing twice"
    );
    let progress = get(&f.app, "/progress", Some(&partner)).await;
    assert!(
        progress.body.contains("52,5"),
        "210 of 400 from 0: 52.5 % of the way"
    );
    let template = get(&f.app, "/progress/modele.csv", Some(&partner)).await;
    assert!(template.body.contains(&indicator.to_string()));
    assert!(
        template
            .body
            .contains(";\"'=HYPERLINK(\"\"http://x\"\")\";"),
        "{}",
        template.body
    );

    // The workbook shows the follow-up.
    let book = get(
        &f.app,
        "/reports/gao-chateau/plan-action.xlsx",
        Some(&analyst),
    )
    .await;
    assert_eq!(book.status, StatusCode::OK);
    let revise_page = get(&f.app, "/communities/gao-chateau/plan", Some(&analyst)).await;
    assert!(revise_page.body.contains("/plan/revise"));

    // A revision: a draft copy, edited; the page says what changed; the adopted version stays.
    let reply = send(
        &f.app,
        post("/communities/gao-chateau/plan/revise", String::new()),
    )
    .await;
    assert!(location(&reply).ends_with("saved=1"));
    let v2 = f.store.latest_plan(community.id).await.unwrap().unwrap();
    assert_eq!((v2.version, v2.status), (2, PlanStatus::Draft));
    let copy = f.store.actions(v2.id).await.unwrap().remove(0);
    assert_eq!(copy.origin_id, Some(action.id));
    assert_eq!(
        f.store.plan_measurements(v2.id).await.unwrap().len(),
        2,
        "the follow-up comes along"
    );
    let reply = send(
        &f.app,
        post(
            &format!("/actions/{}/edit", copy.id),
            format!(
                "title=Audiences+foraines+et+cartes&lead_partner=OIM&start=1-1&end=3-4&findings={}",
                validated.id
            ),
        ),
    )
    .await;
    assert!(
        location(&reply).ends_with("saved=1"),
        "{}",
        location(&reply)
    );
    let page = get(&f.app, "/communities/gao-chateau/plan", Some(&analyst)).await;
    assert!(
        page.body
            .contains("Ce qui a changé depuis la version précédente")
    );
    assert!(
        page.body
            .contains("<del>Année 2 T4</del> → <ins>Année 3 T4</ins>"),
        "the end moved"
    );
    assert!(page.body.contains("Audiences foraines et cartes"));
    assert_eq!(
        f.store.actions(plan.id).await.unwrap()[0].title,
        "Audiences foraines"
    );
}

#[tokio::test]
async fn pages_are_gzipped_for_clients_that_accept_it_and_read_back_the_same() {
    let f = fixture().await;
    let cookie = login(&f.app, "coordinator").await;
    let page = |encoding: Option<&str>| {
        let mut request = Request::get("/communities/gao-chateau").header(header::COOKIE, &cookie);
        if let Some(encoding) = encoding {
            request = request.header(header::ACCEPT_ENCODING, encoding);
        }
        request.body(Body::empty()).unwrap()
    };
    let plain = f.app.clone().oneshot(page(None)).await.unwrap();
    assert!(!plain.headers().contains_key(header::CONTENT_ENCODING));
    let plain = plain.into_body().collect().await.unwrap().to_bytes();
    let packed = f.app.clone().oneshot(page(Some("gzip, br"))).await.unwrap();
    assert_eq!(packed.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(packed.headers()[header::VARY], "accept-encoding");
    let packed = packed.into_body().collect().await.unwrap().to_bytes();
    assert!(
        packed.len() * 2 < plain.len(),
        "{} → {}",
        plain.len(),
        packed.len()
    );
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&packed[..]),
        &mut unpacked,
    )
    .unwrap();
    assert_eq!(unpacked, plain);
    // Refused gzip, or a tiny body: sent as it is.
    let refused = f.app.clone().oneshot(page(Some("gzip;q=0"))).await.unwrap();
    assert!(!refused.headers().contains_key(header::CONTENT_ENCODING));
    let health = send(
        &f.app,
        Request::get("/healthz")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(health.body, "ok");
}

#[tokio::test]
async fn the_login_page_in_english_as_a_whole() {
    let f = fixture().await;
    let reply = send(
        &f.app,
        Request::get("/login?next=%2Fcommunities")
            .header(header::COOKIE, "sigida_lang=en")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    insta::assert_snapshot!("login_en", reply.body.replace("><", ">\n<"));
}

#[tokio::test]
async fn a_file_over_the_size_limit_is_413_with_what_to_do() {
    let f = fixture().await;
    let coordinator = login(&f.app, "coordinator").await;
    let csrf = csrf_of(&get(&f.app, "/progress", Some(&coordinator)).await.body);
    let big = "x".repeat(sigida_web::BODY_LIMIT + 1024);
    let reply = send(
        &f.app,
        file_post("/progress/import", &coordinator, &csrf, "suivi.csv", &big),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    assert!(reply.body.contains("16 Mio"), "{}", reply.body);
}

/// A team registers its own community and localities through the pages: the list says what to
/// do; a refused form comes back 422 with what was typed and the refusal by its field; a
/// correction and a removal are audited; a partner may not register.
#[tokio::test]
async fn a_team_registers_its_communities_and_localities_through_the_pages() {
    let f = fixture().await;
    let clerk = login(&f.app, "data_clerk").await;
    let list = get(&f.app, "/communities", Some(&clerk)).await;
    assert!(
        list.body.contains("href=\"/communities/new\""),
        "{}",
        list.body
    );
    let csrf = csrf_of(&list.body);
    let post = |path: &str, body: String| form_post(path, &clerk, format!("csrf={csrf}&{body}"));

    // A cercle that is a region: refused beside its field, the name kept as typed.
    let refused = send(
        &f.app,
        post(
            "/communities",
            "name=Gao+Nord&cercle=ML07&description=Quartiers+du+nord".into(),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("value=\"Gao Nord\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Quartiers du nord"));
    assert!(
        refused.body.contains("id=\"cercle-error\"") && refused.body.contains("attendu un cercle"),
        "{}",
        refused.body
    );
    let diagnostic = f.store.main_diagnostic().await.unwrap();
    assert_eq!(f.store.communities(diagnostic.id).await.unwrap().len(), 1);

    // The same, right: registered with its slug, region and COD version from the cercle.
    let saved = send(
        &f.app,
        post(
            "/communities",
            "name=Gao+Nord&cercle=ML0701&selection_reason=Transit+vers+l%27Alg%C3%A9rie&latitude=16,3&longitude=-0,05".into(),
        ),
    )
    .await;
    assert_eq!(location(&saved), "/communities/gao-nord?saved=1");
    let nord = f
        .store
        .community_by_slug(diagnostic.id, "gao-nord")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            nord.region_pcode.as_str(),
            nord.cod_version.as_str(),
            nord.latitude
        ),
        ("ML07", "v03", Some(16.3))
    );
    let page = get(&f.app, "/communities/gao-nord", Some(&clerk)).await;
    assert!(
        page.body.contains("Transit vers l'Algérie"),
        "{}",
        page.body
    );

    // Its slug cannot be another community's.
    let taken = send(
        &f.app,
        post(
            "/communities/gao-nord/edit",
            "name=Gao+Nord&slug=gao-chateau&cercle=ML0701".into(),
        ),
    )
    .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("id=\"slug-error\""), "{}", taken.body);

    // A locality with a population that is not a number, then right; corrected; removed.
    let bad = send(
        &f.app,
        post(
            "/communities/gao-nord/localities",
            "name=Bagoundi%C3%A9&kind=quarter&population=beaucoup".into(),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"population-error\""), "{}", bad.body);
    assert!(bad.body.contains("value=\"Bagoundié\""));
    let added = send(
        &f.app,
        post(
            "/communities/gao-nord/localities",
            "name=Bagoundi%C3%A9&kind=quarter&admin_pcode=ML0701&population=4+200&population_source=Chef+de+quartier&population_year=2025".into(),
        ),
    )
    .await;
    assert_eq!(location(&added), "/communities/gao-nord?saved=1#localites");
    let locality = f.store.localities(nord.id).await.unwrap().remove(0);
    assert_eq!(
        (
            locality.population,
            locality.kind.code(),
            locality.population_year
        ),
        (Some(4200), "quarter", Some(2025))
    );
    let edit = format!("/communities/gao-nord/localities/{}/edit", locality.id);
    assert_eq!(
        get(&f.app, &edit, Some(&clerk)).await.status,
        StatusCode::OK
    );
    let corrected = send(
        &f.app,
        post(&edit, "name=Bagoundi%C3%A9+Est&kind=quarter".into()),
    )
    .await;
    assert_eq!(corrected.status, StatusCode::SEE_OTHER);
    let delete = format!("/communities/gao-nord/localities/{}/delete", locality.id);
    let unconfirmed = send(&f.app, post(&delete, String::new())).await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(f.store.localities(nord.id).await.unwrap().len(), 1);
    let removed = send(&f.app, post(&delete, "confirm=yes".into())).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(f.store.localities(nord.id).await.unwrap().is_empty());
    let changes = f
        .store
        .audit_events(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::RegisterChanged)
        .count();
    assert_eq!(changes, 4, "added, added, corrected, removed");

    // Archived, it leaves the current list and keeps its page.
    let archived = send(
        &f.app,
        post("/communities/gao-nord/archive", "archive=yes".into()),
    )
    .await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER);
    let list = get(&f.app, "/communities", Some(&clerk)).await;
    assert!(list.body.contains("Communautés archivées"), "{}", list.body);

    // A partner sees no button and is refused the form.
    let partner = login(&f.app, "partner_viewer").await;
    let list = get(&f.app, "/communities", Some(&partner)).await;
    assert!(!list.body.contains("href=\"/communities/new\""));
    assert_eq!(
        get(&f.app, "/communities/new", Some(&partner)).await.status,
        StatusCode::FORBIDDEN
    );
}

/// The geography page imports a COD-AB file all or nothing, listing every problem with its
/// row; a unit is corrected; one that a community lies in is not removed, a free one is.
#[tokio::test]
async fn the_geography_is_imported_seen_and_corrected_from_its_page() {
    let f = fixture().await;
    let analyst = login(&f.app, "analyst").await;
    let page = get(&f.app, "/geography", Some(&analyst)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("ML0701"), "{}", page.body);
    let csrf = csrf_of(&page.body);
    let import = |name: &str, csv: &str| {
        multipart_post(
            "/geography/import",
            &analyst,
            &[("csrf", &csrf)],
            &[("file", name, csv.as_bytes())],
        )
    };
    let bad = "Location,Admin Level,P-Code,Name,Parent P-Code,Version\n\
               MLI,2,ML0702,Ansongo,ML07,v03\n\
               MLI,2,ML0803,Bourem,ML07,v03\n\
               MLI,x,ML0704,Ménaka,ML07,v03\n";
    let refused = send(&f.app, import("gao.csv", bad)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("ligne 3") && refused.body.contains("ligne 4"),
        "{}",
        refused.body
    );
    assert!(f.store.admin_unit("ML0702", "v03").await.unwrap().is_none());
    let good = "Location,Admin Level,P-Code,Name,Parent P-Code,Version\n\
                MLI,2,ML0702,Ansongo,ML07,v03\n";
    let done = send(&f.app, import("gao.csv", good)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("1 ajoutées"), "{}", done.body);

    let corrected = send(
        &f.app,
        form_post(
            "/geography/v03/ML0702",
            &analyst,
            format!("csrf={csrf}&name=Ansongo+(cercle)&valid_from=04/09/2025"),
        ),
    )
    .await;
    assert_eq!(corrected.status, StatusCode::SEE_OTHER);
    let unit = f.store.admin_unit("ML0702", "v03").await.unwrap().unwrap();
    assert_eq!(
        (unit.name.as_str(), unit.valid_from.as_deref()),
        ("Ansongo (cercle)", Some("2025-09-04"))
    );
    let in_use = send(
        &f.app,
        form_post(
            "/geography/v03/ML0701/delete",
            &analyst,
            format!("csrf={csrf}&confirm=yes"),
        ),
    )
    .await;
    assert_eq!(in_use.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(in_use.body.contains("communautés"), "{}", in_use.body);
    let removed = send(
        &f.app,
        form_post(
            "/geography/v03/ML0702/delete",
            &analyst,
            format!("csrf={csrf}&confirm=yes"),
        ),
    )
    .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(f.store.admin_unit("ML0702", "v03").await.unwrap().is_none());
}

/// The imports page takes an XLSForm, its export, a flow sheet: each checked as on the command
/// line, a refused export naming its problems (422) with nothing stored, the same accepted
/// with its warnings.
#[tokio::test]
async fn forms_exports_and_flow_sheets_are_uploaded_from_the_imports_page() {
    let f = fixture().await;
    let clerk = login(&f.app, "data_clerk").await;
    let page = get(&f.app, "/imports", Some(&clerk)).await;
    assert!(
        page.body.contains("action=\"/imports/form\""),
        "{}",
        page.body
    );
    let csrf = csrf_of(&page.body);
    let form = "survey,,,\n,type,name,label\n,integer,age,Âge\n,select_one yn,travail,Travail\n\
                choices,,,\n,list_name,name,label\n,yn,oui,Oui\n,yn,non,Non\n";
    let sent = send(
        &f.app,
        multipart_post(
            "/imports/form",
            &clerk,
            &[
                ("csrf", &csrf),
                ("instrument", "Enquête test"),
                ("kind", "household_survey"),
            ],
            &[("file", "formulaire.csv", form.as_bytes())],
        ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(sent.body.contains("2 questions"), "{}", sent.body);

    let export = "_uuid,age,travail\nu1,30,oui\nu2,41,peut-être\n";
    let upload = |accept: &str| {
        multipart_post(
            "/imports/data",
            &clerk,
            &[
                ("csrf", &csrf),
                ("instrument", "Enquête test"),
                ("accept_warnings", accept),
            ],
            &[("file", "export.csv", export.as_bytes())],
        )
    };
    let refused = send(&f.app, upload("no")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("« travail » : 1 valeurs")
            && refused.body.contains("rien n'a été importé"),
        "{}",
        refused.body
    );
    let diagnostic = f.store.main_diagnostic().await.unwrap();
    let instrument = f
        .store
        .instrument_by_name(diagnostic.id, "Enquête test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(f.store.submission_count(instrument.id).await.unwrap(), 0);
    let accepted = send(&f.app, upload("yes")).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(f.store.submission_count(instrument.id).await.unwrap(), 2);
    let again = send(&f.app, upload("yes")).await;
    assert!(again.body.contains("déjà été importé"), "{}", again.body);

    let flows = "date,direction,origine,destination,voyageurs,hommes\n\
                 2026-03-01,sortant,Gao,Niamey,5,2\n";
    let sent = send(
        &f.app,
        multipart_post(
            "/imports/flows",
            &clerk,
            &[("csrf", &csrf), ("community", "gao-chateau")],
            &[("file", "flux.csv", flows.as_bytes())],
        ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(
        sent.body.contains("1 comptages, 5 voyageurs"),
        "{}",
        sent.body
    );
    let unknown = send(
        &f.app,
        multipart_post(
            "/imports/flows",
            &clerk,
            &[("csrf", &csrf), ("community", "tombouctou")],
            &[("file", "flux2.csv", flows.as_bytes())],
        ),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body.contains("gao-chateau"), "{}", unknown.body);
}

/// A community's actors entered one by one: a provider with a wrong capacity comes back with
/// what was typed; right, it is on the 4W page; a stakeholder corrected keeps the contact its
/// form showed; a group removed after confirmation.
#[tokio::test]
async fn actors_are_added_corrected_and_removed_through_their_forms() {
    let f = fixture().await;
    let analyst = login(&f.app, "analyst").await;
    let page = get(&f.app, "/communities/gao-chateau/actors", Some(&analyst)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Association des rapatriés"),
        "{}",
        page.body
    );
    let csrf = csrf_of(&page.body);
    let post = |path: &str, body: &str| form_post(path, &analyst, format!("csrf={csrf}&{body}"));

    let bad = send(
        &f.app,
        post(
            "/communities/gao-chateau/actors/prestataires",
            "organisation=CSCOM+de+Gadeye&sector=health&service=Soins&capacity=trois+cents",
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"capacity-error\""), "{}", bad.body);
    assert!(bad.body.contains("value=\"CSCOM de Gadeye\""));
    let good = send(
        &f.app,
        post(
            "/communities/gao-chateau/actors/prestataires",
            "organisation=CSCOM+de+Gadeye&sector=health&service=Soins+primaires&capacity=300&free=yes&referrals=yes&contact_phone=%2B223+70+11+22+33",
        ),
    )
    .await;
    assert_eq!(location(&good), "/communities/gao-chateau/actors?saved=1");
    let services = get(&f.app, "/communities/gao-chateau/services", Some(&analyst)).await;
    assert!(
        services.body.contains("CSCOM de Gadeye"),
        "{}",
        services.body
    );

    let diagnostic = f.store.main_diagnostic().await.unwrap();
    let community = gao(&f).await;
    let stakeholder = f
        .store
        .stakeholders(diagnostic.id, Some(community.id))
        .await
        .unwrap()
        .remove(0);
    let edit = format!(
        "/communities/gao-chateau/actors/parties-prenantes/{}/edit",
        stakeholder.id
    );
    let form = get(&f.app, &edit, Some(&analyst)).await;
    assert!(
        form.body.contains(PHONE),
        "the analyst sees the contact it edits"
    );
    let corrected = send(
        &f.app,
        post(
            &edit,
            &format!(
                "organisation=Association+des+rapatri%C3%A9s+de+Gao&kind=migrant_association&level=local&contact_name=Fadimata+Ma%C3%AFga&contact_phone={}&influence=4&interest=5",
                PHONE.replace('+', "%2B").replace(' ', "+")
            ),
        ),
    )
    .await;
    assert_eq!(
        corrected.status,
        StatusCode::SEE_OTHER,
        "{}",
        corrected.body
    );
    let now = f
        .store
        .stakeholders(diagnostic.id, Some(community.id))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(now.organisation, "Association des rapatriés de Gao");
    assert_eq!(now.contact_phone.expose(), PHONE);
    assert_eq!((now.influence, now.interest), (Some(4), Some(5)));
    let out_of_scale = send(
        &f.app,
        post(
            &edit,
            "organisation=Association&kind=migrant_association&level=local&influence=9",
        ),
    )
    .await;
    assert_eq!(out_of_scale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(out_of_scale.body.contains("id=\"influence-error\""));

    let added = send(
        &f.app,
        post(
            "/communities/gao-chateau/actors/groupes",
            "kind=youth&name=Jeunes+de+Ch%C3%A2teau&size=1200",
        ),
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let group = f.store.groups(community.id).await.unwrap().remove(0);
    let delete = format!(
        "/communities/gao-chateau/actors/groupes/{}/delete",
        group.id
    );
    assert_eq!(
        send(&f.app, post(&delete, "")).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        send(&f.app, post(&delete, "confirm=yes")).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(f.store.groups(community.id).await.unwrap().is_empty());
    assert_eq!(
        get(
            &f.app,
            "/communities/gao-chateau/actors/inconnus/new",
            Some(&analyst)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

/// The coordinator keeps the diagnostic's settings; a refused one names its field and keeps
/// what was typed; the country cannot leave the stored P-codes behind.
#[tokio::test]
async fn the_coordinator_keeps_the_settings() {
    let f = fixture().await;
    let coordinator = login(&f.app, "coordinator").await;
    let page = get(&f.app, "/settings", Some(&coordinator)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<code>ML</code>"), "{}", page.body);
    let csrf = csrf_of(&page.body);
    let post = |body: &str| form_post("/settings", &coordinator, format!("csrf={csrf}&{body}"));
    let saved = send(
        &f.app,
        post("name=Diagnostic+Gao&programme=Protection&country=MLI&period_start=2026-01-05&period_end=2029-12-31&languages=fr,+en,+son&min_cell=10"),
    )
    .await;
    assert_eq!(location(&saved), "/settings?saved=1");
    let d = f.store.main_diagnostic().await.unwrap();
    assert_eq!(
        (d.name.as_str(), d.min_cell, d.languages.join(",")),
        ("Diagnostic Gao", 10, "fr,en,son".to_owned())
    );
    assert_eq!(d.period_end, Some(time::macros::date!(2029 - 12 - 31)));
    let refused = send(
        &f.app,
        post("name=Diagnostic+Gao&country=NER&languages=fr&min_cell=5"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"country-error\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"NER\""));
    let no_french = send(&f.app, post("name=D&country=MLI&languages=en&min_cell=5")).await;
    assert!(
        no_french.body.contains("id=\"languages-error\""),
        "{}",
        no_french.body
    );
    let analyst = login(&f.app, "analyst").await;
    assert_eq!(
        send(
            &f.app,
            form_post("/settings", &analyst, format!("csrf={csrf}&name=X"))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

/// The administrator adds a user (password generated, shown once, never cached), changes a
/// role, disables a user — whose open session ends at once — and gives a new password; an
/// administrator cannot disable themselves.
#[tokio::test]
async fn the_administrator_manages_accounts_and_a_disabled_user_is_out_at_once() {
    let f = fixture().await;
    let admin = login(&f.app, "admin").await;
    let page = get(&f.app, "/users", Some(&admin)).await;
    let csrf = csrf_of(&page.body);
    let post = |path: &str, body: &str| form_post(path, &admin, format!("csrf={csrf}&{body}"));
    let created = send(
        &f.app,
        post(
            "/users",
            "username=awa&display_name=Awa+Diarra&role=data_clerk&organisation=AMDH",
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK);
    assert_eq!(created.headers[header::CACHE_CONTROL], "no-store");
    assert!(created.body.contains("« awa »"), "{}", created.body);
    let taken = send(&f.app, post("/users", "username=awa&role=analyst")).await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);

    let analyst = login(&f.app, "analyst").await;
    assert_eq!(
        get(&f.app, "/", Some(&analyst)).await.status,
        StatusCode::OK
    );
    let disabled = send(
        &f.app,
        post(
            "/users/analyst",
            "role=analyst&display_name=Analyste&organisation=",
        ),
    )
    .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    let after = get(&f.app, "/", Some(&analyst)).await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "the session ended at once"
    );
    let users = f.store.users().await.unwrap();
    assert!(
        !users
            .iter()
            .find(|u| u.username == "analyst")
            .unwrap()
            .active
    );

    let promoted = send(
        &f.app,
        post(
            "/users/awa",
            "role=analyst&display_name=Awa+Diarra&organisation=AMDH&active=yes",
        ),
    )
    .await;
    assert_eq!(promoted.status, StatusCode::SEE_OTHER);
    let users = f.store.users().await.unwrap();
    assert_eq!(
        users.iter().find(|u| u.username == "awa").unwrap().role,
        Role::Analyst
    );

    let reset = send(&f.app, post("/users/awa/password", "")).await;
    assert_eq!(reset.status, StatusCode::OK);
    assert!(reset.body.contains("class=\"password\""));
    let myself = send(
        &f.app,
        post("/users/admin", "role=admin&display_name=Admin"),
    )
    .await;
    assert_eq!(myself.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        send(&f.app, post("/users/nobody", "role=admin&active=yes"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// REACH's MSNA form and its dummy export uploaded through the pages; its admin3 answers are
/// placeholder codes (`PCODE111`…): the analyst maps one to a locality of Gao Château in the
/// table, and the rest stay listed as mapped to nothing; the community's rows follow.
/// REACH's MSNA form and its dummy export (241 submissions) uploaded through the pages by
/// `user`: the instrument « MSNA », and the CSRF token used. `None` without the shared data.
async fn msna_uploaded(
    f: &Fixture,
    user: &str,
) -> Option<(String, sigida_core::instrument::Instrument, String)> {
    let (Some(form), Some(data)) = (
        sigida_testkit::shared("reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"),
        sigida_testkit::shared("reach-msna-2024/dummy_raw_data.xlsx"),
    ) else {
        return None;
    };
    let cookie = login(&f.app, user).await;
    let csrf = csrf_of(&get(&f.app, "/imports", Some(&cookie)).await.body);
    let sent = send(
        &f.app,
        multipart_post(
            "/imports/form",
            &cookie,
            &[
                ("csrf", &csrf),
                ("instrument", "MSNA"),
                ("kind", "household_survey"),
            ],
            &[("file", "msna.xlsx", &std::fs::read(form).unwrap())],
        ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let sent = send(
        &f.app,
        multipart_post(
            "/imports/data",
            &cookie,
            &[
                ("csrf", &csrf),
                ("instrument", "MSNA"),
                ("accept_warnings", "yes"),
            ],
            &[("file", "dummy_raw_data.xlsx", &std::fs::read(data).unwrap())],
        ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(
        sent.body.contains("241 nouvelles soumissions"),
        "{}",
        sent.body
    );
    let diagnostic = f.store.main_diagnostic().await.unwrap();
    let instrument = f
        .store
        .instrument_by_name(diagnostic.id, "MSNA")
        .await
        .unwrap()
        .unwrap();
    Some((cookie, instrument, csrf))
}

#[tokio::test]
async fn a_real_survey_is_uploaded_and_its_locality_answers_mapped_in_the_table() {
    let f = fixture().await;
    let Some((analyst, instrument, csrf)) = msna_uploaded(&f, "analyst").await else {
        return;
    };
    let community = gao(&f).await;
    let locality = sigida_app::register::register_locality(
        &f.store,
        &community,
        &sigida_app::register::LocalityDraft {
            name: "Sosso Koïra".into(),
            ..Default::default()
        },
        None,
        sigida_core::Timestamp::now(),
    )
    .await
    .unwrap();
    let path = format!("/instruments/{}/localities", instrument.id);
    let page = get(&f.app, &format!("{path}?question=admin3"), Some(&analyst)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<code>PCODE111</code>"), "{}", page.body);
    assert!(page.body.contains("ne sont rattachées à aucune localité"));
    let saved = send(
        &f.app,
        form_post(
            &path,
            &analyst,
            format!(
                "csrf={csrf}&question=admin3&answer_0=PCODE111&locality_0={}&answer_1=PCODE112&locality_1=",
                locality.id
            ),
        ),
    )
    .await;
    assert_eq!(location(&saved), format!("{path}?saved=1"));
    let answers =
        sigida_app::common::clean_data::community_answers(&f.store, instrument.id, &community)
            .await
            .unwrap();
    assert!(answers.contains(&"PCODE111".to_owned()), "{answers:?}");
    assert!(!answers.contains(&"PCODE112".to_owned()));
    let page = get(&f.app, &path, Some(&analyst)).await;
    assert!(
        page.body.contains("selected"),
        "the saved question and mapping come back"
    );
    assert!(page.body.contains("Gao Château — Sosso Koïra"));
}

/// A respondent of a real survey erased from the instrument's page, by a coordinator only:
/// the raw file is replaced by its redacted copy, the erasure audited; a submission the
/// instrument does not hold is refused on the page.
#[tokio::test]
async fn a_coordinator_erases_a_respondent_from_the_instruments_page() {
    let f = fixture().await;
    let Some((analyst, instrument, _)) = msna_uploaded(&f, "analyst").await else {
        return;
    };
    let page_of = format!("/instruments/{}", instrument.id);
    let erase = format!("{page_of}/erase");
    let page = get(&f.app, &page_of, Some(&analyst)).await;
    assert!(
        !page.body.contains(&erase),
        "only those who may erase see the form"
    );
    let refused = send(
        &f.app,
        form_post(
            &erase,
            &analyst,
            format!("csrf={}&uuid=x&confirm=yes", csrf_of(&page.body)),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let coordinator = login(&f.app, "coordinator").await;
    let page = get(&f.app, &page_of, Some(&coordinator)).await;
    assert!(page.body.contains(&erase), "{}", page.body);
    let csrf = csrf_of(&page.body);
    let unknown = send(
        &f.app,
        form_post(
            &erase,
            &coordinator,
            format!("csrf={csrf}&uuid=pas-ici&confirm=yes"),
        ),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("aucune soumission « pas-ici »"),
        "{}",
        unknown.body
    );

    let diagnostic = f.store.main_diagnostic().await.unwrap();
    let import = f
        .store
        .raw_imports(diagnostic.id)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.kind == sigida_core::instrument::ImportKind::SurveyData)
        .unwrap();
    let (uuid, _) = f
        .store
        .submissions_of_import(import.id)
        .await
        .unwrap()
        .remove(3);
    let erased = send(
        &f.app,
        form_post(
            &erase,
            &coordinator,
            format!("csrf={csrf}&uuid={uuid}&confirm=yes"),
        ),
    )
    .await;
    assert_eq!(location(&erased), format!("{page_of}?erased=1#erase"));
    let page = get(&f.app, &location(&erased), Some(&coordinator)).await;
    assert!(
        page.body
            .contains("sont effacées de tous les fichiers bruts")
    );
    assert!(matches!(
        f.store.raw_content(import.id).await.unwrap(),
        sigida_store::RawContent::Redacted(_)
    ));
    assert!(
        f.store.raw_bytes(&import.sha256).await.is_err(),
        "the original bytes are gone"
    );
    let audit = f.store.audit_events(20).await.unwrap();
    assert!(audit.iter().any(|e| e.action == AuditAction::Erased
        && e.actor.as_deref() == Some("coordinator")
        && e.subject == format!("respondent:{uuid}")));
    // Its other answers still count.
    let (_, clean, _) =
        sigida_app::common::clean_data::clean_dataset(&f.store, &diagnostic, &instrument)
            .await
            .unwrap();
    assert_eq!(clean.rows.len(), 241);
}
