//! Design-based estimation as R's `survey` package computes it (`svydesign(..., nest = TRUE)`,
//! `svyby(..., svymean | svytotal | svyratio)` on a design subset, lonely PSUs "adjust"): means,
//! proportions, totals and ratios by domain, with Taylor-linearised standard errors.
//!
//! - `columns`: a CSV reader that reads and encodes only the columns asked for, on every core.
//! - `design`: strata, PSUs, weights and finite population corrections, encoded once.
//! - `estimate`: one pass per variable accumulates, per domain and PSU, what the linearised
//!   scores need; variances follow stratum by stratum.
//! - `table`: one estimate by domain from a table of text cells (the indicators' entry).
//!
//! Columnar and allocation-light: a variable is a slice of `f64` (NaN = missing), a domain
//! assignment a slice of `u32` (`OUTSIDE` = in no domain).

pub mod columns;
pub mod design;
pub mod estimate;
pub mod table;

pub use design::{Design, DesignError};
pub use estimate::{Cells, DomainEstimate, OUTSIDE, mean, ratio, total};

/// The normal quantile of a 95 % interval, as `sigida estimate` and the reference values use.
pub const Z95: f64 = 1.959964;
