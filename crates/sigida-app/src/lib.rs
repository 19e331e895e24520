//! The use-cases: everything a person can do with Sigida, one function each, called alike by
//! the command line, the web pages and the demo (which is a scripted user). No HTTP, no
//! terminal: a use-case takes the store and plain values and answers data or an [`AppError`].
//!
//! One folder per room of the product; rooms share `common` and never import each other.
//! - `common`: errors with stable codes, an instrument's raw and clean data.
//! - `diagnostic`: creating the diagnostic (its country checked).
//! - `register`: communities, localities, groups, stakeholders, providers, instruments.
//! - `imports`: files that come in whole: P-codes, instruments' forms and exports, flow
//!   sheets, coded notes.
//! - `cleaning`: the checks that fill an instrument's cleaning log.
//! - `accounts`: passwords and accounts.
//! - `backup`: a sealed snapshot of the whole diagnostic, and its checked restore.
//! - `analysis`: a community's overview, indicators brought up to date, traveller surveys, the
//!   contextual analysis assembled for its report.
//! - `meetings`: a meeting's minutes.
//! - `plans`: a plan's document.
//! - `reports`: every document of the diagnostic written as files.
//! - `workbook`: the diagnostic workbook (registers and analysis in one XLSX), above the rooms
//!   whose use-cases its import calls.
//! - `script`: a scripted user (the demo): the use-cases behind a handle that hands out
//!   nothing of the store, above the rooms like `reports` and `workbook`.

pub mod accounts;
pub mod analysis;
pub mod backup;
pub mod cleaning;
pub mod common;
pub mod diagnostic;
pub mod imports;
pub mod meetings;
pub mod plans;
pub mod register;
pub mod reports;
pub mod script;
pub mod sync;
pub mod workbook;

pub use common::error::{AppError, Refusal};
