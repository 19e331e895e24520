//! `sigida import flows` end to end: an HXL sheet whose hashtag row sits under a title and
//! English headers, the same file again, and a file with mistakes (refused whole, every
//! mistake named); the counts stored are read back from the diagnostic's database.

use std::path::Path;

mod support;
use support::{run, text};

fn import(dir: &Path, file: &Path) -> std::process::Output {
    run(&[
        "import",
        "flows",
        file.to_str().unwrap(),
        "--community",
        "diboli",
        "--dir",
        dir.to_str().unwrap(),
    ])
}

/// Travellers stored for Diboli, read through the store as the web pages read them.
fn diboli_travellers(dir: &Path) -> u64 {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = support::open_store(dir).await;
        let (_, diboli) = support::diagnostic_and_community(&store, "diboli").await;
        let counts = store.flow_counts(diboli.id).await.unwrap();
        store.close().await;
        counts.iter().map(|c| u64::from(c.travellers)).sum()
    })
}

#[test]
fn an_hxl_sheet_is_imported_once_and_a_faulty_one_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let demo = run(&["demo", "--dir", dir.path().to_str().unwrap()]);
    assert!(demo.status.success(), "{}", text(&demo));
    let before = diboli_travellers(dir.path());
    assert!(before > 10_000, "the demo's own sheet is there: {before}");

    let sheet = dir.path().join("registre-mars.csv");
    std::fs::write(
        &sheet,
        "Registre de suivi des flux — Diboli — mars 2026,,,,,,\n\
         Date,Flow type,From,To,Individuals,Unaccompanied,Means\n\
         #date,#direction,#loc+origin,#loc+destination,#affected+total,#affected+children+unaccompanied,#meta+transport\n\
         2026-03-02T00:00:00,outgoing,Kayes,Dakar (Sénégal),31,0,bus\n\
         02/03/2026,Entrant,Kidira (Sénégal),Kayes,12,1,train\n\
         2026-03-03,sortie,Diboli,Nouakchott (Mauritanie),7,0,camion\n",
    )
    .unwrap();
    let first = import(dir.path(), &sheet);
    assert!(first.status.success(), "{}", text(&first));
    assert!(
        text(&first).contains("3 comptages, 50 voyageurs"),
        "{}",
        text(&first)
    );
    assert_eq!(diboli_travellers(dir.path()), before + 50);

    let again = import(dir.path(), &sheet);
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        text(&again).contains("déjà été importé"),
        "{}",
        text(&again)
    );
    assert_eq!(
        diboli_travellers(dir.path()),
        before + 50,
        "nothing added twice"
    );

    let faulty = dir.path().join("registre-avril.csv");
    std::fs::write(
        &faulty,
        "date;sens;origine;destination;voyageurs;hommes;femmes\n\
         2026-04-01;sortant;Diboli;Dakar;10;6;4\n\
         2026-04-31;sortant;Diboli;Dakar;10;6;4\n\
         2026-04-02;vers le nord;Diboli;Dakar;10;6;4\n\
         2026-04-03;entrant;Dakar;Diboli;3;6;4\n",
    )
    .unwrap();
    let refused = import(dir.path(), &faulty);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    let said = text(&refused);
    assert!(
        said.contains("3 problèmes : rien n'a été importé"),
        "{said}"
    );
    assert!(
        said.contains("ligne 3, colonne « date »") && said.contains("2026-04-31"),
        "{said}"
    );
    assert!(said.contains("ligne 4, colonne « sens »"), "{said}");
    assert!(
        said.contains("ligne 5") && said.contains("dépassent les 3 voyageurs"),
        "{said}"
    );
    assert_eq!(
        diboli_travellers(dir.path()),
        before + 50,
        "the good first row was not kept either"
    );
}
