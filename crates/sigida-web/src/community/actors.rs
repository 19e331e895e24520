//! A community's actors entered and corrected one by one: its stakeholders (and the national
//! or regional ones), its socio-economic groups, its service providers (the 4W map). Each has
//! a form to add and correct, and removal with confirmation; a refused form keeps what was
//! typed and names the field (422). Contacts are personal data: shown in a form only after the
//! access is audited.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use sigida_app::register::actors::{Actor, remove_actor, save_actor};
use sigida_app::{AppError, Refusal};
use sigida_core::actors::{
    GroupKind, Level, Sector, ServiceProvider, SocioEconomicGroup, Stakeholder, StakeholderType,
};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::personal::Personal;
use sigida_core::vocabulary::Closed;
use sigida_core::{Id, Timestamp};
use sigida_report::Tr;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::community::InCommunity;
use crate::http::error::WebError;
use crate::http::form::{Fields, Input, Refused, alert, field};
use crate::http::layout;

/// The three registers, as their paths name them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stakeholders,
    Groups,
    Providers,
}

impl Kind {
    fn parse(text: &str) -> Option<Kind> {
        match text {
            "parties-prenantes" => Some(Kind::Stakeholders),
            "groupes" => Some(Kind::Groups),
            "prestataires" => Some(Kind::Providers),
            _ => None,
        }
    }

    fn path(self) -> &'static str {
        match self {
            Kind::Stakeholders => "parties-prenantes",
            Kind::Groups => "groupes",
            Kind::Providers => "prestataires",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Stakeholders => "workbook.stakeholders",
            Kind::Groups => "workbook.groups",
            Kind::Providers => "workbook.providers",
        }
    }
}

fn options<V: Closed>(tr: Tr) -> Vec<(String, String)> {
    V::all()
        .iter()
        .map(|v| (v.code().to_owned(), tr.t(v.label_key()).to_owned()))
        .collect()
}

fn vocabulary<V: Closed>(fields: &Fields, name: &'static str) -> Result<V, Refusal> {
    let code = fields.get(name);
    V::all()
        .iter()
        .copied()
        .find(|v| v.code() == code)
        .ok_or_else(|| {
            Refusal::new("workbook.choice")
                .arg("field", name)
                .arg("value", code)
                .arg("expected", "")
        })
}

fn typed<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn checked(fields: &Fields, name: &str) -> bool {
    fields.get(name) == "yes"
}

/// A contact as the form sent it, or the stored one when the form did not carry it (a viewer
/// who was not shown it).
fn contact(fields: &Fields, name: &str, stored: Option<&Personal<String>>) -> Personal<String> {
    if fields.0.iter().any(|(k, _)| k == name) {
        Personal::new(fields.get(name).to_owned())
    } else {
        stored.map_or_else(|| Personal::new(String::new()), Clone::clone)
    }
}

/// Everything a community's actors page needs to know.
struct Register {
    stakeholders: Vec<Stakeholder>,
    groups: Vec<SocioEconomicGroup>,
    providers: Vec<ServiceProvider>,
}

async fn register(
    state: &AppState,
    diagnostic: &Diagnostic,
    community: &Community,
) -> Result<Register, WebError> {
    Ok(Register {
        stakeholders: state
            .store
            .stakeholders(diagnostic.id, Some(community.id))
            .await?,
        groups: state.store.groups(community.id).await?,
        providers: state.store.service_providers(community.id).await?,
    })
}

pub async fn actors(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let r = register(&state, &diagnostic, &community).await?;
    let base = format!("/communities/{}/actors", community.slug);
    let list = |kind: Kind, items: Vec<(String, String)>| {
        html! {
            h2 { (tr.t(kind.title())) }
            p.actions-bar { a.button href={(base) "/" (kind.path()) "/new"} { (tr.t("actors.add")) } }
            @if items.is_empty() { p.note { (tr.t("community.none")) } }
            ul { @for (id, name) in &items {
                li { a href={(base) "/" (kind.path()) "/" (id) "/edit"} { (name) } }
            } }
        }
    };
    let body = html! {
        p.note { a href={"/communities/" (community.slug)} { "← " (community.name) } }
        h1 { (tr.t("actors.title")) " — " (community.name) }
        p.note { (tr.t("actors.lead")) " " a href="/communities#classeur" { (tr.t("workbook.title")) } }
        (list(Kind::Stakeholders, r.stakeholders.iter().map(|s| (s.id.to_string(), format!("{} ({})", s.organisation, tr.t(s.level.label_key())))).collect()))
        (list(Kind::Groups, r.groups.iter().map(|g| (g.id.to_string(), g.name.clone())).collect()))
        (list(Kind::Providers, r.providers.iter().map(|p| (p.id.to_string(), format!("{} — {}", p.organisation, p.service))).collect()))
    };
    Ok(layout::page(
        &viewer,
        "/communities",
        tr.t("actors.title"),
        diagnostic.synthetic,
        body,
    )
    .into_response())
}

/// The actor a path names, of this community.
fn find(r: &Register, kind: Kind, id: &str) -> Option<Actor> {
    match kind {
        Kind::Stakeholders => r
            .stakeholders
            .iter()
            .find(|s| s.id.to_string() == id)
            .cloned()
            .map(Actor::Stakeholder),
        Kind::Groups => r
            .groups
            .iter()
            .find(|g| g.id.to_string() == id)
            .cloned()
            .map(Actor::Group),
        Kind::Providers => r
            .providers
            .iter()
            .find(|p| p.id.to_string() == id)
            .cloned()
            .map(Actor::Provider),
    }
}

/// The form's fields of a stored actor (contacts included: the caller has audited the access).
fn fields_of(actor: &Actor) -> Fields {
    let f = |pairs: Vec<(&str, String)>| {
        Fields(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    };
    match actor {
        Actor::Stakeholder(s) => f(vec![
            ("organisation", s.organisation.clone()),
            ("kind", s.kind.code().to_owned()),
            ("level", s.level.code().to_owned()),
            ("role", s.role_in_zone.clone()),
            ("contact_name", s.contact_name.expose().clone()),
            ("contact_phone", s.contact_phone.expose().clone()),
            ("influence", typed(s.influence)),
            ("interest", typed(s.interest)),
            (
                "everywhere",
                if s.community_id.is_none() { "yes" } else { "" }.to_owned(),
            ),
        ]),
        Actor::Group(g) => f(vec![
            ("kind", g.kind.code().to_owned()),
            ("name", g.name.clone()),
            ("size", typed(g.size_estimate)),
            ("vulnerabilities", g.vulnerabilities.clone()),
            ("priorities", g.priorities.clone()),
            ("representation", g.representation.clone()),
        ]),
        Actor::Provider(p) => f(vec![
            ("organisation", p.organisation.clone()),
            ("sector", p.sector.code().to_owned()),
            ("service", p.service.clone()),
            ("locality", typed(p.locality_id)),
            ("target_groups", p.target_groups.clone()),
            ("capacity", typed(p.capacity_per_month)),
            ("free", if p.free_of_charge { "yes" } else { "" }.to_owned()),
            ("hours", p.opening_hours.clone()),
            (
                "referrals",
                if p.accepts_referrals { "yes" } else { "" }.to_owned(),
            ),
            ("contact_phone", p.contact_phone.expose().clone()),
            ("latitude", typed(p.latitude)),
            ("longitude", typed(p.longitude)),
        ]),
    }
}

/// The actor the form describes, `id` for a correction (a new one gets a new id).
fn actor_of(
    kind: Kind,
    fields: &Fields,
    diagnostic: &Diagnostic,
    community: &Community,
    current: Option<&Actor>,
) -> Result<Actor, Refusal> {
    Ok(match kind {
        Kind::Stakeholders => {
            let stored = match current {
                Some(Actor::Stakeholder(s)) => Some(s),
                _ => None,
            };
            let id = stored.map_or_else(Id::new, |s| s.id);
            Actor::Stakeholder(Stakeholder {
                id,
                diagnostic_id: diagnostic.id,
                community_id: (!checked(fields, "everywhere")).then_some(community.id),
                organisation: fields.get("organisation").to_owned(),
                kind: vocabulary::<StakeholderType>(fields, "kind")?,
                level: vocabulary::<Level>(fields, "level")?,
                role_in_zone: fields.get("role").to_owned(),
                contact_name: contact(fields, "contact_name", stored.map(|s| &s.contact_name)),
                contact_phone: contact(fields, "contact_phone", stored.map(|s| &s.contact_phone)),
                influence: fields.integer("influence")?,
                interest: fields.integer("interest")?,
            })
        }
        Kind::Groups => {
            let (id, indicator) = match current {
                Some(Actor::Group(g)) => (g.id, g.size_indicator.clone()),
                _ => (Id::new(), None),
            };
            Actor::Group(SocioEconomicGroup {
                id,
                community_id: community.id,
                kind: vocabulary::<GroupKind>(fields, "kind")?,
                name: fields.get("name").to_owned(),
                size_estimate: fields.integer("size")?,
                size_indicator: indicator,
                vulnerabilities: fields.get("vulnerabilities").to_owned(),
                priorities: fields.get("priorities").to_owned(),
                representation: fields.get("representation").to_owned(),
            })
        }
        Kind::Providers => {
            let stored = match current {
                Some(Actor::Provider(p)) => Some(p),
                _ => None,
            };
            let id = stored.map_or_else(Id::new, |p| p.id);
            let locality = match fields.get("locality") {
                "" => None,
                text => Some(text.parse().map_err(|_| {
                    Refusal::new("workbook.choice")
                        .arg("field", "locality")
                        .arg("value", text)
                        .arg("expected", "")
                })?),
            };
            Actor::Provider(ServiceProvider {
                id,
                community_id: community.id,
                locality_id: locality,
                organisation: fields.get("organisation").to_owned(),
                sector: vocabulary::<Sector>(fields, "sector")?,
                service: fields.get("service").to_owned(),
                target_groups: fields.get("target_groups").to_owned(),
                capacity_per_month: fields.integer("capacity")?,
                free_of_charge: checked(fields, "free"),
                opening_hours: fields.get("hours").to_owned(),
                accepts_referrals: checked(fields, "referrals"),
                contact_phone: contact(fields, "contact_phone", stored.map(|p| &p.contact_phone)),
                latitude: fields.number("latitude")?,
                longitude: fields.number("longitude")?,
            })
        }
    })
}

fn checkbox(name: &str, label: &str, fields: &Fields) -> Markup {
    html! {
        label.choice { input type="checkbox" name=(name) value="yes" checked[checked(fields, name)]; (label) }
    }
}

fn form_fields(
    tr: Tr,
    kind: Kind,
    fields: &Fields,
    localities: &[(String, String)],
    refused: Option<&Refused>,
) -> Markup {
    let text = |name: &'static str, key: &str, required: bool| {
        field(
            name,
            tr.t(key),
            fields.get(name),
            Input::Text,
            required,
            refused,
        )
    };
    let long = |name: &'static str, key: &str| {
        field(
            name,
            tr.t(key),
            fields.get(name),
            Input::LongText,
            false,
            refused,
        )
    };
    let number = |name: &'static str, key: &str| {
        field(
            name,
            tr.t(key),
            fields.get(name),
            Input::Number,
            false,
            refused,
        )
    };
    match kind {
        Kind::Stakeholders => {
            let kinds = options::<StakeholderType>(tr);
            let levels = options::<Level>(tr);
            html! {
                (text("organisation", "actors.organisation", true))
                (field("kind", tr.t("community.locality_kind"), fields.get("kind"), Input::Choice(&kinds), true, refused))
                (field("level", tr.t("actors.level"), fields.get("level"), Input::Choice(&levels), true, refused))
                (checkbox("everywhere", tr.t("actors.everywhere"), fields))
                (long("role", "actors.role"))
                (text("contact_name", "actors.contact_name", false))
                (text("contact_phone", "actors.contact_phone", false))
                (number("influence", "actors.influence"))
                (number("interest", "actors.interest"))
            }
        }
        Kind::Groups => {
            let kinds = options::<GroupKind>(tr);
            html! {
                (field("kind", tr.t("community.locality_kind"), fields.get("kind"), Input::Choice(&kinds), true, refused))
                (text("name", "register.name", true))
                (number("size", "actors.size"))
                (long("vulnerabilities", "community.vulnerabilities"))
                (long("priorities", "community.priorities"))
                (long("representation", "actors.representation"))
            }
        }
        Kind::Providers => {
            let sectors = options::<Sector>(tr);
            html! {
                (text("organisation", "actors.organisation", true))
                (field("sector", tr.t("actors.sector"), fields.get("sector"), Input::Choice(&sectors), true, refused))
                (text("service", "actors.service", true))
                (field("locality", tr.t("actors.locality"), fields.get("locality"), Input::Choice(localities), false, refused))
                (long("target_groups", "actors.target_groups"))
                (number("capacity", "actors.capacity"))
                (checkbox("free", tr.t("actors.free"), fields))
                (text("hours", "actors.hours", false))
                (checkbox("referrals", tr.t("actors.referrals"), fields))
                (text("contact_phone", "actors.contact_phone", false))
                (number("latitude", "register.latitude"))
                (number("longitude", "register.longitude"))
            }
        }
    }
}

const FIELDS: &[&str] = &[
    "organisation",
    "kind",
    "level",
    "role",
    "contact_name",
    "contact_phone",
    "influence",
    "interest",
    "name",
    "size",
    "sector",
    "service",
    "locality",
    "capacity",
    "latitude",
    "longitude",
];

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    community: &Community,
    kind: Kind,
    id: Option<&str>,
    fields: &Fields,
    refused: Option<&Refused>,
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let base = format!("/communities/{}/actors/{}", community.slug, kind.path());
    let mut localities = vec![(String::new(), tr.t("register.no_unit").to_owned())];
    localities.extend(
        state
            .store
            .localities(community.id)
            .await?
            .into_iter()
            .map(|l| (l.id.to_string(), l.name)),
    );
    let action = match id {
        Some(id) => format!("{base}/{id}/edit"),
        None => base.clone(),
    };
    let title = format!(
        "{} — {}",
        tr.t(kind.title()),
        if id.is_some() {
            tr.t("actors.edit")
        } else {
            tr.t("actors.add")
        }
    );
    let table = match kind {
        Kind::Stakeholders => "stakeholders",
        Kind::Groups => "socio_economic_groups",
        Kind::Providers => "service_providers",
    };
    let conflicts = match id {
        Some(id) => crate::http::conflicts::banner(state, viewer, table, id).await?,
        None => html! {},
    };
    let body = html! {
        p.note { a href={"/communities/" (community.slug) "/actors"} { "← " (tr.t("actors.title")) } }
        h1 { (title) }
        (conflicts)
        (alert(refused, FIELDS))
        form.stacked method="post" action=(action) {
            input type="hidden" name="csrf" value=(viewer.csrf);
            (form_fields(tr, kind, fields, &localities, refused))
            button.primary type="submit" { (tr.t("register.save")) }
        }
        @if let (Some(id), true) = (id, viewer.may(sigida_core::access::Permission::ErasePersonalData) && !matches!(kind, Kind::Groups)) {
            h2 { (tr.t("actors.erase_title")) }
            p.note { (tr.t("actors.erase_note")) }
            form.stacked method="post" action={(base) "/" (id) "/erase"} {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label.choice { input type="checkbox" name="confirm" value="yes" required; (tr.t("actors.erase_confirm")) }
                button type="submit" { (tr.t("actors.erase_title")) }
            }
        }
        @if let Some(id) = id {
            h2 { (tr.t("register.delete_title")) }
            form.stacked method="post" action={(base) "/" (id) "/delete"} {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label.choice { input type="checkbox" name="confirm" value="yes" required; (tr.t("actors.delete_confirm")) }
                button type="submit" { (tr.t("register.delete_title")) }
            }
        }
    };
    let page = layout::page(viewer, "/communities", &title, diagnostic.synthetic, body);
    Ok(if refused.is_some() {
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page.into_response()
    })
}

fn kind_of(viewer: &Viewer, text: &str) -> Result<Kind, WebError> {
    Kind::parse(text).ok_or_else(|| viewer.not_found())
}

pub async fn new_actor(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Path((_, kind)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let kind = kind_of(&viewer, &kind)?;
    let fields = Fields(Vec::new());
    form_page(
        &state,
        &viewer,
        &diagnostic,
        &community,
        kind,
        None,
        &fields,
        None,
    )
    .await
}

pub async fn edit_actor(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Path((_, kind, id)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let kind = kind_of(&viewer, &kind)?;
    let r = register(&state, &diagnostic, &community).await?;
    let actor = find(&r, kind, &id).ok_or_else(|| viewer.not_found())?;
    let path = format!("/communities/{}/actors", community.slug);
    // The form shows the contacts it would save: only after the access is audited.
    let mut fields = fields_of(&actor);
    if !viewer
        .reveal_personal_data(&state, &path, "contacts d'un acteur (formulaire)")
        .await?
    {
        fields
            .0
            .retain(|(k, _)| k != "contact_name" && k != "contact_phone");
    }
    form_page(
        &state,
        &viewer,
        &diagnostic,
        &community,
        kind,
        Some(&id),
        &fields,
        None,
    )
    .await
}

/// Saves a new actor (no `id`) or a corrected one.
async fn save(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    community: &Community,
    kind: Kind,
    id: Option<&str>,
    fields: Fields,
) -> Result<Response, WebError> {
    viewer.check_csrf(fields.get("csrf"))?;
    let r = register(state, diagnostic, community).await?;
    let current = match id {
        Some(id) => Some(find(&r, kind, id).ok_or_else(|| viewer.not_found())?),
        None => None,
    };
    let result = async {
        let actor = actor_of(kind, &fields, diagnostic, community, current.as_ref())?;
        save_actor(
            &state.store,
            &actor,
            current.is_none(),
            Some(&viewer.user.username),
            Timestamp::now(),
        )
        .await
    }
    .await;
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/communities/{}/actors?saved=1", community.slug))
                .into_response(),
        ),
        Err(AppError::Refused(r)) => {
            let refused = Refused::new(viewer.tr, &r);
            form_page(
                state,
                viewer,
                diagnostic,
                community,
                kind,
                id,
                &fields,
                Some(&refused),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create_actor(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Path((_, kind)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let kind = kind_of(&viewer, &kind)?;
    save(
        &state,
        &viewer,
        &diagnostic,
        &community,
        kind,
        None,
        Fields(fields),
    )
    .await
}

pub async fn update_actor(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Path((_, kind, id)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let kind = kind_of(&viewer, &kind)?;
    save(
        &state,
        &viewer,
        &diagnostic,
        &community,
        kind,
        Some(&id),
        Fields(fields),
    )
    .await
}

/// A stakeholder's contact or a provider's phone erased on request: the actor stays.
pub async fn erase_actor(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity { community, .. }: InCommunity,
    Path((_, kind, id)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let erasable = match kind_of(&viewer, &kind)? {
        Kind::Stakeholders => sigida_store::Erasable::Stakeholder,
        Kind::Providers => sigida_store::Erasable::ServiceProvider,
        Kind::Groups => return Err(viewer.not_found()),
    };
    let back = format!("/communities/{}/actors", community.slug);
    if fields.get("confirm") != "yes" {
        return Ok(Redirect::to(&format!("{back}?refused=register.confirm")).into_response());
    }
    match sigida_app::register::erasure::erase(
        &state.store,
        erasable,
        &id,
        Some(&viewer.user.username),
        Timestamp::now(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{back}?saved=1")).into_response()),
        Err(AppError::Store(sigida_store::StoreError::NotFound { .. })) => Err(viewer.not_found()),
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_actor(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Path((_, kind, id)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let kind = kind_of(&viewer, &kind)?;
    let r = register(&state, &diagnostic, &community).await?;
    let actor = find(&r, kind, &id).ok_or_else(|| viewer.not_found())?;
    let result = if fields.get("confirm") == "yes" {
        remove_actor(
            &state.store,
            &actor,
            Some(&viewer.user.username),
            Timestamp::now(),
        )
        .await
    } else {
        Err(Refusal::new("register.confirm").into())
    };
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/communities/{}/actors?saved=1", community.slug))
                .into_response(),
        ),
        Err(AppError::Refused(r)) => {
            let refused = Refused::new(viewer.tr, &r);
            let mut shown = fields_of(&actor);
            shown
                .0
                .retain(|(k, _)| k != "contact_name" && k != "contact_phone");
            form_page(
                &state,
                &viewer,
                &diagnostic,
                &community,
                kind,
                Some(&id),
                &shown,
                Some(&refused),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
