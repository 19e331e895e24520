//! `sigida form inspect`: what an XLSForm holds, or where it is wrong; `sigida form xform`: its
//! ODK XForm.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use sigida_xlsform::form::{Form, GroupKind, Personal};
use sigida_xlsform::read_form;

use crate::Failure;

fn read(file: &Path) -> Result<Form, Failure> {
    read_form(file).map_err(|e| {
        Failure::Input(format!(
            "formulaire illisible :\n{}",
            sigida_app::common::explain::form_error(crate::tr(), &e)
        ))
    })
}

/// Prints the form's XForm, as ODK Collect, Enketo and ODK Central read it.
pub fn xform(file: &Path) -> Result<(), Failure> {
    println!("{}", sigida_xlsform::xform::write(&read(file)?));
    Ok(())
}

pub fn inspect(file: &Path, json: bool, language: &str) -> Result<(), Failure> {
    let form = read(file)?;
    if json {
        let summary = serde_json::json!({
            "questions": form.questions.len(),
            "generated_questions": form.questions.iter().filter(|q| q.generated).count(),
            "groups": form.groups.iter().filter(|g| g.kind == GroupKind::Group).count(),
            "repeats": form.groups.iter().filter(|g| g.kind == GroupKind::Repeat).count(),
            "choice_lists": form.choice_lists.len(),
            "choices": form.choice_lists.iter().map(|l| l.choices.len()).sum::<usize>(),
            "personal_questions": form.questions.iter().filter(|q| q.personal.is_some()).map(|q| &q.name).collect::<Vec<_>>(),
        });
        let mut value = serde_json::to_value(&form).map_err(|e| Failure::Other(e.to_string()))?;
        value["summary"] = summary;
        println!(
            "{}",
            serde_json::to_string_pretty(&value).map_err(|e| Failure::Other(e.to_string()))?
        );
    } else {
        print!("{}", describe(&form, language));
    }
    Ok(())
}

fn describe(form: &Form, language: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Formulaire : {}{}{}",
        form.title.as_deref().unwrap_or("(sans titre)"),
        form.form_id
            .as_deref()
            .map(|id| format!("  · id {id}"))
            .unwrap_or_default(),
        form.version
            .as_deref()
            .map(|v| format!("  · version {v}"))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "Fichier : {}", form.file);
    let languages = if form.languages.is_empty() {
        "(colonnes sans langue)".to_owned()
    } else {
        form.languages.join(", ")
    };
    let _ = writeln!(
        out,
        "Langues : {languages}{}",
        form.default_language
            .as_deref()
            .map(|d| format!(" (par défaut : {d})"))
            .unwrap_or_default()
    );
    let count = |kind| form.groups.iter().filter(|g| g.kind == kind).count();
    let choices: usize = form.choice_lists.iter().map(|l| l.choices.len()).sum();
    let generated = form.questions.iter().filter(|q| q.generated).count();
    let _ = writeln!(
        out,
        "Questions : {} (dont {generated} ajoutées par or_other ou repeat_count) · groupes : {} · répétitions : {} · listes de choix : {} ({choices} options)",
        form.questions.len(),
        count(GroupKind::Group),
        count(GroupKind::Repeat) + count(GroupKind::Loop),
        form.choice_lists.len()
    );
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    for q in &form.questions {
        *by_type.entry(q.kind.type_name()).or_default() += 1;
    }
    let types: Vec<String> = by_type.iter().map(|(t, n)| format!("{t} {n}")).collect();
    let _ = writeln!(out, "Par type : {}", types.join(", "));

    let personal: Vec<_> = form
        .questions
        .iter()
        .filter(|q| q.personal.is_some())
        .collect();
    let _ = writeln!(out, "\nDonnées personnelles ({}) :", personal.len());
    for q in &personal {
        let why = match &q.personal {
            Some(Personal::Marked) => "marquée dans le formulaire (sigida_pii)".to_owned(),
            Some(Personal::Name { word }) => format!("son nom contient « {word} »"),
            Some(Personal::Type) => format!("type {}", q.kind.type_name()),
            None => String::new(),
        };
        let _ = writeln!(out, "  - {} (ligne {}) : {why}", form.path(q), q.row);
    }
    if !form.warnings.is_empty() {
        let _ = writeln!(out, "\nAvertissements ({}) :", form.warnings.len());
        for w in &form.warnings {
            let _ = writeln!(out, "  - {w}");
        }
    }

    let _ = writeln!(out, "\nStructure :");
    let mut open: Vec<usize> = Vec::new();
    let depth_of = |mut g: Option<usize>| {
        let mut d = 0;
        while let Some(i) = g {
            d += 1;
            g = form.groups[i].parent;
        }
        d
    };
    let chain = |g: Option<usize>| {
        let mut v = Vec::new();
        let mut g = g;
        while let Some(i) = g {
            v.push(i);
            g = form.groups[i].parent;
        }
        v.reverse();
        v
    };
    for q in &form.questions {
        let groups = chain(q.group);
        // Print the groups this question enters.
        let common = open.iter().zip(&groups).take_while(|(a, b)| a == b).count();
        open.truncate(common);
        for &g in &groups[common..] {
            let group = &form.groups[g];
            let indent = "  ".repeat(depth_of(group.parent) + 1);
            let kind = match group.kind {
                GroupKind::Group => "groupe",
                GroupKind::Repeat => "répétition",
                GroupKind::Loop => "boucle",
            };
            let label = form
                .text(&group.label, language)
                .map(|l| format!(" — {l}"))
                .unwrap_or_default();
            let count = group
                .repeat_count
                .as_deref()
                .map(|c| format!(" (nombre : {c})"))
                .unwrap_or_default();
            let _ = writeln!(out, "{indent}[{kind}] {}{label}{count}", group.name);
            open.push(g);
        }
        let indent = "  ".repeat(depth_of(q.group) + 1);
        let list = q.kind.list().map(|l| format!(" {l}")).unwrap_or_default();
        let label = form
            .text(&q.label, language)
            .map(|l| format!(" — {}", shorten(l)))
            .unwrap_or_default();
        let flag = if q.personal.is_some() {
            "  [données personnelles]"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{indent}{} ({}{list}){label}{flag}",
            q.name,
            q.kind.type_name()
        );
    }
    out
}

/// A label on one line, cut at about a hundred characters.
fn shorten(label: &str) -> String {
    let flat = label.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 100 {
        flat
    } else {
        format!("{}…", flat.chars().take(99).collect::<String>())
    }
}
