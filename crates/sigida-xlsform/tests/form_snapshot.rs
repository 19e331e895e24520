//! A small household form as an analyst writes it (groups, a repeat, a select_one with its
//! list, a select_multiple with or_other, relevance, a constraint with its message, a
//! calculate, French and English labels), read whole: the snapshot beside this file is the
//! model Sigida builds from it, reviewed as a diff whenever the reader changes.

use sigida_formats::table::Table;
use sigida_xlsform::read::read_sheets;

#[test]
fn a_household_form_reads_into_the_model_the_snapshot_shows() {
    let survey: &[&[&str]] = &[
        &[
            "type",
            "name",
            "label::Français (fr)",
            "label::English (en)",
            "relevant",
            "constraint",
            "constraint_message::Français (fr)",
            "calculation",
            "required",
        ],
        &["start", "start", "", "", "", "", "", "", ""],
        &[
            "begin_group",
            "menage",
            "Ménage",
            "Household",
            "",
            "",
            "",
            "",
            "",
        ],
        &[
            "select_one localite",
            "localite",
            "Localité",
            "Locality",
            "",
            "",
            "",
            "",
            "yes",
        ],
        &[
            "integer",
            "taille",
            "Taille du ménage",
            "Household size",
            "",
            ". > 0 and . < 40",
            "Entre 1 et 39",
            "",
            "yes",
        ],
        &[
            "select_multiple besoin or_other",
            "besoins",
            "Besoins",
            "Needs",
            "${taille} > 0",
            "",
            "",
            "",
            "",
        ],
        &[
            "calculate",
            "grand",
            "",
            "",
            "",
            "",
            "",
            "if(${taille} >= 8, 1, 0)",
            "",
        ],
        &["end_group", "", "", "", "", "", "", "", ""],
        &[
            "begin_repeat",
            "membres",
            "Membres",
            "Members",
            "",
            "",
            "",
            "",
            "",
        ],
        &["text", "prenom", "Prénom", "First name", "", "", "", "", ""],
        &["select_one sexe", "sexe", "Sexe", "Sex", "", "", "", "", ""],
        &["end_repeat", "", "", "", "", "", "", "", ""],
    ];
    let choices: &[&[&str]] = &[
        &[
            "list_name",
            "name",
            "label::Français (fr)",
            "label::English (en)",
        ],
        &["localite", "diboli", "Diboli", "Diboli"],
        &["localite", "kidira", "Kidira", "Kidira"],
        &["besoin", "eau", "Eau potable", "Drinking water"],
        &[
            "besoin",
            "papiers",
            "Papiers d'état civil",
            "Civil documents",
        ],
        &["sexe", "f", "Femme", "Woman"],
        &["sexe", "m", "Homme", "Man"],
    ];
    let settings: &[&[&str]] = &[
        &["form_title", "form_id", "version", "default_language"],
        &[
            "Ménages de Diboli",
            "menages_diboli",
            "2026120301",
            "Français (fr)",
        ],
    ];
    let form = read_sheets(
        "menages.xlsx",
        &[
            Table::sheet("menages.xlsx", "survey", survey),
            Table::sheet("menages.xlsx", "choices", choices),
            Table::sheet("menages.xlsx", "settings", settings),
        ],
    )
    .unwrap();
    insta::assert_snapshot!(
        "household_form",
        serde_json::to_string_pretty(&form).unwrap()
    );
}
