//! `sigida estimate`: weighted survey estimation straight from a CSV or XLSX export, in the
//! stable interface of PRODUCT.md, with R `survey`'s numbers.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use sigida_formats::table::{Table, read_csv, read_tables};
use sigida_survey::{Design, DomainEstimate, OUTSIDE, Z95};

use crate::Failure;

#[derive(clap::Args, Debug)]
pub struct EstimateArgs {
    /// The export: CSV (any separator, quoted or not, with or without BOM) or XLSX.
    #[arg(long)]
    data: PathBuf,
    /// The CSV separator (found from the header when not given).
    #[arg(long)]
    sep: Option<char>,
    /// The sheet of a workbook (default: the first).
    #[arg(long)]
    sheet: Option<String>,
    #[arg(long)]
    weight: Option<String>,
    #[arg(long)]
    strata: Option<String>,
    #[arg(long)]
    cluster: Option<String>,
    /// Per stratum: the population number of PSUs, or the sampling fraction when ≤ 1.
    #[arg(long)]
    fpc: Option<String>,
    /// Domains: one or more columns, comma-separated.
    #[arg(long, value_delimiter = ',')]
    by: Vec<String>,
    /// Categorical questions: one row per option.
    #[arg(long, value_delimiter = ',')]
    prop: Vec<String>,
    /// Numeric questions.
    #[arg(long, value_delimiter = ',')]
    mean: Vec<String>,
    /// select_multiple questions, by name: split 0/1 columns NAME/option, or the
    /// space-separated column NAME.
    #[arg(long, value_delimiter = ',')]
    multi: Vec<String>,
    /// Weighted totals (option "total").
    #[arg(long, value_delimiter = ',')]
    total: Vec<String>,
    /// Ratios NUM/DEN (option "ratio").
    #[arg(long, value_delimiter = ',')]
    ratio: Vec<String>,
    /// Add the design effects: Kish's (deff_kish) and the design-based one (deff).
    #[arg(long)]
    deff: bool,
    /// Where to write the CSV (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn is_missing(value: &str) -> bool {
    matches!(value.trim(), "" | "NA" | "n/a")
}

struct Data {
    table: Table,
}

impl Data {
    fn column(&self, name: &str, option: &str) -> Result<usize, Failure> {
        self.table
            .headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| {
                let known: Vec<&str> = self
                    .table
                    .headers
                    .iter()
                    .take(12)
                    .map(String::as_str)
                    .collect();
                Failure::Input(format!(
                    "{} : colonne « {name} » (donnée par --{option}) absente ; colonnes : {}{}",
                    self.table.file,
                    known.join(", "),
                    if self.table.headers.len() > 12 {
                        ", …"
                    } else {
                        ""
                    }
                ))
            })
    }

    fn cells(&self, column: usize) -> Vec<&str> {
        self.table
            .rows
            .iter()
            .map(|(_, r)| r.get(column).map_or("", |c| c.trim()))
            .collect()
    }

    /// A numeric column: NaN where missing; an error naming the row for anything else.
    fn numbers(&self, column: usize) -> Result<Vec<f64>, Failure> {
        self.table
            .rows
            .iter()
            .map(|(row, cells)| {
                let v = cells.get(column).map_or("", |c| c.trim());
                if is_missing(v) {
                    return Ok(f64::NAN);
                }
                match v {
                    "TRUE" | "True" | "true" => return Ok(1.0),
                    "FALSE" | "False" | "false" => return Ok(0.0),
                    _ => {}
                }
                v.parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| {
                        Failure::Input(format!(
                            "{}, ligne {row}, colonne « {} » : « {v} » n'est pas un nombre",
                            self.table.file, self.table.headers[column]
                        ))
                    })
            })
            .collect()
    }
}

fn read(args: &EstimateArgs) -> Result<Data, Failure> {
    let path: &Path = &args.data;
    let is_csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "csv" | "tsv" | "txt"));
    let table = if is_csv {
        let bytes = std::fs::read(path).map_err(|e| {
            Failure::Input(format!("{} : lecture impossible : {e}", path.display()))
        })?;
        match args.sep {
            // The separator given wins over the one the header suggests.
            Some(sep) => read_csv_with(&path.display().to_string(), &bytes, sep)?,
            None => read_csv(&path.display().to_string(), &bytes)?,
        }
    } else {
        let tables = read_tables(path)?;
        match &args.sheet {
            Some(name) => tables
                .into_iter()
                .find(|t| t.sheet.as_deref() == Some(name.as_str()))
                .ok_or_else(|| {
                    Failure::Input(format!("{} : pas de feuille « {name} »", path.display()))
                })?,
            None => tables.into_iter().next().ok_or_else(|| {
                Failure::Input(format!("{} : classeur sans feuille", path.display()))
            })?,
        }
    };
    if table.rows.is_empty() {
        return Err(Failure::Input(format!(
            "{} : aucune ligne de données",
            table.file
        )));
    }
    Ok(Data { table })
}

/// CSV with a separator given by the user.
fn read_csv_with(file: &str, bytes: &[u8], sep: char) -> Result<Table, Failure> {
    let records = sigida_formats::table::read_csv_records_with(file, bytes, sep as u8)?;
    let mut records = records.into_iter();
    let headers = records
        .next()
        .map(|(_, h)| {
            h.into_iter()
                .map(|s| s.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .ok_or_else(|| Failure::Input(format!("{file} : fichier vide")))?;
    let rows = records
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
        .map(|(row, mut cells)| {
            cells.resize(headers.len(), String::new());
            (row, cells)
        })
        .collect();
    Ok(Table {
        file: file.to_owned(),
        sheet: None,
        headers,
        rows,
    })
}

/// One line of output before sorting.
struct Line {
    variable: String,
    option: String,
    domain: Vec<String>,
    result: DomainEstimate,
    deff: Option<(f64, f64)>,
}

pub fn run(args: EstimateArgs) -> Result<(), Failure> {
    let data = read(&args)?;
    let n = data.table.rows.len();
    let file = data.table.file.clone();

    // The design.
    let weight = match &args.weight {
        Some(c) => {
            let column = data.column(c, "weight")?;
            let values = data.numbers(column)?;
            if let Some(i) = values.iter().position(|w| w.is_nan() || *w <= 0.0) {
                let (row, _) = &data.table.rows[i];
                return Err(Failure::Input(format!(
                    "{file}, ligne {row}, colonne « {c} » : poids « {} » — attendu un nombre strictement positif",
                    data.table.rows[i].1[column]
                )));
            }
            values
        }
        None => vec![1.0; n],
    };
    let strata = args
        .strata
        .as_ref()
        .map(|c| data.column(c, "strata").map(|i| data.cells(i)))
        .transpose()?;
    let clusters = args
        .cluster
        .as_ref()
        .map(|c| data.column(c, "cluster").map(|i| data.cells(i)))
        .transpose()?;
    if let (Some(s), Some(name)) = (&strata, &args.strata)
        && let Some(i) = s.iter().position(|v| is_missing(v))
    {
        return Err(Failure::Input(format!(
            "{file}, ligne {}, colonne « {name} » : strate manquante",
            data.table.rows[i].0
        )));
    }
    if let (Some(c), Some(name)) = (&clusters, &args.cluster)
        && let Some(i) = c.iter().position(|v| is_missing(v))
    {
        return Err(Failure::Input(format!(
            "{file}, ligne {}, colonne « {name} » : grappe (UPE) manquante",
            data.table.rows[i].0
        )));
    }
    let fpc = args
        .fpc
        .as_ref()
        .map(|c| data.column(c, "fpc").and_then(|i| data.numbers(i)))
        .transpose()?;
    let design = Design::new(
        weight.clone(),
        strata.as_deref(),
        clusters.as_deref(),
        fpc.as_deref(),
    )
    .map_err(|e| Failure::Input(format!("{file} : {e}")))?;

    // The domains: every combination of the --by values present (rows missing one are in none).
    let by_columns: Vec<usize> = args
        .by
        .iter()
        .map(|c| data.column(c, "by"))
        .collect::<Result<_, _>>()?;
    let mut domain_keys: Vec<Vec<String>> = Vec::new();
    let mut key_index: HashMap<Vec<&str>, u32> = HashMap::new();
    let mut domains = Vec::with_capacity(n);
    for (_, cells) in &data.table.rows {
        let key: Vec<&str> = by_columns
            .iter()
            .map(|&c| cells.get(c).map_or("", |v| v.trim()))
            .collect();
        if key.iter().any(|v| is_missing(v)) {
            domains.push(OUTSIDE);
            continue;
        }
        let next = key_index.len() as u32;
        let id = *key_index.entry(key.clone()).or_insert_with(|| {
            domain_keys.push(key.iter().map(|s| s.to_string()).collect());
            next
        });
        domains.push(id);
    }
    if domain_keys.is_empty() {
        return Err(Failure::Input(format!(
            "{file} : aucun domaine : les colonnes --by {} sont vides sur toutes les lignes",
            args.by.join(",")
        )));
    }
    let nd = domain_keys.len();
    let mut lines: Vec<Line> = Vec::new();
    let deff_of = |y: &[f64], r: &DomainEstimate, d: usize| -> (f64, f64) {
        // Kish: n Σw² / (Σw)². Design-based: the variance over the variance of a simple random
        // sample of the same size, as R's svymean(deff = TRUE) computes it.
        let kish = r.n as f64 * r.weight_squared / (r.weight * r.weight);
        let (mut sw, mut swd) = (0.0, 0.0);
        for i in 0..n {
            if domains[i] as usize == d && !y[i].is_nan() {
                sw += weight[i];
                swd += weight[i] * (y[i] - r.estimate).powi(2);
            }
        }
        let nobs = r.n as f64;
        let svyvar = swd / sw * nobs / (nobs - 1.0);
        let vsrs = svyvar / nobs * (sw - nobs) / sw;
        (kish, r.se * r.se / vsrs)
    };
    let mut push =
        |variable: &str, option: &str, y: &[f64], results: Vec<Option<DomainEstimate>>| {
            for (d, r) in results.into_iter().enumerate() {
                if let Some(r) = r {
                    lines.push(Line {
                        variable: variable.to_owned(),
                        option: option.to_owned(),
                        domain: domain_keys[d].clone(),
                        deff: args.deff.then(|| deff_of(y, &r, d)),
                        result: r,
                    });
                }
            }
        };

    for name in &args.mean {
        let y = data.numbers(data.column(name, "mean")?)?;
        push(name, "", &y, sigida_survey::mean(&design, &domains, nd, &y));
    }
    for name in &args.total {
        let y = data.numbers(data.column(name, "total")?)?;
        push(
            name,
            "total",
            &y,
            sigida_survey::total(&design, &domains, nd, &y),
        );
    }
    for spec in &args.ratio {
        let (num, den) = spec.split_once('/').ok_or_else(|| {
            Failure::Input(format!(
                "--ratio « {spec} » : attendu NUMÉRATEUR/DÉNOMINATEUR"
            ))
        })?;
        let y = data.numbers(data.column(num, "ratio")?)?;
        let x = data.numbers(data.column(den, "ratio")?)?;
        push(
            spec,
            "ratio",
            &y,
            sigida_survey::ratio(&design, &domains, nd, &y, &x),
        );
    }
    for name in &args.prop {
        let values = data.cells(data.column(name, "prop")?);
        let options: BTreeSet<&str> = values.iter().copied().filter(|v| !is_missing(v)).collect();
        for option in options {
            let y: Vec<f64> = values
                .iter()
                .map(|v| {
                    if is_missing(v) {
                        f64::NAN
                    } else {
                        f64::from(u8::from(*v == option))
                    }
                })
                .collect();
            push(
                name,
                option,
                &y,
                sigida_survey::mean(&design, &domains, nd, &y),
            );
        }
    }
    for name in &args.multi {
        let prefix = format!("{name}/");
        let split: Vec<(usize, &str)> = data
            .table
            .headers
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.strip_prefix(&prefix).map(|o| (i, o)))
            .collect();
        if split.is_empty() {
            let values = data.cells(data.column(name, "multi")?);
            let options: BTreeSet<&str> = values
                .iter()
                .flat_map(|v| v.split_whitespace())
                .filter(|v| !is_missing(v))
                .collect();
            for option in options {
                let y: Vec<f64> = values
                    .iter()
                    .map(|v| {
                        if is_missing(v) {
                            f64::NAN
                        } else {
                            f64::from(u8::from(v.split_whitespace().any(|t| t == option)))
                        }
                    })
                    .collect();
                push(
                    name,
                    option,
                    &y,
                    sigida_survey::mean(&design, &domains, nd, &y),
                );
            }
        } else {
            for (column, option) in split {
                let y = data.numbers(column)?;
                push(
                    name,
                    option,
                    &y,
                    sigida_survey::mean(&design, &domains, nd, &y),
                );
            }
        }
    }
    if lines.is_empty() {
        return Err(Failure::Input(
            "rien à estimer : donnez --prop, --mean, --multi, --total ou --ratio".into(),
        ));
    }
    lines.sort_by(|a, b| {
        (&a.variable, &a.option, &a.domain).cmp(&(&b.variable, &b.option, &b.domain))
    });

    let mut out = csv::Writer::from_writer(Vec::new());
    let error = |e: csv::Error| Failure::Other(e.to_string());
    let mut header: Vec<String> = vec!["variable".into(), "option".into()];
    header.extend(args.by.iter().cloned());
    header.extend(["estimate", "se", "ci_low", "ci_high", "n"].map(String::from));
    if args.deff {
        header.extend(["deff_kish", "deff"].map(String::from));
    }
    out.write_record(&header).map_err(error)?;
    for line in &lines {
        let r = &line.result;
        let mut record: Vec<String> = vec![line.variable.clone(), line.option.clone()];
        record.extend(line.domain.iter().cloned());
        record.extend([
            r.estimate.to_string(),
            r.se.to_string(),
            (r.estimate - Z95 * r.se).to_string(),
            (r.estimate + Z95 * r.se).to_string(),
            r.n.to_string(),
        ]);
        if let Some((kish, deff)) = line.deff {
            record.extend([kish.to_string(), deff.to_string()]);
        }
        out.write_record(&record).map_err(error)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Failure::Other(e.to_string()))?;
    match &args.out {
        Some(path) => std::fs::write(path, bytes).map_err(|e| {
            Failure::Input(format!("{} : écriture impossible : {e}", path.display()))
        })?,
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(())
}
