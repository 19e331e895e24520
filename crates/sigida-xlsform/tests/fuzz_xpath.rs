//! Fuzzing the expression parser and evaluator: random token soups and mutations of the real
//! expressions of every form in `../shared/data` never panic; errors point inside the input;
//! what parses prints back to text that parses to the same tree. Inputs come from proptest
//! strategies, so a failure is shrunk to a smallest input before it is shown.

use proptest::prelude::*;
use sigida_xlsform::xpath::{Context, Value, evaluate, parse};

struct Anything;
impl Context for Anything {
    fn reference(&self, name: &str) -> Option<Value> {
        Some(if name.len().is_multiple_of(2) {
            Value::Text("3".into())
        } else {
            Value::Nodes(vec!["1".into(), "x y".into()])
        })
    }
}

const PIECES: &[&str] = &[
    "${a}",
    "${b_c}",
    ".",
    "..",
    "/",
    "//",
    "(",
    ")",
    "[",
    "]",
    ",",
    "|",
    "@",
    "*",
    "+",
    "-",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    " and ",
    " or ",
    " div ",
    " mod ",
    "'x'",
    "\"y\"",
    "1",
    "2.5",
    ".5",
    "selected(",
    "count(",
    "if(",
    "concat(",
    "jr:choice-name(",
    "instance('l')",
    "/root/item",
    "name",
    "::",
    "child::",
    "not(",
    "true()",
    "$",
    "${",
    "}",
    "'",
    "\"",
    " ",
    "é",
    "٣",
    "\u{0}",
];

fn corpus() -> Vec<String> {
    let mut exprs: Vec<String> = vec![
        "selected(${q}, 'other') and ${age} >= 18".into(),
        "if(count-selected(.) > 3, false(), true())".into(),
        "instance('districts')/root/item[name = ${district}]/label".into(),
    ];
    // The real forms' expressions where `../shared` is at hand (always under CI).
    let Some(root) = sigida_testkit::shared("") else {
        return exprs;
    };
    for folder in [
        "reach-msna-2024",
        "pyxform/example_xls",
        "kobocat/apps/main/tests/fixtures",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        for entry in entries.flatten() {
            if let Ok(form) = sigida_xlsform::read_form(&entry.path()) {
                for q in &form.questions {
                    exprs.extend(
                        [&q.relevant, &q.constraint, &q.calculation, &q.choice_filter]
                            .into_iter()
                            .flatten()
                            .cloned(),
                    );
                }
            }
        }
    }
    exprs
}

fn check(input: &str) {
    match parse(input) {
        Err(e) => {
            let len = input.chars().count();
            assert!(
                e.position >= 1 && e.position <= len + 1,
                "{input:?}: position {} of {len}",
                e.position
            );
        }
        Ok(expr) => {
            let printed = expr.to_string();
            let again = parse(&printed)
                .unwrap_or_else(|e| panic!("{input:?} printed as {printed:?}, which fails: {e}"));
            assert_eq!(again.to_string(), printed, "{input:?}");
            let _ = evaluate(&expr, &Anything);
        }
    }
}

/// One edit of an expression: remove the character at a place, insert a piece's first
/// character there, or replace it with a piece's last.
fn edit(chars: &mut Vec<char>, (kind, at, piece): &(usize, prop::sample::Index, &str)) {
    let at = at.index(chars.len() + 1);
    match kind {
        0 if at < chars.len() => {
            chars.remove(at);
        }
        1 => chars.insert(at, piece.chars().next().unwrap_or('x')),
        _ if at < chars.len() => chars[at] = piece.chars().last().unwrap_or('x'),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn token_soups_never_crash_the_parser(
        soup in prop::collection::vec(prop::sample::select(PIECES), 0..12)
    ) {
        check(&soup.concat());
    }

    #[test]
    fn mutated_real_expressions_never_crash_the_parser(
        expr in prop::sample::select(corpus()),
        edits in prop::collection::vec(
            (0..3usize, any::<prop::sample::Index>(), prop::sample::select(PIECES)),
            1..4,
        )
    ) {
        let mut chars: Vec<char> = expr.chars().collect();
        for e in &edits {
            edit(&mut chars, e);
        }
        check(&chars.into_iter().collect::<String>());
    }
}

#[test]
fn hostile_nesting_is_refused_not_a_crash() {
    let deep = format!("{}1{}", "(".repeat(1_000), ")".repeat(1_000));
    assert!(parse(&deep).unwrap_err().message.contains("imbriquée"));
    let minus = format!("{}1", "-".repeat(3_000));
    assert_eq!(parse(&minus).unwrap().to_string(), "-(-(1))");
    let long = format!("1{}", "+1".repeat(100_000));
    assert!(parse(&long).unwrap_err().message.contains("trop longue"));
}
