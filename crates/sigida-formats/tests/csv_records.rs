//! Property: whatever its line ends, quoting, embedded newlines, byte-order mark or separator,
//! a CSV file's every record is read, with the line it starts on.

#[path = "support/random_csv.rs"]
mod random_csv;

use rand::SeedableRng;
use rand::rngs::StdRng;
use sigida_formats::table::read_csv;

#[test]
fn every_record_of_a_random_csv_is_read_on_its_line() {
    let mut rng = StdRng::seed_from_u64(14);
    for case in 0..2_000 {
        let file = random_csv::random_csv(&mut rng, "_uuid", &|i| format!("u{i}"));
        let table = read_csv("r.csv", &file.bytes).unwrap_or_else(|e| {
            panic!(
                "case {case} ({:?}, {:?}): {e}\n{:?}",
                file.terminator,
                file.separator as char,
                String::from_utf8_lossy(&file.bytes)
            )
        });
        assert_eq!(table.headers, file.headers, "case {case}");
        assert_eq!(
            table.rows,
            file.rows,
            "case {case} ({:?}, {:?}): {:?}",
            file.terminator,
            file.separator as char,
            String::from_utf8_lossy(&file.bytes)
        );
    }
}
