//! The stylesheet shared by pages and reports, and the self-contained document shell of
//! report files (inline CSS, inline SVG: a report opens with no network and no other file).

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::Tr;

/// The one stylesheet: served by the web app as `/assets/sigida.css`, inlined in reports.
pub const STYLESHEET: &str = include_str!("../assets/sigida.css");

/// The banner every page and report of generated data carries.
pub fn synthetic_banner(tr: Tr, synthetic: bool) -> Markup {
    html! {
        @if synthetic {
            div.synthetic role="note" { strong { (tr.t("app.synthetic")) } " — " (tr.t("app.synthetic_note")) }
        }
    }
}

/// A complete, self-contained HTML document.
pub fn document(tr: Tr, title: &str, synthetic: bool, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang=(tr.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — " (tr.t("app.name")) }
                style { (PreEscaped(STYLESHEET)) }
            }
            body {
                (synthetic_banner(tr, synthetic))
                main { (body) }
            }
        }
    }
    .into_string()
}
