//! One estimate by domain from a table of text cells (imported, cleaned data as the rest of
//! Sigida holds it): the engine the workspace's indicators call, the same as `sigida
//! estimate`'s.

use foldhash::HashMap;

use crate::design::{Design, DesignError};
use crate::estimate::{Cells, DomainEstimate, OUTSIDE};

/// What is estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure<'a> {
    /// The weighted mean of a numeric column.
    Mean(&'a str),
    /// The weighted share of answers equal to `option` (a select_one), or holding it among
    /// space-separated answers (a select_multiple), or `1` in a split 0/1 column.
    Share { column: &'a str, option: &'a str },
    /// The weighted total of a numeric column (`option` none), or the weighted count of the
    /// rows whose answer is (or holds) `option`: with design weights, the number of units
    /// (households) in the population.
    Total {
        column: &'a str,
        option: Option<&'a str>,
    },
}

/// The design and the domains: column names, as in `sigida estimate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableSpec<'a> {
    pub weight: Option<&'a str>,
    pub strata: Option<&'a str>,
    pub cluster: Option<&'a str>,
    /// No column: one domain, the whole table.
    pub by: &'a [&'a str],
    pub measure: Measure<'a>,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TableError {
    #[error("colonne « {0} » absente")]
    MissingColumn(String),
    #[error("ligne {row}, colonne « {column} » : « {value} » n'est pas un nombre")]
    NotNumber {
        row: usize,
        column: String,
        value: String,
    },
    #[error("ligne {row}, colonne « {column} » : valeur manquante")]
    MissingDesignValue { row: usize, column: String },
    #[error(transparent)]
    Design(#[from] DesignError),
}

/// One domain's estimate: the domain's value in each `by` column (empty for the whole table).
#[derive(Clone, Debug, PartialEq)]
pub struct DomainRow {
    pub domain: Vec<String>,
    pub estimate: DomainEstimate,
}

fn as_strs(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

fn is_missing(value: &str) -> bool {
    matches!(value.trim(), "" | "NA" | "n/a")
}

/// Estimates `spec` on `rows` (each with its row number in the file, for messages). Domains
/// come in the order of their values; a domain where the variable is never answered is left out.
pub fn estimate_table(
    headers: &[String],
    rows: &[(usize, Vec<String>)],
    spec: &TableSpec<'_>,
) -> Result<Vec<DomainRow>, TableError> {
    let index = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| TableError::MissingColumn(name.to_owned()))
    };
    let cell = |cells: &'_ [String], c: usize| cells.get(c).map_or("", |v| v.trim()).to_owned();
    let text_column = |name: &str| -> Result<Vec<String>, TableError> {
        let c = index(name)?;
        rows.iter()
            .map(|(row, cells)| {
                let value = cell(cells, c);
                if is_missing(&value) {
                    Err(TableError::MissingDesignValue {
                        row: *row,
                        column: name.to_owned(),
                    })
                } else {
                    Ok(value)
                }
            })
            .collect()
    };
    let number = |row: usize, column: &str, value: &str| -> Result<f64, TableError> {
        if is_missing(value) {
            return Ok(f64::NAN);
        }
        value
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| TableError::NotNumber {
                row,
                column: column.to_owned(),
                value: value.to_owned(),
            })
    };
    let weight = match spec.weight {
        Some(name) => {
            let c = index(name)?;
            rows.iter()
                .map(|(row, cells)| number(*row, name, &cell(cells, c)))
                .collect::<Result<Vec<f64>, _>>()?
        }
        None => vec![1.0; rows.len()],
    };
    let strata = spec.strata.map(text_column).transpose()?;
    let clusters = spec.cluster.map(text_column).transpose()?;
    let design = Design::new(
        weight,
        strata.as_deref().map(as_strs).as_deref(),
        clusters.as_deref().map(as_strs).as_deref(),
        None,
    )?;

    // Domains: each combination of the `by` values present, in order of their values.
    let by: Vec<usize> = spec.by.iter().map(|b| index(b)).collect::<Result<_, _>>()?;
    let keys: Vec<Option<Vec<String>>> = rows
        .iter()
        .map(|(_, cells)| {
            let key: Vec<String> = by.iter().map(|&c| cell(cells, c)).collect();
            (!key.iter().any(|v| is_missing(v))).then_some(key)
        })
        .collect();
    let mut names: Vec<Vec<String>> = keys.iter().flatten().cloned().collect();
    names.sort();
    names.dedup();
    let number_of: HashMap<&[String], u32> = names
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_slice(), i as u32))
        .collect();
    let domains: Vec<u32> = keys
        .iter()
        .map(|k| k.as_ref().map_or(OUTSIDE, |k| number_of[k.as_slice()]))
        .collect();

    let y: Vec<f64> = match spec.measure {
        Measure::Mean(name) => {
            let c = index(name)?;
            rows.iter()
                .map(|(row, cells)| number(*row, name, &cell(cells, c)))
                .collect::<Result<_, _>>()?
        }
        Measure::Total {
            column,
            option: None,
        } => {
            let c = index(column)?;
            rows.iter()
                .map(|(row, cells)| number(*row, column, &cell(cells, c)))
                .collect::<Result<_, _>>()?
        }
        Measure::Share { column, option }
        | Measure::Total {
            column,
            option: Some(option),
        } => {
            let c = index(column)?;
            rows.iter()
                .map(|(_, cells)| {
                    let value = cell(cells, c);
                    if is_missing(&value) {
                        f64::NAN
                    } else {
                        let chosen =
                            value == option || value.split_whitespace().any(|v| v == option);
                        f64::from(u8::from(chosen))
                    }
                })
                .collect()
        }
    };
    let cells = Cells::new(&design, &domains, names.len());
    let estimates = match spec.measure {
        Measure::Total { .. } => cells.total(&y),
        Measure::Mean(_) | Measure::Share { .. } => cells.mean(&y),
    };
    Ok(names
        .into_iter()
        .zip(estimates)
        .filter_map(|(domain, estimate)| estimate.map(|estimate| DomainRow { domain, estimate }))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::mean;

    fn table() -> (Vec<String>, Vec<(usize, Vec<String>)>) {
        let headers = ["strate", "grappe", "poids", "sexe", "revenu", "besoins"]
            .map(String::from)
            .to_vec();
        let data = [
            ("a", "1", "1.5", "f", "100", "eau sante"),
            ("a", "1", "2", "m", "80", "eau"),
            ("a", "2", "1", "f", "", "sante"),
            ("a", "2", "1", "m", "120", ""),
            ("b", "3", "2.5", "f", "60", "eau"),
            ("b", "4", "1", "f", "90", "abri eau"),
            ("b", "4", "3", "", "70", "abri"),
        ];
        let rows = data
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    i + 2,
                    [r.0, r.1, r.2, r.3, r.4, r.5].map(String::from).to_vec(),
                )
            })
            .collect();
        (headers, rows)
    }

    /// The design of `table()`, built directly.
    fn design() -> Design {
        Design::new(
            vec![1.5, 2.0, 1.0, 1.0, 2.5, 1.0, 3.0],
            Some(&["a", "a", "a", "a", "b", "b", "b"]),
            Some(&["1", "1", "2", "2", "3", "4", "4"]),
            None,
        )
        .unwrap()
    }

    #[test]
    fn a_table_estimate_equals_the_engine_on_the_same_columns() {
        let (headers, rows) = table();
        let spec = TableSpec {
            weight: Some("poids"),
            strata: Some("strate"),
            cluster: Some("grappe"),
            by: &["sexe"],
            measure: Measure::Mean("revenu"),
        };
        let got = estimate_table(&headers, &rows, &spec).unwrap();
        assert_eq!(got.len(), 2, "the row without sex is in no domain");
        assert_eq!(got[0].domain, ["f"]);
        let design = design();
        let y = [100.0, 80.0, f64::NAN, 120.0, 60.0, 90.0, 70.0];
        let direct = mean(&design, &[0, 1, 0, 1, 0, 0, OUTSIDE], 2, &y);
        assert_eq!(got[0].estimate, direct[0].unwrap());
        assert_eq!(got[1].estimate, direct[1].unwrap());
    }

    #[test]
    fn a_share_counts_the_option_among_several_answers() {
        let (headers, rows) = table();
        let spec = TableSpec {
            weight: None,
            strata: None,
            cluster: None,
            by: &[],
            measure: Measure::Share {
                column: "besoins",
                option: "eau",
            },
        };
        let got = estimate_table(&headers, &rows, &spec).unwrap();
        // Six answered rows, four of them name « eau ».
        assert_eq!(got.len(), 1);
        assert!((got[0].estimate.estimate - 4.0 / 6.0).abs() < 1e-12);
        assert_eq!(got[0].estimate.n, 6);
    }

    #[test]
    fn a_total_counts_the_weighted_rows_holding_an_option_as_the_engine_does() {
        let (headers, rows) = table();
        let spec = TableSpec {
            weight: Some("poids"),
            strata: Some("strate"),
            cluster: Some("grappe"),
            by: &[],
            measure: Measure::Total {
                column: "besoins",
                option: Some("eau"),
            },
        };
        let got = estimate_table(&headers, &rows, &spec).unwrap();
        // « eau » in rows weighing 1.5, 2, 2.5 and 1.
        assert!((got[0].estimate.estimate - 7.0).abs() < 1e-12);
        let design = design();
        let y = [1.0, 1.0, 0.0, f64::NAN, 1.0, 1.0, 0.0];
        let direct = crate::estimate::total(&design, &[0; 7], 1, &y);
        assert_eq!(got[0].estimate, direct[0].unwrap());

        let spec = TableSpec {
            measure: Measure::Total {
                column: "revenu",
                option: None,
            },
            ..spec
        };
        let got = estimate_table(&headers, &rows, &spec).unwrap();
        let income = 1.5 * 100.0 + 2.0 * 80.0 + 120.0 + 2.5 * 60.0 + 90.0 + 3.0 * 70.0;
        assert!((got[0].estimate.estimate - income).abs() < 1e-9);
    }

    #[test]
    fn missing_columns_and_bad_numbers_are_named() {
        let (headers, mut rows) = table();
        let spec = TableSpec {
            weight: Some("poids"),
            strata: None,
            cluster: None,
            by: &[],
            measure: Measure::Mean("age"),
        };
        assert_eq!(
            estimate_table(&headers, &rows, &spec),
            Err(TableError::MissingColumn("age".into()))
        );
        rows[1].1[4] = "beaucoup".into();
        let spec = TableSpec {
            measure: Measure::Mean("revenu"),
            ..spec
        };
        assert!(matches!(
            estimate_table(&headers, &rows, &spec),
            Err(TableError::NotNumber { row: 3, .. })
        ));
    }
}
