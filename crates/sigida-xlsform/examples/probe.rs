use std::path::Path;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let form = if args.len() > 3 {
        let t = |p: &str, sheet: &str| {
            let mut t = sigida_formats::table::read_tables(Path::new(p))
                .unwrap()
                .remove(0);
            t.sheet = Some(sheet.into());
            t
        };
        sigida_xlsform::read::read_sheets("x", &[t(&args[2], "survey"), t(&args[3], "choices")])
            .unwrap()
    } else {
        sigida_xlsform::read_form(Path::new(&args[2])).unwrap()
    };
    let bytes = std::fs::read(&args[1]).unwrap();
    let c = sigida_xlsform::import::check_export(&form, Path::new(&args[1]), &bytes, 20_500.0);
    match c {
        Err(e) => println!("ERR {e}"),
        Ok(c) => {
            for s in std::iter::once(&c.main).chain(&c.repeats) {
                println!(
                    "sheet {:?} rows {} cov {:?} problems {} unknown {:?}",
                    s.sheet,
                    s.rows,
                    s.coverage,
                    s.problem_total,
                    s.unknown_columns()
                );
                println!("  by column {:?}", s.problems_by_column);
                for p in s.problems.iter().take(5) {
                    println!("  {p:?}");
                }
                println!(
                    "  orphans {} submissions {}",
                    s.orphans,
                    s.submissions.len()
                );
            }
        }
    }
}
