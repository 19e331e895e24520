//! Sigida's XForm of every form of `../shared/data` that pyxform 4.5.0 accepts, compared with
//! pyxform's (`scripts/reference/xform.sh` wrote them to `reference/xform/`). Two XForms are
//! equivalent when they have the same primary instance (element names, order, defaults), the
//! same binds (nodeset, type, relevant, constraint, required, calculate, readonly; expressions
//! without whitespace), the same body controls (kind, ref, appearance, itemset nodeset) and the
//! same label and hint texts per language (itext ids may differ).
//!
//! The forms listed in `reference/xform/agreed.txt` must stay equivalent; the test prints how
//! many agree and the first difference of each of the others (issue 21 goes on).

use std::collections::BTreeMap;
use std::path::Path;

/// What two equivalent XForms share.
#[derive(Debug, PartialEq)]
struct Canon {
    instance: Vec<String>,
    binds: BTreeMap<String, Vec<(String, String)>>,
    controls: Vec<String>,
    texts: BTreeMap<String, BTreeMap<String, String>>,
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn attr(node: roxmltree::Node, name: &str) -> Option<String> {
    node.attributes()
        .find(|a| a.name() == name)
        .map(|a| a.value().to_owned())
}

/// A label's or a text value's words, an `<output value="…"/>` as its expression.
fn words(node: roxmltree::Node) -> String {
    let mut out = String::new();
    for d in node.descendants() {
        if d.is_text() {
            out.push_str(d.text().unwrap_or_default());
        } else if d.tag_name().name() == "output" {
            out.push_str(&format!(
                "{{{}}}",
                squeeze(&attr(d, "value").unwrap_or_default())
            ));
        }
    }
    out.trim().to_owned()
}

fn canon(xml: &str) -> Result<Canon, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| e.to_string())?;
    let model = doc
        .descendants()
        .find(|n| n.tag_name().name() == "model")
        .ok_or("no model")?;
    let primary = model
        .children()
        .find(|n| n.tag_name().name() == "instance" && attr(*n, "id").is_none())
        .and_then(|i| i.children().find(|n| n.is_element()))
        .ok_or("no primary instance")?;
    let mut instance = Vec::new();
    fn walk(node: roxmltree::Node, path: &str, out: &mut Vec<String>) {
        for child in node.children().filter(|n| n.is_element()) {
            let p = format!("{path}/{}", child.tag_name().name());
            let template = child.attributes().any(|a| a.name() == "template");
            let text: String = child
                .children()
                .filter(|n| n.is_text())
                .map(|n| n.text().unwrap_or_default())
                .collect();
            out.push(format!(
                "{p}{}={}",
                if template { "[template]" } else { "" },
                text.trim()
            ));
            walk(child, &p, out);
        }
    }
    walk(
        primary,
        &format!("/{}", primary.tag_name().name()),
        &mut instance,
    );

    let mut binds = BTreeMap::new();
    for b in model.children().filter(|n| n.tag_name().name() == "bind") {
        let mut attrs: Vec<(String, String)> = [
            "type",
            "relevant",
            "constraint",
            "required",
            "calculate",
            "readonly",
        ]
        .iter()
        .filter_map(|a| attr(b, a).map(|v| ((*a).to_owned(), squeeze(&v))))
        .collect();
        attrs.sort();
        binds.insert(attr(b, "nodeset").unwrap_or_default(), attrs);
    }

    // The itext translations, by id then language.
    let mut itext: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for t in doc
        .descendants()
        .filter(|n| n.tag_name().name() == "translation")
    {
        let lang = attr(t, "lang").unwrap_or_default();
        for text in t.children().filter(|n| n.tag_name().name() == "text") {
            let Some(value) = text
                .children()
                .find(|v| v.tag_name().name() == "value" && attr(*v, "form").is_none())
            else {
                continue;
            };
            itext
                .entry(attr(text, "id").unwrap_or_default())
                .or_default()
                .insert(lang.clone(), words(value));
        }
    }
    let body = doc
        .descendants()
        .find(|n| n.tag_name().name() == "body")
        .ok_or("no body")?;
    let mut controls = Vec::new();
    let mut texts = BTreeMap::new();
    const KINDS: [&str; 9] = [
        "input", "select1", "select", "upload", "trigger", "range", "rank", "group", "repeat",
    ];
    for c in body
        .descendants()
        .filter(|n| KINDS.contains(&n.tag_name().name()))
    {
        let kind = c.tag_name().name();
        let reference = attr(c, "ref")
            .or_else(|| attr(c, "nodeset"))
            .unwrap_or_default();
        let itemset = c
            .children()
            .find(|n| n.tag_name().name() == "itemset")
            .and_then(|i| attr(i, "nodeset"))
            .map(|n| squeeze(&n))
            .unwrap_or_default();
        controls.push(format!(
            "{kind} {reference} appearance={} itemset={itemset}",
            attr(c, "appearance").unwrap_or_default()
        ));
        for what in ["label", "hint"] {
            let Some(l) = c.children().find(|n| n.tag_name().name() == what) else {
                continue;
            };
            let by_lang = match attr(l, "ref") {
                Some(r) if r.starts_with("jr:itext(") => {
                    let id = r
                        .trim_start_matches("jr:itext(")
                        .trim_end_matches(')')
                        .trim_matches('\'');
                    itext.get(id).cloned().unwrap_or_default()
                }
                _ => BTreeMap::from([(String::new(), words(l))]),
            };
            texts.insert(format!("{kind} {reference} {what}"), by_lang);
        }
    }
    Ok(Canon {
        instance,
        binds,
        controls,
        texts,
    })
}

/// The first way two canonical XForms differ.
fn first_difference(ours: &Canon, theirs: &Canon) -> String {
    if ours.instance != theirs.instance {
        let at = ours
            .instance
            .iter()
            .zip(&theirs.instance)
            .position(|(a, b)| a != b)
            .unwrap_or(ours.instance.len().min(theirs.instance.len()));
        return format!(
            "instance at {at}: ours {:?}, pyxform {:?}",
            ours.instance.get(at),
            theirs.instance.get(at)
        );
    }
    for (nodeset, theirs_bind) in &theirs.binds {
        if ours.binds.get(nodeset) != Some(theirs_bind) {
            return format!(
                "bind {nodeset}: ours {:?}, pyxform {theirs_bind:?}",
                ours.binds.get(nodeset)
            );
        }
    }
    if let Some(extra) = ours.binds.keys().find(|k| !theirs.binds.contains_key(*k)) {
        return format!("bind {extra}: ours only");
    }
    if ours.controls != theirs.controls {
        let at = ours
            .controls
            .iter()
            .zip(&theirs.controls)
            .position(|(a, b)| a != b)
            .unwrap_or(ours.controls.len().min(theirs.controls.len()));
        return format!(
            "control at {at}: ours {:?}, pyxform {:?}",
            ours.controls.get(at),
            theirs.controls.get(at)
        );
    }
    for (key, theirs_text) in &theirs.texts {
        if ours.texts.get(key) != Some(theirs_text) {
            return format!(
                "{key}: ours {:?}, pyxform {theirs_text:?}",
                ours.texts.get(key)
            );
        }
    }
    "texts ours only".to_owned()
}

#[test]
fn sigidas_xform_equals_pyxforms_for_the_forms_agreed_so_far() {
    let Some(data) = sigida_testkit::shared("") else {
        return;
    };
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/xform");
    let index = std::fs::read_to_string(reference.join("index.txt")).unwrap();
    let agreed: Vec<String> = std::fs::read_to_string(reference.join("agreed.txt"))
        .unwrap()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let mut equal = Vec::new();
    let mut differ = Vec::new();
    for line in index.lines() {
        let (xml, form) = line.split_once('\t').unwrap();
        let theirs = canon(&std::fs::read_to_string(reference.join(xml)).unwrap()).unwrap();
        let outcome = match sigida_xlsform::read_form(&data.join(form)) {
            Err(e) => Err(format!("read: {e}")),
            Ok(f) => {
                let written = sigida_xlsform::xform::write(&f);
                match canon(&written) {
                    Err(e) => Err(format!("our XForm does not parse: {e}")),
                    Ok(ours) if ours == theirs => Ok(()),
                    Ok(ours) => Err(first_difference(&ours, &theirs)),
                }
            }
        };
        match outcome {
            Ok(()) => equal.push(form.to_owned()),
            Err(why) => differ.push((form.to_owned(), why)),
        }
    }
    println!(
        "{} of {} XForms equal pyxform's",
        equal.len(),
        equal.len() + differ.len()
    );
    for (form, why) in &differ {
        println!("  {form}: {why}");
    }
    let lost: Vec<&(String, String)> = differ
        .iter()
        .filter(|(form, _)| agreed.contains(form))
        .collect();
    assert!(
        lost.is_empty(),
        "forms that agreed with pyxform no longer do: {lost:#?}"
    );
    assert!(
        agreed
            .iter()
            .all(|a| equal.contains(a) || differ.iter().any(|(f, _)| f == a)),
        "agreed.txt names a form the index does not"
    );
}
