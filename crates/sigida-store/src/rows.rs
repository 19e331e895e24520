//! Decoding rows into domain values, with errors that name the table and column.

use std::str::FromStr;

use sigida_core::{Id, Timestamp, UnknownCode};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, StoreError};

/// A row of `table`, read column by column.
pub(crate) struct Cols<'r> {
    row: &'r AnyRow,
    table: &'static str,
}

impl<'r> Cols<'r> {
    pub(crate) fn of(table: &'static str, row: &'r AnyRow) -> Self {
        Self { row, table }
    }

    pub(crate) fn corrupt(&self, column: &'static str, detail: impl ToString) -> StoreError {
        StoreError::Corrupt {
            table: self.table,
            column,
            detail: detail.to_string(),
        }
    }

    pub(crate) fn text(&self, column: &'static str) -> Result<String> {
        self.row
            .try_get::<String, _>(column)
            .map_err(|e| self.corrupt(column, e))
    }

    pub(crate) fn opt_text(&self, column: &'static str) -> Result<Option<String>> {
        self.row
            .try_get::<Option<String>, _>(column)
            .map_err(|e| self.corrupt(column, e))
    }

    pub(crate) fn i64(&self, column: &'static str) -> Result<i64> {
        self.row
            .try_get::<i64, _>(column)
            .map_err(|e| self.corrupt(column, e))
    }

    pub(crate) fn opt_i64(&self, column: &'static str) -> Result<Option<i64>> {
        self.row
            .try_get::<Option<i64>, _>(column)
            .map_err(|e| self.corrupt(column, e))
    }

    pub(crate) fn small(&self, column: &'static str) -> Result<u8> {
        let value = self.i64(column)?;
        u8::try_from(value).map_err(|_| self.corrupt(column, format!("{value} hors de 0..=255")))
    }

    pub(crate) fn opt_small(&self, column: &'static str) -> Result<Option<u8>> {
        self.opt_i64(column)?
            .map(|v| {
                u8::try_from(v).map_err(|_| self.corrupt(column, format!("{v} hors de 0..=255")))
            })
            .transpose()
    }

    pub(crate) fn opt_f64(&self, column: &'static str) -> Result<Option<f64>> {
        self.row
            .try_get::<Option<f64>, _>(column)
            .map_err(|e| self.corrupt(column, e))
    }

    pub(crate) fn f64(&self, column: &'static str) -> Result<f64> {
        self.row
            .try_get::<f64, _>(column)
            .map_err(|e| self.corrupt(column, e))
    }

    /// Booleans are stored as 0/1 on both backends.
    pub(crate) fn bool(&self, column: &'static str) -> Result<bool> {
        match self.i64(column)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(self.corrupt(column, format!("booléen {other}, attendu 0 ou 1"))),
        }
    }

    pub(crate) fn id<T>(&self, column: &'static str) -> Result<Id<T>> {
        let text = self.text(column)?;
        text.parse().map_err(|e| self.corrupt(column, e))
    }

    pub(crate) fn opt_id<T>(&self, column: &'static str) -> Result<Option<Id<T>>> {
        self.opt_text(column)?
            .map(|t| t.parse().map_err(|e| self.corrupt(column, e)))
            .transpose()
    }

    pub(crate) fn code<V: FromStr<Err = UnknownCode>>(&self, column: &'static str) -> Result<V> {
        let text = self.text(column)?;
        text.parse().map_err(|e| self.corrupt(column, e))
    }

    pub(crate) fn opt_code<V: FromStr<Err = UnknownCode>>(
        &self,
        column: &'static str,
    ) -> Result<Option<V>> {
        self.opt_text(column)?
            .map(|t| t.parse().map_err(|e| self.corrupt(column, e)))
            .transpose()
    }

    pub(crate) fn timestamp(&self, column: &'static str) -> Result<Timestamp> {
        let text = self.text(column)?;
        Timestamp::parse(&text).map_err(|e| self.corrupt(column, e))
    }

    pub(crate) fn opt_timestamp(&self, column: &'static str) -> Result<Option<Timestamp>> {
        self.opt_text(column)?
            .map(|t| Timestamp::parse(&t).map_err(|e| self.corrupt(column, e)))
            .transpose()
    }

    pub(crate) fn date(&self, column: &'static str) -> Result<time::Date> {
        let text = self.text(column)?;
        parse_date(&text).ok_or_else(|| self.corrupt(column, format!("date « {text} »")))
    }

    pub(crate) fn opt_date(&self, column: &'static str) -> Result<Option<time::Date>> {
        self.opt_text(column)?
            .map(|t| parse_date(&t).ok_or_else(|| self.corrupt(column, format!("date « {t} »"))))
            .transpose()
    }

    pub(crate) fn json<T: serde::de::DeserializeOwned>(&self, column: &'static str) -> Result<T> {
        let text = self.text(column)?;
        serde_json::from_str(&text).map_err(|e| self.corrupt(column, e))
    }
}

pub(crate) fn parse_date(text: &str) -> Option<time::Date> {
    time::Date::parse(text, &time::format_description::well_known::Iso8601::DATE).ok()
}

/// ISO text of a date (`2026-03-14`).
pub(crate) fn date_text(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

pub(crate) fn json_text<T: serde::Serialize>(value: &T) -> String {
    // Serialising plain strings and vectors cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}
