//! Fuzzing the expression parser and evaluator: random token soups and mutations of the real
//! expressions of every form in `../shared/data` never panic; errors point inside the input;
//! what parses prints back to text that parses to the same tree.

use std::path::Path;

use sigida_xlsform::xpath::{Context, Value, evaluate, parse};

/// SplitMix64: the same inputs on every run, so a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

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
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
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

#[test]
fn the_parser_survives_random_and_mutated_input() {
    let mut rng = Rng(0x0051_61da);
    let corpus = corpus();
    assert!(corpus.len() > 3);
    for _ in 0..40_000 {
        let soup: String = (0..rng.below(12))
            .map(|_| PIECES[rng.below(PIECES.len())])
            .collect();
        check(&soup);
        let mut chars: Vec<char> = corpus[rng.below(corpus.len())].chars().collect();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(chars.len() + 1);
            match rng.below(3) {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 => chars.insert(
                    at,
                    PIECES[rng.below(PIECES.len())]
                        .chars()
                        .next()
                        .unwrap_or('x'),
                ),
                _ if at < chars.len() => {
                    chars[at] = PIECES[rng.below(PIECES.len())]
                        .chars()
                        .last()
                        .unwrap_or('x')
                }
                _ => {}
            }
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
