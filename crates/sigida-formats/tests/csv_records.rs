//! Property: whatever its line ends, quoting, embedded newlines, byte-order mark or separator,
//! a CSV file's every record is read, with the line it starts on.

#[path = "support/random_csv.rs"]
mod random_csv;

use proptest::prelude::*;
use sigida_formats::table::read_csv;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn every_record_of_a_random_csv_is_read_on_its_line(
        file in random_csv::files("_uuid", |i| format!("u{i}"))
    ) {
        let shown = format!(
            "({:?}, {:?}): {:?}",
            file.terminator,
            file.separator as char,
            String::from_utf8_lossy(&file.bytes)
        );
        let table = read_csv("r.csv", &file.bytes)
            .unwrap_or_else(|e| panic!("{shown}: {e}"));
        prop_assert_eq!(&table.headers, &file.headers, "{}", shown);
        prop_assert_eq!(&table.rows, &file.rows, "{}", shown);
    }
}

#[test]
fn a_decompression_bomb_is_refused_before_it_is_read() {
    use std::io::Write;
    // 200 MiB of zeros in a 200 KB workbook-shaped ZIP.
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    writer
        .start_file("xl/worksheets/sheet1.xml", options)
        .unwrap();
    let zeros = vec![b'0'; 1 << 20];
    for _ in 0..200 {
        writer.write_all(&zeros).unwrap();
    }
    let bomb = writer.finish().unwrap().into_inner();
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    for name in ["bomb.xlsx", "odk.zip"] {
        let err = sigida_formats::table::read_tables_from_bytes(name, &bomb).unwrap_err();
        assert_eq!(err.at.file, name);
        assert_eq!(
            (err.code(), err.arg("mib")),
            ("file.unzips_too_big", Some("128")),
            "{err}"
        );
    }
}

#[test]
fn a_csv_line_of_megabytes_is_refused_with_its_line() {
    let mut csv = b"_uuid,nom\r\nu1,Awa\r\nu2,".to_vec();
    csv.extend(std::iter::repeat_n(b'x', 5 << 20));
    csv.extend_from_slice(b"\r\n");
    let err = read_csv("long.csv", &csv).unwrap_err();
    assert_eq!(err.at.row, Some(3));
    assert_eq!(err.code(), "file.line_too_long", "{err}");
}
