//! Instants in UTC, stored as RFC 3339 text so that SQLite and PostgreSQL sort them alike.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(#[serde(with = "time::serde::rfc3339")] OffsetDateTime);

#[derive(Debug, thiserror::Error)]
#[error("« {text} » n'est pas un horodatage RFC 3339 (attendu par ex. 2026-11-29T10:00:00Z)")]
pub struct TimestampError {
    pub text: String,
}

impl Timestamp {
    /// Any instant, normalised to UTC and to whole microseconds (what both databases keep).
    pub fn from_datetime(at: OffsetDateTime) -> Self {
        let utc = at.to_offset(time::UtcOffset::UTC);
        let micros = utc.microsecond();
        Self(utc.replace_microsecond(micros).unwrap_or(utc))
    }

    /// The present instant: the one place Sigida reads the clock.
    pub fn now() -> Self {
        Self::from_datetime(OffsetDateTime::now_utc())
    }

    pub fn from_unix_seconds(seconds: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(seconds)
            .ok()
            .map(Self::from_datetime)
    }

    pub fn datetime(&self) -> OffsetDateTime {
        self.0
    }

    pub fn date(&self) -> time::Date {
        self.0.date()
    }

    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        OffsetDateTime::parse(text, &Rfc3339)
            .map(Self::from_datetime)
            .map_err(|_| TimestampError {
                text: text.to_owned(),
            })
    }

    /// Fixed-width text (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), so that text order is time order.
    pub fn to_rfc3339(&self) -> String {
        let d = self.0;
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute(),
            d.second(),
            d.microsecond()
        )
    }

    pub fn plus_seconds(&self, seconds: i64) -> Self {
        Self(self.0 + time::Duration::seconds(seconds))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_is_fixed_width_utc_and_round_trips() {
        let t = Timestamp::parse("2026-03-05T10:04:05+02:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-05T08:04:05.000000Z");
        assert_eq!(Timestamp::parse(&t.to_rfc3339()).unwrap(), t);
    }

    #[test]
    fn text_order_is_time_order() {
        let a = Timestamp::parse("2026-03-05T09:59:59.5Z").unwrap();
        let b = Timestamp::parse("2026-03-05T10:00:00Z").unwrap();
        assert!(a < b);
        assert!(a.to_rfc3339() < b.to_rfc3339());
    }

    #[test]
    fn rejects_text_without_offset() {
        assert!(Timestamp::parse("2026-03-05 10:00").is_err());
    }
}
