//! The ODK XForm (XML) of a form, as pyxform 4.5.0 writes it: the primary instance (groups,
//! repeats with their templates, loops over a list expanded per option, defaults, `meta` with
//! `instanceID`, `instanceName` and the audit), one secondary instance per choice list, the
//! binds (references relative inside a repeat), the body's controls with their labels and hints
//! (inline, or in `itext` when the form names languages or a question has media) and the choice
//! lists' itemsets, the form's own or read from a file (`select_one_from_file`).
//!
//! Written so that ODK Collect, Enketo and Sigida's own OpenRosa endpoints read what Kobo or
//! ODK Central would serve for the same XLSForm. Not yet written as pyxform does: entities,
//! `flat` groups, custom `bind::` attribute columns, Excel date cells written as pyxform writes
//! them (the reader gives ISO dates); the comparison with pyxform's output
//! (`tests/xform_pyxform.rs`) says which shared forms agree.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use crate::form::{Form, GroupKind, Question, QuestionKind, Translations};

/// The XForm of `form`.
pub fn write(form: &Form) -> String {
    let mut form = expand_loops(form);
    expand_table_lists(&mut form);
    Writer::new(&form).document()
}

/// pyxform's `begin loop over LIST`: the loop becomes a group holding one group per option of
/// the list (named and labelled by the option), each with a copy of the loop's content, where
/// `%(label)s` in a label reads the option's label in that language and `%(name)s` in an
/// expression its name.
fn expand_loops(form: &Form) -> Form {
    let mut form = form.clone();
    while let Some(loop_at) = form.groups.iter().position(|g| g.kind == GroupKind::Loop) {
        let list = form.groups[loop_at].list.clone().unwrap_or_default();
        form.groups[loop_at].kind = GroupKind::Group;
        let choices = form
            .choice_lists
            .iter()
            .find(|l| l.name == list)
            .map(|l| l.choices.clone())
            .unwrap_or_default();
        // The loop's content: the groups below it (by index) and the questions in them.
        let mut inside: Vec<usize> = vec![loop_at];
        let mut grew = true;
        while grew {
            grew = false;
            for (i, g) in form.groups.iter().enumerate() {
                if !inside.contains(&i) && g.parent.is_some_and(|p| inside.contains(&p)) {
                    inside.push(i);
                    grew = true;
                }
            }
        }
        let groups_below: Vec<usize> = inside[1..].to_vec();
        let questions: Vec<usize> = form
            .questions
            .iter()
            .enumerate()
            .filter(|(_, q)| q.group.is_some_and(|g| inside.contains(&g)))
            .map(|(i, _)| i)
            .collect();
        let originals_groups: Vec<_> = groups_below
            .iter()
            .map(|&i| form.groups[i].clone())
            .collect();
        let originals_questions: Vec<_> = questions
            .iter()
            .map(|&i| form.questions[i].clone())
            .collect();
        // Remove the originals (questions by index, highest first; groups are kept but
        // emptied of their place: they become the first option's copies below).
        for &i in questions.iter().rev() {
            form.questions.remove(i);
        }
        for (n, choice) in choices.iter().enumerate() {
            let option_group = form.groups.len();
            form.groups.push(crate::form::Group {
                name: choice.name.clone(),
                kind: GroupKind::Group,
                row: n,
                label: choice.label.clone(),
                hint: Translations::new(),
                relevant: None,
                repeat_count: None,
                appearance: None,
                parent: Some(loop_at),
                list: None,
            });
            let label_of = |t: &Translations| -> Translations {
                t.iter()
                    .map(|(lang, text)| {
                        let option = choice
                            .label
                            .get(lang)
                            .or_else(|| choice.label.values().next())
                            .cloned()
                            .unwrap_or_default();
                        (lang.clone(), text.replace("%(label)s", &option))
                    })
                    .collect()
            };
            // Each group below the loop, copied under this option; `placed` says where a copy
            // goes (the option's group, or the copy of the group the original was in).
            let first_copy = form.groups.len();
            let placed = |p: usize| {
                if p == loop_at {
                    option_group
                } else {
                    first_copy + groups_below.iter().position(|&x| x == p).unwrap_or(0)
                }
            };
            for g in &originals_groups {
                let mut copy = g.clone();
                copy.label = label_of(&g.label);
                copy.parent = g.parent.map(placed);
                form.groups.push(copy);
            }
            let named =
                |e: &Option<String>| e.as_ref().map(|e| e.replace("%(name)s", &choice.name));
            for q in &originals_questions {
                let mut copy = q.clone();
                copy.label = label_of(&q.label);
                copy.hint = label_of(&q.hint);
                copy.relevant = named(&q.relevant);
                copy.constraint = named(&q.constraint);
                copy.calculation = named(&q.calculation);
                copy.required = named(&q.required);
                copy.choice_filter = named(&q.choice_filter);
                copy.default = named(&q.default);
                copy.group = q.group.map(placed);
                form.questions.push(copy);
            }
        }
        // The original groups below the loop hold nothing now: out of the tree.
        for &i in &groups_below {
            form.groups[i].parent = Some(DETACHED);
        }
    }
    form
}

/// pyxform's `table-list` group: a `field-list` whose first row is the group's label and hint
/// (a note, when it has either) and a select showing only the options (`label` appearance),
/// each question below it showing only its buttons (`list-nolabel`).
fn expand_table_lists(form: &mut Form) {
    for i in 0..form.groups.len() {
        let g = &form.groups[i];
        if !g
            .appearance
            .as_deref()
            .is_some_and(|a| a.split_whitespace().any(|w| w == "table-list"))
        {
            continue;
        }
        let (row, label, hint) = (g.row, g.label.clone(), g.hint.clone());
        let first_select = form
            .questions
            .iter()
            .filter(|q| q.group == Some(i))
            .min_by_key(|q| q.row)
            .map(|q| q.kind.clone());
        let g = &mut form.groups[i];
        g.appearance = Some("field-list".to_owned());
        g.label = Translations::new();
        g.hint = Translations::new();
        for q in form.questions.iter_mut().filter(|q| q.group == Some(i)) {
            q.appearance = Some("list-nolabel".to_owned());
        }
        let make = |name: String, kind: QuestionKind| {
            crate::read::generated_question(name, row, kind, None, Some(i), None)
        };
        if !label.is_empty() || !hint.is_empty() {
            let mut note = make(
                format!("generated_table_list_label_{row}"),
                QuestionKind::Note,
            );
            note.label = label;
            note.hint = hint;
            // Its label is the group's, translated as the group's was.
            note.generated = false;
            form.questions.push(note);
        }
        if let Some(kind) = first_select {
            let mut options = make(
                format!("reserved_name_for_field_list_labels_{}", row + 1),
                kind,
            );
            options.label = Translations::from([(String::new(), " ".to_owned())]);
            // Its blank label is written inline, as for the questions pyxform adds.
            options.appearance = Some("label".to_owned());
            form.questions.push(options);
        }
    }
}

/// The parent of a group taken out of the tree (a loop's original content, copied per option).
const DETACHED: usize = usize::MAX;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
    out
}

/// The instance id of a list read from a file: its name without extension.
fn file_instance(file: &str) -> String {
    std::path::Path::new(file)
        .file_stem()
        .map_or_else(|| file.to_owned(), |s| s.to_string_lossy().into_owned())
}

/// A yes or no of the sheet (`yes`, `true()`…), `None` for an expression.
fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "true()" => Some(true),
        "no" | "false" | "false()" => Some(false),
        _ => None,
    }
}

/// The `audit` metadata, which pyxform keeps in `meta`.
fn is_audit(q: &Question) -> bool {
    matches!(&q.kind, QuestionKind::Metadata { name } if name == "audit")
}

/// pyxform's `phone number` question: text of digits (the device's number is the metadata
/// `phonenumber`).
fn is_phone_number(q: &Question) -> bool {
    q.type_text.trim().eq_ignore_ascii_case("phone number")
}

/// Whether a column's name can name an element of an itemset's item.
fn element_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// A node of the survey in sheet order: a group (by index) or a question (by index).
#[derive(Clone, Copy)]
enum Node {
    Group(usize),
    Question(usize),
}

struct Writer<'f> {
    form: &'f Form,
    root: String,
    /// Whether any label or hint names a language (then all go to `itext`).
    translated: bool,
    /// The media of the questions that have some, by path: (image, audio, video…) → file by
    /// language. Their labels go to `itext`, as pyxform writes them.
    media: HashMap<String, BTreeMap<String, Translations>>,
    /// For each node's path, the group its references are read from (a question's group, a
    /// group's parent): its texts' references are relative inside a repeat, like its binds'.
    contexts: HashMap<String, Option<usize>>,
    /// What `${name}` names: the path of the first question of that name, or else of the
    /// group, and whether it is a question's (a group is always named by its whole path).
    names: HashMap<String, (String, bool)>,
    /// The choice lists a select uses, in the order of the choices sheet.
    lists: Vec<String>,
}

impl<'f> Writer<'f> {
    fn new(form: &'f Form) -> Self {
        let root = form
            .settings
            .get("name")
            .cloned()
            .unwrap_or_else(|| "data".to_owned());
        let named = |t: &Translations| t.keys().any(|k| !k.is_empty());
        let translated = form
            .questions
            .iter()
            .any(|q| named(&q.label) || named(&q.hint))
            || form.groups.iter().any(|g| named(&g.label))
            || form
                .choice_lists
                .iter()
                .any(|l| l.choices.iter().any(|c| named(&c.label)));
        let used: BTreeSet<&str> = form
            .questions
            .iter()
            .filter_map(|q| match &q.kind {
                QuestionKind::SelectOne { list, .. }
                | QuestionKind::SelectMultiple { list, .. }
                | QuestionKind::Rank { list, .. } => Some(list.as_str()),
                _ => None,
            })
            .collect();
        let lists = form
            .choice_lists
            .iter()
            .filter(|l| used.contains(l.name.as_str()))
            .map(|l| l.name.clone())
            .collect();
        let mut writer = Writer {
            form,
            root,
            translated,
            media: HashMap::new(),
            contexts: HashMap::new(),
            names: HashMap::new(),
            lists,
        };
        for q in &form.questions {
            let path = writer.path(q);
            if !q.media.is_empty() {
                writer.media.insert(path.clone(), q.media.clone());
            }
            writer
                .names
                .entry(q.name.clone())
                .or_insert_with(|| (path.clone(), true));
            writer.contexts.insert(path, q.group);
        }
        for (i, g) in form.groups.iter().enumerate() {
            if g.parent != Some(DETACHED) {
                let path = writer.group_path(Some(i));
                writer
                    .names
                    .entry(g.name.clone())
                    .or_insert_with(|| (path.clone(), false));
                writer.contexts.insert(path, g.parent);
            }
        }
        writer
    }

    fn id(&self) -> String {
        self.form.form_id.clone().unwrap_or_else(|| {
            std::path::Path::new(&self.form.file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "data".to_owned())
        })
    }

    /// The children of a group (`None`: the survey), in sheet order.
    fn children(&self, parent: Option<usize>) -> Vec<Node> {
        let mut nodes: Vec<(usize, Node)> = Vec::new();
        for (i, g) in self.form.groups.iter().enumerate() {
            if g.parent == parent {
                nodes.push((g.row, Node::Group(i)));
            }
        }
        for (i, q) in self.form.questions.iter().enumerate() {
            if q.group == parent {
                nodes.push((q.row, Node::Question(i)));
            }
        }
        // A repeat's count node (pyxform's, on the repeat's own row) comes before it.
        nodes.sort_by_key(|(row, node)| (*row, matches!(node, Node::Group(_))));
        nodes.into_iter().map(|(_, n)| n).collect()
    }

    fn group_path(&self, group: Option<usize>) -> String {
        let mut names = Vec::new();
        let mut at = group;
        while let Some(g) = at.and_then(|i| self.form.groups.get(i)) {
            names.push(g.name.as_str());
            at = g.parent;
        }
        names.reverse();
        let mut path = format!("/{}", self.root);
        for n in names {
            path.push('/');
            path.push_str(n);
        }
        path
    }

    fn path(&self, q: &Question) -> String {
        format!("{}/{}", self.group_path(q.group), q.name)
    }

    /// The repeats a group lies in (their paths), innermost first.
    fn repeats_of(&self, group: Option<usize>) -> Vec<String> {
        let mut out = Vec::new();
        let mut at = group;
        while let Some(i) = at {
            let Some(g) = self.form.groups.get(i) else {
                break;
            };
            if g.kind == GroupKind::Repeat {
                out.push(self.group_path(Some(i)));
            }
            at = g.parent;
        }
        out
    }

    /// How `target` is written from the bind of the node at `context` (its path and the
    /// group it lies in): relative (`../x`) when both lie in one repeat (the context's or one
    /// around it), as pyxform writes it, absolute otherwise.
    fn reference(&self, target: &str, context: Option<(&str, Option<usize>)>) -> String {
        let Some((path, group)) = context else {
            return target.to_owned();
        };
        let shared = self
            .repeats_of(group)
            .iter()
            .any(|repeat| target.starts_with(&format!("{repeat}/")));
        if !shared {
            return target.to_owned();
        }
        let here: Vec<&str> = path.split('/').collect();
        let there: Vec<&str> = target.split('/').collect();
        let common = here.iter().zip(&there).take_while(|(a, b)| a == b).count();
        let mut out = "../".repeat(here.len() - common);
        out.push_str(&there[common..].join("/"));
        out
    }

    /// `${name}` written as the question's path, with a space either side as pyxform writes
    /// it; typographic quotes straightened, as pyxform does.
    fn expression(&self, text: &str) -> String {
        self.expression_in(text, None)
    }

    fn expression_in(&self, text: &str, context: Option<(&str, Option<usize>)>) -> String {
        let text = text
            .replace(['\u{2018}', '\u{2019}'], "'")
            .replace(['\u{201c}', '\u{201d}'], "\"");
        let text = text.as_str();
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match after.find('}') {
                Some(end) => {
                    match self.names.get(&after[..end]) {
                        Some((path, question)) => {
                            out.push(' ');
                            if *question {
                                out.push_str(&self.reference(path, context));
                            } else {
                                out.push_str(path);
                            }
                            out.push(' ');
                        }
                        None => out.push_str(&rest[start..start + 2 + end + 1]),
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn document(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "<?xml version=\"1.0\"?><h:html xmlns=\"http://www.w3.org/2002/xforms\" \
             xmlns:h=\"http://www.w3.org/1999/xhtml\" xmlns:ev=\"http://www.w3.org/2001/xml-events\" \
             xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:jr=\"http://openrosa.org/javarosa\" \
             xmlns:orx=\"http://openrosa.org/xforms\" xmlns:odk=\"http://www.opendatakit.org/xforms\">",
        );
        let title = self.form.title.clone().unwrap_or_else(|| self.id());
        let _ = write!(out, "<h:head><h:title>{}</h:title>", escape(&title));
        out.push_str("<model odk:xforms-version=\"1.0.0\">");
        if self.translated || !self.media.is_empty() {
            out.push_str(&self.itext());
        }
        let _ = write!(
            out,
            "<instance><{} id=\"{}\"",
            self.root,
            escape(&self.id())
        );
        if let Some(v) = &self.form.version {
            let _ = write!(out, " version=\"{}\"", escape(v));
        }
        out.push('>');
        self.instance(None, None, &mut out);
        out.push_str("<meta>");
        if self.form.questions.iter().any(is_audit) {
            out.push_str("<audit/>");
        }
        out.push_str("<instanceID/>");
        if self.form.settings.contains_key("instance_name") {
            out.push_str("<instanceName/>");
        }
        let _ = write!(out, "</meta></{}></instance>", self.root);
        for list in &self.lists {
            out.push_str(&self.choices_instance(list));
        }
        for (id, src) in self.files() {
            let _ = write!(
                out,
                "<instance id=\"{}\" src=\"{}\"/>",
                escape(&id),
                escape(&src)
            );
        }
        self.binds(None, &mut out);
        if self.form.questions.iter().any(is_audit) {
            let _ = write!(
                out,
                "<bind nodeset=\"/{}/meta/audit\" type=\"binary\"/>",
                self.root
            );
        }
        let _ = write!(
            out,
            "<bind nodeset=\"/{}/meta/instanceID\" type=\"string\" readonly=\"true()\" jr:preload=\"uid\"/>",
            self.root
        );
        if let Some(name) = self.form.settings.get("instance_name") {
            let _ = write!(
                out,
                "<bind nodeset=\"/{}/meta/instanceName\" type=\"string\" calculate=\"{}\"/>",
                self.root,
                escape(&self.expression(name))
            );
        }
        out.push_str("</model></h:head><h:body>");
        self.body(None, &mut out);
        out.push_str("</h:body></h:html>");
        out
    }

    /// The instance below `parent`. Outside any repeat, a repeat is written twice: its
    /// template (with every repeat inside it a template too), then its first instance (with
    /// none); `templates` says which of the two is being written below a repeat.
    fn instance(&self, parent: Option<usize>, templates: Option<bool>, out: &mut String) {
        for node in self.children(parent) {
            match node {
                Node::Group(i) => {
                    let g = &self.form.groups[i];
                    let repeat = g.kind == GroupKind::Repeat;
                    if repeat && templates != Some(false) {
                        let _ = write!(out, "<{} jr:template=\"\">", g.name);
                        self.instance(Some(i), Some(true), out);
                        let _ = write!(out, "</{}>", g.name);
                    }
                    if !repeat || templates != Some(true) {
                        let _ = write!(out, "<{}>", g.name);
                        self.instance(Some(i), if repeat { Some(false) } else { templates }, out);
                        let _ = write!(out, "</{}>", g.name);
                    }
                }
                Node::Question(i) => {
                    let q = &self.form.questions[i];
                    if is_audit(q) {
                        continue;
                    }
                    match q.default.as_deref().filter(|d| !d.contains("${")) {
                        Some(d) => {
                            let _ = write!(out, "<{0}>{1}</{0}>", q.name, escape(d));
                        }
                        None => {
                            let _ = write!(out, "<{}/>", q.name);
                        }
                    }
                }
            }
        }
    }

    /// The lists read from files of the form's media (`select_one_from_file`): each one's
    /// instance id (the file's name without extension) and where Collect finds it.
    fn files(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for q in &self.form.questions {
            if let QuestionKind::SelectFromFile { file, .. } = &q.kind {
                let id = file_instance(file);
                let src = if file.to_ascii_lowercase().ends_with(".csv") {
                    format!("jr://file-csv/{file}")
                } else {
                    format!("jr://file/{file}")
                };
                if !out.iter().any(|(i, _)| *i == id) {
                    out.push((id, src));
                }
            }
        }
        out
    }

    fn choices_instance(&self, list: &str) -> String {
        let mut out = format!("<instance id=\"{}\"><root>", escape(list));
        if let Some(l) = self.form.choice_lists.iter().find(|l| l.name == list) {
            for (i, c) in l.choices.iter().enumerate() {
                out.push_str("<item>");
                if self.translated {
                    let _ = write!(out, "<itextId>{}-{i}</itextId>", escape(list));
                    let _ = write!(out, "<name>{}</name>", escape(&c.name));
                } else {
                    let _ = write!(out, "<name>{}</name>", escape(&c.name));
                    let label = c.label.get("").cloned().unwrap_or_default();
                    let _ = write!(out, "<label>{}</label>", escape(&label));
                }
                for (k, v) in c.extra.iter().filter(|(k, _)| element_name(k)) {
                    let _ = write!(out, "<{k}>{}</{k}>", escape(v));
                }
                out.push_str("</item>");
            }
        }
        out.push_str("</root></instance>");
        out
    }

    /// A question's bind type and the attributes its type implies (a metadata's preload).
    fn bind_type(q: &Question) -> Option<(&'static str, Vec<(&'static str, &str)>)> {
        let plain = |t| Some((t, Vec::new()));
        match &q.kind {
            // The old `trigger` type: a button, no value to bind.
            QuestionKind::Acknowledge if q.type_text.trim().eq_ignore_ascii_case("trigger") => None,
            QuestionKind::Integer | QuestionKind::Range => plain("int"),
            QuestionKind::Decimal => plain("decimal"),
            QuestionKind::Date => plain("date"),
            QuestionKind::DateTime => plain("dateTime"),
            QuestionKind::Time => plain("time"),
            QuestionKind::GeoPoint => plain("geopoint"),
            QuestionKind::GeoTrace => plain("geotrace"),
            QuestionKind::GeoShape => plain("geoshape"),
            QuestionKind::Barcode => plain("barcode"),
            QuestionKind::Photo
            | QuestionKind::Audio
            | QuestionKind::Video
            | QuestionKind::File => plain("binary"),
            QuestionKind::Rank { .. } => plain("odk:rank"),
            QuestionKind::Note => Some(("string", vec![("readonly", "true()")])),
            QuestionKind::Metadata { .. } if is_phone_number(q) => plain("string"),
            QuestionKind::Metadata { name } => {
                let preload = |t, how| {
                    Some((
                        t,
                        vec![("jr:preload", how), ("jr:preloadParams", name.as_str())],
                    ))
                };
                match name.as_str() {
                    "start" | "end" => preload("dateTime", "timestamp"),
                    "today" => preload("date", "date"),
                    "deviceid" | "username" | "phonenumber" | "simserial" | "subscriberid"
                    | "email" => preload("string", "property"),
                    _ => plain("string"),
                }
            }
            _ => plain("string"),
        }
    }

    fn binds(&self, parent: Option<usize>, out: &mut String) {
        for node in self.children(parent) {
            match node {
                Node::Group(i) => {
                    let g = &self.form.groups[i];
                    if let Some(r) = &g.relevant {
                        let path = self.group_path(Some(i));
                        let _ = write!(
                            out,
                            "<bind nodeset=\"{path}\" relevant=\"{}\"/>",
                            escape(&self.expression_in(r, Some((&path, g.parent))))
                        );
                    }
                    self.binds(Some(i), out);
                }
                Node::Question(i) => {
                    let q = &self.form.questions[i];
                    if is_audit(q) {
                        continue;
                    }
                    let Some((kind, extra)) = Self::bind_type(q) else {
                        continue;
                    };
                    let path = self.path(q);
                    let context = Some((path.as_str(), q.group));
                    let _ = write!(out, "<bind nodeset=\"{path}\" type=\"{kind}\"");
                    let expr = |name: &str, v: &Option<String>, out: &mut String| {
                        if let Some(v) = v {
                            let _ = write!(
                                out,
                                " {name}=\"{}\"",
                                escape(&self.expression_in(v, context))
                            );
                        }
                    };
                    match (&q.relevant, q.generated) {
                        // The "specify other" question pyxform adds beside a select.
                        (Some(r), true) => {
                            let sibling = r.replace("${", "../").replace('}', "");
                            let _ = write!(out, " relevant=\"{}\"", escape(&sibling));
                        }
                        _ => expr("relevant", &q.relevant, out),
                    }
                    let phone = is_phone_number(q);
                    match &q.constraint {
                        None if phone => out.push_str(" constraint=\"regex(., '^\\d*$')\""),
                        _ => expr("constraint", &q.constraint, out),
                    }
                    if let Some(m) = q.constraint_message.get("") {
                        let _ = write!(out, " jr:constraintMsg=\"{}\"", escape(m));
                    }
                    let required = q.required.as_deref().map(|r| match yes_no(r) {
                        Some(true) => "true()".to_owned(),
                        Some(false) => "false()".to_owned(),
                        None => self.expression_in(r, context),
                    });
                    if let Some(r) = required {
                        let _ = write!(out, " required=\"{}\"", escape(&r));
                    }
                    expr("calculate", &q.calculation, out);
                    // Read-only when the sheet says so, and pyxform's count of a repeat.
                    let read_only = q.read_only.as_deref().and_then(yes_no) == Some(true)
                        || (q.generated && q.kind == QuestionKind::Calculate);
                    let mut attrs = extra;
                    if read_only && !attrs.iter().any(|(k, _)| *k == "readonly") {
                        attrs.push(("readonly", "true()"));
                    }
                    for (k, v) in attrs {
                        let _ = write!(out, " {k}=\"{v}\"");
                    }
                    out.push_str("/>");
                }
            }
        }
    }

    fn itext_id(path: &str, what: &str) -> String {
        format!("{path}:{what}")
    }

    /// A label's or hint's words as XML: each `${name}` an `<output>` of its value.
    fn words(&self, text: &str, path: &str) -> String {
        let context = self.contexts.get(path).map(|g| (path, *g));
        // pyxform straightens typographic quotes and writes a run of spaces as one.
        let mut text = text
            .replace(['\u{2018}', '\u{2019}'], "'")
            .replace('\u{a0}', " ");
        while text.contains("  ") {
            text = text.replace("  ", " ");
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(start) = rest.find("${") {
            let Some(end) = rest[start..].find('}') else {
                break;
            };
            out.push_str(&escape(&rest[..start]));
            let reference = &rest[start..start + end + 1];
            let _ = write!(
                out,
                "<output value=\"{}\"/>",
                escape(&self.expression_in(reference, context))
            );
            rest = &rest[start + end + 1..];
        }
        out.push_str(&escape(rest));
        out
    }

    /// The label and hint of a control: in `itext` when the form is translated (an
    /// untranslated text is then the "default" language's), inline otherwise. A repeat's
    /// group always has a label, empty when the sheet gives none.
    fn label(&self, path: &str, label: &Translations, hint: &Translations, out: &mut String) {
        self.text_of(path, "label", label, out);
        self.text_of(path, "hint", hint, out);
    }

    fn text_of(&self, path: &str, what: &str, text: &Translations, out: &mut String) {
        let media_only = what == "label" && self.media.contains_key(path);
        if text.is_empty() && !media_only {
            return;
        }
        if self.in_itext(path, what, text) {
            let _ = write!(
                out,
                "<{what} ref=\"jr:itext('{}')\"/>",
                Self::itext_id(path, what)
            );
        } else if let Some(t) = text.get("") {
            let _ = write!(out, "<{what}>{}</{what}>", self.words(t, path));
        }
    }

    fn body(&self, parent: Option<usize>, out: &mut String) {
        for node in self.children(parent) {
            match node {
                Node::Group(i) => {
                    let g = &self.form.groups[i];
                    let path = self.group_path(Some(i));
                    let appearance = g
                        .appearance
                        .as_ref()
                        .map(|a| format!(" appearance=\"{}\"", escape(a)))
                        .unwrap_or_default();
                    if g.kind == GroupKind::Repeat {
                        let _ = write!(out, "<group ref=\"{path}\">");
                        if g.label.is_empty() {
                            out.push_str("<label></label>");
                        }
                        self.label(&path, &g.label, &Translations::new(), out);
                        let counted = |c: &String| {
                            // Counted by an expression: by the node pyxform makes of it.
                            let node = format!("{}_count", g.name);
                            let by_node = self
                                .form
                                .questions
                                .iter()
                                .any(|q| q.generated && q.name == node && q.group == g.parent);
                            let expression = if by_node {
                                format!("${{{node}}}")
                            } else {
                                c.clone()
                            };
                            format!(" jr:count=\"{}\"", escape(&self.expression(&expression)))
                        };
                        let count = g.repeat_count.as_ref().map(counted).unwrap_or_default();
                        let _ = write!(out, "<repeat nodeset=\"{path}\"{count}{appearance}>");
                        self.body(Some(i), out);
                        out.push_str("</repeat></group>");
                    } else {
                        let _ = write!(out, "<group ref=\"{path}\"{appearance}>");
                        self.label(&path, &g.label, &Translations::new(), out);
                        self.body(Some(i), out);
                        out.push_str("</group>");
                    }
                }
                Node::Question(i) => self.control(&self.form.questions[i], out),
            }
        }
    }

    fn control(&self, q: &Question, out: &mut String) {
        let path = self.path(q);
        let (tag, extra) = match &q.kind {
            QuestionKind::Metadata { .. } if is_phone_number(q) => ("input", String::new()),
            QuestionKind::Calculate | QuestionKind::Hidden | QuestionKind::Metadata { .. } => {
                return;
            }
            QuestionKind::SelectOne { .. }
            | QuestionKind::SelectFromFile {
                multiple: false, ..
            } => ("select1", String::new()),
            QuestionKind::SelectMultiple { .. }
            | QuestionKind::SelectFromFile { multiple: true, .. } => ("select", String::new()),
            QuestionKind::Rank { .. } => ("odk:rank", String::new()),
            QuestionKind::Acknowledge => ("trigger", String::new()),
            QuestionKind::Photo => ("upload", " mediatype=\"image/*\"".to_owned()),
            QuestionKind::Audio => ("upload", " mediatype=\"audio/*\"".to_owned()),
            QuestionKind::Video => ("upload", " mediatype=\"video/*\"".to_owned()),
            QuestionKind::File => ("upload", " mediatype=\"application/*\"".to_owned()),
            QuestionKind::Range => ("range", String::new()),
            _ => ("input", String::new()),
        };
        let appearance = q
            .appearance
            .as_ref()
            .map(|a| format!(" appearance=\"{}\"", escape(a)))
            .unwrap_or_default();
        let _ = write!(out, "<{tag} ref=\"{path}\"{appearance}{extra}>");
        if is_phone_number(q) && q.hint.is_empty() {
            let hint = Translations::from([(String::new(), "Enter numbers only.".to_owned())]);
            self.label(&path, &q.label, &hint, out);
        } else if q.generated {
            // pyxform writes the label of the question it adds inline, in every form.
            if let Some(l) = q.label.get("") {
                let _ = write!(out, "<label>{}</label>", self.words(l, &path));
            }
        } else {
            self.label(&path, &q.label, &q.hint, out);
        }
        // The list's instance, and whether its labels are in itext (a list of the form's
        // own in a translated form) or in the items (a file's).
        let itemset = match &q.kind {
            QuestionKind::SelectOne { list, .. }
            | QuestionKind::SelectMultiple { list, .. }
            | QuestionKind::Rank { list, .. } => Some((list.clone(), self.translated)),
            QuestionKind::SelectFromFile { file, .. } => Some((file_instance(file), false)),
            _ => None,
        };
        if let Some((list, itext)) = itemset {
            let filter = q
                .choice_filter
                .as_ref()
                .map(|f| format!("[{}]", self.expression(f)))
                .unwrap_or_default();
            let label = if itext { "jr:itext(itextId)" } else { "label" };
            let _ = write!(
                out,
                "<itemset nodeset=\"instance('{}')/root/item{}\"><value ref=\"name\"/><label ref=\"{label}\"/></itemset>",
                escape(&list),
                escape(&filter)
            );
        }
        let _ = write!(out, "</{tag}>");
    }

    /// The languages the labels name, as the columns write them ("default" for the texts
    /// of a translated form that name none).
    fn languages(&self) -> Vec<String> {
        if !self.translated {
            return vec![DEFAULT.to_owned()];
        }
        let mut langs: Vec<String> = Vec::new();
        let mut add = |t: &Translations| {
            for k in t.keys() {
                let k = if k.is_empty() { DEFAULT } else { k.as_str() };
                if !langs.iter().any(|l| l == k) {
                    langs.push(k.to_owned());
                }
            }
        };
        for q in self.form.questions.iter().filter(|q| !q.generated) {
            add(&q.label);
            if q.hint.keys().any(|k| !k.is_empty()) {
                add(&q.hint);
            }
        }
        for g in &self.form.groups {
            add(&g.label);
        }
        for l in &self.form.choice_lists {
            for c in &l.choices {
                add(&c.label);
            }
        }
        langs
    }

    fn itext(&self) -> String {
        let mut out = String::from("<itext>");
        for lang in self.languages() {
            let _ = write!(out, "<translation lang=\"{}\">", escape(&lang));
            for list in &self.lists {
                if let Some(l) = self.form.choice_lists.iter().find(|l| &l.name == list) {
                    for (i, c) in l.choices.iter().enumerate() {
                        if self.translated {
                            let key = if lang == DEFAULT { "" } else { lang.as_str() };
                            let _ = write!(
                                out,
                                "<text id=\"{}-{i}\"><value>{}</value></text>",
                                escape(list),
                                c.label
                                    .get(key)
                                    .map_or("-".to_owned(), |v| self.words(v, ""))
                            );
                        }
                    }
                }
            }
            self.itext_of(None, &lang, &mut out);
            out.push_str("</translation>");
        }
        out.push_str("</itext>");
        out
    }

    /// Whether a text goes to `itext`: in a translated form, every label; a hint when it names
    /// a language.
    fn in_itext(&self, path: &str, what: &str, text: &Translations) -> bool {
        let named = text.keys().any(|k| !k.is_empty());
        (self.translated && (what != "hint" || named))
            || (what == "label" && self.media.contains_key(path))
    }

    /// One text of a translation ("-" where this language has none, as pyxform writes it).
    fn push_text(&self, out: &mut String, path: &str, what: &str, t: &Translations, lang: &str) {
        let media = match what {
            "label" => self.media.get(path),
            _ => None,
        };
        if (t.is_empty() && media.is_none()) || !self.in_itext(path, what, t) {
            return;
        }
        let key = if lang == DEFAULT { "" } else { lang };
        let _ = write!(out, "<text id=\"{}\">", escape(&Self::itext_id(path, what)));
        if !t.is_empty() {
            let value = t.get(key).map_or("-".to_owned(), |v| self.words(v, path));
            let _ = write!(out, "<value>{value}</value>");
        }
        // A question's image, audio or video, as a form value of its label.
        for (form, files) in media.into_iter().flatten() {
            if let Some(file) = files.get(key).or_else(|| files.get("")) {
                let folder = match form.as_str() {
                    "image" | "big-image" => "images",
                    "audio" => "audio",
                    _ => "video",
                };
                let _ = write!(
                    out,
                    "<value form=\"{}\">jr://{folder}/{}</value>",
                    escape(form),
                    escape(file)
                );
            }
        }
        out.push_str("</text>");
    }

    fn itext_of(&self, parent: Option<usize>, lang: &str, out: &mut String) {
        for node in self.children(parent) {
            match node {
                Node::Group(i) => {
                    let g = &self.form.groups[i];
                    self.push_text(out, &self.group_path(Some(i)), "label", &g.label, lang);
                    self.itext_of(Some(i), lang, out);
                }
                Node::Question(i) => {
                    let q = &self.form.questions[i];
                    let path = self.path(q);
                    if !q.generated {
                        self.push_text(out, &path, "label", &q.label, lang);
                    }
                    self.push_text(out, &path, "hint", &q.hint, lang);
                }
            }
        }
    }
}

/// The language pyxform gives the texts of a translated form that name none.
const DEFAULT: &str = "default";
