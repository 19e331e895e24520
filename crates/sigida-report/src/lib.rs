//! Turns domain values into documents for people. Never queries the store: callers hand it
//! the values to show.
//!
//! - [`i18n`]: the French/English catalogue (`locales/*.txt`), French fallback.
//! - `analysis`: the contextual analysis report of a community and the synthesis.
//! - `charts`: charts several sections share (population pyramid).
//! - `exercises`: community exercises drawn as SVG from their data.
//! - `findings`: findings and evidence both ways, convergence and the single-source flag.
//! - `flows`: migration trends and flows of a community (figures, SVG trends, OD matrix).
//! - `groups`: socio-economic groups, stated sizes beside the survey's estimates.
//! - `format`: numbers, dates and coordinates as French and English readers write them.
//! - `html`: the shared stylesheet and the self-contained document shell.
//! - `indicators`: indicator estimates by disaggregation, small cells suppressed, provenance.
//! - `minutes`: the minutes of a consultative meeting (HTML, PDF) and its tally tables.
//! - `map`: SVG maps of localities and service points, drawn offline.
//! - `qualitative`: notes, codebook counts by group, quotes without personal details.
//! - `services`: the 4W map, coverage by locality and sector, gaps, referral pathways.
//! - `protection`: the severity heat map of protection risks, its rules and reports.
//! - `plan`: a community's action plan (HTML, PDF): actions, Gantt, budget totals, indicators.
//! - `pdf`: reports typeset as PDF (krilla) from the same body as their HTML.
//! - `overview`: the community overview (web page body and report file).

pub mod analysis;
pub mod charts;
pub mod exercises;
pub mod findings;
pub mod flows;
pub mod format;
pub mod groups;
pub mod html;
pub mod i18n;
pub mod indicators;
pub mod map;
pub mod minutes;
pub mod overview;
pub mod pdf;
pub mod plan;
pub mod protection;
pub mod qualitative;
pub mod services;

pub use i18n::{Lang, Tr};
