//! What the web tests share: a diagnostic with one community, a stakeholder and a service
//! provider with contacts, and an account of every role; requests sent without a socket.
#![allow(dead_code)] // each test file uses its part

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sigida_core::access::{Role, User};
use sigida_core::actors::{Level, Sector, ServiceProvider, Stakeholder, StakeholderType};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::geography::AdminUnit;
use sigida_core::personal::Personal;
use sigida_core::{Id, Timestamp};
use sigida_store::Store;
use tower::ServiceExt;

pub const PASSWORD: &str = "mot-de-passe-de-test";
pub const PHONE: &str = "+223 76 12 34 56";
pub const SERVICE_PHONE: &str = "+223 21 00 00 01";

pub struct Fixture {
    pub store: Store,
    pub app: axum::Router,
    pub _dir: tempfile::TempDir,
}

pub async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).await.unwrap();
    let now = Timestamp::parse("2026-01-12T08:00:00Z").unwrap();
    let diagnostic = Diagnostic {
        id: Id::new(),
        name: "Diagnostic de test".into(),
        country_iso3: "MLI".into(),
        programme: "Test".into(),
        synthetic: true,
        min_cell: sigida_core::disclosure::DEFAULT_MIN_CELL,
        created_at: now,
        period_start: None,
        period_end: None,
        languages: sigida_core::diagnostic::default_languages(),
    };
    let community = Community {
        id: Id::new(),
        diagnostic_id: diagnostic.id,
        name: "Gao Château".into(),
        slug: "gao-chateau".into(),
        region_pcode: "ML07".into(),
        cercle_pcode: "ML0701".into(),
        cod_version: "v03".into(),
        description: "Quartiers de Gao".into(),
        latitude: Some(16.27),
        longitude: Some(-0.04),
        selection_reason: String::new(),
        archived_at: None,
    };
    let unit = |pcode: &str, level, parent: Option<&str>| AdminUnit {
        pcode: pcode.into(),
        cod_version: "v03".into(),
        level,
        name: "Gao".into(),
        parent_pcode: parent.map(Into::into),
        valid_from: None,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_diagnostic(&diagnostic).await.unwrap();
    tx.upsert_admin_units(&[unit("ML07", 1, None), unit("ML0701", 2, Some("ML07"))])
        .await
        .unwrap();
    tx.insert_community(&community).await.unwrap();
    tx.insert_stakeholder(&Stakeholder {
        id: Id::new(),
        diagnostic_id: diagnostic.id,
        community_id: Some(community.id),
        organisation: "Association des rapatriés".into(),
        kind: StakeholderType::MigrantAssociation,
        level: Level::Local,
        role_in_zone: "Accueil".into(),
        contact_name: Personal::new("Fadimata Maïga".into()),
        contact_phone: Personal::new(PHONE.into()),
        influence: None,
        interest: None,
    })
    .await
    .unwrap();
    tx.insert_service_provider(&ServiceProvider {
        id: Id::new(),
        community_id: community.id,
        locality_id: None,
        organisation: "CSCom".into(),
        sector: Sector::Health,
        service: "Soins".into(),
        target_groups: "Tous".into(),
        capacity_per_month: Some(100),
        free_of_charge: true,
        opening_hours: "8h–16h".into(),
        accepts_referrals: true,
        contact_phone: Personal::new(SERVICE_PHONE.into()),
        latitude: Some(16.28),
        longitude: Some(-0.05),
    })
    .await
    .unwrap();
    let hash = sigida_app::accounts::hash_password(PASSWORD).unwrap();
    for role in Role::ALL {
        tx.insert_user(
            &User {
                id: Id::new(),
                username: role.code().into(),
                display_name: format!("Compte {}", role.code()),
                role: *role,
                organisation: "OIM".into(),
                active: true,
                created_at: now,
            },
            &hash,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    Fixture {
        app: sigida_web::app(store.clone()),
        store,
        _dir: dir,
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

pub async fn send(app: &axum::Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// The fixture's community.
pub async fn gao(f: &Fixture) -> Community {
    let diagnostic = f.store.main_diagnostic().await.unwrap();
    f.store
        .community_by_slug(diagnostic.id, "gao-chateau")
        .await
        .unwrap()
        .unwrap()
}

/// A finding of a community, as an analyst writes it.
pub fn finding_of(
    community: Id<Community>,
    statement: &str,
    validation: sigida_core::finding::ValidationStatus,
) -> sigida_core::finding::Finding {
    sigida_core::finding::Finding {
        id: Id::new(),
        community_id: community,
        theme: sigida_core::finding::Theme::Protection,
        statement: statement.into(),
        confidence: None,
        validation,
        amended_statement: None,
        localities: Vec::new(),
        created_at: Timestamp::parse("2026-02-01T10:00:00Z").unwrap(),
    }
}

/// The CSRF token of the first form on a page.
pub fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned()
}

/// A form posted by a signed-in user.
pub fn form_post(path: &str, cookie: &str, body: String) -> Request<Body> {
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

pub async fn get(app: &axum::Router, path: &str, cookie: Option<&str>) -> Reply {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

/// Signs in and returns the session cookie (`name=value`).
pub async fn login(app: &axum::Router, username: &str) -> String {
    let form = format!("username={username}&password={PASSWORD}&next=%2F");
    let reply = send(
        app,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "login of {username}");
    let set_cookie = reply.headers[header::SET_COOKIE].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

pub fn location(reply: &Reply) -> String {
    reply.headers[header::LOCATION].to_str().unwrap().to_owned()
}
