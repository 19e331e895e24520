//! Indicator measurements in bulk: a CSV or a workbook sheet with one measurement a row, as a
//! partner fills in the template Sigida hands out (`indicateur`, `date`, `valeur`, `note`; the
//! English headers `indicator`, `value` are read too). Rows left blank in date and value are
//! the template's unfilled lines and are skipped; anything else must be whole.

use crate::table::Table;
use crate::{FormatError, Refusal, parse_date, parse_typed_number};

/// One filled row: the indicator as written (its identifier or its exact name), the date,
/// the value and the note, with the row's number in the file for any later complaint.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasurementRow {
    pub row: usize,
    pub indicator: String,
    pub measured_on: time::Date,
    pub value: f64,
    pub note: String,
}

/// The columns of the template Sigida hands out, in order: what Sigida fills in (the
/// indicator's identifier, its action, name, unit, baseline and target), then what the partner
/// fills in (date, value, note). The reader below finds its columns by these names.
pub const TEMPLATE_COLUMNS: [&str; 9] = [
    INDICATOR,
    "action",
    "nom",
    "unite",
    "reference",
    "cible",
    DATE,
    VALUE,
    NOTE,
];
const INDICATOR: &str = "indicateur";
const DATE: &str = "date";
const VALUE: &str = "valeur";
const NOTE: &str = "note";

fn column(table: &Table, names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| table.column(n))
}

/// Reads every filled row, or says which file, row and column is wrong and what was expected.
pub fn measurement_rows(table: &Table) -> Result<Vec<MeasurementRow>, FormatError> {
    let required = |names: &[&str]| {
        column(table, names).ok_or_else(|| {
            FormatError::new(
                table.location(),
                Refusal::new("progress.column").arg("column", names[0]),
            )
        })
    };
    let indicator = required(&[INDICATOR, "indicator"])?;
    let date = required(&[DATE])?;
    let value = required(&[VALUE, "value"])?;
    let note = column(table, &[NOTE]);
    let mut out = Vec::new();
    for (row, cells) in &table.rows {
        let cell = |i: usize| cells.get(i).map_or("", |c| c.trim());
        if cell(date).is_empty() && cell(value).is_empty() {
            continue;
        }
        let at = |column: &str| table.at(*row, Some(column));
        if cell(indicator).is_empty() {
            return Err(FormatError::new(
                at("indicateur"),
                Refusal::new("progress.indicator"),
            ));
        }
        let measured_on = parse_date(cell(date)).ok_or_else(|| {
            FormatError::new(
                at("date"),
                Refusal::new("file.date").arg("value", cell(date)),
            )
        })?;
        let value = parse_typed_number(cell(value)).ok_or_else(|| {
            FormatError::new(
                at("valeur"),
                Refusal::new("file.number").arg("value", cell(value)),
            )
        })?;
        out.push(MeasurementRow {
            row: *row,
            indicator: cell(indicator).to_owned(),
            measured_on,
            value,
            note: note.map_or("", cell).to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_csv;

    #[test]
    fn filled_rows_are_read_and_blank_template_lines_skipped() {
        let csv = "indicateur;action;date;valeur;note\n\
                   Actes de naissance délivrés;Audiences;2026-06-30;120;Première audience\n\
                   Comités actifs;Comités;;;\n\
                   Comités actifs;Comités;30/09/2026;2,5;\n";
        let rows = measurement_rows(&read_csv("suivi.csv", csv.as_bytes()).unwrap()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].value, 120.0);
        assert_eq!(rows[0].note, "Première audience");
        assert_eq!(rows[1].row, 4);
        assert_eq!(rows[1].value, 2.5);
        assert_eq!(rows[1].measured_on, time::macros::date!(2026 - 09 - 30));
    }

    #[test]
    fn a_bad_cell_is_named_by_file_row_and_column() {
        let bad_value = "indicator,date,value\nComités,2026-06-30,beaucoup\n";
        let e = measurement_rows(&read_csv("suivi.csv", bad_value.as_bytes()).unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("suivi.csv") && e.contains('2') && e.contains("valeur"),
            "{e}"
        );
        assert!(e.contains("beaucoup"), "{e}");
        let bad_date = "indicateur,date,valeur\nComités,juin,3\n";
        let e = measurement_rows(&read_csv("suivi.csv", bad_date.as_bytes()).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("date") && e.contains("juin"), "{e}");
        let missing = "indicateur,valeur\nComités,3\n";
        let e = measurement_rows(&read_csv("suivi.csv", missing.as_bytes()).unwrap()).unwrap_err();
        assert_eq!(
            (e.code(), e.arg("column")),
            ("progress.column", Some("date")),
            "{e}"
        );
    }
}
