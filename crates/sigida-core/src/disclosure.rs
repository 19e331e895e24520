//! Statistical disclosure control for published tables: a cell counting fewer respondents
//! than the threshold is suppressed, and the table says so.

use serde::{Deserialize, Serialize};

/// The default threshold: cells with fewer than 5 respondents are not published.
pub const DEFAULT_MIN_CELL: u64 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Cell<T> {
    Shown(T),
    /// Fewer respondents than the threshold; the value is not kept.
    Suppressed,
}

/// Publishes `value` only if it rests on at least `min_cell` respondents.
/// A cell with no respondent at all is shown as such: an empty cell reveals nobody.
pub fn publish<T>(value: T, respondents: u64, min_cell: u64) -> Cell<T> {
    if respondents == 0 || respondents >= min_cell {
        Cell::Shown(value)
    } else {
        Cell::Suppressed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppresses_below_the_threshold_only() {
        assert_eq!(publish(4, 4, 5), Cell::Suppressed);
        assert_eq!(publish(1, 1, 5), Cell::Suppressed);
        assert_eq!(publish(5, 5, 5), Cell::Shown(5));
        assert_eq!(publish(0, 0, 5), Cell::Shown(0));
        assert_eq!(publish(2, 2, 2), Cell::Shown(2));
    }
}
