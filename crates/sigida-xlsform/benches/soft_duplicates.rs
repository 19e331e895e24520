//! How long the cleaning checks take on a large survey, soft duplicates included: 100 000
//! household submissions of 80 questions (selects with skewed answers, numbers, skip logic
//! leaving blanks), 1 % of them near copies of another. Prints its figures.

use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sigida_formats::table::Table;
use sigida_xlsform::cleaning::{CheckSettings, run_checks};
use sigida_xlsform::read::read_sheets;

const QUESTIONS: usize = 80;

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this too, without it: a
    // small smoke run then, so the test suite does not spend its time on the figures.
    let args: Vec<String> = std::env::args().collect();
    let rows_wanted: usize = if args.iter().any(|a| a == "--bench") {
        args.iter()
            .skip(1)
            .find_map(|a| a.parse().ok())
            .unwrap_or(100_000)
    } else {
        2_000
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut survey = vec![s(&["type", "name", "label"])];
    for q in 0..QUESTIONS {
        let kind = if q % 4 == 0 {
            "integer"
        } else {
            "select_one oui_non"
        };
        survey.push(vec![kind.into(), format!("q{q}"), format!("Question {q}")]);
    }
    let choices = vec![
        s(&["list_name", "name", "label"]),
        s(&["oui_non", "oui", "Oui"]),
        s(&["oui_non", "non", "Non"]),
        s(&["oui_non", "nsp", "Ne sait pas"]),
    ];
    let form = read_sheets(
        "bench.xlsx",
        &[
            Table::sheet("bench.xlsx", "survey", &survey),
            Table::sheet("bench.xlsx", "choices", &choices),
        ],
    )
    .expect("the benchmark's form");
    let mut rng = StdRng::seed_from_u64(100_000);
    let mut rows: Vec<(usize, Vec<String>)> = Vec::with_capacity(rows_wanted);
    let mut planted = 0;
    for i in 0..rows_wanted {
        let mut cells = vec![format!("uuid-{i}")];
        if i > 10 && rng.gen_bool(0.01) {
            let mut copy = rows[rng.gen_range(0..i)].1[1..].to_vec();
            copy[rng.gen_range(0..QUESTIONS)] = "nsp".into();
            cells.extend(copy);
            planted += 1;
        } else {
            for q in 0..QUESTIONS {
                // A section skipped by a third of the households.
                let skipped = q >= 60 && i % 3 == 0;
                cells.push(if skipped {
                    String::new()
                } else if q % 4 == 0 {
                    rng.gen_range(0..40).to_string()
                } else {
                    ["oui", "non", "non", "non", "nsp"][rng.gen_range(0..5)].to_owned()
                });
            }
        }
        rows.push((i + 2, cells));
    }
    let mut headers = vec!["_uuid".to_owned()];
    headers.extend((0..QUESTIONS).map(|q| format!("q{q}")));
    let data = Table {
        file: "bench.csv".into(),
        sheet: None,
        headers,
        rows,
    };
    let started = Instant::now();
    let entries = run_checks(&form, &data, &CheckSettings::default());
    let elapsed = started.elapsed();
    let count = |check: &str| entries.iter().filter(|e| e.check == check).count();
    println!(
        "run_checks on {rows_wanted} submissions × {QUESTIONS} questions: {:.2} s, {} entries; near copies planted {planted}: {} found as soft duplicates, {} as exact ones (the changed answer was already the same)",
        elapsed.as_secs_f64(),
        entries.len(),
        count("soft_duplicate"),
        count("duplicate")
    );
}
