//! The diagnostic of each community: the overview, the list, a community's page and its
//! analysis (flows, groups, protection, indicators, services, qualitative data, findings,
//! participatory exercises), and the register of its communities and localities.

pub mod analysis;
pub mod pages;
pub mod register;

use sigida_core::access::Permission::{EditAnalysis, EditRegister, EnterData, ViewDiagnostic};

use crate::http::routes::{Access::Needs, Entry, Loads, get, post};

pub fn routes() -> Vec<Entry> {
    use Loads::{Community, Nothing};
    vec![
        get("/", Needs(ViewDiagnostic), Nothing, pages::overview),
        get(
            "/communities",
            Needs(ViewDiagnostic),
            Nothing,
            pages::communities,
        ),
        get(
            "/communities/{slug}",
            Needs(ViewDiagnostic),
            Community,
            pages::community,
        ),
        get(
            "/communities/{slug}/flows",
            Needs(ViewDiagnostic),
            Community,
            pages::community_flows,
        ),
        get(
            "/communities/{slug}/groups",
            Needs(ViewDiagnostic),
            Community,
            pages::community_groups,
        ),
        get(
            "/communities/{slug}/services",
            Needs(ViewDiagnostic),
            Community,
            pages::community_services,
        ),
        get(
            "/communities/{slug}/qualitative",
            Needs(ViewDiagnostic),
            Community,
            pages::community_qualitative,
        ),
        get(
            "/communities/{slug}/indicators",
            Needs(ViewDiagnostic),
            Community,
            pages::community_indicators,
        ),
        get(
            "/communities/{slug}/protection",
            Needs(ViewDiagnostic),
            Community,
            pages::community_protection,
        ),
        post(
            "/communities/{slug}/protection/capacities",
            Needs(EnterData),
            Community,
            analysis::add_capacity,
        ),
        get(
            "/communities/{slug}/findings",
            Needs(ViewDiagnostic),
            Community,
            analysis::community_findings,
        ),
        post(
            "/communities/{slug}/findings/{id}/confidence",
            Needs(EditAnalysis),
            Community,
            analysis::set_confidence,
        ),
        get(
            "/communities/{slug}/exercises",
            Needs(ViewDiagnostic),
            Community,
            analysis::community_exercises,
        ),
        post(
            "/communities/{slug}/exercises",
            Needs(EnterData),
            Community,
            analysis::add_exercise,
        ),
        get(
            "/communities/new",
            Needs(EditRegister),
            Nothing,
            register::new_community,
        ),
        post(
            "/communities",
            Needs(EditRegister),
            Nothing,
            register::create_community,
        ),
        get(
            "/communities/{slug}/edit",
            Needs(EditRegister),
            Community,
            register::edit_community,
        ),
        post(
            "/communities/{slug}/edit",
            Needs(EditRegister),
            Community,
            register::update_community,
        ),
        post(
            "/communities/{slug}/archive",
            Needs(EditRegister),
            Community,
            register::archive,
        ),
        get(
            "/communities/{slug}/localities/new",
            Needs(EditRegister),
            Community,
            register::new_locality,
        ),
        post(
            "/communities/{slug}/localities",
            Needs(EditRegister),
            Community,
            register::create_locality,
        ),
        get(
            "/communities/{slug}/localities/{locality}/edit",
            Needs(EditRegister),
            Loads::Locality,
            register::edit_locality,
        ),
        post(
            "/communities/{slug}/localities/{locality}/edit",
            Needs(EditRegister),
            Loads::Locality,
            register::update_locality,
        ),
        post(
            "/communities/{slug}/localities/{locality}/delete",
            Needs(EditRegister),
            Loads::Locality,
            register::delete_locality,
        ),
    ]
}
