//! KoboToolbox's JSON, as its API v2 returns it: an asset's `content` (the form: survey,
//! choices, settings, translations) and the submissions of `/assets/{uid}/data/`. Both become
//! the same sheets an XLSForm or an export would give, so one reader and one checker serve all.

use serde_json::Value;
use sigida_formats::table::Table;
use sigida_formats::{FormatError, Location, Refusal};

fn failure(file: &str, what: Refusal) -> FormatError {
    FormatError::new(
        Location {
            file: file.to_owned(),
            ..Location::default()
        },
        what,
    )
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        // Lists and objects (`_attachments`, `_validation_status`…) keep their JSON text.
        other => other.to_string(),
    }
}

/// The sheets of a Kobo asset's form (`content`), as an XLSForm would have them.
pub fn form_sheets(file: &str, asset: &Value) -> Result<Vec<Table>, FormatError> {
    let content = asset.get("content").unwrap_or(asset);
    let survey = content
        .get("survey")
        .and_then(Value::as_array)
        .ok_or_else(|| failure(file, Refusal::new("kobo.no_form")))?;
    let translations: Vec<String> = content
        .get("translations")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .map(|l| match l {
                    Value::Null => String::new(),
                    other => text(other),
                })
                .collect()
        })
        .unwrap_or_else(|| vec![String::new()]);
    let translated: Vec<String> = content
        .get("translated")
        .and_then(Value::as_array)
        .map(|t| t.iter().map(text).collect())
        .unwrap_or_default();
    let header_of = |column: &str, i: usize| -> String {
        match translations.get(i).filter(|l| !l.is_empty()) {
            Some(language) => format!("{column}::{language}"),
            None => column.to_owned(),
        }
    };
    let sheet = |name: &str, rows: &[Value], skip: &[&str]| -> Table {
        let mut headers: Vec<String> = Vec::new();
        let mut cells: Vec<Vec<(String, String)>> = Vec::new();
        for row in rows {
            let Some(object) = row.as_object() else {
                continue;
            };
            let mut row_cells = Vec::new();
            for (key, value) in object {
                if key.starts_with('$') || skip.contains(&key.as_str()) {
                    continue;
                }
                if translated.contains(key)
                    && let Some(values) = value.as_array()
                {
                    for (i, v) in values.iter().enumerate() {
                        row_cells.push((header_of(key, i), text(v)));
                    }
                } else {
                    row_cells.push((key.clone(), text(value)));
                }
            }
            // Kobo writes selects as a bare type and the list apart.
            if let Some(list) = object.get("select_from_list_name").and_then(Value::as_str) {
                for cell in row_cells.iter_mut().filter(|(k, _)| k == "type") {
                    cell.1 = format!("{} {list}", cell.1);
                }
            }
            // Kobo's automatic names stand where no name was given.
            if !object.contains_key("name")
                && let Some(auto) = object.get("$autoname").and_then(Value::as_str)
            {
                row_cells.push(("name".into(), auto.to_owned()));
            }
            for (k, _) in &row_cells {
                if !headers.contains(k) {
                    headers.push(k.clone());
                }
            }
            cells.push(row_cells);
        }
        let rows = cells
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let mut line = vec![String::new(); headers.len()];
                for (k, v) in row {
                    if let Some(p) = headers.iter().position(|h| *h == k) {
                        line[p] = v;
                    }
                }
                (i + 2, line)
            })
            .collect();
        Table {
            file: file.to_owned(),
            sheet: Some(name.to_owned()),
            headers,
            rows,
        }
    };
    let mut sheets = vec![sheet("survey", survey, &["select_from_list_name"])];
    if let Some(choices) = content.get("choices").and_then(Value::as_array) {
        sheets.push(sheet("choices", choices, &[]));
    }
    if let Some(settings) = content.get("settings").and_then(Value::as_object)
        && !settings.is_empty()
    {
        let mut table = sheet("settings", &[Value::Object(settings.clone())], &[]);
        if let Some(title) = asset.get("name").and_then(Value::as_str)
            && !table.headers.iter().any(|h| h == "form_title")
        {
            table.headers.push("form_title".into());
            table.rows[0].1.push(title.to_owned());
        }
        sheets.push(table);
    } else if let Some(title) = asset.get("name").and_then(Value::as_str) {
        sheets.push(Table {
            file: file.to_owned(),
            sheet: Some("settings".into()),
            headers: vec!["form_title".into()],
            rows: vec![(2, vec![title.to_owned()])],
        });
    }
    Ok(sheets)
}

/// The submissions of `/assets/{uid}/data/` (one page, or every page's `results` merged into
/// one list) as an export's main sheet. Repeats arrive as lists inside a submission and stay
/// there, as JSON text.
pub fn data_table(file: &str, data: &Value) -> Result<Table, FormatError> {
    let results = match data {
        Value::Array(items) => items,
        other => other
            .get("results")
            .and_then(Value::as_array)
            .ok_or_else(|| failure(file, Refusal::new("kobo.no_results")))?,
    };
    let mut headers: Vec<String> = Vec::new();
    for submission in results {
        if let Some(object) = submission.as_object() {
            for key in object.keys() {
                if !headers.contains(key) {
                    headers.push(key.clone());
                }
            }
        }
    }
    let rows = results
        .iter()
        .enumerate()
        .map(|(i, submission)| {
            let cells = headers
                .iter()
                .map(|h| submission.get(h).map(text).unwrap_or_default())
                .collect();
            // Row numbers count like a spreadsheet's: the headers are row 1.
            (i + 2, cells)
        })
        .collect();
    Ok(Table {
        file: file.to_owned(),
        sheet: None,
        headers,
        rows,
    })
}

/// Parses JSON bytes, naming the file on failure.
/// The largest Kobo JSON read: parsed, JSON takes several times its size in memory, and an
/// export of more submissions is better downloaded as XLSX or CSV.
pub const MAX_JSON_BYTES: usize = 64 << 20;

pub fn parse(file: &str, bytes: &[u8]) -> Result<Value, FormatError> {
    if bytes.len() > MAX_JSON_BYTES {
        return Err(FormatError::new(
            Location {
                file: file.to_owned(),
                ..Location::default()
            },
            Refusal::new("kobo.too_big").arg("mib", (MAX_JSON_BYTES >> 20).to_string()),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        FormatError::new(
            Location {
                file: file.to_owned(),
                row: Some(e.line()),
                ..Location::default()
            },
            Refusal::new("kobo.json").arg("detail", e.to_string()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_too_large_for_memory_is_refused_unread() {
        let big = vec![b' '; MAX_JSON_BYTES + 1];
        let err = parse("data.json", &big).unwrap_err();
        assert_eq!(err.code(), "kobo.too_big", "{err}");
    }
    use crate::read::read_sheets;

    #[test]
    fn a_kobo_asset_becomes_a_form_and_its_data_an_export() {
        let asset: Value = serde_json::json!({
            "name": "Enquête",
            "content": {
                "survey": [
                    {"type": "start", "name": "start", "$kuid": "x"},
                    {"type": "begin_group", "name": "g", "label": ["Groupe", "Groupe FR"]},
                    {"type": "select_one", "$autoname": "animal", "label": ["Pet?", "Animal ?"], "select_from_list_name": "yn"},
                    {"type": "end_group"}
                ],
                "choices": [
                    {"list_name": "yn", "name": "1", "label": ["Yes", "Oui"]},
                    {"list_name": "yn", "name": "0", "label": ["No", "Non"]}
                ],
                "settings": {},
                "translated": ["label"],
                "translations": ["English (en)", "Francais (fr)"]
            }
        });
        let form = read_sheets("a.json", &form_sheets("a.json", &asset).unwrap()).unwrap();
        assert_eq!(form.title.as_deref(), Some("Enquête"));
        assert_eq!(form.languages, ["English (en)", "Francais (fr)"]);
        let q = form.question("animal").unwrap();
        assert_eq!(q.kind.list(), Some("yn"));
        assert_eq!(form.text(&q.label, "fr"), Some("Animal ?"));
        assert_eq!(form.path(q), "g/animal");

        let data = serde_json::json!({"count": 1, "next": null, "results": [
            {"_uuid": "u1", "g/animal": "1", "_tags": [], "_geolocation": [null, null]}
        ]});
        let table = data_table("d.json", &data).unwrap();
        assert_eq!(
            table.headers,
            ["_uuid", "g/animal", "_tags", "_geolocation"]
        );
        assert_eq!(table.rows[0].1, ["u1", "1", "[]", "[null,null]"]);
    }
}
