//! A column computed from an expression over a table's columns, in XLSForm's syntax
//! (`${hh_size} >= 10`, `selected(${concerns}, 'gbv') or selected(${concerns}, 'extortion')`):
//! what an analyst writes for an indicator that no single question answers.
//!
//! A row where a question the expression reads is unanswered gets no value (missing, as R's
//! `NA` propagates): an unanswered household size is not "fewer than 10".

use std::collections::HashMap;

use sigida_formats::table::Table;

use crate::xpath::{self, Context, Value};

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DerivedError {
    #[error("expression « {expression} », {error}")]
    Parse {
        expression: String,
        error: xpath::ParseError,
    },
    #[error("expression « {expression} » : la colonne « {name} » n'est pas dans les données")]
    UnknownColumn { expression: String, name: String },
    #[error("expression « {expression} », ligne {row} : {error}")]
    Eval {
        expression: String,
        row: usize,
        error: xpath::EvalError,
    },
}

/// Whether a column name is an expression rather than a column: it reads a question.
pub fn is_expression(text: &str) -> bool {
    text.contains("${")
}

struct Row<'a> {
    cells: &'a [String],
    columns: &'a HashMap<&'a str, usize>,
}

impl Context for Row<'_> {
    fn reference(&self, name: &str) -> Option<Value> {
        let column = *self.columns.get(name)?;
        Some(Value::Text(
            self.cells.get(column).map_or("", |v| v.trim()).to_owned(),
        ))
    }
}

fn is_missing(value: &str) -> bool {
    matches!(value.trim(), "" | "NA" | "n/a")
}

/// The expression's value on every row, as text: `1`/`0` for a condition, the number or the
/// text otherwise, empty where a question it reads is unanswered.
pub fn derive(table: &Table, expression: &str) -> Result<Vec<String>, DerivedError> {
    let parsed = xpath::parse(expression).map_err(|error| DerivedError::Parse {
        expression: expression.to_owned(),
        error,
    })?;
    let columns: HashMap<&str, usize> = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    let mut read = Vec::new();
    for (name, _) in xpath::references(&parsed) {
        let column = columns
            .get(name)
            .copied()
            .ok_or_else(|| DerivedError::UnknownColumn {
                expression: expression.to_owned(),
                name: name.to_owned(),
            })?;
        read.push(column);
    }
    table
        .rows
        .iter()
        .map(|(row, cells)| {
            if read
                .iter()
                .any(|&c| is_missing(cells.get(c).map_or("", String::as_str)))
            {
                return Ok(String::new());
            }
            let context = Row {
                cells,
                columns: &columns,
            };
            let value = xpath::evaluate(&parsed, &context).map_err(|error| DerivedError::Eval {
                expression: expression.to_owned(),
                row: *row,
                error,
            })?;
            Ok(match value {
                Value::Bool(b) => if b { "1" } else { "0" }.to_owned(),
                Value::Number(n) if n.is_nan() => String::new(),
                other => other.to_text(),
            })
        })
        .collect()
}

/// The table with a column added for each expression among `names` (headed by the
/// expression itself), so that the estimation reads it as any other column.
pub fn with_derived<'n>(
    table: &Table,
    names: impl IntoIterator<Item = &'n str>,
) -> Result<Table, DerivedError> {
    let mut out = table.clone();
    for name in names {
        if !is_expression(name) || out.headers.iter().any(|h| h == name) {
            continue;
        }
        let values = derive(table, name)?;
        let width = out.headers.len();
        out.headers.push(name.to_owned());
        for ((_, cells), value) in out.rows.iter_mut().zip(values) {
            cells.resize(width, String::new());
            cells.push(value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let rows = [
            ["8", "gbv extortion"],
            ["12", "none"],
            ["", "gbv"],
            ["10", ""],
        ];
        Table {
            file: "data.csv".into(),
            sheet: None,
            headers: vec!["hh_size".into(), "concerns".into()],
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i + 2, r.iter().map(|c| c.to_string()).collect()))
                .collect(),
        }
    }

    #[test]
    fn a_condition_gives_one_or_zero_and_an_unanswered_question_no_value() {
        assert_eq!(
            derive(&table(), "${hh_size} >= 10").unwrap(),
            ["0", "1", "", "1"]
        );
        assert_eq!(
            derive(
                &table(),
                "selected(${concerns}, 'gbv') or selected(${concerns}, 'extortion')"
            )
            .unwrap(),
            ["1", "0", "1", ""]
        );
        assert_eq!(
            derive(&table(), "${hh_size} div 2").unwrap(),
            ["4", "6", "", "5"]
        );
    }

    #[test]
    fn mistakes_name_the_expression_and_what_is_wrong() {
        let unknown = derive(&table(), "${income} > 0").unwrap_err();
        assert!(unknown.to_string().contains("« income »"), "{unknown}");
        let broken = derive(&table(), "${hh_size} >= ").unwrap_err();
        assert!(broken.to_string().contains("caractère"), "{broken}");
    }

    #[test]
    fn derived_columns_are_added_once_and_plain_columns_left_alone() {
        let t = with_derived(
            &table(),
            ["hh_size", "${hh_size} >= 10", "${hh_size} >= 10"],
        )
        .unwrap();
        assert_eq!(t.headers, ["hh_size", "concerns", "${hh_size} >= 10"]);
        assert_eq!(t.rows[1].1[2], "1");
    }
}
