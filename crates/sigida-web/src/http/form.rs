//! Forms people fill: the fields a POST brought, and the widgets that show a field with its
//! label, the value typed and, when the use-case refused it, why — so a refused form keeps what
//! was typed and says which field is wrong.

use axum::Form;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use sigida_app::{AppError, Refusal};
use sigida_core::diagnostic::Diagnostic;
use sigida_report::Tr;

use crate::http::auth::Viewer;
use crate::http::error::WebError;

/// The fields of a submitted form, in order.
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of a field, trimmed; "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    pub fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A number as people type it (decimal comma or point, spaces between thousands); `None`
    /// when blank; the field refused (`form.number`) when it is not a number.
    pub fn number(&self, name: &'static str) -> Result<Option<f64>, Refusal> {
        match self.get(name) {
            "" => Ok(None),
            text => sigida_formats::parse_typed_number(text)
                .map(Some)
                .ok_or_else(|| {
                    Refusal::new("form.number")
                        .arg("field", name)
                        .arg("value", text)
                }),
        }
    }

    /// A whole number; `None` when blank; refused (`form.integer`) otherwise.
    pub fn integer<T: TryFrom<i64>>(&self, name: &'static str) -> Result<Option<T>, Refusal> {
        let refused = || {
            Refusal::new("form.integer")
                .arg("field", name)
                .arg("value", self.get(name))
        };
        match self.number(name).map_err(|_| refused())? {
            None => Ok(None),
            Some(v) if v.fract() == 0.0 && v.abs() < 9e15 => {
                T::try_from(v as i64).map(Some).map_err(|_| refused())
            }
            Some(_) => Err(refused()),
        }
    }
}

/// A refusal shown on its form: the sentence, and the field it names.
pub struct Refused {
    pub field: Option<String>,
    pub text: String,
}

impl Refused {
    pub fn new(tr: Tr, r: &Refusal) -> Self {
        Refused {
            field: r
                .args
                .iter()
                .find(|(n, _)| *n == "field")
                .map(|(_, v)| v.clone()),
            text: tr.refusal(r),
        }
    }

    fn at(&self, field: &str) -> Option<&str> {
        (self.field.as_deref() == Some(field)).then_some(self.text.as_str())
    }
}

/// The alert above a refused form, for a refusal that names no field of it.
pub fn alert(refused: Option<&Refused>, fields: &[&str]) -> Markup {
    html! {
        @if let Some(r) = refused {
            @if !r.field.as_deref().is_some_and(|f| fields.contains(&f)) {
                p.alert role="alert" { (r.text) }
            }
        }
    }
}

/// What kind of input a field is.
pub enum Input<'a> {
    Text,
    /// A number (decimal comma or point).
    Number,
    LongText,
    /// One of `(value, label)`.
    Choice(&'a [(String, String)]),
}

/// A labelled field with the value typed, and its refusal right under it when it is the one
/// the use-case refused.
pub fn field(
    name: &str,
    label: &str,
    value: &str,
    input: Input<'_>,
    required: bool,
    refused: Option<&Refused>,
) -> Markup {
    let error = refused.and_then(|r| r.at(name));
    let error_id = format!("{name}-error");
    html! {
        label.field.invalid[error.is_some()] {
            span { (label) @if required { " *" } }
            @match input {
                Input::Text => input type="text" name=(name) value=(value) required[required]
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())];
                Input::Number => input type="text" inputmode="decimal" name=(name) value=(value)
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())];
                Input::LongText => textarea name=(name) rows="3"
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())] { (value) }
                Input::Choice(options) => select name=(name)
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())] {
                    @for (v, l) in options {
                        option value=(v) selected[v == value] { (l) }
                    }
                }
            }
            @if let Some(e) = error { span.error id=(error_id) { (e) } }
        }
    }
}

pub type Posted = Form<Vec<(String, String)>>;

/// A form page, answered 422 when it comes back refused.
pub fn form_page(
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    title: &str,
    body: Markup,
    refused: bool,
) -> Response {
    let page = crate::http::layout::page(viewer, "/communities", title, diagnostic.synthetic, body);
    if refused {
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page.into_response()
    }
}

/// What a use-case's answer to a form makes of it: saved (go on to the page it names), or
/// refused (the form again, with what was typed and the refusal by its field).
pub enum Answer {
    Saved(Response),
    Again(Refused),
}

pub fn answer<T>(
    tr: Tr,
    result: Result<T, AppError>,
    then: impl FnOnce(T) -> String,
) -> Result<Answer, WebError> {
    match result {
        Ok(done) => Ok(Answer::Saved(Redirect::to(&then(done)).into_response())),
        Err(AppError::Refused(r)) => Ok(Answer::Again(Refused::new(tr, &r))),
        Err(e) => Err(e.into()),
    }
}
