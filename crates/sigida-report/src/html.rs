//! The stylesheet shared by pages and reports, and the self-contained document shell of
//! report files (inline CSS, inline SVG: a report opens with no network and no other file).

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::Tr;

/// A colour: red, green, blue.
pub type Rgb = (u8, u8, u8);

/// The heat map's colours by class, (background, text): the stylesheet's rules and the PDF's
/// fills are both written from this table, so a page and its PDF never disagree.
pub const SEVERITY_COLOURS: [(&str, Rgb, Rgb); 6] = [
    ("sev-na", (236, 239, 241), (69, 90, 100)),
    ("sev-1", (220, 237, 200), (27, 61, 27)),
    ("sev-2", (255, 245, 157), (74, 59, 0)),
    ("sev-3", (255, 183, 77), (62, 35, 0)),
    ("sev-4", (229, 115, 115), (59, 0, 0)),
    ("sev-5", (142, 27, 27), (255, 255, 255)),
];

/// The one stylesheet: served by the web app as `/assets/sigida.css`, inlined in reports.
pub fn stylesheet() -> &'static str {
    static SHEET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SHEET.get_or_init(|| {
        let hex = |(r, g, b): Rgb| format!("#{r:02x}{g:02x}{b:02x}");
        let mut sheet = include_str!("../assets/sigida.css").to_owned();
        sheet.push_str("\n/* The heat map's severities (html::SEVERITY_COLOURS). */\n");
        for (class, background, text) in SEVERITY_COLOURS {
            sheet.push_str(&format!(
                ".{class} {{ background: {}; color: {}; text-align: center; }}\n",
                hex(background),
                hex(text)
            ));
        }
        sheet
    })
}

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
                style { (PreEscaped(stylesheet())) }
            }
            body {
                (synthetic_banner(tr, synthetic))
                main { (body) }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod stylesheet_tests {
    #[test]
    fn the_severity_rules_come_from_the_table() {
        let sheet = super::stylesheet();
        assert!(
            sheet.contains(".sev-5 { background: #8e1b1b; color: #ffffff; text-align: center; }")
        );
        assert!(sheet.contains(".sev-na { background: #eceff1; color: #455a64;"));
        assert_eq!(sheet.matches(".sev-").count(), 6, "each class once");
    }
}
