//! The instrument kit: every XLSForm of `kit/` converts with pyxform (the XLSForm reference,
//! from PyPI) and reads with `sigida form inspect`; `sigida init --instruments` hands over the
//! same files, and each imports as an instrument of a fresh diagnostic.

mod support;

use std::path::Path;
use std::process::Command;

use support::{run, text};

fn kit_files() -> Vec<std::path::PathBuf> {
    let kit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kit");
    let mut files: Vec<_> = std::fs::read_dir(&kit)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_kit_form_converts_with_pyxform_and_reads_in_sigida() {
    let files = kit_files();
    assert_eq!(files.len(), 7, "{files:?}");
    let pyxform = Command::new("python3")
        .args(["-c", "import pyxform"])
        .output()
        .is_ok_and(|o| o.status.success());
    let pyxform =
        sigida_testkit::needed("pyxform (scripts/test.sh installs it from PyPI)", pyxform);
    let out_dir = tempfile::tempdir().unwrap();
    for file in &files {
        let inspected = run(&["form", "inspect", file.to_str().unwrap()]);
        assert!(
            inspected.status.success(),
            "{}: {}",
            file.display(),
            text(&inspected)
        );
        let said = text(&inspected);
        assert!(said.contains("Français (fr), English (en)"), "{said}");
        if pyxform {
            let xml = out_dir.path().join("form.xml");
            let converted = Command::new("python3")
                .args(["-m", "pyxform.xls2xform", "--skip_validate"])
                .arg(file)
                .arg(&xml)
                .output()
                .unwrap();
            assert!(
                converted.status.success(),
                "{}: {}",
                file.display(),
                String::from_utf8_lossy(&converted.stderr)
            );
            let xform = std::fs::read_to_string(&xml).unwrap();
            assert!(xform.contains("<h:html"), "{}", file.display());
            // Sigida's own XForm of the form is well-formed and binds the same nodes.
            let ours = run(&["form", "xform", file.to_str().unwrap()]);
            assert!(ours.status.success(), "{}", text(&ours));
            let binds = |xml: &[u8]| -> String {
                let mut child = Command::new("python3")
                    .args([
                        "-c",
                        "import sys, xml.etree.ElementTree as E\n\
                         t = E.fromstring(sys.stdin.buffer.read())\n\
                         print(sorted(b.get('nodeset') for b in t.iter('{http://www.w3.org/2002/xforms}bind')))",
                    ])
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .unwrap();
                use std::io::Write as _;
                child.stdin.take().unwrap().write_all(xml).unwrap();
                let out = child.wait_with_output().unwrap();
                assert!(out.status.success(), "{}", file.display());
                String::from_utf8(out.stdout).unwrap()
            };
            assert_eq!(
                binds(&ours.stdout),
                binds(xform.as_bytes()),
                "{}",
                file.display()
            );
            assert!(
                xform.contains("lang=\"English (en)\""),
                "{}",
                file.display()
            );
        }
    }
}

#[test]
fn init_hands_over_the_kit_and_each_form_imports() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    let d = dir.to_str().unwrap();
    let out = run(&["init", d, "--instruments"]);
    assert!(out.status.success(), "{}", text(&out));
    let handed = std::fs::read_dir(dir.join("instruments")).unwrap().count();
    assert_eq!(handed, 7);
    for (file, kind) in [
        ("enquete-menage.xlsx", "household_survey"),
        ("guide-informateur-cle.xlsx", "key_informant"),
        ("guide-groupe-discussion.xlsx", "focus_group"),
        ("registre-flux.xlsx", "flow_registry"),
        ("enquete-voyageurs.xlsx", "flow_survey"),
        ("cartographie-services.xlsx", "service_mapping"),
        ("profil-communautaire.xlsx", "community_profile"),
    ] {
        let path = dir.join("instruments").join(file);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            std::fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../kit")
                    .join(file)
            )
            .unwrap(),
            "{file} is the kit's"
        );
        let out = run(&[
            "import",
            "form",
            path.to_str().unwrap(),
            "--instrument",
            file,
            "--kind",
            kind,
            "--dir",
            d,
        ]);
        assert!(out.status.success(), "{file}: {}", text(&out));
        assert!(
            text(&out).contains("0 avertissements"),
            "{file}: {}",
            text(&out)
        );
    }
}
