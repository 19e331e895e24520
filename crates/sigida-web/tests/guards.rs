//! The guards an attacker meets before any handler: a `next` that only leads to this server, a
//! form from another site refused, no page or download kept by a browser, one rule for what a
//! partner sees of a plan (pages and documents alike).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sigida_core::finding::ValidationStatus;

mod support;
use support::*;

fn login_form(body: &str, origin: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/login")
        .header(header::HOST, "192.168.1.10:8080")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test]
async fn a_next_leads_only_to_a_path_of_this_server() {
    let f = fixture().await;
    for (next, to) in [
        ("%2F%09%2Fhost%2Fphish", "/"),
        ("%2F%5Chost", "/"),
        ("%2F%2Fhost", "/"),
        ("https%3A%2F%2Fhost", "/"),
        ("%2Fcommunities%2Fgao-chateau", "/communities/gao-chateau"),
    ] {
        let reply = get(&f.app, &format!("/lang/en?next={next}"), None).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(location(&reply), to, "{next}");
        let reply = send(
            &f.app,
            login_form(
                &format!("username=analyst&password={PASSWORD}&next={next}"),
                None,
            ),
        )
        .await;
        assert_eq!(location(&reply), to, "login with {next}");
    }
}

#[tokio::test]
async fn a_form_from_another_site_is_refused_before_it_is_read() {
    let f = fixture().await;
    let body = format!("username=analyst&password={PASSWORD}&next=%2F");
    for forged in ["http://evil.example", "null", "http://192.168.1.10:9999"] {
        let reply = send(&f.app, login_form(&body, Some(forged))).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{forged}");
        assert!(
            reply.body.contains("depuis un autre site"),
            "{}",
            reply.body
        );
        assert!(!reply.headers.contains_key(header::SET_COOKIE));
    }
    // The same phone ballot form from another site, before any code is read.
    let ballot = Request::post("/v/ballot")
        .header(header::HOST, "192.168.1.10:8080")
        .header(header::ORIGIN, "http://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("question=x&option=Oui"))
        .unwrap();
    assert_eq!(send(&f.app, ballot).await.status, StatusCode::FORBIDDEN);
    // This server's own page, and a client that sends no Origin, sign in.
    let ours = send(&f.app, login_form(&body, Some("http://192.168.1.10:8080"))).await;
    assert_eq!(ours.status, StatusCode::SEE_OTHER);
    assert!(ours.headers.contains_key(header::SET_COOKIE));
    let scripted = send(&f.app, login_form(&body, None)).await;
    assert_eq!(scripted.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn no_page_or_download_is_kept_by_a_browser_but_the_stylesheet() {
    let f = fixture().await;
    let coordinator = login(&f.app, "coordinator").await;
    for path in [
        "/communities/gao-chateau",
        "/communities/gao-chateau/services",
        "/api/communities/gao-chateau",
        "/workbook/registres.xlsx",
        "/reports/gao-chateau/analyse-contextuelle.pdf",
        "/login",
    ] {
        let reply = get(&f.app, path, Some(&coordinator)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.headers[header::CACHE_CONTROL], "no-store", "{path}");
    }
    let css = get(&f.app, "/assets/sigida.css", None).await;
    assert!(
        css.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
}

#[tokio::test]
async fn a_partner_sees_only_its_organisations_actions_on_every_page_and_document() {
    let f = fixture().await;
    let community = gao(&f).await;
    let finding = finding_of(
        community.id,
        "Les jeunes rapatriés n'ont pas d'acte de naissance",
        ValidationStatus::Validated,
    );
    let mut tx = f.store.begin().await.unwrap();
    tx.insert_finding(&finding).await.unwrap();
    tx.commit().await.unwrap();
    let analyst = login(&f.app, "analyst").await;
    let page = get(&f.app, "/communities/gao-chateau/plan", Some(&analyst)).await;
    let csrf = csrf_of(&page.body);
    for (title, lead) in [
        ("Audiences+foraines", "OIM"),
        ("Caisse+de+solidarit%C3%A9", "Croix-Rouge+malienne"),
    ] {
        let reply = send(
            &f.app,
            form_post(
                "/communities/gao-chateau/plan/actions",
                &analyst,
                format!(
                    "csrf={csrf}&title={title}&lead_partner={lead}&start=1-1&end=2-4&findings={}",
                    finding.id
                ),
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{title}");
    }
    // The fixture's partner account belongs to OIM: it sees the hearings, not the fund.
    let partner = login(&f.app, "partner_viewer").await;
    for path in [
        "/communities/gao-chateau/plan",
        "/progress",
        "/communities/gao-chateau/findings",
        "/reports/gao-chateau/plan-action.html",
        "/reports/gao-chateau/plan-action.en.html",
    ] {
        let reply = get(&f.app, path, Some(&partner)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.body.contains("Audiences foraines"), "{path}");
        assert!(
            !reply.body.contains("Caisse de solidarité"),
            "{path} shows another organisation's action"
        );
        // Everyone else sees the whole plan.
        let whole = get(&f.app, path, Some(&analyst)).await;
        assert!(whole.body.contains("Caisse de solidarité"), "{path}");
    }
}

/// A meeting of the fixture's community with one participant registered (named or not).
async fn meeting_with(
    f: &Fixture,
    name: Option<String>,
    code: [u8; 6],
) -> (
    sigida_core::meeting::Meeting,
    sigida_core::meeting::Participant,
) {
    use sigida_core::meeting::{AgeGroup, Meeting, Sex};
    use sigida_core::{Id, Timestamp};
    let community = gao(f).await;
    let meeting = sigida_app::meetings::create_meeting(
        &f.store,
        Meeting {
            id: Id::new(),
            community_id: community.id,
            level: sigida_core::actors::Level::Local,
            title: "Réunion de consultation".into(),
            date: time::macros::date!(2026 - 03 - 19),
            place: "Mairie".into(),
            facilitators: String::new(),
            agenda: Vec::new(),
        },
    )
    .await
    .unwrap();
    let participant = sigida_app::meetings::register(
        &f.store,
        sigida_app::meetings::Arrival {
            id: Id::new(),
            meeting_id: meeting.id,
            name,
            sex: Sex::Female,
            age_group: AgeGroup::Adult,
            stakeholder_type: None,
            group: None,
            organisation: String::new(),
            consent: true,
            at: Timestamp::now(),
            code,
        },
    )
    .await
    .unwrap();
    (meeting, participant)
}

/// A phone's request from `peer`, as the server's accept loop hands it over.
fn from_phone(mut request: Request<Body>, peer: &str) -> Request<Body> {
    let peer: std::net::SocketAddr = peer.parse().unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    request
}

fn code_post(code: &str, peer: &str) -> Request<Body> {
    from_phone(
        Request::post("/v")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("code={code}")))
            .unwrap(),
        peer,
    )
}

#[tokio::test]
async fn a_phone_code_joins_only_an_open_meeting_guessing_is_slowed_and_the_cookie_is_a_token() {
    use sigida_core::Id;
    let f = fixture().await;
    let (meeting, participant) = meeting_with(&f, None, [7, 1, 2, 3, 4, 5]).await;
    let code = participant.check_code.clone();

    // Before the facilitator opens the meeting, the right code joins nothing.
    let closed = send(&f.app, code_post(&code, "10.0.0.2:50000")).await;
    assert_eq!(closed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        closed.body.contains("aucune réunion en cours"),
        "{}",
        closed.body
    );

    let facilitator = login(&f.app, "facilitator").await;
    let page = get(
        &f.app,
        &format!("/meetings/{}", meeting.id),
        Some(&facilitator),
    )
    .await;
    assert!(page.body.contains("Fermée aux téléphones"));
    let csrf = csrf_of(&page.body);
    let phones = |verb: &str| {
        form_post(
            &format!("/meetings/{}/phones/{verb}", meeting.id),
            &facilitator,
            format!("csrf={csrf}"),
        )
    };
    assert_eq!(
        send(&f.app, phones("open")).await.status,
        StatusCode::SEE_OTHER
    );
    let page = get(
        &f.app,
        &format!("/meetings/{}", meeting.id),
        Some(&facilitator),
    )
    .await;
    assert!(page.body.contains("Ouverte aux téléphones jusqu'à"));

    // Open: the code joins, and the phone's cookie is a token, not the code.
    let joined = send(&f.app, code_post(&code.to_lowercase(), "10.0.0.2:50000")).await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER);
    let cookie = joined.headers[header::SET_COOKIE].to_str().unwrap();
    let token = cookie.split(';').next().unwrap().to_owned();
    assert!(!token.contains(&code) && token.len() > 60, "{token}");
    let ballot = get(&f.app, "/v/ballot", Some(&token)).await;
    assert_eq!(ballot.status, StatusCode::OK);
    assert!(ballot.body.contains(&code), "the phone shows its own code");

    // Guessing from one address: ten wrong codes are free, then each waits, with the reason.
    for _ in 0..sigida_web::http::login_guard::CODE_FREE {
        let wrong = send(&f.app, code_post("ZZZZZZ", "10.0.0.9:40000")).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let wrong = send(&f.app, code_post("ZZZZZY", "10.0.0.9:40000")).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let locked = send(&f.app, code_post(&code, "10.0.0.9:40001")).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers.contains_key(header::RETRY_AFTER));
    assert!(locked.body.contains("Trop de codes erronés"));
    // Another phone is not slowed by it.
    let other = send(&f.app, code_post(&code, "10.0.0.3:50000")).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);

    // Closed: the code joins no more and the token that joined votes no more.
    assert_eq!(
        send(&f.app, phones("close")).await.status,
        StatusCode::SEE_OTHER
    );
    let again = send(&f.app, code_post(&code, "10.0.0.2:50000")).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ballot = get(&f.app, "/v/ballot", Some(&token)).await;
    assert_eq!(location(&ballot), "/v");
    let vote = send(
        &f.app,
        from_phone(
            Request::post("/v/ballot")
                .header(header::COOKIE, &token)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "question={}&option=Oui",
                    Id::<()>::new()
                )))
                .unwrap(),
            "10.0.0.2:50000",
        ),
    )
    .await;
    assert_eq!(location(&vote), "/v");
}

#[tokio::test]
async fn a_coordinator_erases_a_contact_at_their_request_and_the_stakeholder_stays() {
    let f = fixture().await;
    let diagnostic = f.store.main_diagnostic().await.unwrap();
    let stakeholder = f
        .store
        .stakeholders(diagnostic.id, None)
        .await
        .unwrap()
        .remove(0);
    let edit = format!(
        "/communities/gao-chateau/actors/parties-prenantes/{}/edit",
        stakeholder.id
    );
    let erase = edit.replace("/edit", "/erase");
    let analyst = login(&f.app, "analyst").await;
    let page = get(&f.app, &edit, Some(&analyst)).await;
    assert!(
        !page.body.contains("/erase"),
        "only those who may erase see the form"
    );
    let csrf = csrf_of(&page.body);
    let refused = send(
        &f.app,
        form_post(&erase, &analyst, format!("csrf={csrf}&confirm=yes")),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let coordinator = login(&f.app, "coordinator").await;
    let page = get(&f.app, &edit, Some(&coordinator)).await;
    assert!(page.body.contains(&erase), "{}", page.body);
    let csrf = csrf_of(&page.body);
    let erased = send(
        &f.app,
        form_post(&erase, &coordinator, format!("csrf={csrf}&confirm=yes")),
    )
    .await;
    assert_eq!(erased.status, StatusCode::SEE_OTHER);
    let after = f
        .store
        .stakeholders(diagnostic.id, None)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        after.id, stakeholder.id,
        "the stakeholder stays in the register"
    );
    assert_eq!(after.organisation, stakeholder.organisation);
    assert!(after.contact_name.expose().is_empty() && after.contact_phone.expose().is_empty());
    let audit = f.store.audit_events(50).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == sigida_core::audit::AuditAction::Erased
                && e.actor.as_deref() == Some("coordinator")
                && e.subject == format!("stakeholder:{}", stakeholder.id))
    );
}

#[tokio::test]
async fn a_coordinator_erases_a_participants_name_and_the_attendance_still_counts_them() {
    let f = fixture().await;
    let (meeting, participant) =
        meeting_with(&f, Some("Aminata Touré".into()), [1, 2, 3, 4, 5, 6]).await;
    let page_of = format!("/meetings/{}", meeting.id);
    let facilitator = login(&f.app, "facilitator").await;
    let page = get(&f.app, &page_of, Some(&facilitator)).await;
    assert!(
        !page.body.contains("Aminata"),
        "only those who may erase see the names"
    );
    let coordinator = login(&f.app, "coordinator").await;
    let page = get(&f.app, &page_of, Some(&coordinator)).await;
    assert!(page.body.contains("Aminata Touré"), "{}", page.body);
    let csrf = csrf_of(&page.body);
    let erased = send(
        &f.app,
        form_post(
            &format!("{page_of}/erase"),
            &coordinator,
            format!("csrf={csrf}&participant={}&confirm=yes", participant.id),
        ),
    )
    .await;
    assert_eq!(erased.status, StatusCode::SEE_OTHER);
    let after = f.store.participants(meeting.id).await.unwrap();
    assert_eq!(after.len(), 1, "still counted");
    assert!(after[0].name.is_none() && after[0].check_code.is_empty());
    let page = get(&f.app, &page_of, Some(&coordinator)).await;
    assert!(!page.body.contains("Aminata"));
}

/// What `from` logged that `to` has not, applied on `to` (a sync file, without the file).
async fn apply(from: &sigida_store::Store, to: &sigida_store::Store) {
    let (peer, _) = to.replica().await.unwrap();
    let batch = from.outgoing(Some(&peer), None).await.unwrap();
    let mut tx = to.begin().await.unwrap();
    tx.apply(&batch, "2026-12-07T10:00:00Z").await.unwrap();
    tx.commit().await.unwrap();
}

/// A conflict between this copy and a laptop's, settled on the copies page by a coordinator
/// (a partner is refused the page): the value chosen is written and the settlement audited.
#[tokio::test]
async fn a_coordinator_settles_a_conflict_between_two_copies_on_the_copies_page() {
    let f = fixture().await;
    let diagnostic = f.store.main_diagnostic().await.unwrap();
    let mut stakeholder = f
        .store
        .stakeholders(diagnostic.id, None)
        .await
        .unwrap()
        .remove(0);
    // The laptop's copy, made from this one's log; both reword the stakeholder's role.
    let laptop_dir = tempfile::tempdir().unwrap();
    let laptop = sigida_store::Store::open_dir(laptop_dir.path())
        .await
        .unwrap();
    apply(&f.store, &laptop).await;
    for (store, role) in [
        (&f.store, "Accueil au centre"),
        (&laptop, "Accueil au terrain"),
    ] {
        stakeholder.role_in_zone = role.into();
        let mut tx = store.begin().await.unwrap();
        tx.update_stakeholder(&stakeholder).await.unwrap();
        tx.commit().await.unwrap();
    }
    apply(&laptop, &f.store).await;

    let partner = login(&f.app, "partner_viewer").await;
    assert_eq!(
        get(&f.app, "/sync", Some(&partner)).await.status,
        StatusCode::FORBIDDEN
    );
    let coordinator = login(&f.app, "coordinator").await;
    let page = get(&f.app, "/sync", Some(&coordinator)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Conflits à trancher (1)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Accueil au centre") && page.body.contains("Accueil au terrain"));
    assert!(
        !page.body.contains("Fadimata"),
        "personal values are not opened on the page"
    );
    // The stakeholder's own page says a conflict waits on it, and where to settle it.
    let edit = format!(
        "/communities/gao-chateau/actors/parties-prenantes/{}/edit",
        stakeholder.id
    );
    let own = get(&f.app, &edit, Some(&coordinator)).await;
    assert!(
        own.body.contains("1 conflit(s) entre copies"),
        "{}",
        own.body
    );
    assert!(own.body.contains("href=\"/sync#conflits\""));
    let conflict = f.store.open_conflicts().await.unwrap().remove(0);
    let csrf = csrf_of(&page.body);
    let settled = send(
        &f.app,
        form_post(
            &format!("/sync/conflicts/{}", conflict.id),
            &coordinator,
            format!("csrf={csrf}&choice=theirs"),
        ),
    )
    .await;
    assert_eq!(location(&settled), "/sync?settled=1#conflits");
    assert!(f.store.open_conflicts().await.unwrap().is_empty());
    let own = get(&f.app, &edit, Some(&coordinator)).await;
    assert!(!own.body.contains("conflit(s) entre copies"));
    let after = f
        .store
        .stakeholders(diagnostic.id, None)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(after.role_in_zone, "Accueil au terrain");
    let audit = f.store.audit_events(20).await.unwrap();
    assert!(audit.iter().any(
        |e| e.action == sigida_core::audit::AuditAction::ConflictResolved
            && e.actor.as_deref() == Some("coordinator")
    ));
    // The settlement reaches the laptop, which had the same conflict or none: both agree.
    apply(&f.store, &laptop).await;
    let there = laptop
        .stakeholders(diagnostic.id, None)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(there.role_in_zone, "Accueil au terrain");
    assert!(laptop.open_conflicts().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_coordinator_registers_a_field_laptop_shows_its_token_once_and_revokes_it() {
    let f = fixture().await;
    // An analyst settles conflicts but does not hand out sync tokens.
    let analyst = login(&f.app, "analyst").await;
    let page = get(&f.app, "/sync", Some(&analyst)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("Ordinateurs de terrain"),
        "{}",
        page.body
    );
    let refused = send(
        &f.app,
        form_post(
            "/sync/replicas",
            &analyst,
            format!("csrf={}&name=laptop", csrf_of(&page.body)),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let coordinator = login(&f.app, "coordinator").await;
    let page = get(&f.app, "/sync", Some(&coordinator)).await;
    assert!(
        page.body.contains("Aucun ordinateur de terrain"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("value=\"gao-chateau\""),
        "the communities are offered"
    );
    let csrf = csrf_of(&page.body);
    let registered = send(
        &f.app,
        form_post(
            "/sync/replicas",
            &coordinator,
            format!("csrf={csrf}&name=laptop+Gao&community=gao-chateau"),
        ),
    )
    .await
    .body;
    assert!(
        registered.contains("Ordinateur enregistré : laptop Gao"),
        "{registered}"
    );
    let token = registered
        .split("Jeton de synchronisation : <code>")
        .nth(1)
        .and_then(|r| r.split("</code>").next())
        .unwrap()
        .to_owned();
    assert!(token.len() >= 32, "{token}");
    assert!(registered.contains(&format!(
        "sigida sync clone --server https://ADRESSE --token {token}"
    )));
    let kept = f
        .store
        .replica_by_token(&sigida_store::sha256_hex(token.as_bytes()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.communities, vec!["gao-chateau".to_owned()]);
    // The list shows it by name and scope; the token is not shown again.
    let page = get(&f.app, "/sync", Some(&coordinator)).await;
    assert!(
        page.body.contains("laptop Gao")
            && page
                .body
                .contains("<td data-label=\"Communautés\">Gao Château</td>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&token), "the token is shown once");
    let twice = send(
        &f.app,
        form_post(
            "/sync/replicas",
            &coordinator,
            format!("csrf={csrf}&name=laptop+Gao"),
        ),
    )
    .await;
    assert!(
        twice.status.is_client_error(),
        "{} {}",
        twice.status,
        twice.body
    );
    assert!(twice.body.contains("déjà enregistré"));

    let revoked = send(
        &f.app,
        form_post(
            "/sync/replicas/revoke",
            &coordinator,
            format!("csrf={csrf}&name=laptop+Gao"),
        ),
    )
    .await;
    assert_eq!(location(&revoked), "/sync#ordinateurs");
    assert!(
        f.store
            .replica_by_token(&sigida_store::sha256_hex(token.as_bytes()))
            .await
            .unwrap()
            .is_none(),
        "a revoked token syncs no more"
    );
    let page = get(&f.app, "/sync", Some(&coordinator)).await;
    assert!(page.body.contains("révoqué le"), "{}", page.body);
    let audit = f.store.audit_events(20).await.unwrap();
    assert!(
        audit
            .iter()
            .filter(
                |e| e.subject == "replica:laptop Gao" && e.actor.as_deref() == Some("coordinator")
            )
            .count()
            == 2,
        "registered and revoked, both audited"
    );
}

#[tokio::test]
async fn a_meeting_run_from_another_copy_is_not_opened_to_phones_here() {
    let f = fixture().await;
    let (meeting, _) = meeting_with(&f, None, [3, 1, 4, 1, 5, 9]).await;
    // A laptop's copy, made from this one's log, opens the meeting to its phones; its record
    // of running the meeting comes back here.
    let laptop_dir = tempfile::tempdir().unwrap();
    let laptop = sigida_store::Store::open_dir(laptop_dir.path())
        .await
        .unwrap();
    apply(&f.store, &laptop).await;
    sigida_app::meetings::open_to_phones(&laptop, &meeting, sigida_core::Timestamp::now())
        .await
        .unwrap();
    apply(&laptop, &f.store).await;

    let facilitator = login(&f.app, "facilitator").await;
    let screen = format!("/meetings/{}", meeting.id);
    let page = get(&f.app, &screen, Some(&facilitator)).await;
    let opened = send(
        &f.app,
        form_post(
            &format!("{screen}/phones/open"),
            &facilitator,
            format!("csrf={}", csrf_of(&page.body)),
        ),
    )
    .await;
    let back = location(&opened);
    assert_eq!(back, format!("{screen}?refused=meeting.other_copy"));
    let page = get(&f.app, &back, Some(&facilitator)).await;
    assert!(
        page.body.contains("animée depuis une autre copie"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Fermée aux téléphones"), "{}", page.body);
}
