//! The cleaning log's vocabulary: what checks found and what people decided about it. The
//! rules that apply it to data live with the data formats (`sigida-xlsform::cleaning`).

use serde::{Deserialize, Serialize};

/// What to do about a log entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Not decided yet.
    Pending,
    /// `change_response`: the value becomes `new_value`.
    Change,
    /// `blank_response`: the value is removed.
    Blank,
    /// `remove_survey`: the whole submission is left out.
    Remove,
    /// `no_action`: the value stays as it is.
    Keep,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Decision::Pending => "",
            Decision::Change => "change_response",
            Decision::Blank => "blank_response",
            Decision::Remove => "remove_survey",
            Decision::Keep => "no_action",
        }
    }

    pub fn parse(code: &str) -> Option<Decision> {
        Some(match code.trim().to_lowercase().as_str() {
            "" | "pending" | "tbd" => Decision::Pending,
            "change_response" | "change" => Decision::Change,
            "blank_response" | "blank" => Decision::Blank,
            "remove_survey" | "remove" | "delete" | "delete_survey" => Decision::Remove,
            "no_action" | "keep" | "no_change" => Decision::Keep,
            _ => return None,
        })
    }
}

/// One line of the cleaning log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub uuid: String,
    /// The repeat row the entry is about, as its path below the submission (`roster[2]`,
    /// `roster[2]/vaccins[1]`); empty for the submission's own answers.
    #[serde(default)]
    pub loop_index: String,
    /// The column, as the export names it (`tot_expenses`, `water_sources/borehole`); empty
    /// for an entry about the whole submission.
    pub question: String,
    pub old_value: String,
    pub new_value: String,
    pub issue: String,
    /// The check that raised it (`outlier_iqr`, `duration`…), or `manual`.
    pub check: String,
    pub decision: Decision,
    pub author: String,
    pub date: String,
    pub reason: String,
}

/// The header row of a log written by Sigida.
pub const LOG_HEADERS: [&str; 11] = [
    "uuid",
    "loop_index",
    "question",
    "old_value",
    "new_value",
    "issue",
    "check",
    "change_type",
    "author",
    "date",
    "reason",
];

impl LogEntry {
    /// The repeat a `loop_index` points into: the name of its last step (`vaccins` in
    /// `roster[2]/vaccins[1]`).
    pub fn repeat_name(&self) -> Option<&str> {
        let last = self.loop_index.rsplit('/').next()?;
        let (name, _) = last.split_once('[')?;
        (!name.is_empty()).then_some(name)
    }

    pub fn cells(&self) -> [&str; 11] {
        [
            &self.uuid,
            &self.loop_index,
            &self.question,
            &self.old_value,
            &self.new_value,
            &self.issue,
            &self.check,
            self.decision.code(),
            &self.author,
            &self.date,
            &self.reason,
        ]
    }
}
