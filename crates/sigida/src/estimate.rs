//! `sigida estimate`: weighted survey estimation straight from a CSV or XLSX export, in the
//! stable interface of PRODUCT.md, with R `survey`'s numbers. A CSV is read by the engine's
//! own reader (only the columns asked for, on every core); a workbook through the table
//! reader; both become the same encoded columns.

use foldhash::HashMap;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sigida_formats::table::{Table, read_tables};
use sigida_survey::columns::{
    BLOCK, Codes, Column, ColumnError, Columns, MISSING, Source, Want, read_columns_in,
};
use sigida_survey::{Cells, Design, DomainEstimate, OUTSIDE, Z95};

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

impl EstimateArgs {
    /// Every column named on the command line but --multi, with its option and how it is
    /// read; categorical uses first, so a column named twice is read as categories.
    fn named(&self) -> impl Iterator<Item = (&str, &'static str, Want)> {
        use Want::{Categorical, Numeric};
        fn one<'a>(
            column: &'a Option<String>,
            option: &'static str,
            want: Want,
        ) -> impl Iterator<Item = (&'a str, &'static str, Want)> {
            column.as_deref().map(|c| (c, option, want)).into_iter()
        }
        fn each<'a>(
            columns: &'a [String],
            option: &'static str,
            want: Want,
        ) -> impl Iterator<Item = (&'a str, &'static str, Want)> {
            columns.iter().map(move |c| (c.as_str(), option, want))
        }
        one(&self.strata, "strata", Categorical)
            .chain(one(&self.cluster, "cluster", Categorical))
            .chain(each(&self.by, "by", Categorical))
            .chain(each(&self.prop, "prop", Categorical))
            .chain(one(&self.weight, "weight", Numeric))
            .chain(one(&self.fpc, "fpc", Numeric))
            .chain(each(&self.mean, "mean", Numeric))
            .chain(each(&self.total, "total", Numeric))
            .chain(
                self.ratio
                    .iter()
                    .flat_map(|r| r.split('/').map(|part| (part, "ratio", Numeric))),
            )
    }

    /// What each header is needed as.
    fn plan(&self, header: &str) -> Option<Want> {
        if let Some((_, _, want)) = self.named().find(|(column, _, _)| *column == header) {
            return Some(want);
        }
        if self.multi.iter().any(|m| is_split_column(header, m)) {
            return Some(Want::Numeric);
        }
        self.multi
            .iter()
            .any(|m| m == header)
            .then_some(Want::Categorical)
    }

    /// The first column named on the command line that the headers lack, with the option
    /// that names it. A select_multiple name is present as its own column or as NAME/option columns.
    fn missing_column(&self, headers: &[String]) -> Option<(String, &'static str)> {
        let present = |name: &str| headers.iter().any(|h| h == name);
        if let Some((name, option, _)) = self.named().find(|(name, _, _)| !present(name)) {
            return Some((name.to_owned(), option));
        }
        self.multi
            .iter()
            .find(|m| !headers.iter().any(|h| h == *m || is_split_column(h, m)))
            .map(|m| (m.clone(), "multi"))
    }
}

/// `NAME/option`: one 0/1 column of the select_multiple `NAME`.
fn is_split_column(header: &str, name: &str) -> bool {
    header
        .strip_prefix(name)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// A column the command names that the file does not have, with the first headers it has.
fn absent_column(file: &str, headers: &[String], name: &str, option: &str) -> Failure {
    let known: Vec<&str> = headers.iter().take(12).map(String::as_str).collect();
    Failure::Input(format!(
        "{file} : colonne « {name} » (donnée par --{option}) absente ; colonnes : {}{}",
        known.join(", "),
        if headers.len() > 12 { ", …" } else { "" }
    ))
}

fn is_missing(value: &str) -> bool {
    matches!(value.trim(), "" | "NA" | "n/a")
}

/// A workbook sheet encoded like the CSV reader encodes a file.
fn columns_from_table(
    table: &Table,
    plan: impl Fn(&str) -> Option<Want>,
) -> Result<Columns, Failure> {
    let mut columns = Vec::with_capacity(table.headers.len());
    for (c, header) in table.headers.iter().enumerate() {
        let cells = table
            .rows
            .iter()
            .map(|(row, cells)| (row, cells.get(c).map_or("", |v| v.trim())));
        columns.push(match plan(header) {
            None => None,
            Some(Want::Categorical) => {
                let mut values: Vec<String> = Vec::new();
                let mut index: HashMap<&str, u32> = HashMap::default();
                let codes = cells
                    .map(|(_, v)| {
                        if is_missing(v) {
                            return MISSING;
                        }
                        let next = index.len() as u32;
                        *index.entry(v).or_insert_with(|| {
                            values.push(v.to_owned());
                            next
                        })
                    })
                    .collect();
                Some(Column::Categorical {
                    codes: Codes::Wide(codes),
                    values,
                })
            }
            Some(Want::Numeric) => {
                let mut numbers = Vec::with_capacity(table.rows.len());
                for (row, v) in cells {
                    numbers.push(match v {
                        v if is_missing(v) => f64::NAN,
                        "TRUE" | "True" | "true" => 1.0,
                        "FALSE" | "False" | "false" => 0.0,
                        v => v.parse::<f64>().ok().filter(|n| n.is_finite()).ok_or_else(|| {
                            Failure::Input(format!("{}, ligne {row}, colonne « {header} » : « {v} » n'est pas un nombre", table.file))
                        })?,
                    });
                }
                Some(Column::Numeric(numbers))
            }
        });
    }
    Ok(Columns {
        headers: table.headers.clone(),
        rows: table.rows.len(),
        columns,
    })
}

fn read(args: &EstimateArgs) -> Result<Columns, Failure> {
    let path: &Path = &args.data;
    let file = path.display().to_string();
    let is_csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "csv" | "tsv" | "txt"));
    let columns = if is_csv {
        let open = || {
            std::fs::File::open(path)
                .map_err(|e| Failure::Input(format!("{file} : lecture impossible : {e}")))
        };
        // The header line tells the separator; the file is then read block by block and is
        // never whole in memory.
        const HEAD: usize = 64 * 1024;
        let mut start = Vec::with_capacity(HEAD);
        std::io::Read::read_to_end(&mut std::io::Read::take(open()?, HEAD as u64), &mut start)?;
        let body = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&start);
        let sep = match args.sep {
            Some(sep) => u8::try_from(u32::from(sep)).map_err(|_| {
                Failure::Input(format!("--sep « {sep} » : attendu un caractère ASCII"))
            })?,
            None => sigida_formats::table::sniff_separator(
                body.split(|&b| b == b'\n').next().unwrap_or_default(),
            ),
        };
        // A misspelt column is reported before the whole file is read (when the header line
        // fits in the first bytes; otherwise after, from the full header).
        if start.contains(&b'\n') || start.len() < HEAD {
            let headers: Vec<String> = csv::ReaderBuilder::new()
                .delimiter(sep)
                .has_headers(false)
                .flexible(true)
                .from_reader(body)
                .records()
                .next()
                .and_then(Result::ok)
                .map(|r| r.iter().map(|h| h.trim().to_owned()).collect())
                .unwrap_or_default();
            if let Some((name, option)) = args.missing_column(&headers) {
                return Err(absent_column(&file, &headers, &name, option));
            }
        }
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        read_columns_in(&FileSource(path), sep, |h| args.plan(h), threads, BLOCK)
            .map_err(|e| Failure::Input(format!("{file}, {e}")))?
    } else {
        let tables = read_tables(path)?;
        let table = match &args.sheet {
            Some(name) => tables
                .into_iter()
                .find(|t| t.sheet.as_deref() == Some(name.as_str()))
                .ok_or_else(|| Failure::Input(format!("{file} : pas de feuille « {name} »")))?,
            None => tables
                .into_iter()
                .next()
                .ok_or_else(|| Failure::Input(format!("{file} : classeur sans feuille")))?,
        };
        columns_from_table(&table, |h| args.plan(h))?
    };
    if columns.rows == 0 {
        return Err(Failure::Input(format!("{file} : aucune ligne de données")));
    }
    Ok(columns)
}

/// A file each core opens for itself at its own offset.
struct FileSource<'a>(&'a Path);

impl Source for FileSource<'_> {
    fn size(&self) -> Result<u64, ColumnError> {
        std::fs::metadata(self.0)
            .map(|m| m.len())
            .map_err(|e| ColumnError::Read {
                reason: e.to_string(),
            })
    }

    fn open_at(&self, offset: u64) -> Result<impl std::io::Read + Send, ColumnError> {
        use std::io::Seek;
        let mut file = std::fs::File::open(self.0).map_err(|e| ColumnError::Read {
            reason: e.to_string(),
        })?;
        file.seek(std::io::SeekFrom::Start(offset))
            .map_err(|e| ColumnError::Read {
                reason: e.to_string(),
            })?;
        Ok(file)
    }
}

/// The encoded data with the names the user gave.
struct Data {
    file: String,
    columns: Columns,
}

impl Data {
    fn index(&self, name: &str, option: &str) -> Result<usize, Failure> {
        self.columns
            .headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| absent_column(&self.file, &self.columns.headers, name, option))
    }

    fn column(&self, name: &str) -> Result<Option<&Column>, Failure> {
        Ok(self.columns.columns[self.index(name, "")?].as_ref())
    }

    fn numbers(&self, name: &str, option: &str) -> Result<std::borrow::Cow<'_, [f64]>, Failure> {
        self.columns.columns[self.index(name, option)?]
            .as_ref()
            .and_then(Column::numbers)
            .ok_or_else(|| Failure::Input(format!("colonne « {name} » : attendu des nombres")))
    }

    fn categories(&self, name: &str, option: &str) -> Result<(&Codes, &[String]), Failure> {
        match &self.columns.columns[self.index(name, option)?] {
            Some(Column::Categorical { codes, values }) => Ok((codes, values)),
            _ => Err(Failure::Input(format!(
                "colonne « {name} » : attendu des modalités"
            ))),
        }
    }

    /// A categorical column as text by row; an error naming the first missing row.
    fn labels<'a>(&'a self, name: &str, option: &str, what: &str) -> Result<Vec<&'a str>, Failure> {
        let (codes, values) = self.categories(name, option)?;
        codes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if c == MISSING {
                    Err(Failure::Input(format!(
                        "{}, ligne {}, colonne « {name} » : {what} manquante",
                        self.file,
                        i + 2
                    )))
                } else {
                    Ok(values[c as usize].as_str())
                }
            })
            .collect()
    }
}

/// One question to estimate, done on whichever thread is free.
enum Task<'a> {
    Mean(&'a str),
    Total(&'a str),
    Ratio(&'a str, &'a str, &'a str),
    Prop(&'a str),
    /// A split 0/1 column of a select_multiple: (question, option, header).
    Split(&'a str, &'a str, &'a str),
    /// The space-separated column of a select_multiple.
    Spaced(&'a str),
}

/// One line of output before sorting.
struct Line {
    variable: String,
    option: String,
    domain: u32,
    result: DomainEstimate,
    deff: Option<(f64, f64)>,
}

fn lines_of(variable: &str, option: &str, results: Vec<Option<DomainEstimate>>) -> Vec<Line> {
    results
        .into_iter()
        .enumerate()
        .filter_map(|(d, r)| {
            r.map(|result| Line {
                variable: variable.to_owned(),
                option: option.to_owned(),
                domain: d as u32,
                result,
                deff: None,
            })
        })
        .collect()
}

pub fn run(args: EstimateArgs) -> Result<(), Failure> {
    let data = Data {
        file: args.data.display().to_string(),
        columns: read(&args)?,
    };
    let n = data.columns.rows;
    let file = &data.file;

    // The design.
    let weight: Vec<f64> = match &args.weight {
        Some(c) => {
            let w = data.numbers(c, "weight")?;
            if let Some(i) = w.iter().position(|w| w.is_nan() || *w <= 0.0) {
                return Err(Failure::Input(format!(
                    "{file}, ligne {}, colonne « {c} » : poids « {} » — attendu un nombre strictement positif",
                    i + 2,
                    if w[i].is_nan() {
                        String::new()
                    } else {
                        w[i].to_string()
                    }
                )));
            }
            w.into_owned()
        }
        None => vec![1.0; n],
    };
    let strata = args
        .strata
        .as_ref()
        .map(|c| data.labels(c, "strata", "strate"))
        .transpose()?;
    let clusters = args
        .cluster
        .as_ref()
        .map(|c| data.labels(c, "cluster", "grappe (UPE)"))
        .transpose()?;
    let fpc = args
        .fpc
        .as_ref()
        .map(|c| data.numbers(c, "fpc"))
        .transpose()?;
    let design = Design::new(
        weight.clone(),
        strata.as_deref(),
        clusters.as_deref(),
        fpc.as_deref(),
    )
    .map_err(|e| Failure::Input(format!("{file} : {e}")))?;

    // The domains: every combination of the --by values present (rows missing one are in none).
    let by: Vec<(&Codes, &[String])> = args
        .by
        .iter()
        .map(|c| data.categories(c, "by"))
        .collect::<Result<_, _>>()?;
    let mut keys: Vec<Vec<u32>> = Vec::new();
    let mut index: HashMap<Vec<u32>, u32> = HashMap::default();
    let mut domains = Vec::with_capacity(n);
    let mut key = Vec::with_capacity(by.len());
    for i in 0..n {
        key.clear();
        key.extend(by.iter().map(|(codes, _)| codes.get(i)));
        if key.contains(&MISSING) {
            domains.push(OUTSIDE);
            continue;
        }
        let id = match index.get(key.as_slice()) {
            Some(&id) => id,
            None => {
                let id = index.len() as u32;
                index.insert(key.clone(), id);
                keys.push(key.clone());
                id
            }
        };
        domains.push(id);
    }
    if keys.is_empty() {
        return Err(Failure::Input(format!(
            "{file} : aucun domaine : les colonnes --by {} sont vides sur toutes les lignes",
            args.by.join(",")
        )));
    }
    let domain_names: Vec<Vec<&str>> = keys
        .iter()
        .map(|k| {
            k.iter()
                .zip(&by)
                .map(|(&c, (_, values))| values[c as usize].as_str())
                .collect()
        })
        .collect();
    let cells = Cells::new(&design, &domains, keys.len());

    // The work, question by question.
    let mut tasks: Vec<Task> = Vec::new();
    for m in &args.mean {
        data.numbers(m, "mean")?;
        tasks.push(Task::Mean(m));
    }
    for t in &args.total {
        data.numbers(t, "total")?;
        tasks.push(Task::Total(t));
    }
    for spec in &args.ratio {
        let (num, den) = spec.split_once('/').ok_or_else(|| {
            Failure::Input(format!(
                "--ratio « {spec} » : attendu NUMÉRATEUR/DÉNOMINATEUR"
            ))
        })?;
        data.numbers(num, "ratio")?;
        data.numbers(den, "ratio")?;
        tasks.push(Task::Ratio(spec, num, den));
    }
    for p in &args.prop {
        data.categories(p, "prop")?;
        tasks.push(Task::Prop(p));
    }
    for m in &args.multi {
        let split: Vec<(&str, &str)> = data
            .columns
            .headers
            .iter()
            .filter_map(|h| {
                h.strip_prefix(m.as_str())
                    .and_then(|r| r.strip_prefix('/'))
                    .map(|o| (o, h.as_str()))
            })
            .collect();
        if split.is_empty() {
            data.categories(m, "multi")?;
            tasks.push(Task::Spaced(m));
        } else {
            tasks.extend(
                split
                    .into_iter()
                    .map(|(option, header)| Task::Split(m, option, header)),
            );
        }
    }
    if tasks.is_empty() {
        return Err(Failure::Input(
            "rien à estimer : donnez --prop, --mean, --multi, --total ou --ratio".into(),
        ));
    }
    let work = |task: &Task| -> Vec<Line> {
        // Columns were checked above: a lookup here cannot fail.
        let numbers = |name: &str| data.numbers(name, "").unwrap_or_default();
        match *task {
            Task::Mean(name) => {
                let y = numbers(name);
                with_deff(
                    lines_of(name, "", cells.mean(&y)),
                    args.deff,
                    &y,
                    &domains,
                    &weight,
                )
            }
            Task::Total(name) => lines_of(name, "total", cells.total(&numbers(name))),
            Task::Ratio(spec, num, den) => {
                lines_of(spec, "ratio", cells.ratio(&numbers(num), &numbers(den)))
            }
            Task::Split(question, option, header) => {
                if let Ok(Some(Column::Flags(flags))) = data.column(header)
                    && !args.deff
                {
                    let chosen = cells
                        .proportions(flags, 2)
                        .into_iter()
                        .map(|options| options.and_then(|o| o.get(1).copied()))
                        .collect();
                    return lines_of(question, option, chosen);
                }
                let y = numbers(header);
                with_deff(
                    lines_of(question, option, cells.mean(&y)),
                    args.deff,
                    &y,
                    &domains,
                    &weight,
                )
            }
            Task::Prop(name) => {
                let Ok((codes, values)) = data.categories(name, "") else {
                    return Vec::new();
                };
                // Lines are sorted at the end: options come in the order first met.
                let mut lines = Vec::new();
                let k = values.len();
                let proportions = match codes {
                    Codes::Small(codes) => cells.proportions(codes, k),
                    Codes::Wide(codes) => cells.proportions(codes, k),
                };
                for (d, r) in proportions.into_iter().enumerate() {
                    let Some(options) = r else { continue };
                    for (j, result) in options.into_iter().enumerate() {
                        lines.push(Line {
                            variable: name.to_owned(),
                            option: values[j].clone(),
                            domain: d as u32,
                            result,
                            deff: None,
                        });
                    }
                }
                if args.deff {
                    for line in &mut lines {
                        let option = line.option.as_str();
                        let y: Vec<f64> = codes
                            .iter()
                            .map(|c| {
                                if c == MISSING {
                                    f64::NAN
                                } else {
                                    f64::from(u8::from(values[c as usize] == option))
                                }
                            })
                            .collect();
                        line.deff =
                            Some(
                                line.result
                                    .design_effects(&y, line.domain, &domains, &weight),
                            );
                    }
                }
                lines
            }
            Task::Spaced(name) => {
                let Ok((codes, values)) = data.categories(name, "") else {
                    return Vec::new();
                };
                let options: BTreeSet<&str> =
                    values.iter().flat_map(|v| v.split_whitespace()).collect();
                let mut lines = Vec::new();
                for option in options {
                    let chosen: Vec<bool> = values
                        .iter()
                        .map(|v| v.split_whitespace().any(|t| t == option))
                        .collect();
                    let y: Vec<f64> = codes
                        .iter()
                        .map(|c| {
                            if c == MISSING {
                                f64::NAN
                            } else {
                                f64::from(u8::from(chosen[c as usize]))
                            }
                        })
                        .collect();
                    lines.extend(with_deff(
                        lines_of(name, option, cells.mean(&y)),
                        args.deff,
                        &y,
                        &domains,
                        &weight,
                    ));
                }
                lines
            }
        }
    };
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(tasks.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut lines: Vec<Line> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(task) = tasks.get(i) else { break };
                        out.extend(work(task));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    lines.sort_by(|a, b| {
        (
            a.variable.as_bytes(),
            a.option.as_bytes(),
            &domain_names[a.domain as usize],
        )
            .cmp(&(
                b.variable.as_bytes(),
                b.option.as_bytes(),
                &domain_names[b.domain as usize],
            ))
    });
    write(&args, &lines, &domain_names)
}

fn with_deff(
    mut lines: Vec<Line>,
    wanted: bool,
    y: &[f64],
    domains: &[u32],
    weight: &[f64],
) -> Vec<Line> {
    if wanted {
        for line in &mut lines {
            line.deff = Some(line.result.design_effects(y, line.domain, domains, weight));
        }
    }
    lines
}

fn write(args: &EstimateArgs, lines: &[Line], domain_names: &[Vec<&str>]) -> Result<(), Failure> {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(lines.len() * 120));
    let error = |e: csv::Error| Failure::Other(e.to_string());
    let mut header: Vec<&str> = vec!["variable", "option"];
    header.extend(args.by.iter().map(String::as_str));
    header.extend(["estimate", "se", "ci_low", "ci_high", "n"]);
    if args.deff {
        header.extend(["deff_kish", "deff"]);
    }
    out.write_record(&header).map_err(error)?;
    let mut record: Vec<String> = Vec::new();
    for line in lines {
        let r = &line.result;
        record.clear();
        record.push(line.variable.clone());
        record.push(line.option.clone());
        record.extend(
            domain_names[line.domain as usize]
                .iter()
                .map(|s| s.to_string()),
        );
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
        // Figures are left as they are; a domain's answer is made safe for a spreadsheet.
        out.write_record(
            sigida_formats::write::csv_cells(
                record.iter().map(String::as_str),
                sigida_formats::write::Cells::FormulaSafe,
            )
            .map(|c| c.into_owned()),
        )
        .map_err(error)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Failure::Other(e.to_string()))?;
    match &args.out {
        Some(path) => std::fs::write(path, bytes)
            .map_err(|e| Failure::Input(format!("{} : écriture impossible : {e}", path.display()))),
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes).map_err(Failure::from)
        }
    }
}
