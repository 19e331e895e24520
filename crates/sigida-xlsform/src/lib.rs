//! XLSForm instruments.
//!
//! - `xpath`: the expression engine of XLSForm logic (parse, evaluate).
//! - `form`: the form model — questions, groups and repeats, choice lists, languages,
//!   personal-data marks.
//! - `kobo`: KoboToolbox API v2 JSON (an asset's form, its submissions) as sheets.
//! - `export`, `import`: exports checked against their form; `dataset`: an export's main table
//!   and repeat tables, each repeat row linked to its submission; `cleaning`: the cleaning log.
//! - `derived`: columns computed from an expression over a table (indicators on expressions).
//! - `xform`: the ODK XForm of a form, as pyxform writes it.
//! - `read`: reading XLSX, XLS and CSV XLSForms into the model, with errors and warnings that
//!   name the sheet, row, column and character.

pub mod cleaning;
pub mod dataset;
pub mod derived;
pub mod export;
pub mod form;
pub mod import;
pub mod kobo;
pub mod read;
pub mod xform;
pub mod xpath;

pub use form::{Form, FormError, Problem, Question, QuestionKind};
pub use read::{read_form, read_form_bytes};
