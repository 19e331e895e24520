//! A team's own diagnostic from an empty folder, without the demo: P-codes, two communities of
//! its own, then the workbook template filled by a script (openpyxl, as Excel would leave it)
//! and imported all or nothing; a wrong value on row 7 refuses the whole file by sheet, row
//! and column; export → import changes nothing; LibreOffice reads the template's drop-downs.

mod support;

use std::path::Path;
use std::process::Command;

use support::{run, text};

/// A small COD-AB list: Nioro and Ménaka with a cercle each.
const COD: &str = "Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date,Version\n\
                   MLI,1,ML10,Ménaka,MLI,2025-09-04,v03\n\
                   MLI,2,ML1001,Ménaka,ML10,2025-09-04,v03\n\
                   MLI,1,ML11,Nioro,MLI,2025-09-04,v03\n\
                   MLI,2,ML1101,Nioro,ML11,2025-09-04,v03\n";

fn sigida(args: &[&str], dir: &Path) -> std::process::Output {
    let mut all: Vec<&str> = args.to_vec();
    let dir = dir.to_str().unwrap();
    all.extend(["--dir", dir]);
    run(&all)
}

fn python_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import openpyxl"])
        .output()
        .is_ok_and(|o| o.status.success());
    sigida_testkit::needed("python3 with openpyxl (scripts/test.sh installs it)", ok)
}

/// Fills the template's sheets from `rows` (sheet → rows of cells, under its header rows), as a
/// person does in Excel: openpyxl rewrites the whole file.
fn fill(template: &Path, filled: &Path, rows: &str) {
    let script = format!(
        r#"
import json, openpyxl
book = openpyxl.load_workbook({template:?})
rows = json.loads({rows:?})
for name, lines in rows.items():
    sheet = book[name]
    start = 4 if name == "prestataires" else 3
    for i, line in enumerate(lines):
        for j, value in enumerate(line):
            if value != "":
                sheet.cell(row=start + i, column=j + 1, value=value)
book.save({filled:?})
"#,
        template = template.display().to_string(),
        filled = filled.display().to_string(),
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_team_builds_its_registers_in_the_workbook_all_or_nothing() {
    if !python_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nioro-menaka");
    assert!(
        run(&["init", dir.to_str().unwrap(), "--name", "Nioro et Ménaka"])
            .status
            .success()
    );
    let cod = tmp.path().join("cod.csv");
    std::fs::write(&cod, COD).unwrap();
    let out = sigida(&["geo", "import", cod.to_str().unwrap()], &dir);
    assert!(out.status.success(), "{}", text(&out));

    // Before any community, a report says so and writes nothing.
    let out = sigida(&["report"], &dir);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("aucune communauté"), "{}", text(&out));
    assert!(!dir.join("reports").exists());

    let template = tmp.path().join("modele.xlsx");
    let out = run(&["workbook", "template", "--out", template.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));

    let rows = serde_json::json!({
        "communautes": [
            ["", "Nioro du Sahel", "", "ML1101", "Ville carrefour vers la Mauritanie", "Départs vers la Mauritanie", "15.23", "-9.59"],
            ["", "Ménaka", "", "ML1001", "Chef-lieu de région", "Déplacés internes et transit", "", ""],
        ],
        "localites": [
            ["", "Nioro du Sahel", "Nioro-Ville", "Ville", "ML1101", "", "", "30000", "RGPH 2009", "2009"],
            ["", "Ménaka", "Ménaka-Centre", "Quartier", "ML1001", "", "", "12000", "Mairie", "2024"],
            ["", "Ménaka", "Site d'Inékar", "Site de déplacés", "", "", "", "", "", ""],
        ],
        "parties_prenantes": [
            ["", "Nioro du Sahel", "Mairie de Nioro", "Collectivité territoriale", "Local", "Planification communale", "Awa Diarra", "+223 70 00 00 01", "5", "4"],
            ["", "", "OIM Mali", "Agence des Nations unies", "National", "Protection des migrants", "", "", "5", "5"],
        ],
        "groupes": [
            ["", "Nioro du Sahel", "Jeunes", "Jeunes candidats au départ", "2500", "Chômage", "Formation", "Association des jeunes"],
            ["", "Ménaka", "Personnes déplacées internes", "Déplacés du site d'Inékar", "4000", "Abri, vivres", "Documentation", "Comité du site"],
        ],
        "prestataires": [
            ["", "Ménaka", "Ménaka-Centre", "CSCOM de Ménaka", "Santé", "Soins primaires", "Tous", "800", "non", "8h-17h", "oui", "+223 70 00 00 02", "", ""],
        ],
        "documents": [
            ["", "Profil migratoire du Mali", "OIM", "2024-06-30", "https://publications.iom.int/"],
        ],
        "rapports_risques": [
            ["", "Ménaka", "Site d'Inékar", "Violences basées sur le genre (VBG)", "Cartographie des services", "2026-02-20", "", "12", "oui", "Cas reçus au CSCOM"],
            ["", "Nioro du Sahel", "Nioro-Ville", "Détention et extorsion sur la route", "Informateurs clés", "2026-02-21", "35", "", "oui", ""],
        ],
    })
    .to_string();
    let filled = tmp.path().join("rempli.xlsx");
    fill(&template, &filled, &rows);
    let out = sigida(&["workbook", "import", filled.to_str().unwrap()], &dir);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("Communautés : 2 ajout(s)"), "{said}");
    assert!(said.contains("Localités : 3 ajout(s)"), "{said}");
    assert!(said.contains("Prestataires : 1 ajout(s)"), "{said}");
    assert!(said.contains("Documents : 1 ajout(s)"), "{said}");
    assert!(
        said.contains("Rapports sur les risques : 2 ajout(s)"),
        "{said}"
    );
    let list = text(&sigida(&["community", "list"], &dir));
    assert!(
        list.contains("nioro-du-sahel") && list.contains("Nioro-Ville"),
        "{list}"
    );

    // The same file again changes nothing.
    let out = sigida(&["workbook", "import", filled.to_str().unwrap()], &dir);
    assert!(text(&out).contains("rien ne change"), "{}", text(&out));

    // Export → import: every record matched by its id, nothing changed.
    let exported = tmp.path().join("export.xlsx");
    let out = sigida(
        &["workbook", "export", "--out", exported.to_str().unwrap()],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = sigida(&["workbook", "import", exported.to_str().unwrap()], &dir);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("Communautés : 0 ajout(s), 0 modification(s), 2 inchangé(s)")
            && said.contains("Parties prenantes : 0 ajout(s), 0 modification(s), 2 inchangé(s)")
            && said.contains("Prestataires : 0 ajout(s), 0 modification(s), 1 inchangé(s)")
            && said.contains("Documents : 0 ajout(s), 0 modification(s), 1 inchangé(s)")
            && said.contains(
                "Rapports sur les risques : 0 ajout(s), 0 modification(s), 2 inchangé(s)"
            ),
        "{said}"
    );

    // A wrong value on row 7 of the groups sheet, and an unknown community on row 3: the
    // whole file is refused, both named, nothing written.
    let wrong = serde_json::json!({
        "groupes": [
            ["", "Nioro du Sahel", "Jeunes", "Jeunes (bis)", "", "", "", ""],
            ["", "Tombouctou", "Femmes", "Femmes", "", "", "", ""],
            ["", "Nioro du Sahel", "Femmes", "Femmes commerçantes", "", "", "", ""],
            ["", "Nioro du Sahel", "Femmes", "Femmes maraîchères", "", "", "", ""],
            ["", "Nioro du Sahel", "Bergers", "Éleveurs", "", "", "", ""],
        ],
        "documents": [
            ["", "Note de la mairie", "Mairie de Nioro", "", "javascript:alert(1)"],
        ],
        "rapports_risques": [
            ["", "Nioro du Sahel", "Nioro-Ville", "Travail forcé", "Informateurs clés", "21/02/2026", "135", "", "oui", ""],
        ],
    })
    .to_string();
    let bad = tmp.path().join("faux.xlsx");
    fill(&template, &bad, &wrong);
    let out = sigida(&["workbook", "import", bad.to_str().unwrap()], &dir);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains(
            "feuille « groupes », ligne 7, colonne « type » : « Bergers » n'est pas dans la liste"
        ),
        "{said}"
    );
    assert!(
        said.contains("ligne 4, colonne « communaute » : communauté « Tombouctou » inconnue"),
        "{said}"
    );
    assert!(
        said.contains(
            "feuille « documents », ligne 3, colonne « lien » : lien « javascript:alert(1) »"
        ),
        "{said}"
    );
    assert!(
        said.contains("feuille « rapports_risques », ligne 3, colonne « part » : « 135 » : attendu un pourcentage"),
        "{said}"
    );
    let list = text(&sigida(
        &["workbook", "export", "--out", exported.to_str().unwrap()],
        &dir,
    ));
    assert!(list.contains("Écrit"), "{list}");
    let tables = sigida_formats::table::read_tables(&exported).unwrap();
    let groups = tables
        .iter()
        .find(|t| t.sheet.as_deref() == Some("groupes"))
        .unwrap();
    assert_eq!(
        groups.rows.len(),
        3,
        "the English row and the two groups: nothing added"
    );

    // Contacts stay out of an export unless asked for, and then the export is audited.
    let providers = tables
        .iter()
        .find(|t| t.sheet.as_deref() == Some("prestataires"))
        .unwrap();
    assert!(
        !providers
            .rows
            .iter()
            .flat_map(|(_, r)| r)
            .any(|c| c.contains("+223"))
    );

    libreoffice_reads_the_drop_downs(&template);
}

/// LibreOffice opens the template and keeps its validations: converted to ODS, the content
/// carries the list validations of the closed columns.
fn libreoffice_reads_the_drop_downs(template: &Path) {
    let present = Command::new("soffice").arg("--version").output().is_ok();
    if !sigida_testkit::needed("LibreOffice (libreoffice-calc-nogui)", present) {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let profile = scratch.path().join("profile");
    let out = scratch.path().join("out");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "ods", "--outdir"])
        .arg(&out)
        .arg(template)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let ods = std::fs::read(out.join("modele.ods")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(ods)).unwrap();
    let mut content = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("content.xml").unwrap(), &mut content).unwrap();
    assert!(
        content.contains("table:content-validation") && content.contains("listes"),
        "no list validation after LibreOffice"
    );
}
