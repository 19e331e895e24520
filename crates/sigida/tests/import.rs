//! `sigida import form` and `sigida import data` on the real exports of `../shared/data`:
//! checked, all or nothing, idempotent, and a newer export adds only new submissions.

use std::path::Path;
use std::process::Output;

mod support;
use support::{run, shared, text};

struct Diagnostic {
    dir: tempfile::TempDir,
}

impl Diagnostic {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            run(&["init", dir.path().to_str().unwrap()])
                .status
                .success()
        );
        Self { dir }
    }

    fn sigida(&self, args: &[&str]) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--dir", self.dir.path().to_str().unwrap()]);
        run(&all)
    }

    fn import_form(&self, form: &Path, instrument: &str) {
        let out = self.sigida(&[
            "import",
            "form",
            form.to_str().unwrap(),
            "--instrument",
            instrument,
        ]);
        assert!(out.status.success(), "{}", text(&out));
    }

    fn import_data(&self, data: &Path, instrument: &str, accept: bool) -> Output {
        let mut args = vec![
            "import",
            "data",
            data.to_str().unwrap(),
            "--instrument",
            instrument,
        ];
        if accept {
            args.push("--accept-warnings");
        }
        self.sigida(&args)
    }
}

#[test]
fn a_workbook_with_repeats_is_refused_with_its_problems_then_imported_once() {
    let (Some(form), Some(data), Some(csv)) = (
        shared("reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"),
        shared("reach-msna-2024/dummy_raw_data.xlsx"),
        shared("reach-msna-2024/csv_export/dummy_raw_data__main.csv"),
    ) else {
        return;
    };
    let d = Diagnostic::new();
    d.import_form(&form, "MSNA");
    let again = d.sigida(&[
        "import",
        "form",
        form.to_str().unwrap(),
        "--instrument",
        "MSNA",
    ]);
    assert!(text(&again).contains("rien ne change"), "{}", text(&again));

    let refused = d.import_data(&data, "MSNA", false);
    assert_eq!(refused.status.code(), Some(3));
    let report = text(&refused);
    assert!(
        report.contains("feuille « roster » : 965 lignes, 29 questions reconnues sur 29"),
        "{report}"
    );
    assert!(report.contains("contrainte non respectée"), "{report}");
    // Form logic: a member under 5 answered the questions asked from 5 years on.
    assert!(
        report.contains(
            "« wgq_vision » : 37 valeurs — ex. ligne 32 « pnta » : réponse à une question qui n'était pas posée (relevant : ${ind_age} >= 5)"
        ),
        "{report}"
    );
    assert!(report.contains("rien n'a été importé"), "{report}");

    let imported = d.import_data(&data, "MSNA", true);
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(
        text(&imported).contains("241 nouvelles soumissions (0 déjà connues)"),
        "nothing from the refusal was stored: {}",
        text(&imported)
    );
    let same = d.import_data(&data, "MSNA", true);
    assert!(text(&same).contains("déjà été importé"), "{}", text(&same));
    // The same submissions in another file (the CSV export) add nothing.
    let csv_import = d.import_data(&csv, "MSNA", true);
    assert!(
        text(&csv_import).contains("0 nouvelles soumissions (241 déjà connues)"),
        "{}",
        text(&csv_import)
    );
}

#[test]
fn a_newer_export_adds_only_its_new_submissions() {
    let (Some(form), Some(data)) = (
        shared("reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"),
        shared("reach-msna-2024/csv_export/dummy_raw_data__main.csv"),
    ) else {
        return;
    };
    let d = Diagnostic::new();
    d.import_form(&form, "MSNA");
    let full = std::fs::read_to_string(&data).unwrap();
    let lines: Vec<&str> = full.lines().collect();
    let early = d.dir.path().join("export-janvier.csv");
    std::fs::write(&early, lines[..101].join("\n")).unwrap();
    let first = d.import_data(&early, "MSNA", true);
    assert!(
        text(&first).contains("100 nouvelles soumissions"),
        "{}",
        text(&first)
    );
    let second = d.import_data(&data, "MSNA", true);
    assert!(
        text(&second).contains("141 nouvelles soumissions (100 déjà connues)"),
        "{}",
        text(&second)
    );
}

#[test]
fn a_clean_kobocat_export_with_flattened_repeats_imports_without_warnings() {
    let (Some(form), Some(data)) = (
        shared("kobocat/apps/main/tests/fixtures/csv_export/tutorial_w_repeats.xls"),
        shared("kobocat/apps/main/tests/fixtures/csv_export/tutorial_w_repeats.csv"),
    ) else {
        return;
    };
    let d = Diagnostic::new();
    d.import_form(&form, "Tutorial");
    let out = d.import_data(&data, "Tutorial", false);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("6 questions reconnues sur 6, 0 problèmes"),
        "{}",
        text(&out)
    );
}

#[test]
fn wrong_files_are_refused_clearly_and_leave_nothing() {
    let (Some(form), Some(other), Some(workbook)) = (
        shared("reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"),
        shared("reach-iraq-cleaningtools/cleaningtools_raw_data.csv"),
        shared("reach-msna-2024/dummy_raw_data.xlsx"),
    ) else {
        return;
    };
    let d = Diagnostic::new();
    d.import_form(&form, "MSNA");

    let out = d.import_data(&other, "MSNA", true);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out).contains("ne correspond pas au formulaire"),
        "{}",
        text(&out)
    );

    let truncated = d.dir.path().join("tronque.xlsx");
    let bytes = std::fs::read(&workbook).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let out = d.import_data(&truncated, "MSNA", true);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out).contains("tronque.xlsx") && text(&out).contains("classeur illisible"),
        "{}",
        text(&out)
    );

    let latin1 = d.dir.path().join("latin1.csv");
    std::fs::write(&latin1, b"_uuid;resp_gender\n1;f\xe9minin\n").unwrap();
    let out = d.import_data(&latin1, "MSNA", true);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        text(&out).contains("latin1.csv, ligne 2") && text(&out).contains("UTF-8"),
        "{}",
        text(&out)
    );

    let unknown = d.import_data(&workbook, "Nope", true);
    assert_eq!(unknown.status.code(), Some(3));
    assert!(
        text(&unknown).contains("sigida import form"),
        "{}",
        text(&unknown)
    );

    // Nothing of the refused files was kept: the real export still brings all its submissions.
    let out = d.import_data(&workbook, "MSNA", true);
    assert!(
        text(&out).contains("241 nouvelles soumissions"),
        "{}",
        text(&out)
    );
}

/// An ODK Central export of a household form with members and their vaccinations (a repeat
/// inside a repeat): the main CSV and one CSV per repeat, columns named with `-`.
fn odk_export(dir: &Path) -> (std::path::PathBuf, Vec<std::path::PathBuf>) {
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text.replace('\n', "\r\n")).unwrap();
        path
    };
    let form = write(
        "menage.csv",
        "survey\n\
         ,type,name,label,relevant,required\n\
         ,begin_group,menage,Ménage,,\n\
         ,integer,taille,Taille du ménage,,yes\n\
         ,select_one oui_non,eau,Accès à l'eau,,\n\
         ,end_group,,,,\n\
         ,begin_repeat,membres,Membres,,\n\
         ,text,prenom,Prénom,,\n\
         ,integer,age,Âge,,yes\n\
         ,select_one oui_non,ecole,Va à l'école,${age} < 18,\n\
         ,begin_repeat,vaccins,Vaccins,,\n\
         ,text,vaccin,Vaccin,,\n\
         ,end_repeat,,,,\n\
         ,end_repeat,,,,\n\
         choices\n\
         ,list_name,name,label\n\
         ,oui_non,oui,Oui\n\
         ,oui_non,non,Non\n",
    );
    let main = write(
        "menage_export.csv",
        "SubmissionDate,menage-taille,menage-eau,meta-instanceID,KEY,SET-OF-membres,SubmitterID,ReviewState\n\
         2026-03-01T10:00:00.000Z,3,oui,uuid:a1,uuid:a1,uuid:a1/membres,5,\n\
         2026-03-01T11:00:00.000Z,2,non,uuid:b2,uuid:b2,uuid:b2/membres,5,\n",
    );
    let members = write(
        "menage_export-membres.csv",
        "prenom,age,ecole,SET-OF-vaccins,PARENT_KEY,KEY\n\
         Awa,34,oui,uuid:a1/membres[1]/vaccins,uuid:a1,uuid:a1/membres[1]\n\
         Binta,4,,uuid:a1/membres[2]/vaccins,uuid:a1,uuid:a1/membres[2]\n\
         Coumba,\"12\",oui,uuid:b2/membres[1]/vaccins,uuid:b2,uuid:b2/membres[1]\n",
    );
    let vaccines = write(
        "menage_export-vaccins.csv",
        "vaccin,PARENT_KEY,KEY\n\
         polio,uuid:a1/membres[2],uuid:a1/membres[2]/vaccins[1]\n\
         \"rougeole\nrappel\",uuid:a1/membres[2],uuid:a1/membres[2]/vaccins[2]\n\
         fièvre jaune,uuid:b2/membres[1],uuid:b2/membres[1]/vaccins[1]\n",
    );
    (form, vec![main, members, vaccines])
}

#[test]
fn odk_main_and_repeat_csvs_import_together_and_reach_the_clean_data() {
    let d = Diagnostic::new();
    let (form, files) = odk_export(d.dir.path());
    d.import_form(&form, "Ménages");
    let mut args = vec!["import", "data"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    args.extend(["--instrument", "Ménages", "--accept-warnings"]);
    let out = d.sigida(&args);
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains("« menage_export.csv » : 2 lignes, 2 questions reconnues sur 2"),
        "the group-question columns are the form's: {report}"
    );
    assert!(
        report.contains("« ecole » : 1 valeurs — ex. ligne 2 « oui » : réponse à une question qui n'était pas posée (relevant : ${age} < 18)"),
        "{report}"
    );
    assert!(
        report.contains("feuille « menage_export-vaccins.csv » : 3 lignes"),
        "{report}"
    );
    assert!(report.contains("2 nouvelles soumissions"), "{report}");
    // The same files again are the same raw file.
    let again = d.sigida(&args);
    assert!(
        text(&again).contains("déjà été importé"),
        "{}",
        text(&again)
    );
    // ODK Central's ZIP of the same files adds nothing either.
    let zip = d.dir.path().join("menage_export.zip");
    let named: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| {
            (
                f.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(f).unwrap(),
            )
        })
        .collect();
    std::fs::write(&zip, sigida_formats::table::bundle(&named[..2]).unwrap()).unwrap();
    let zipped = d.import_data(&zip, "Ménages", true);
    assert!(
        text(&zipped).contains("0 nouvelles soumissions (2 déjà connues)"),
        "{}",
        text(&zipped)
    );

    // A decision about one vaccination, addressed by its loop index; a member removed takes
    // her vaccinations with her.
    let log = d.dir.path().join("journal.csv");
    std::fs::write(
        &log,
        "uuid,loop_index,question,old_value,new_value,issue,change_type\n\
         a1,membres[2]/vaccins[1],vaccin,polio,poliomyélite,orthographe,change_response\n\
         b2,membres[1],,,,doublon,remove_survey\n",
    )
    .unwrap();
    let clean = d.dir.path().join("propre.xlsx");
    let out = d.sigida(&[
        "clean",
        "apply",
        "--instrument",
        "Ménages",
        "--log",
        log.to_str().unwrap(),
        "--out",
        clean.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let sheets = sigida_formats::table::read_tables(&clean).unwrap();
    let names: Vec<&str> = sheets.iter().filter_map(|s| s.sheet.as_deref()).collect();
    assert_eq!(names, ["donnees_propres", "membres", "vaccins"]);
    assert_eq!(sheets[0].rows.len(), 2);
    assert_eq!(sheets[1].rows.len(), 2, "Coumba was removed");
    let vaccins = &sheets[2];
    let column = |name: &str| vaccins.headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<(String, String, String)> = vaccins
        .rows
        .iter()
        .map(|(_, c)| {
            (
                c[column("_submission__uuid")].clone(),
                c[column("loop_index")].clone(),
                c[column("vaccin")].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "a1".into(),
                "membres[2]/vaccins[1]".into(),
                "poliomyélite".into()
            ),
            (
                "a1".into(),
                "membres[2]/vaccins[2]".into(),
                "rougeole\r\nrappel".into()
            ),
        ],
        "each vaccination under its true parent; Coumba's went with her"
    );

    // Form logic: Awa, 34, answered the school question asked under 18.
    let out = d.sigida(&["clean", "check", "--instrument", "Ménages"]);
    assert!(
        text(&out).contains("relevant           1"),
        "{}",
        text(&out)
    );
}
