//! The domain of a participatory community diagnostic, with no I/O.
//!
//! Each module is one room of the workflow described in `PRODUCT.md`:
//!
//! - [`id`], [`timestamp`]: identifiers stable across databases (UUIDs) and UTC instants.
//! - `access`: roles, permissions and who may do what.
//! - `personal`: [`personal::Personal`], the wrapper that keeps personal data out of logs.
//! - `diagnostic`: the workspace itself.
//! - `refusal`: what a person asked that the rules forbid, as a code and its values.
//! - `geography`: admin units with P-codes and their COD version; localities.
//! - `community`: communities and their slugs.
//! - `actors`: stakeholders, socio-economic groups, service providers.
//! - `instrument`: instruments (XLSForms), their versions, raw imports.
//! - `cleaning`: the cleaning log's entries and decisions.
//! - `flows`: flow monitoring counts; origin–destination, trends, seasons, who travels.
//! - `indicator`: indicators on an instrument's questions, their values and provenance.
//! - `exercises`: community exercises (timeline, seasonal calendar, pairwise ranking, SWOT) as data.
//! - `finding`: findings, their evidence and the triangulation rule.
//! - `citation`: what evidence cites (typed references), the value cited, the document register.
//! - `meeting`: consultative meetings, participants, decisions.
//! - `prioritisation`: pairwise, scores and Borda by group; groups combined by agreed weights.
//! - `selection`: localities ranked on weighted criteria; the sensitivity of the selection.
//! - `qualitative`: interview notes, codebook, coded excerpts, quotes without personal details.
//! - `services`: the 4W map against the needs: coverage, gaps, referral pathways.
//! - `protection`: protection risks reported by source and locality; the 1–5 severity rules.
//! - `plan`: action plans, actions, budget lines, indicators, measurements.
//! - `audit`: the audit log's vocabulary.
//! - `disclosure`: the small-cell rule for published tables.
//!
//! Every type here is plain data; every rule is a pure function. Storage, files,
//! HTTP and documents live in the adapter crates.

pub mod access;
pub mod actors;
pub mod audit;
pub mod citation;
pub mod cleaning;
pub mod community;
pub mod diagnostic;
pub mod disclosure;
pub mod exercises;
pub mod finding;
pub mod flows;
pub mod geography;
pub mod id;
pub mod indicator;
pub mod instrument;
pub mod meeting;
pub mod personal;
pub mod plan;
pub mod prioritisation;
pub mod protection;
pub mod qualitative;
pub mod refusal;
pub mod selection;
pub mod services;
pub mod timestamp;

pub mod vocabulary;

pub use id::Id;
pub use timestamp::Timestamp;
pub use vocabulary::UnknownCode;
