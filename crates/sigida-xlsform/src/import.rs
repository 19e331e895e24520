//! A whole export file checked against its form: the main sheet and, in a workbook, the repeat
//! sheets joined through `_index` / `_parent_index`. CSV is read as a stream, so a million
//! rows need no more memory than the file itself.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use sigida_formats::table::{
    CsvRecords, Table, is_blank_record, read_tables_from_bytes, too_many_cells,
};
use sigida_formats::{FormatError, Location, Refusal};

use crate::dataset::assemble;
use crate::export::{Checker, ColumnRole, Meta, SubmissionId, ValueProblem, map_columns};
use crate::form::Form;

/// How many problems are kept in full; the rest are counted.
pub const PROBLEMS_KEPT: usize = 5_000;

/// One sheet of an export, checked.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SheetCheck {
    /// `None` for CSV.
    pub sheet: Option<String>,
    /// The repeat group this sheet holds (index in `Form::groups`), `None` for the main sheet.
    pub repeat: Option<usize>,
    pub headers: Vec<String>,
    pub roles: Vec<ColumnRole>,
    pub rows: usize,
    /// The submissions of the main sheet: their row (as the file's reader numbers it), `_uuid`
    /// (or instanceID without `uuid:`) and `_submission_time`, in file order.
    pub submissions: Vec<(usize, String, Option<String>)>,
    /// Rows of a repeat sheet whose `_parent_index` matches no row of the main sheet.
    pub orphans: usize,
    pub problems: Vec<ValueProblem>,
    pub problem_total: usize,
    pub problems_by_column: BTreeMap<String, usize>,
    /// Questions with a column / data-bearing questions of the form.
    pub coverage: (usize, usize),
}

impl SheetCheck {
    pub fn unknown_columns(&self) -> Vec<&str> {
        self.headers
            .iter()
            .zip(&self.roles)
            .filter(|(_, r)| **r == ColumnRole::Unknown)
            .map(|(h, _)| h.as_str())
            .collect()
    }
}

/// What checking an export found.
#[derive(Clone, Debug, Serialize)]
pub struct ExportCheck {
    pub file: String,
    pub main: SheetCheck,
    pub repeats: Vec<SheetCheck>,
    /// Sheets or files that are neither the submissions nor a repeat of the form.
    pub ignored: Vec<String>,
}

impl ExportCheck {
    pub fn problem_total(&self) -> usize {
        self.main.problem_total + self.repeats.iter().map(|r| r.problem_total).sum::<usize>()
    }
}

/// Why an export cannot be taken. People read [`ExportError::explain`] translated (where, then
/// what, as a code and its values); the log prints it as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.explain())]
pub enum ExportError {
    Format(#[from] FormatError),
    OtherForm {
        file: String,
        form: String,
        found: usize,
        total: usize,
        examples: String,
    },
    NoUuid {
        file: String,
    },
    LabelValues {
        file: String,
        column: String,
        value: String,
        name: String,
        count: usize,
    },
    BlankUuid {
        file: String,
        sheet: Option<String>,
        row: usize,
        column: String,
    },
    DuplicateUuid {
        file: String,
        uuid: String,
        row: usize,
        first: usize,
    },
}

impl ExportError {
    /// Where the problem is and what it is, as the catalogue words it.
    pub fn explain(&self) -> FormatError {
        let file = |file: &str| Location {
            file: file.to_owned(),
            ..Location::default()
        };
        match self {
            ExportError::Format(e) => e.clone(),
            ExportError::OtherForm {
                file: f,
                form,
                found,
                total,
                examples,
            } => FormatError::new(
                file(f),
                Refusal::new("export.other_form")
                    .arg("form", form.as_str())
                    .arg("found", found.to_string())
                    .arg("total", total.to_string())
                    .arg("examples", examples.as_str()),
            ),
            ExportError::NoUuid { file: f } => {
                FormatError::new(file(f), Refusal::new("export.no_uuid"))
            }
            ExportError::LabelValues {
                file: f,
                column,
                value,
                name,
                count,
            } => FormatError::new(
                Location {
                    column: Some(column.clone()),
                    ..file(f)
                },
                Refusal::new("export.labels")
                    .arg("value", value.as_str())
                    .arg("name", name.as_str())
                    .arg("count", count.to_string()),
            ),
            ExportError::BlankUuid {
                file: f,
                sheet,
                row,
                column,
            } => FormatError::new(
                Location {
                    file: f.clone(),
                    sheet: sheet.clone(),
                    row: Some(*row),
                    column: Some(column.clone()),
                },
                Refusal::new("export.blank_uuid"),
            ),
            ExportError::DuplicateUuid {
                file: f,
                uuid,
                row,
                first,
            } => FormatError::new(
                Location {
                    row: Some(*row),
                    ..file(f)
                },
                Refusal::new("export.duplicate_uuid")
                    .arg("uuid", uuid.as_str())
                    .arg("first", first.to_string()),
            ),
        }
    }
}

/// Checks an export file (CSV, XLSX or XLS) against `form`. `now_days` is the moment of the
/// check (days since 1970-01-01) for `today()` in constraints.
pub fn check_export(
    form: &Form,
    path: &Path,
    bytes: &[u8],
    now_days: f64,
) -> Result<ExportCheck, ExportError> {
    let file = path.display().to_string();
    let (main, repeats, ignored) =
        if extension(&file) == "csv" || extension(&file) == "tsv" || extension(&file) == "txt" {
            (
                check_csv(form, &file, bytes, now_days)?,
                Vec::new(),
                Vec::new(),
            )
        } else {
            check_tables(form, &file, export_tables(&file, bytes)?, now_days)?
        };
    let (found, total) = main.coverage;
    // Fewer than a third of the questions: the file answers another form.
    if total > 0 && found * 3 < total {
        let unknown = main.unknown_columns();
        return Err(ExportError::OtherForm {
            file,
            form: form
                .title
                .clone()
                .or(form.form_id.clone())
                .unwrap_or_else(|| form.file.clone()),
            found,
            total,
            examples: unknown
                .iter()
                .take(5)
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    if let Some(labelled) = labelled_values(form, &file, &main) {
        return Err(labelled);
    }
    Ok(ExportCheck {
        file,
        main,
        repeats,
        ignored,
    })
}

/// An export whose select answers are the options' labels (Kobo's "labels" export): most
/// refused select values are a label of their list, in some language of the form.
fn labelled_values(form: &Form, file: &str, sheet: &SheetCheck) -> Option<ExportError> {
    let mut refused = 0;
    let mut labelled: Vec<(&str, &str, &str)> = Vec::new();
    for p in &sheet.problems {
        let Some(c) = sheet.headers.iter().position(|h| *h == p.column) else {
            continue;
        };
        let ColumnRole::Question { question } = sheet.roles[c] else {
            continue;
        };
        let q = &form.questions[question];
        let Some(list) = q.kind.list().and_then(|l| form.list(l)) else {
            continue;
        };
        // Only the answers refused as no option of the list (not those refused by a
        // constraint or the form's logic).
        if list.choices.iter().any(|c| c.name == p.value.trim()) {
            continue;
        }
        refused += 1;
        if let Some(choice) = list
            .choices
            .iter()
            .find(|choice| choice.label.values().any(|l| l.trim() == p.value.trim()))
        {
            labelled.push((&p.column, &p.value, &choice.name));
        }
    }
    let &(column, value, name) = labelled.first()?;
    (labelled.len() >= 5 && labelled.len() * 2 >= refused).then(|| ExportError::LabelValues {
        file: file.to_owned(),
        column: column.to_owned(),
        value: value.to_owned(),
        name: name.to_owned(),
        count: labelled.len(),
    })
}

fn extension(name: &str) -> String {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// The sheets of an export file: CSV, a workbook (main sheet first, then repeats), or the JSON
/// of Kobo's API.
pub fn export_tables(name: &str, bytes: &[u8]) -> Result<Vec<Table>, FormatError> {
    match extension(name).as_str() {
        "json" => Ok(vec![crate::kobo::data_table(
            name,
            &crate::kobo::parse(name, bytes)?,
        )?]),
        _ => read_tables_from_bytes(name, bytes),
    }
}

/// The order-free part of a sheet's check: what each row holds, on any thread.
struct Looker<'f> {
    checker: Checker<'f>,
    id: Option<SubmissionId>,
    time: Option<usize>,
    repeat: Option<usize>,
}

impl Looker<'_> {
    /// A row's problems, its submission id and time.
    fn look(&self, row: usize, cells: &[&str]) -> RowLook {
        let mut problems = Vec::new();
        self.checker.check_row(row, cells, &mut problems);
        let (uuid, time) = if self.repeat.is_none() {
            let time = self
                .time
                .and_then(|c| cells.get(c))
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty());
            (self.id.and_then(|id| id.of(cells)).map(str::to_owned), time)
        } else {
            (None, None)
        };
        RowLook {
            row,
            problems,
            uuid,
            time,
        }
    }
}

/// The ordered part: rows taken in file order into the sheet's check (counts, the problems
/// kept, submissions and their uniqueness).
struct Tally {
    check: SheetCheck,
    seen: std::collections::HashMap<String, usize>,
    /// The column a blank id is reported in.
    id_column: String,
}

impl Tally {
    fn take(&mut self, file: &str, look: RowLook) -> Result<(), ExportError> {
        self.check.rows += 1;
        self.check.problem_total += look.problems.len();
        for p in look.problems {
            *self
                .check
                .problems_by_column
                .entry(p.column.clone())
                .or_insert(0) += 1;
            if self.check.problems.len() < PROBLEMS_KEPT {
                self.check.problems.push(p);
            }
        }
        if self.check.repeat.is_none() {
            let Some(uuid) = look.uuid else {
                return Err(ExportError::BlankUuid {
                    file: file.to_owned(),
                    sheet: self.check.sheet.clone(),
                    row: look.row,
                    column: self.id_column.clone(),
                });
            };
            if let Some(first) = self.seen.insert(uuid.clone(), look.row) {
                return Err(ExportError::DuplicateUuid {
                    file: file.to_owned(),
                    uuid,
                    row: look.row,
                    first,
                });
            }
            self.check.submissions.push((look.row, uuid, look.time));
        }
        Ok(())
    }
}

/// One sheet's check: rows looked at, then taken in order.
struct SheetRun<'f> {
    looker: Looker<'f>,
    tally: Tally,
}

impl<'f> SheetRun<'f> {
    fn new(
        form: &'f Form,
        sheet: Option<String>,
        repeat: Option<usize>,
        headers: Vec<String>,
        now_days: f64,
    ) -> Self {
        let roles = map_columns(form, &headers, repeat);
        let checker = Checker::new(form, &headers, roles.clone(), now_days);
        let coverage = checker.coverage(repeat);
        let id = SubmissionId::find(&headers);
        let time = checker.meta_column(Meta::SubmissionTime);
        let id_column = id
            .and_then(|id| id.column())
            .and_then(|c| headers.get(c))
            .cloned()
            .unwrap_or_default();
        Self {
            looker: Looker {
                checker,
                id,
                time,
                repeat,
            },
            tally: Tally {
                check: SheetCheck {
                    sheet,
                    repeat,
                    headers,
                    roles,
                    coverage,
                    ..SheetCheck::default()
                },
                seen: std::collections::HashMap::new(),
                id_column,
            },
        }
    }

    fn row(&mut self, file: &str, row: usize, cells: &[&str]) -> Result<(), ExportError> {
        let look = self.looker.look(row, cells);
        self.tally.take(file, look)
    }
}

/// What one row's check found, before it takes its place in file order.
struct RowLook {
    row: usize,
    problems: Vec<ValueProblem>,
    uuid: Option<String>,
    time: Option<String>,
}

/// Rows handed to a checking thread at a time.
const BATCH_ROWS: usize = 2_048;

fn check_csv(
    form: &Form,
    file: &str,
    bytes: &[u8],
    now_days: f64,
) -> Result<SheetCheck, ExportError> {
    let location = |row: Option<usize>| Location {
        file: file.to_owned(),
        row,
        ..Location::default()
    };
    // The same reader as the clean data's: the same records under the same row numbers.
    let mut reader = CsvRecords::new(file, bytes)?;
    let headers = reader.headers()?;
    let mut record = csv::StringRecord::new();
    let SheetRun { looker, tally } = SheetRun::new(form, None, None, headers, now_days);
    if looker.id.is_none() {
        return Err(ExportError::NoUuid {
            file: file.to_owned(),
        });
    }
    // The reader parses on this thread; the checks run on every core, batch by batch; one
    // thread takes the results back in file order as they come, so that only the batches
    // waiting for an earlier one are held in memory, whatever the number of problems.
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let headers_len = tally.check.headers.len();
    let (work_tx, work_rx) =
        std::sync::mpsc::sync_channel::<(usize, Vec<(usize, csv::StringRecord)>)>(workers * 2);
    let work_rx = std::sync::Mutex::new(work_rx);
    let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<(usize, Vec<RowLook>)>(workers * 4);
    let looker = &looker;
    let stop = std::sync::atomic::AtomicBool::new(false);
    let stop = &stop;
    let (parsed, taken) = std::thread::scope(|scope| {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            scope.spawn(move || {
                let mut taking = true;
                loop {
                    let next = work_rx.lock().ok().and_then(|rx| rx.recv().ok());
                    let Some((index, records)) = next else { break };
                    // Once the collector has stopped (a duplicate), batches are only drained,
                    // so that the reader is never left waiting.
                    if !taking {
                        continue;
                    }
                    let looks = records
                        .iter()
                        .map(|(row, record)| {
                            let cells: Vec<&str> = record.iter().collect();
                            looker.look(*row, &cells)
                        })
                        .collect();
                    taking = done_tx.send((index, looks)).is_ok();
                }
            });
        }
        drop(done_tx);
        let collector = scope.spawn(move || -> Result<(Tally, usize), ExportError> {
            let mut tally = tally;
            let mut waiting: BTreeMap<usize, Vec<RowLook>> = BTreeMap::new();
            let mut next = 0;
            for (index, looks) in done_rx {
                waiting.insert(index, looks);
                while let Some(looks) = waiting.remove(&next) {
                    for look in looks {
                        if let Err(e) = tally.take(file, look) {
                            stop.store(true, std::sync::atomic::Ordering::Relaxed);
                            return Err(e);
                        }
                    }
                    next += 1;
                }
            }
            Ok((tally, next))
        });
        let mut batches = 0;
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        let result = loop {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                break Ok(());
            }
            let row = match reader.next_record(&mut record) {
                Ok(None) => break Ok(()),
                Ok(Some(row)) => row,
                Err(e) => break Err(ExportError::from(e)),
            };
            if is_blank_record(&record) {
                continue;
            }
            if record.len() > headers_len {
                break Err(too_many_cells(
                    file,
                    row,
                    record.len(),
                    headers_len,
                    reader.separator(),
                )
                .into());
            }
            batch.push((row, std::mem::take(&mut record)));
            if batch.len() == BATCH_ROWS {
                if work_tx.send((batches, std::mem::take(&mut batch))).is_err() {
                    break Ok(());
                }
                batches += 1;
            }
        };
        if result.is_ok() && !batch.is_empty() && work_tx.send((batches, batch)).is_ok() {
            batches += 1;
        }
        drop(work_tx);
        let taken = collector.join().unwrap_or_else(|_| {
            Err(FormatError::new(location(None), Refusal::new("export.interrupted")).into())
        });
        (result.map(|()| batches), taken)
    });
    // The collector's error (a duplicate submission) comes first: it stopped the reading.
    let (tally, taken) = taken?;
    let batches = parsed?;
    if taken != batches {
        return Err(FormatError::new(location(None), Refusal::new("export.interrupted")).into());
    }
    Ok(tally.check)
}

fn check_tables(
    form: &Form,
    file: &str,
    tables: Vec<Table>,
    now_days: f64,
) -> Result<(SheetCheck, Vec<SheetCheck>, Vec<String>), ExportError> {
    let file = file.to_owned();
    if tables.is_empty() {
        return Err(FormatError::new(
            Location {
                file,
                ..Location::default()
            },
            Refusal::new("export.no_sheet"),
        )
        .into());
    }
    let dataset = assemble(form, tables).map_err(|mut e| {
        e.at.file.clone_from(&file);
        e
    })?;
    let run_table = |table: &Table, repeat: Option<usize>| -> Result<SheetCheck, ExportError> {
        let mut run = SheetRun::new(
            form,
            table.sheet.clone(),
            repeat,
            table.headers.clone(),
            now_days,
        );
        if repeat.is_none() && run.looker.id.is_none() {
            return Err(ExportError::NoUuid { file: file.clone() });
        }
        for (row, cells) in &table.rows {
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            run.row(&file, *row, &cells)?;
        }
        Ok(run.tally.check)
    };
    let main = run_table(&dataset.main, None)?;
    let mut repeats = Vec::new();
    for rows in &dataset.repeats {
        let mut check = run_table(&rows.table, Some(rows.repeat))?;
        check.orphans = rows.orphans();
        repeats.push(check);
    }
    Ok((main, repeats, dataset.ignored))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_sheets;

    fn form() -> Form {
        let survey = Table {
            file: "f.xlsx".into(),
            sheet: Some("survey".into()),
            headers: vec!["type".into(), "name".into(), "label".into()],
            rows: vec![(2, vec!["integer".into(), "taille".into(), "Taille".into()])],
        };
        read_sheets("f.xlsx", &[survey]).unwrap()
    }

    #[test]
    fn an_export_with_labels_for_answers_is_refused_with_the_setting_to_change() {
        let form = read_sheets(
            "f.xlsx",
            &[
                Table::sheet(
                    "f.xlsx",
                    "survey",
                    &[
                        &[
                            "type",
                            "name",
                            "label::Français (fr)",
                            "label::English (en)",
                        ][..],
                        &[
                            "select_one sexe",
                            "sexe",
                            "Sexe du répondant",
                            "Respondent's sex",
                        ],
                        &["integer", "age", "Âge", "Age"],
                    ],
                ),
                Table::sheet(
                    "f.xlsx",
                    "choices",
                    &[
                        &[
                            "list_name",
                            "name",
                            "label::Français (fr)",
                            "label::English (en)",
                        ][..],
                        &["sexe", "f", "Femme", "Woman"],
                        &["sexe", "m", "Homme", "Man"],
                    ],
                ),
            ],
        )
        .unwrap();
        // Kobo's "labels" export: headers and answers as labels, here in English.
        let mut csv = String::from("_uuid;Respondent's sex;Age\n");
        for i in 0..8 {
            csv.push_str(&format!(
                "u{i};{};3{i}\n",
                if i % 2 == 0 { "Woman" } else { "Man" }
            ));
        }
        let err = check_export(&form, "labels.csv".as_ref(), csv.as_bytes(), 20_000.0).unwrap_err();
        let ExportError::LabelValues {
            column,
            name,
            count,
            ..
        } = &err
        else {
            panic!("{err}");
        };
        assert_eq!(
            (column.as_str(), name.as_str(), *count),
            ("Respondent's sex", "f", 8)
        );
        assert_eq!(err.explain().code(), "export.labels");
        // The same headers with the options' names are recognised, question by question.
        let csv = csv.replace("Woman", "f").replace("Man", "m");
        let check = check_export(&form, "labels.csv".as_ref(), csv.as_bytes(), 20_000.0).unwrap();
        assert_eq!(check.main.coverage, (2, 2));
        assert_eq!(check.problem_total(), 0);
    }

    #[test]
    fn names_that_are_also_labels_are_not_taken_for_a_labels_export() {
        let form = read_sheets(
            "f.xlsx",
            &[
                Table::sheet(
                    "f.xlsx",
                    "survey",
                    &[
                        &["type", "name", "label", "relevant"][..],
                        &["integer", "age", "Âge", ""],
                        &["select_one r", "travail", "Travail", "${age} >= 15"],
                    ],
                ),
                Table::sheet(
                    "f.xlsx",
                    "choices",
                    &[
                        &["list_name", "name", "label"][..],
                        &["r", "nsp", "nsp"],
                        &["r", "oui", "Oui"],
                    ],
                ),
            ],
        )
        .unwrap();
        // Children answered a question asked from 15 years on: problems of logic, not labels.
        let mut csv = String::from("_uuid,age,travail\n");
        for i in 0..8 {
            csv.push_str(&format!("u{i},{i},nsp\n"));
        }
        let check = check_export(&form, "e.csv".as_ref(), csv.as_bytes(), 20_000.0).unwrap();
        assert_eq!(check.problem_total(), 8);
    }

    #[test]
    fn a_duplicate_early_in_a_long_file_stops_the_check_with_its_rows() {
        let mut csv = String::from("_uuid,taille\n");
        for i in 0..50_000 {
            let uuid = if i == 1 { 0 } else { i };
            csv.push_str(&format!("u{uuid},{}\n", i % 9));
        }
        let err = check_export(&form(), "long.csv".as_ref(), csv.as_bytes(), 20_000.0).unwrap_err();
        assert_eq!(
            err,
            ExportError::DuplicateUuid {
                file: "long.csv".into(),
                uuid: "u0".into(),
                row: 3,
                first: 2,
            }
        );
    }

    #[test]
    fn a_blank_uuid_is_named_by_its_row_not_as_a_missing_column() {
        let csv = b"_uuid,taille\r\na1,4\r\n,5\r\n";
        let err = check_export(&form(), "export.csv".as_ref(), csv, 20_000.0).unwrap_err();
        assert_eq!(
            err,
            ExportError::BlankUuid {
                file: "export.csv".into(),
                sheet: None,
                row: 3,
                column: "_uuid".into(),
            }
        );
        assert_eq!(err.explain().at.row, Some(3));
        let err =
            check_export(&form(), "export.csv".as_ref(), b"taille\n4\n", 20_000.0).unwrap_err();
        assert!(matches!(err, ExportError::NoUuid { .. }), "{err}");
    }
}
