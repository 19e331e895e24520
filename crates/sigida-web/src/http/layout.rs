//! The page shell: header with the navigation the role may use, language switch, sign-out,
//! the synthetic-data banner, and one stylesheet served from the binary.

use maud::{DOCTYPE, Markup, html};
use sigida_core::access::Permission;
use sigida_report::html::synthetic_banner;
use sigida_report::{Lang, Tr};

use crate::http::auth::Viewer;
use crate::http::error::encode_query;

/// The sections of the navigation: (path, label key, permission needed).
const NAV: &[(&str, &str, Permission)] = &[
    ("/", "nav.overview", Permission::ViewDiagnostic),
    (
        "/communities",
        "nav.communities",
        Permission::ViewDiagnostic,
    ),
    ("/geography", "geography.title", Permission::ViewDiagnostic),
    ("/progress", "nav.progress", Permission::ViewDiagnostic),
    ("/instruments", "nav.imports", Permission::ViewData),
    ("/settings", "settings.title", Permission::EditSettings),
    ("/sync", "nav.sync", Permission::ResolveConflicts),
    ("/audit", "nav.audit", Permission::ViewAudit),
    ("/users", "nav.users", Permission::ManageUsers),
];

fn head(tr: Tr, title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " — " (tr.t("app.name")) }
            link rel="stylesheet" href="/assets/sigida.css";
        }
    }
}

fn language_switch(tr: Tr, current_path: &str) -> Markup {
    html! {
        span aria-label=(tr.t("nav.language")) {
            @for lang in Lang::ALL {
                @if lang == tr.lang { strong { (lang.code().to_uppercase()) } }
                @else { a href={"/lang/" (lang.code()) "?next=" (encode_query(current_path))} hreflang=(lang.code()) { (lang.code().to_uppercase()) } }
                " "
            }
        }
    }
}

/// A page for a signed-in user. `current_path` marks the active section and returns there
/// after a language change.
pub fn page(
    viewer: &Viewer,
    current_path: &str,
    title: &str,
    synthetic: bool,
    body: Markup,
) -> Markup {
    let tr = viewer.tr;
    let active = |path: &str| {
        if path == "/" {
            current_path == "/"
        } else {
            current_path.starts_with(path)
        }
    };
    html! {
        (DOCTYPE)
        html lang=(tr.lang.code()) {
            (head(tr, title))
            body {
                a.skip href="#contenu" { (tr.t("app.skip")) }
                header.top { div.bar {
                    a.brand href="/" { (tr.t("app.name")) }
                    nav aria-label=(tr.t("nav.menu")) { ul {
                        @for (path, key, permission) in NAV {
                            @if viewer.may(*permission) {
                                li { a href=(path) aria-current=[active(path).then_some("page")] { (tr.t(key)) } }
                            }
                        }
                    } }
                    div.who {
                        span { (viewer.user.display_name) " · " (tr.t(viewer.user.role.label_key())) }
                        (language_switch(tr, current_path))
                        form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            button.link type="submit" { (tr.t("nav.logout")) }
                        }
                    }
                } }
                (synthetic_banner(tr, synthetic))
                main id="contenu" { (body) }
                footer.page { (tr.t("app.name")) " — " (tr.t("app.tagline")) }
            }
        }
    }
}

/// A page for anyone (login).
pub fn public_page(tr: Tr, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(tr.lang.code()) {
            (head(tr, title))
            body {
                header.top { div.bar {
                    span.brand { (tr.t("app.name")) }
                    div.who { (language_switch(tr, "/login")) }
                } }
                main id="contenu" { (body) }
                footer.page { (tr.t("app.name")) " — " (tr.t("app.tagline")) }
            }
        }
    }
}

pub fn error_page(tr: Tr, title: &str, detail: &str) -> Markup {
    public_page(
        tr,
        title,
        html! {
            h1 { (title) }
            p { (detail) }
            p { a href="/" { (tr.t("error.back")) } }
        },
    )
}
