//! Every route is one entry of a table: its method, its path, who may reach it and what its
//! path names. The router is built from the tables alone (a route cannot exist without its
//! entry), and the role × route test reads the same tables.
//!
//! One guard runs before every handler of a signed-in route: it finds the session, checks the
//! entry's permission (a refusal is audited and answered 403 before anything is loaded), then
//! loads what the path names (a community's slug, a meeting, an action, an instrument; an
//! unknown or malformed id is 404) and hands it to the handler through [`Loaded`].

use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::MethodRouter;
use sigida_core::Id;
use sigida_core::access::Permission;
use sigida_core::audit::AuditAction;
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// Who may reach a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone: the site's shell, signing in, and the phones (whose code the page checks).
    Public,
    /// Any signed-in user.
    SignedIn,
    /// A signed-in user whose role has this permission.
    Needs(Permission),
    /// A signed-in user whose role has one of these; the page narrows further (a partner
    /// reports on the actions their organisation leads only).
    AnyOf(&'static [Permission]),
}

impl Access {
    /// Whether a role with these permissions passes the guard.
    pub fn admits(self, may: impl Fn(Permission) -> bool) -> bool {
        match self {
            Access::Public | Access::SignedIn => true,
            Access::Needs(p) => may(p),
            Access::AnyOf(ps) => ps.iter().any(|p| may(*p)),
        }
    }

    fn codes(self) -> String {
        match self {
            Access::Public | Access::SignedIn => String::new(),
            Access::Needs(p) => p.code().to_owned(),
            Access::AnyOf(ps) => ps.iter().map(|p| p.code()).collect::<Vec<_>>().join("|"),
        }
    }
}

/// What a route's path names, loaded before its handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loads {
    Nothing,
    /// `{slug}`: the diagnostic and the community.
    Community,
    /// `{id}`: the meeting, with its diagnostic and community.
    Meeting,
    /// `{id}`: the action and its plan version, with the diagnostic and community.
    Action,
    /// `{id}`: the instrument.
    Instrument,
    /// `{slug}` and `{locality}`: the diagnostic, the community and its locality.
    Locality,
}

/// One route: what the router serves and the matrix test checks.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub loads: Loads,
}

/// A route and its handler.
pub struct Entry {
    pub route: Route,
    handler: MethodRouter<AppState>,
}

pub fn get<H, T>(path: &'static str, access: Access, loads: Loads, handler: H) -> Entry
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Entry {
        route: Route {
            method: Method::Get,
            path,
            access,
            loads,
        },
        handler: axum::routing::get(handler),
    }
}

pub fn post<H, T>(path: &'static str, access: Access, loads: Loads, handler: H) -> Entry
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Entry {
        route: Route {
            method: Method::Post,
            path,
            access,
            loads,
        },
        handler: axum::routing::post(handler),
    }
}

impl Entry {
    /// A smaller body limit than the site's for this route.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.handler = self
            .handler
            .layer(axum::extract::DefaultBodyLimit::max(bytes));
        self
    }
}

/// The router of a table, each route behind the guard its entry describes.
pub fn router(entries: Vec<Entry>, state: &AppState) -> axum::Router<AppState> {
    entries
        .into_iter()
        .fold(axum::Router::new(), |router, entry| {
            let route = entry.route;
            let handler = if route.access == Access::Public && route.loads == Loads::Nothing {
                entry.handler
            } else {
                entry
                    .handler
                    .route_layer(axum::middleware::from_fn_with_state(
                        Guarded {
                            state: state.clone(),
                            route,
                        },
                        guard,
                    ))
            };
            router.route(route.path, handler)
        })
}

#[derive(Clone)]
struct Guarded {
    state: AppState,
    route: Route,
}

async fn guard(
    State(Guarded { state, route }): State<Guarded>,
    request: Request,
    next: Next,
) -> Result<Response, WebError> {
    let (mut parts, body) = request.into_parts();
    let viewer = match route.access {
        Access::Public => None,
        access => {
            let viewer = Viewer::from_request_parts(&mut parts, &state).await?;
            if !access.admits(|p| viewer.may(p)) {
                viewer
                    .audit(
                        &state,
                        AuditAction::Denied,
                        parts.uri.path(),
                        &access.codes(),
                    )
                    .await?;
                return Err(viewer.forbidden());
            }
            Some(viewer)
        }
    };
    let api = parts.uri.path().starts_with("/api/");
    let lang = crate::http::auth::language(&parts.headers);
    let not_found = move || WebError::NotFound { api, lang };
    let params = RawPathParams::from_request_parts(&mut parts, &state)
        .await
        .map_err(|_| not_found())?;
    let param = |name: &str| {
        params
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    };
    let id = |name: &str| param(name).and_then(|v| v.parse::<uuid::Uuid>().ok());
    let store = &state.store;
    match route.loads {
        Loads::Nothing => {}
        Loads::Community => {
            let slug = param("slug").ok_or_else(not_found)?;
            let diagnostic = store.main_diagnostic().await?;
            let community = store
                .community_by_slug(diagnostic.id, &slug)
                .await?
                .ok_or_else(not_found)?;
            parts.extensions.insert(Loaded(diagnostic));
            parts.extensions.insert(Loaded(community));
        }
        Loads::Meeting => {
            let id = id("id").ok_or_else(not_found)?;
            let meeting = store
                .meeting(Id::from_uuid(id))
                .await?
                .ok_or_else(not_found)?;
            let (diagnostic, community) = community_by_id(&state, meeting.community_id)
                .await?
                .ok_or_else(not_found)?;
            parts.extensions.insert(Loaded(meeting));
            parts.extensions.insert(Loaded(diagnostic));
            parts.extensions.insert(Loaded(community));
        }
        Loads::Action => {
            let id = id("id").ok_or_else(not_found)?;
            let (plan, action) = store
                .action(Id::from_uuid(id))
                .await?
                .ok_or_else(not_found)?;
            let (diagnostic, community) = community_by_id(&state, plan.community_id)
                .await?
                .ok_or_else(not_found)?;
            parts.extensions.insert(Loaded(plan));
            parts.extensions.insert(Loaded(action));
            parts.extensions.insert(Loaded(diagnostic));
            parts.extensions.insert(Loaded(community));
        }
        Loads::Locality => {
            let slug = param("slug").ok_or_else(not_found)?;
            let locality = id("locality").ok_or_else(not_found)?;
            let diagnostic = store.main_diagnostic().await?;
            let community = store
                .community_by_slug(diagnostic.id, &slug)
                .await?
                .ok_or_else(not_found)?;
            let locality = match store.locality(Id::from_uuid(locality)).await {
                Ok(l) if l.community_id == community.id => l,
                Ok(_) | Err(sigida_store::StoreError::NotFound { .. }) => return Err(not_found()),
                Err(e) => return Err(e.into()),
            };
            parts.extensions.insert(Loaded(diagnostic));
            parts.extensions.insert(Loaded(community));
            parts.extensions.insert(Loaded(locality));
        }
        Loads::Instrument => {
            let id = id("id").ok_or_else(not_found)?;
            let instrument = store
                .instrument(Id::from_uuid(id))
                .await?
                .ok_or_else(not_found)?;
            parts.extensions.insert(Loaded(instrument));
        }
    }
    if let Some(viewer) = viewer {
        parts.extensions.insert(viewer);
    }
    Ok(next.run(Request::from_parts(parts, body)).await)
}

async fn community_by_id(
    state: &AppState,
    id: Id<Community>,
) -> Result<Option<(Diagnostic, Community)>, WebError> {
    let diagnostic = state.store.main_diagnostic().await?;
    let community = state
        .store
        .communities(diagnostic.id)
        .await?
        .into_iter()
        .find(|c| c.id == id);
    Ok(community.map(|c| (diagnostic, c)))
}

/// What the guard loaded for the route (see [`Loads`]).
#[derive(Clone, Debug)]
pub struct Loaded<T>(pub T);

impl<T, S> FromRequestParts<S> for Loaded<T>
where
    T: Clone + Send + Sync + 'static,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, WebError> {
        parts.extensions.get::<Loaded<T>>().cloned().ok_or_else(|| {
            WebError::internal(format!(
                "{} : la table des routes ne charge pas {}",
                parts.uri.path(),
                std::any::type_name::<T>()
            ))
        })
    }
}
