//! The diagnostic workbook: communities, localities, stakeholders, socio-economic groups,
//! service providers (the 4W map), the document register, the risk reports entered and the
//! indicators (with the risk each measures), the findings and the evidence they cite, in one
//! XLSX, as field teams fill them in Excel, offline. It stands above the rooms: its import
//! calls the register's and the analysis's use-cases in one transaction.
//!
//! - The template has one sheet per register, French keys in row 1, English in row 2, the 4W
//!   sheet's HXL hashtags in row 3, drop-downs for the closed lists.
//! - The export writes the registers in the same layout with each record's id, so export →
//!   edit → import round-trips; contacts only when asked by a role that may, audited.
//! - The import is all or nothing: every problem of the file is listed with its sheet, row,
//!   column and value, and nothing is written while one remains. A row updates the record its
//!   `id` names, or — in a filled template without ids — the record of the same natural key (a
//!   community by name, a locality by community and name, a stakeholder by organisation and
//!   community, a group by community and name, a provider by community, organisation and
//!   service); any other row adds one. A row missing from the file deletes nothing; `oui` in
//!   `supprimer` removes the record (a community is archived). The same file twice changes
//!   nothing.

use sigida_core::actors::{
    GroupKind, Level, Sector, ServiceProvider, SocioEconomicGroup, Stakeholder, StakeholderType,
};
use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::citation::Citation;
use sigida_core::citation::Document;
use sigida_core::community::{Community, slugify};
use sigida_core::diagnostic::Diagnostic;
use sigida_core::finding::{Evidence, Finding, SourceType, Stance, Theme, ValidationStatus};
use sigida_core::geography::{Locality, LocalityKind};
use sigida_core::indicator::{Indicator, IndicatorKind};
use sigida_core::instrument::ImportKind;
use sigida_core::instrument::Instrument;
use sigida_core::personal::Personal;
use sigida_core::protection::{ReportOrigin, RiskReport, RiskType};
use sigida_core::vocabulary::Closed;
use sigida_core::{Id, Timestamp};
use sigida_formats::register::{Column, Row, SheetSpec, rows, write};
use sigida_formats::{FormatError, Location};
use sigida_report::{Lang, Tr};
use sigida_store::{ActorTable, RawFile, Store};

use crate::common::files::Upload;
use crate::{AppError, Refusal};

const fn col(key: &'static str, en: &'static str, required: bool) -> Column {
    Column {
        key,
        en,
        hxl: None,
        list: None,
        required,
    }
}

const fn listed(key: &'static str, en: &'static str, list: &'static str) -> Column {
    Column {
        key,
        en,
        hxl: None,
        list: Some(list),
        required: true,
    }
}

const fn tagged(key: &'static str, en: &'static str, hxl: &'static str, required: bool) -> Column {
    Column {
        key,
        en,
        hxl: Some(hxl),
        list: None,
        required,
    }
}

const ID: Column = col("id", "Id (left blank for a new record)", false);
const DELETE: Column = Column {
    key: "supprimer",
    en: "Delete (oui = yes)",
    hxl: None,
    list: Some("oui_non"),
    required: false,
};
const COMMUNITY: Column = col("communaute", "Community (name or short name)", true);

pub const COMMUNITIES: SheetSpec = SheetSpec {
    name: "communautes",
    columns: &[
        ID,
        col("nom", "Name", true),
        col(
            "identifiant",
            "Short name (made from the name if blank)",
            false,
        ),
        col("cercle_pcode", "Cercle P-code (e.g. ML0101)", true),
        col("description", "Description", false),
        col("raison_du_choix", "Why it was chosen", false),
        col("latitude", "Latitude", false),
        col("longitude", "Longitude", false),
        DELETE,
    ],
};

pub const LOCALITIES: SheetSpec = SheetSpec {
    name: "localites",
    columns: &[
        ID,
        COMMUNITY,
        col("nom", "Name", true),
        listed("type", "Kind", "types_localite"),
        col("pcode", "Admin unit P-code", false),
        col("latitude", "Latitude", false),
        col("longitude", "Longitude", false),
        col("population", "Population", false),
        col(
            "source_population",
            "Source of the population figure",
            false,
        ),
        col("annee_population", "Year of the population figure", false),
        DELETE,
    ],
};

pub const STAKEHOLDERS: SheetSpec = SheetSpec {
    name: "parties_prenantes",
    columns: &[
        ID,
        col(
            "communaute",
            "Community (blank: national or regional actor)",
            false,
        ),
        col("organisation", "Organisation", true),
        listed("type", "Kind", "types_partie_prenante"),
        listed("niveau", "Level", "niveaux"),
        col("role", "Role in the zone", false),
        col("contact_nom", "Contact person (personal data)", false),
        col("contact_telephone", "Contact phone (personal data)", false),
        col("influence", "Influence 1–5", false),
        col("interet", "Interest 1–5", false),
        DELETE,
    ],
};

pub const GROUPS: SheetSpec = SheetSpec {
    name: "groupes",
    columns: &[
        ID,
        COMMUNITY,
        listed("type", "Kind", "types_groupe"),
        col("nom", "Name", true),
        col("taille", "Stated size (people)", false),
        col("vulnerabilites", "Vulnerabilities", false),
        col("priorites", "Priorities", false),
        col("representation", "Representation", false),
        DELETE,
    ],
};

pub const PROVIDERS: SheetSpec = SheetSpec {
    name: "prestataires",
    columns: &[
        ID,
        COMMUNITY,
        tagged("localite", "Locality", "#loc+name", false),
        tagged("organisation", "Organisation", "#org", true),
        Column {
            key: "secteur",
            en: "Sector",
            hxl: Some("#sector"),
            list: Some("secteurs"),
            required: true,
        },
        tagged("service", "Service", "#activity", true),
        col("pour_qui", "For whom", false),
        tagged(
            "capacite_par_mois",
            "People served per month",
            "#capacity",
            false,
        ),
        Column {
            key: "gratuit",
            en: "Free of charge (oui/non)",
            hxl: None,
            list: Some("oui_non"),
            required: false,
        },
        col("horaires", "Opening hours", false),
        Column {
            key: "accepte_references",
            en: "Accepts referrals (oui/non)",
            hxl: None,
            list: Some("oui_non"),
            required: false,
        },
        tagged(
            "contact_telephone",
            "Contact phone (personal data)",
            "#contact+phone",
            false,
        ),
        tagged("latitude", "Latitude", "#geo+lat", false),
        tagged("longitude", "Longitude", "#geo+lon", false),
        DELETE,
    ],
};

/// The diagnostic's register of secondary documents, which findings cite.
pub const DOCUMENTS: SheetSpec = SheetSpec {
    name: "documents",
    columns: &[
        ID,
        col("titre", "Title", true),
        col("editeur", "Publisher", true),
        col("date_publication", "Publication date (YYYY-MM-DD)", false),
        col("lien", "Link (http:// or https://)", false),
        DELETE,
    ],
};

/// Risk reports as a protection monitor or a service provider gives them (the reports derived
/// from linked indicators and codes are not in the workbook: they are made when read).
pub const RISKS: SheetSpec = SheetSpec {
    name: "rapports_risques",
    columns: &[
        ID,
        COMMUNITY,
        col("localite", "Locality", true),
        listed("risque", "Risk", "risques"),
        listed("source", "Source", "sources"),
        col("date", "Date (YYYY-MM-DD)", true),
        col("part", "Share of respondents or cases (%)", false),
        col("cas", "Cases over the last three months", false),
        Column {
            key: "present",
            en: "The source says it is present (oui/non)",
            hxl: None,
            list: Some("oui_non"),
            required: false,
        },
        col("observation", "Note", false),
        DELETE,
    ],
};

/// The indicators the analysts define, each with the risk it measures when one is linked.
pub const INDICATORS: SheetSpec = SheetSpec {
    name: "indicateurs",
    columns: &[
        ID,
        col("code", "Code (lower-case letters, digits, _)", true),
        col("libelle", "Label", true),
        listed("theme", "Theme", "themes"),
        col("instrument", "Instrument (its name)", true),
        listed("mesure", "Measure", "mesures"),
        col(
            "question",
            "Question, option column or XLSForm expression",
            true,
        ),
        col("option", "Option counted", false),
        col("poids", "Weight column", false),
        col("strates", "Strata column", false),
        col("grappes", "Cluster column", false),
        col("question_localite", "Locality question", true),
        col("desagregations", "Disaggregations (separated by ;)", false),
        Column {
            key: "risque",
            en: "Risk it measures (a share only)",
            hxl: None,
            list: Some("risques"),
            required: false,
        },
        DELETE,
    ],
};

/// The findings the analysts write (a meeting's decision is shown, and stands).
pub const FINDINGS: SheetSpec = SheetSpec {
    name: "constats",
    columns: &[
        ID,
        COMMUNITY,
        listed("theme", "Theme", "themes"),
        col("enonce", "Statement", true),
        col(
            "localites",
            "Localities it is about (separated by ;)",
            false,
        ),
        col("statut", "Where the meeting left it (read only)", false),
        DELETE,
    ],
};

/// The evidence each finding cites: a source Sigida holds, by its reference.
pub const EVIDENCE: SheetSpec = SheetSpec {
    name: "preuves",
    columns: &[
        ID,
        col("constat", "Finding (its id, or its statement)", true),
        col(
            "reference",
            "Source cited (indicator|code|cell, flow|month|origin|destination, document|id|page…)",
            true,
        ),
        listed("position", "Stance", "positions"),
        col("ce_que_dit_la_source", "What the source says", false),
        col("valeur_citee", "Value cited (read only)", false),
        DELETE,
    ],
};

pub const SHEETS: [SheetSpec; 10] = [
    COMMUNITIES,
    LOCALITIES,
    STAKEHOLDERS,
    GROUPS,
    PROVIDERS,
    DOCUMENTS,
    RISKS,
    INDICATORS,
    FINDINGS,
    EVIDENCE,
];

fn french<V: Closed>() -> Vec<String> {
    let fr = Tr::new(Lang::Fr);
    V::all()
        .iter()
        .map(|v| fr.t(v.label_key()).to_owned())
        .collect()
}

fn lists() -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("types_localite", french::<LocalityKind>()),
        ("types_partie_prenante", french::<StakeholderType>()),
        ("niveaux", french::<Level>()),
        ("types_groupe", french::<GroupKind>()),
        ("secteurs", french::<Sector>()),
        ("risques", french::<RiskType>()),
        ("themes", french::<Theme>()),
        ("mesures", french::<IndicatorKind>()),
        ("positions", french::<Stance>()),
        ("sources", french::<SourceType>()),
        ("oui_non", vec!["oui".into(), "non".into()]),
    ]
}

/// A closed list's value as typed: its code, or its French or English label.
fn choice<V: Closed>(text: &str) -> Option<V> {
    let (fr, en) = (Tr::new(Lang::Fr), Tr::new(Lang::En));
    let wanted = text.trim();
    V::all().iter().copied().find(|v| {
        v.code().eq_ignore_ascii_case(wanted)
            || fr.t(v.label_key()).eq_ignore_ascii_case(wanted)
            || en.t(v.label_key()).eq_ignore_ascii_case(wanted)
    })
}

fn label<V: Closed>(v: V) -> String {
    Tr::new(Lang::Fr).t(v.label_key()).to_owned()
}

fn number(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn whole<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn yes_no(v: bool) -> String {
    if v { "oui" } else { "non" }.to_owned()
}

/// The note on the template's first sheet.
fn note(tr: Tr) -> String {
    tr.t("workbook.note").to_owned()
}

/// The empty template.
pub fn template(tr: Tr) -> Result<Vec<u8>, AppError> {
    Ok(write(&SHEETS, &[], &lists(), &note(tr))?)
}

/// What an export holds: its bytes, and how many personal columns it carries.
pub struct Exported {
    pub bytes: Vec<u8>,
    pub personal: bool,
}

/// The diagnostic's registers in the template's layout, each row with its id. Contacts are
/// written only `with_personal` (the caller has checked the role), and that is audited.
pub async fn export(
    store: &Store,
    diagnostic: &Diagnostic,
    with_personal: bool,
    by: Option<&str>,
) -> Result<Exported, AppError> {
    let tr = Tr::new(Lang::Fr);
    let communities = store.communities(diagnostic.id).await?;
    let name_of = |id: Id<Community>| {
        communities
            .iter()
            .find(|c| c.id == id)
            .map_or(String::new(), |c| c.name.clone())
    };
    let personal = |p: &Personal<String>| {
        if with_personal {
            p.expose().clone()
        } else {
            String::new()
        }
    };
    let mut sheets: Vec<Vec<Vec<String>>> = vec![Vec::new(); SHEETS.len()];
    for c in &communities {
        sheets[0].push(vec![
            c.id.to_string(),
            c.name.clone(),
            c.slug.clone(),
            c.cercle_pcode.clone(),
            c.description.clone(),
            c.selection_reason.clone(),
            number(c.latitude),
            number(c.longitude),
            if c.archived_at.is_some() { "oui" } else { "" }.to_owned(),
        ]);
        let localities = store.localities(c.id).await?;
        for l in &localities {
            sheets[1].push(vec![
                l.id.to_string(),
                c.name.clone(),
                l.name.clone(),
                label(l.kind),
                l.admin_pcode.clone().unwrap_or_default(),
                number(l.latitude),
                number(l.longitude),
                whole(l.population),
                l.population_source.clone(),
                whole(l.population_year),
                String::new(),
            ]);
        }
        for g in store.groups(c.id).await? {
            sheets[3].push(vec![
                g.id.to_string(),
                c.name.clone(),
                label(g.kind),
                g.name.clone(),
                whole(g.size_estimate),
                g.vulnerabilities.clone(),
                g.priorities.clone(),
                g.representation.clone(),
                String::new(),
            ]);
        }
        for s in store.service_providers(c.id).await? {
            let locality = s
                .locality_id
                .and_then(|id| localities.iter().find(|l| l.id == id))
                .map_or(String::new(), |l| l.name.clone());
            sheets[4].push(vec![
                s.id.to_string(),
                c.name.clone(),
                locality,
                s.organisation.clone(),
                label(s.sector),
                s.service.clone(),
                s.target_groups.clone(),
                whole(s.capacity_per_month),
                yes_no(s.free_of_charge),
                s.opening_hours.clone(),
                yes_no(s.accepts_referrals),
                personal(&s.contact_phone),
                number(s.latitude),
                number(s.longitude),
                String::new(),
            ]);
        }
    }
    for c in &communities {
        let localities = store.localities(c.id).await?;
        for r in store.risk_reports(c.id).await? {
            let place = localities
                .iter()
                .find(|l| l.id == r.locality_id)
                .map_or(String::new(), |l| l.name.clone());
            sheets[6].push(vec![
                r.id.to_string(),
                c.name.clone(),
                place,
                label(r.risk),
                label(r.source),
                r.observed_on.to_string(),
                number(r.prevalence.map(|p| p * 100.0)),
                whole(r.incidents),
                yes_no(r.present),
                r.note.clone(),
                String::new(),
            ]);
        }
    }
    let instruments = store.instruments(diagnostic.id).await?;
    let risk_links = store.indicator_risks(diagnostic.id).await?;
    for i in store.indicators(diagnostic.id).await? {
        let risk = risk_links
            .iter()
            .find(|(id, _)| *id == i.id)
            .map(|(_, r)| *r);
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        sheets[7].push(vec![
            i.id.to_string(),
            i.code.clone(),
            i.label.clone(),
            label(i.theme),
            instruments
                .iter()
                .find(|k| k.id == i.instrument_id)
                .map_or(String::new(), |k| k.name.clone()),
            label(i.kind),
            i.question.clone(),
            opt(&i.option),
            opt(&i.weight_column),
            opt(&i.strata_column),
            opt(&i.cluster_column),
            i.locality_column.clone(),
            i.by.join(" ; "),
            risk.map(label).unwrap_or_default(),
            String::new(),
        ]);
    }
    for c in &communities {
        let localities = store.localities(c.id).await?;
        for f in store.findings(c.id).await? {
            let places: Vec<String> = f
                .localities
                .iter()
                .filter_map(|id| localities.iter().find(|l| l.id == *id))
                .map(|l| l.name.clone())
                .collect();
            sheets[8].push(vec![
                f.id.to_string(),
                c.name.clone(),
                label(f.theme),
                f.statement.clone(),
                places.join(" ; "),
                label(f.validation),
                String::new(),
            ]);
        }
        for e in store.evidence_of_community(c.id).await? {
            sheets[9].push(vec![
                e.id.to_string(),
                e.finding_id.to_string(),
                e.reference.clone(),
                label(e.stance),
                e.summary.clone(),
                e.cited
                    .as_ref()
                    .map(|v| sigida_report::findings::cited_value(tr, v, diagnostic.min_cell))
                    .unwrap_or_default(),
                String::new(),
            ]);
        }
    }
    for d in store.documents(diagnostic.id).await? {
        sheets[5].push(vec![
            d.id.to_string(),
            d.title.clone(),
            d.publisher.clone(),
            d.published_on.map(|p| p.to_string()).unwrap_or_default(),
            d.link.clone().unwrap_or_default(),
            String::new(),
        ]);
    }
    for s in store.stakeholders(diagnostic.id, None).await? {
        sheets[2].push(vec![
            s.id.to_string(),
            s.community_id.map(name_of).unwrap_or_default(),
            s.organisation.clone(),
            label(s.kind),
            label(s.level),
            s.role_in_zone.clone(),
            personal(&s.contact_name),
            personal(&s.contact_phone),
            whole(s.influence),
            whole(s.interest),
            String::new(),
        ]);
    }
    let bytes = write(&SHEETS, &sheets, &lists(), &note(tr))?;
    if with_personal {
        store
            .audit(&AuditEvent {
                id: Id::new(),
                at: Timestamp::now(),
                actor: by.map(str::to_owned),
                action: AuditAction::ExportPersonalData,
                subject: "workbook".into(),
                detail: "contacts des parties prenantes et des prestataires".into(),
            })
            .await?;
    }
    Ok(Exported {
        bytes,
        personal: with_personal,
    })
}

/// What an import did to each register: `[added, updated, unchanged, removed]`, in the order of
/// [`SHEETS`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkbookImported {
    pub counts: [[usize; 4]; 10],
}

impl WorkbookImported {
    pub fn summary(&self, tr: Tr) -> String {
        let names = [
            "workbook.communities",
            "workbook.localities",
            "workbook.stakeholders",
            "workbook.groups",
            "workbook.providers",
            "workbook.documents",
            "workbook.risks",
            "workbook.indicators",
            "workbook.findings",
            "workbook.evidence",
        ];
        names
            .iter()
            .zip(&self.counts)
            .map(|(name, [added, updated, unchanged, removed])| {
                tr.fill(
                    "workbook.counts",
                    &[
                        ("register", tr.t(name).to_owned()),
                        ("added", added.to_string()),
                        ("updated", updated.to_string()),
                        ("unchanged", unchanged.to_string()),
                        ("removed", removed.to_string()),
                    ],
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// An indicator and the risk it measures, as a row of the indicators sheet.
type Linked = (Indicator, Option<RiskType>);

/// What becomes of a row.
enum Change<T> {
    Add(T),
    Update(T),
    Same,
    Remove(T),
}

/// The problems of one row, gathered as its cells are read.
struct Cells<'r, 't> {
    row: &'r Row<'t>,
    problems: &'r mut Vec<FormatError>,
}

impl Cells<'_, '_> {
    fn refuse(&mut self, key: &str, what: Refusal) {
        self.problems.push(FormatError::new(self.row.at(key), what));
    }

    fn text(&self, key: &str) -> String {
        self.row.get(key).to_owned()
    }

    fn required(&mut self, key: &str) -> String {
        let v = self.text(key);
        if v.is_empty() {
            self.refuse(key, Refusal::new("workbook.required").arg("column", key));
        }
        v
    }

    fn number(&mut self, key: &str) -> Option<f64> {
        match self.row.get(key) {
            "" => None,
            text => {
                let v = sigida_formats::parse_typed_number(text);
                if v.is_none() {
                    self.refuse(key, Refusal::new("file.number").arg("value", text));
                }
                v
            }
        }
    }

    fn whole<T: TryFrom<i64>>(&mut self, key: &str) -> Option<T> {
        let text = self.row.get(key).to_owned();
        let v = self.number(key)?;
        let whole = (v.fract() == 0.0 && v.abs() < 9e15)
            .then(|| T::try_from(v as i64).ok())
            .flatten();
        if whole.is_none() {
            self.refuse(key, Refusal::new("form.integer").arg("value", text));
        }
        whole
    }

    fn choice<V: Closed>(&mut self, key: &str) -> Option<V> {
        let text = self.row.get(key).to_owned();
        let v = choice::<V>(&text);
        if v.is_none() {
            let expected = french::<V>().join(", ");
            self.refuse(
                key,
                Refusal::new("workbook.choice")
                    .arg("value", text)
                    .arg("expected", expected),
            );
        }
        v
    }

    fn yes_no(&mut self, key: &str) -> Option<bool> {
        match self.row.get(key).to_lowercase().as_str() {
            "" => None,
            "oui" | "yes" | "o" | "y" | "1" | "vrai" | "true" | "x" => Some(true),
            "non" | "no" | "n" | "0" | "faux" | "false" => Some(false),
            other => {
                self.refuse(key, Refusal::new("workbook.yes_no").arg("value", other));
                None
            }
        }
    }

    fn date(&mut self, key: &str) -> Option<time::Date> {
        match self.row.get(key) {
            "" => None,
            text => {
                let d = sigida_formats::parse_date(text);
                if d.is_none() {
                    self.refuse(key, Refusal::new("workbook.date").arg("value", text));
                }
                d
            }
        }
    }

    /// The community the row's required `communaute` names, or a problem.
    fn community<'c>(&mut self, communities: &'c [Community]) -> Option<&'c Community> {
        let text = self.required("communaute");
        let community = community_named(communities, &text);
        if community.is_none() && !text.is_empty() {
            self.refuse(
                "communaute",
                Refusal::new("workbook.community").arg("value", text.as_str()),
            );
        }
        community
    }

    fn delete(&mut self) -> bool {
        self.yes_no("supprimer").unwrap_or(false)
    }

    /// The id of the row, when it has one: a record of `known` ids, or a problem.
    fn id<T>(&mut self, known: impl Fn(Id<T>) -> bool) -> Option<Id<T>> {
        let text = self.row.get("id").to_owned();
        if text.is_empty() {
            return None;
        }
        match text.parse::<Id<T>>() {
            Ok(id) if known(id) => Some(id),
            _ => {
                self.refuse("id", Refusal::new("workbook.id").arg("value", text));
                None
            }
        }
    }
}

/// A row's changed record against the stored one.
fn change<T: PartialEq>(stored: Option<&T>, new: T, delete: bool) -> Change<T> {
    match (stored, delete) {
        (None, true) => Change::Same,
        (None, false) => Change::Add(new),
        (Some(_), true) => Change::Remove(new),
        (Some(old), false) if *old == new => Change::Same,
        (Some(_), false) => Change::Update(new),
    }
}

/// The community a row names (by name or short name), among the stored and the workbook's.
fn community_named<'c>(communities: &'c [Community], text: &str) -> Option<&'c Community> {
    let wanted = text.trim();
    communities.iter().find(|c| {
        c.name.eq_ignore_ascii_case(wanted) || c.slug == wanted || c.slug == slugify(wanted)
    })
}

/// Imports a diagnostic workbook, all or nothing (see the module's documentation).
pub async fn import(
    store: &Store,
    diagnostic: &Diagnostic,
    file: Upload<'_>,
    by: Option<&str>,
) -> Result<Option<WorkbookImported>, AppError> {
    let (shown, bytes) = (file.shown.to_owned(), file.bytes.to_vec());
    let tables = crate::common::clean_data::off_runtime(move || {
        sigida_formats::table::read_tables_from_bytes(&shown, &bytes)
    })
    .await??;
    let mut problems: Vec<FormatError> = Vec::new();
    let mut sheet_rows: Vec<Vec<Row<'_>>> = Vec::new();
    let mut found = 0;
    for spec in &SHEETS {
        match rows(&tables, spec) {
            None => sheet_rows.push(Vec::new()),
            Some(Err(e)) => {
                problems.extend(e);
                sheet_rows.push(Vec::new());
            }
            Some(Ok(r)) => {
                found += 1;
                sheet_rows.push(r);
            }
        }
    }
    if found == 0 && problems.is_empty() {
        problems.push(FormatError::new(
            Location {
                file: file.shown.to_owned(),
                ..Location::default()
            },
            Refusal::new("workbook.no_sheet").arg(
                "expected",
                SHEETS.iter().map(|s| s.name).collect::<Vec<_>>().join(", "),
            ),
        ));
    }
    let at = Timestamp::now();

    // Communities: stored ones, then the workbook's changes, by id or by name.
    let stored = store.communities(diagnostic.id).await?;
    let mut communities = stored.clone();
    let mut community_changes: Vec<(Location, Change<Community>)> = Vec::new();
    for row in &sheet_rows[0] {
        let mut c = Cells {
            row,
            problems: &mut problems,
        };
        let id = c.id(|id| stored.iter().any(|s| s.id == id));
        let name = c.required("nom");
        let current = id
            .and_then(|id| stored.iter().find(|s| s.id == id))
            .or_else(|| stored.iter().find(|s| s.name.eq_ignore_ascii_case(&name)));
        let pcode = c.required("cercle_pcode").to_ascii_uppercase();
        let unit = if pcode.is_empty() {
            None
        } else {
            let unit = store.admin_unit_versions(&pcode).await?.into_iter().next();
            if unit.is_none() {
                c.refuse(
                    "cercle_pcode",
                    Refusal::new("register.unknown_pcode").arg("pcode", pcode.as_str()),
                );
            }
            unit
        };
        let slug = match c.text("identifiant") {
            s if s.is_empty() => current.map_or_else(|| slugify(&name), |k| k.slug.clone()),
            s => s,
        };
        let (latitude, longitude) = (c.number("latitude"), c.number("longitude"));
        let delete = c.delete();
        let (Some(unit), false) = (unit, name.is_empty()) else {
            continue;
        };
        let community = Community {
            id: current.map_or_else(Id::new, |k| k.id),
            diagnostic_id: diagnostic.id,
            name,
            slug,
            region_pcode: unit.parent_pcode.clone().unwrap_or_default(),
            cercle_pcode: unit.pcode.clone(),
            cod_version: unit.cod_version.clone(),
            description: c.text("description"),
            selection_reason: c.text("raison_du_choix"),
            latitude,
            longitude,
            archived_at: if delete {
                current.and_then(|k| k.archived_at).or(Some(at))
            } else {
                current.and_then(|k| k.archived_at)
            },
        };
        if communities
            .iter()
            .any(|o| o.id != community.id && o.slug == community.slug)
        {
            c.refuse(
                "identifiant",
                Refusal::new("register.slug_taken")
                    .arg("slug", community.slug.as_str())
                    .arg("other", community.name.as_str()),
            );
            continue;
        }
        match communities.iter_mut().find(|o| o.id == community.id) {
            Some(o) => *o = community.clone(),
            None => communities.push(community.clone()),
        }
        // Archiving is a change of the record: "supprimer" archives, it removes nothing.
        community_changes.push((row.at("nom"), change(current, community, false)));
    }

    // Localities, by id or by community and name.
    let mut stored_localities: Vec<Locality> = Vec::new();
    for c in &stored {
        stored_localities.extend(store.localities(c.id).await?);
    }
    let mut localities = stored_localities.clone();
    let mut locality_changes: Vec<(Location, Change<Locality>)> = Vec::new();
    for row in &sheet_rows[1] {
        let mut c = Cells {
            row,
            problems: &mut problems,
        };
        let id = c.id(|id| stored_localities.iter().any(|s| s.id == id));
        let community = c.community(&communities);
        let name = c.required("nom");
        let kind = c.choice::<LocalityKind>("type");
        let pcode = c.text("pcode").to_ascii_uppercase();
        let unit = if pcode.is_empty() {
            None
        } else {
            let unit = store.admin_unit_versions(&pcode).await?.into_iter().next();
            if unit.is_none() {
                c.refuse(
                    "pcode",
                    Refusal::new("register.unknown_pcode").arg("pcode", pcode.as_str()),
                );
            }
            unit
        };
        let (latitude, longitude) = (c.number("latitude"), c.number("longitude"));
        let population = c.whole::<i64>("population");
        let year = c.whole::<i32>("annee_population");
        let delete = c.delete();
        let (Some(community), Some(kind), false) = (community, kind, name.is_empty()) else {
            continue;
        };
        let current = id
            .and_then(|id| stored_localities.iter().find(|s| s.id == id))
            .or_else(|| {
                stored_localities
                    .iter()
                    .find(|s| s.community_id == community.id && s.name.eq_ignore_ascii_case(&name))
            });
        let locality = Locality {
            id: current.map_or_else(Id::new, |k| k.id),
            community_id: community.id,
            name,
            kind,
            admin_pcode: unit.as_ref().map(|u| u.pcode.clone()),
            cod_version: unit.as_ref().map(|u| u.cod_version.clone()),
            latitude,
            longitude,
            population,
            population_source: c.text("source_population"),
            population_year: year,
        };
        localities.push(locality.clone());
        locality_changes.push((row.at("nom"), change(current, locality, delete)));
    }
    let locality_named = |community: Id<Community>, text: &str| {
        localities
            .iter()
            .find(|l| l.community_id == community && l.name.eq_ignore_ascii_case(text.trim()))
            .map(|l| l.id)
    };

    // Stakeholders, by id or by organisation and community.
    let stored_stakeholders = store.stakeholders(diagnostic.id, None).await?;
    let mut stakeholder_changes: Vec<(Location, Change<Stakeholder>)> = Vec::new();
    for row in &sheet_rows[2] {
        let mut c = Cells {
            row,
            problems: &mut problems,
        };
        let id = c.id(|id| stored_stakeholders.iter().any(|s| s.id == id));
        let community_text = c.text("communaute");
        let community = if community_text.is_empty() {
            None
        } else {
            let found = community_named(&communities, &community_text).map(|k| k.id);
            if found.is_none() {
                c.refuse(
                    "communaute",
                    Refusal::new("workbook.community").arg("value", community_text.as_str()),
                );
                continue;
            }
            found
        };
        let organisation = c.required("organisation");
        let kind = c.choice::<StakeholderType>("type");
        let level = c.choice::<Level>("niveau");
        let influence = c.whole::<u8>("influence");
        let interest = c.whole::<u8>("interet");
        for (key, v) in [("influence", influence), ("interet", interest)] {
            if v.is_some_and(|v| !(1..=5).contains(&v)) {
                c.refuse(
                    key,
                    Refusal::new("workbook.scale").arg("value", c.text(key)),
                );
            }
        }
        let delete = c.delete();
        let (Some(kind), Some(level), false) = (kind, level, organisation.is_empty()) else {
            continue;
        };
        let current = id
            .and_then(|id| stored_stakeholders.iter().find(|s| s.id == id))
            .or_else(|| {
                stored_stakeholders.iter().find(|s| {
                    s.community_id == community
                        && s.organisation.eq_ignore_ascii_case(&organisation)
                })
            });
        // Contacts left blank keep the stored ones: an export without them edits the rest.
        let keep = |typed: String, stored: Option<&Personal<String>>| {
            if typed.is_empty() {
                stored.map_or_else(|| Personal::new(String::new()), Clone::clone)
            } else {
                Personal::new(typed)
            }
        };
        let stakeholder = Stakeholder {
            id: current.map_or_else(Id::new, |k| k.id),
            diagnostic_id: diagnostic.id,
            community_id: community,
            organisation,
            kind,
            level,
            role_in_zone: c.text("role"),
            contact_name: keep(c.text("contact_nom"), current.map(|k| &k.contact_name)),
            contact_phone: keep(
                c.text("contact_telephone"),
                current.map(|k| &k.contact_phone),
            ),
            influence,
            interest,
        };
        stakeholder_changes.push((row.at("organisation"), change(current, stakeholder, delete)));
    }

    // Groups, by id or by community and name.
    let mut stored_groups: Vec<SocioEconomicGroup> = Vec::new();
    let mut stored_providers: Vec<ServiceProvider> = Vec::new();
    for c in &stored {
        stored_groups.extend(store.groups(c.id).await?);
        stored_providers.extend(store.service_providers(c.id).await?);
    }
    let mut group_changes: Vec<(Location, Change<SocioEconomicGroup>)> = Vec::new();
    for row in &sheet_rows[3] {
        let mut c = Cells {
            row,
            problems: &mut problems,
        };
        let id = c.id(|id| stored_groups.iter().any(|s| s.id == id));
        let community = c.community(&communities);
        let kind = c.choice::<GroupKind>("type");
        let name = c.required("nom");
        let size = c.whole::<i64>("taille");
        let delete = c.delete();
        let (Some(community), Some(kind), false) = (community, kind, name.is_empty()) else {
            continue;
        };
        let current = id
            .and_then(|id| stored_groups.iter().find(|s| s.id == id))
            .or_else(|| {
                stored_groups
                    .iter()
                    .find(|s| s.community_id == community.id && s.name.eq_ignore_ascii_case(&name))
            });
        let group = SocioEconomicGroup {
            id: current.map_or_else(Id::new, |k| k.id),
            community_id: community.id,
            kind,
            name,
            size_estimate: size,
            size_indicator: current.and_then(|k| k.size_indicator.clone()),
            vulnerabilities: c.text("vulnerabilites"),
            priorities: c.text("priorites"),
            representation: c.text("representation"),
        };
        group_changes.push((row.at("nom"), change(current, group, delete)));
    }

    // Providers, by id or by community, organisation and service.
    let mut provider_changes: Vec<(Location, Change<ServiceProvider>)> = Vec::new();
    for row in &sheet_rows[4] {
        let mut c = Cells {
            row,
            problems: &mut problems,
        };
        let id = c.id(|id| stored_providers.iter().any(|s| s.id == id));
        let community = c.community(&communities);
        let organisation = c.required("organisation");
        let sector = c.choice::<Sector>("secteur");
        let service = c.required("service");
        let capacity = c.whole::<i64>("capacite_par_mois");
        let free = c.yes_no("gratuit");
        let referrals = c.yes_no("accepte_references");
        let (latitude, longitude) = (c.number("latitude"), c.number("longitude"));
        let delete = c.delete();
        let Some(community) = community else {
            continue;
        };
        let locality_text = c.text("localite");
        let locality = if locality_text.is_empty() {
            None
        } else {
            let found = locality_named(community.id, &locality_text);
            if found.is_none() {
                c.refuse(
                    "localite",
                    Refusal::new("workbook.locality")
                        .arg("value", locality_text.as_str())
                        .arg("community", community.name.as_str()),
                );
            }
            found
        };
        let (Some(sector), false, false) = (sector, organisation.is_empty(), service.is_empty())
        else {
            continue;
        };
        let current = id
            .and_then(|id| stored_providers.iter().find(|s| s.id == id))
            .or_else(|| {
                stored_providers.iter().find(|s| {
                    s.community_id == community.id
                        && s.organisation.eq_ignore_ascii_case(&organisation)
                        && s.service.eq_ignore_ascii_case(&service)
                })
            });
        let phone = c.text("contact_telephone");
        let provider = ServiceProvider {
            id: current.map_or_else(Id::new, |k| k.id),
            community_id: community.id,
            locality_id: locality,
            organisation,
            sector,
            service,
            target_groups: c.text("pour_qui"),
            capacity_per_month: capacity,
            free_of_charge: free.unwrap_or_else(|| current.is_some_and(|k| k.free_of_charge)),
            opening_hours: c.text("horaires"),
            accepts_referrals: referrals
                .unwrap_or_else(|| current.is_some_and(|k| k.accepts_referrals)),
            contact_phone: if phone.is_empty() {
                current.map_or_else(|| Personal::new(String::new()), |k| k.contact_phone.clone())
            } else {
                Personal::new(phone)
            },
            latitude,
            longitude,
        };
        provider_changes.push((row.at("organisation"), change(current, provider, delete)));
    }

    // Documents, by id or by title.
    let stored_documents = store.documents(diagnostic.id).await?;
    let mut document_changes: Vec<(Location, Change<Document>)> = Vec::new();
    for row in &sheet_rows[5] {
        let mut c = Cells {
            row,
            problems: &mut problems,
        };
        let id = c.id(|id| stored_documents.iter().any(|s| s.id == id));
        let title = c.required("titre");
        let publisher = c.required("editeur");
        let published_on = c.date("date_publication");
        let delete = c.delete();
        if title.is_empty() || publisher.is_empty() {
            continue;
        }
        let current = id
            .and_then(|id| stored_documents.iter().find(|s| s.id == id))
            .or_else(|| {
                stored_documents
                    .iter()
                    .find(|s| s.title.eq_ignore_ascii_case(&title))
            });
        let document = Document {
            id: current.map_or_else(Id::new, |k| k.id),
            diagnostic_id: diagnostic.id,
            title,
            publisher,
            published_on,
            link: Some(c.text("lien")).filter(|l| !l.is_empty()),
        };
        if let Err(refused) = crate::analysis::findings::check_document(&document) {
            c.refuse("lien", refused);
            continue;
        }
        document_changes.push((row.at("titre"), change(current, document, delete)));
    }

    // Entered risk reports, by id, else new (a report is an observation: two alike are two).
    let mut stored_reports = Vec::new();
    for c in &stored {
        stored_reports.extend(store.risk_reports(c.id).await?);
    }
    let mut report_changes: Vec<(Location, Change<RiskReport>)> = Vec::new();
    for row in &sheet_rows[6] {
        let mut c = Cells {
            row,
            problems: &mut problems,
        };
        let id = c.id(|id| stored_reports.iter().any(|s: &RiskReport| s.id == id));
        let community = c.community(&communities);
        let place = c.required("localite");
        let locality = community.and_then(|k| {
            localities
                .iter()
                .find(|l| l.community_id == k.id && l.name.eq_ignore_ascii_case(&place))
        });
        if let (Some(k), None, false) = (community, locality, place.is_empty()) {
            c.refuse(
                "localite",
                Refusal::new("workbook.locality")
                    .arg("value", place.as_str())
                    .arg("community", k.name.as_str()),
            );
        }
        let risk = c.choice::<RiskType>("risque");
        let source = c.choice::<SourceType>("source");
        let date = c.date("date");
        if c.text("date").is_empty() {
            c.refuse(
                "date",
                Refusal::new("workbook.required").arg("column", "date"),
            );
        }
        let share = c.number("part");
        if let Some(p) = share.filter(|p| !(0.0..=100.0).contains(p)) {
            c.refuse(
                "part",
                Refusal::new("workbook.percent").arg("value", p.to_string()),
            );
        }
        let cases = c.whole::<u32>("cas");
        let present = c.yes_no("present").unwrap_or(true);
        let delete = c.delete();
        let (Some(community), Some(locality), Some(risk), Some(source), Some(date)) =
            (community, locality, risk, source, date)
        else {
            continue;
        };
        let current = id.and_then(|id| stored_reports.iter().find(|s| s.id == id));
        let report = RiskReport {
            id: current.map_or_else(Id::new, |k| k.id),
            community_id: community.id,
            locality_id: locality.id,
            risk,
            source,
            observed_on: date,
            prevalence: share
                .filter(|p| (0.0..=100.0).contains(p))
                .map(|p| p / 100.0),
            incidents: cases,
            present,
            note: c.text("observation"),
            origin: ReportOrigin::Entered,
        };
        report_changes.push((row.at("risque"), change(current, report, delete)));
    }

    // Indicators, by id or by code; each checked against its instrument's form and data.
    let stored_indicators = store.indicators(diagnostic.id).await?;
    let stored_links = store.indicator_risks(diagnostic.id).await?;
    let instruments = store.instruments(diagnostic.id).await?;
    let mut forms: Vec<(Id<Instrument>, sigida_xlsform::Form, Vec<String>)> = Vec::new();
    let mut indicator_changes: Vec<(Location, Change<Linked>)> = Vec::new();
    for row in &sheet_rows[7] {
        let mut c = Cells {
            row,
            problems: &mut problems,
        };
        let id = c.id(|id| stored_indicators.iter().any(|s| s.id == id));
        let code = c.required("code");
        let instrument_text = c.required("instrument");
        let instrument = instruments
            .iter()
            .find(|k| k.name.eq_ignore_ascii_case(&instrument_text));
        if instrument.is_none() && !instrument_text.is_empty() {
            c.refuse(
                "instrument",
                Refusal::new("workbook.instrument").arg("value", instrument_text.as_str()),
            );
        }
        let theme = c.choice::<Theme>("theme");
        let kind = c.choice::<IndicatorKind>("mesure");
        let risk = match c.text("risque") {
            t if t.is_empty() => None,
            _ => c.choice::<RiskType>("risque"),
        };
        let delete = c.delete();
        let Some(instrument) = instrument else {
            continue;
        };
        if !forms.iter().any(|(k, _, _)| *k == instrument.id) {
            let form =
                crate::common::clean_data::latest_form(store, diagnostic, instrument).await?;
            let headers = if store.instrument_import_ids(instrument.id).await?.is_empty() {
                Vec::new()
            } else {
                crate::common::clean_data::raw_dataset(store, instrument, &form)
                    .await?
                    .headers
            };
            forms.push((instrument.id, form, headers));
        }
        let Some((_, form, headers)) = forms.iter().find(|(k, _, _)| *k == instrument.id) else {
            continue;
        };
        let current = id
            .and_then(|id| stored_indicators.iter().find(|s| s.id == id))
            .or_else(|| stored_indicators.iter().find(|s| s.code == code));
        let draft = crate::analysis::definitions::IndicatorDraft {
            code: code.clone(),
            label: c.text("libelle"),
            theme,
            instrument: Some(instrument.id),
            kind,
            question: c.text("question"),
            option: Some(c.text("option")),
            weight: Some(c.text("poids")),
            strata: Some(c.text("strates")),
            cluster: Some(c.text("grappes")),
            locality: c.text("question_localite"),
            by: c
                .text("desagregations")
                .split(';')
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        let indicator_id = current.map_or_else(Id::new, |k| k.id);
        match crate::analysis::definitions::check(
            &draft,
            form,
            headers,
            diagnostic.id,
            indicator_id,
        ) {
            Err(refused) => {
                let column = match refused.args.iter().find(|(n, _)| *n == "field") {
                    Some((_, f)) => match f.as_str() {
                        "label" => "libelle",
                        "kind" => "mesure",
                        "weight" => "poids",
                        "strata" => "strates",
                        "cluster" => "grappes",
                        "locality" => "question_localite",
                        "by" => "desagregations",
                        "code" => "code",
                        "option" => "option",
                        "theme" => "theme",
                        _ => "question",
                    },
                    None => "question",
                };
                c.refuse(column, refused);
            }
            Ok(indicator) => {
                let before = current.map(|k| {
                    let linked = stored_links
                        .iter()
                        .find(|(id, _)| *id == k.id)
                        .map(|(_, r)| *r);
                    (k.clone(), linked)
                });
                indicator_changes.push((
                    row.at("code"),
                    change(before.as_ref(), (indicator, risk), delete),
                ));
            }
        }
    }

    let tr = Tr::new(Lang::Fr);
    // Findings, by id or by community and statement; a new one is pending.
    let mut stored_findings: Vec<Finding> = Vec::new();
    for c in &stored {
        stored_findings.extend(store.findings(c.id).await?);
    }
    let mut findings = stored_findings.clone();
    let mut finding_changes: Vec<(Location, Change<Finding>)> = Vec::new();
    for row in &sheet_rows[8] {
        let mut c = Cells {
            row,
            problems: &mut problems,
        };
        let id = c.id(|id| stored_findings.iter().any(|s| s.id == id));
        let community = c.community(&communities);
        let theme = c.choice::<Theme>("theme");
        let statement = c.required("enonce");
        let delete = c.delete();
        let (Some(community), Some(theme), false) = (community, theme, statement.is_empty()) else {
            continue;
        };
        let mut places = Vec::new();
        for name in c
            .text("localites")
            .split(';')
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            match localities
                .iter()
                .find(|l| l.community_id == community.id && l.name.eq_ignore_ascii_case(name))
            {
                Some(l) => places.push(l.id),
                None => c.refuse(
                    "localites",
                    Refusal::new("workbook.locality")
                        .arg("value", name)
                        .arg("community", community.name.as_str()),
                ),
            }
        }
        let current = id
            .and_then(|id| stored_findings.iter().find(|s| s.id == id))
            .or_else(|| {
                stored_findings.iter().find(|s| {
                    s.community_id == community.id && s.statement.eq_ignore_ascii_case(&statement)
                })
            });
        let finding = match current {
            Some(k) => Finding {
                theme,
                statement,
                localities: places,
                ..k.clone()
            },
            None => Finding {
                id: Id::new(),
                community_id: community.id,
                theme,
                statement,
                confidence: None,
                validation: ValidationStatus::Pending,
                amended_statement: None,
                localities: places,
                created_at: at,
            },
        };
        if current.is_none() {
            findings.push(finding.clone());
        }
        finding_changes.push((row.at("enonce"), change(current, finding, delete)));
    }

    // Evidence, by id; its finding by id or statement; its source checked against what the
    // finding's community holds, the value it says now kept as the value cited.
    let mut stored_evidence: Vec<Evidence> = Vec::new();
    for c in &stored {
        stored_evidence.extend(store.evidence_of_community(c.id).await?);
    }
    let mut sources: Vec<(Id<Community>, crate::analysis::citations::Sources)> = Vec::new();
    let mut evidence_changes: Vec<(Location, Change<Evidence>)> = Vec::new();
    for row in &sheet_rows[9] {
        let mut c = Cells {
            row,
            problems: &mut problems,
        };
        let id = c.id(|id| stored_evidence.iter().any(|s| s.id == id));
        let finding_text = c.required("constat");
        let finding = findings.iter().find(|f| {
            f.id.to_string() == finding_text || f.statement.eq_ignore_ascii_case(&finding_text)
        });
        if finding.is_none() && !finding_text.is_empty() {
            c.refuse(
                "constat",
                Refusal::new("workbook.finding").arg("value", finding_text.as_str()),
            );
        }
        let reference = c.required("reference");
        let citation = match Citation::parse(&reference) {
            Ok(citation) => Some(citation),
            Err(_) if reference.is_empty() => None,
            Err(_) => {
                c.refuse(
                    "reference",
                    Refusal::new("workbook.citation").arg("value", reference.as_str()),
                );
                None
            }
        };
        let stance = c.choice::<Stance>("position");
        let delete = c.delete();
        let (Some(finding), Some(citation), Some(stance)) = (finding, citation, stance) else {
            continue;
        };
        let current = id.and_then(|id| stored_evidence.iter().find(|s| s.id == id));
        if !sources.iter().any(|(k, _)| *k == finding.community_id) {
            let Some(community) = communities.iter().find(|k| k.id == finding.community_id) else {
                continue;
            };
            let loaded =
                crate::analysis::citations::sources(store, diagnostic, community, "fr").await?;
            sources.push((community.id, loaded));
        }
        let Some((_, held)) = sources.iter().find(|(k, _)| *k == finding.community_id) else {
            continue;
        };
        let now = held.value(&citation);
        if now.is_none() && !delete {
            c.refuse(
                "reference",
                Refusal::new("citation.unknown").arg("reference", reference.as_str()),
            );
            continue;
        }
        let summary = match c.text("ce_que_dit_la_source") {
            s if s.is_empty() => held.label(tr, &citation),
            s => s,
        };
        let evidence = Evidence {
            id: current.map_or_else(Id::new, |k| k.id),
            finding_id: finding.id,
            source_type: citation.source_type(),
            stance,
            summary,
            reference: citation.reference(),
            // Unchanged evidence keeps the value it cited; a new or changed one cites now's.
            cited: match current {
                Some(k) if k.reference == citation.reference() => k.cited.clone(),
                _ => now,
            },
        };
        evidence_changes.push((row.at("reference"), change(current, evidence, delete)));
    }

    if !problems.is_empty() {
        return Err(AppError::File(problems));
    }

    // Everything read and checked: written in one transaction, the raw file kept with it.
    let mut tx = store.begin().await?;
    let kept = tx
        .keep_raw_file(RawFile {
            id: Id::new(),
            diagnostic_id: diagnostic.id,
            instrument_version_id: None,
            kind: ImportKind::Registers,
            file_name: file.name,
            bytes: file.bytes,
            record_count: sheet_rows.iter().map(Vec::len).sum::<usize>() as i64,
            problem_count: 0,
            imported_by: by,
            at,
        })
        .await?;
    if !kept.created {
        tx.rollback().await?;
        return Ok(None);
    }
    let mut done = WorkbookImported::default();
    // A use-case's refusal is the row's problem.
    let at_row = |place: &Location, e: AppError| match e {
        AppError::Refused(r) => AppError::File(vec![FormatError::new(place.clone(), r)]),
        other => other,
    };
    // Each register's changes in turn: added, updated, removed (or the same, untouched).
    macro_rules! apply {
        ($changes:expr, $count:expr, |$v:ident| $add:expr, $update:expr, $remove:expr) => {
            for (place, ch) in $changes {
                let result: Result<(), AppError> = match &ch {
                    Change::Add($v) => $add,
                    Change::Update($v) => $update,
                    Change::Remove($v) => $remove,
                    Change::Same => Ok(()),
                };
                result.map_err(|e| at_row(&place, e))?;
                tally(&mut done.counts[$count], &ch);
            }
        };
    }
    apply!(
        community_changes,
        0,
        |c| crate::register::add_community(&mut tx, c).await,
        crate::register::edit_community(&mut tx, c).await,
        crate::register::edit_community(&mut tx, c).await
    );
    apply!(
        locality_changes,
        1,
        |l| crate::register::add_locality(&mut tx, l).await,
        crate::register::edit_locality(&mut tx, l).await,
        tx.delete_locality(l.id).await.map_err(AppError::from)
    );
    apply!(
        stakeholder_changes,
        2,
        |s| crate::register::add_stakeholder(&mut tx, s).await,
        tx.update_stakeholder(s).await.map_err(AppError::from),
        tx.delete_actor(ActorTable::Stakeholders, &s.id.to_string())
            .await
            .map_err(AppError::from)
    );
    apply!(
        group_changes,
        3,
        |g| crate::register::add_group(&mut tx, g).await,
        tx.update_group(g).await.map_err(AppError::from),
        tx.delete_actor(ActorTable::Groups, &g.id.to_string())
            .await
            .map_err(AppError::from)
    );
    apply!(
        provider_changes,
        4,
        |s| crate::register::add_service_provider(&mut tx, s).await,
        tx.update_service_provider(s).await.map_err(AppError::from),
        tx.delete_actor(ActorTable::ServiceProviders, &s.id.to_string())
            .await
            .map_err(AppError::from)
    );
    apply!(
        document_changes,
        5,
        |d| crate::analysis::findings::add_document(&mut tx, by, d).await,
        crate::analysis::findings::edit_document(&mut tx, by, d).await,
        crate::analysis::findings::remove_document(&mut tx, by, d.id).await
    );
    apply!(
        report_changes,
        6,
        |r| crate::analysis::risks::enter_risk_report(&mut tx, by, r).await,
        async {
            crate::analysis::risks::remove_risk_report(&mut tx, by, r.community_id, r.id).await?;
            crate::analysis::risks::enter_risk_report(&mut tx, by, r).await
        }
        .await,
        crate::analysis::risks::remove_risk_report(&mut tx, by, r.community_id, r.id).await
    );
    apply!(
        indicator_changes,
        7,
        |i| async {
            crate::analysis::definitions::save_indicator(&mut tx, by, &i.0).await?;
            if i.1.is_some() {
                crate::analysis::risks::link_indicator(&mut tx, by, i.0.id, i.1).await?;
            }
            Ok(())
        }
        .await,
        async {
            crate::analysis::definitions::save_indicator(&mut tx, by, &i.0).await?;
            crate::analysis::risks::link_indicator(&mut tx, by, i.0.id, i.1).await
        }
        .await,
        crate::analysis::definitions::remove_indicator(&mut tx, by, i.0.id).await
    );
    apply!(
        finding_changes,
        8,
        |f| {
            let draft = crate::analysis::findings::FindingDraft {
                theme: f.theme,
                statement: f.statement.clone(),
                localities: f.localities.clone(),
            };
            let community = communities.iter().find(|k| k.id == f.community_id);
            match community {
                Some(k) => crate::analysis::findings::write_finding(
                    &mut tx,
                    by,
                    k,
                    f.id,
                    &draft,
                    f.created_at,
                )
                .await
                .map(|_| ()),
                None => Ok(()),
            }
        },
        {
            let draft = crate::analysis::findings::FindingDraft {
                theme: f.theme,
                statement: f.statement.clone(),
                localities: f.localities.clone(),
            };
            crate::analysis::findings::edit_finding(&mut tx, by, f.id, &draft)
                .await
                .map(|_| ())
        },
        crate::analysis::findings::remove_finding(&mut tx, by, f.id).await
    );
    apply!(
        evidence_changes,
        9,
        |e| cite_again(&mut tx, by, e).await,
        async {
            crate::analysis::findings::remove_evidence(&mut tx, by, e.id).await?;
            cite_again(&mut tx, by, e).await
        }
        .await,
        crate::analysis::findings::remove_evidence(&mut tx, by, e.id).await
    );
    tx.audit(&AuditEvent {
        id: Id::new(),
        at,
        actor: by.map(str::to_owned),
        action: AuditAction::RegisterChanged,
        subject: format!("import:{}", kept.import.id),
        detail: format!("classeur {} : {:?}", file.name, done.counts),
    })
    .await?;
    tx.commit().await?;
    Ok(Some(done))
}

/// A piece of evidence of the workbook cited through the findings use-case, with the value it
/// was read with.
async fn cite_again(
    tx: &mut sigida_store::Tx,
    by: Option<&str>,
    e: &Evidence,
) -> Result<(), AppError> {
    let Some(citation) = e.citation() else {
        return Ok(());
    };
    crate::analysis::findings::cite(
        tx,
        by,
        e.finding_id,
        e.id,
        crate::analysis::findings::Citing {
            citation: &citation,
            stance: e.stance,
            summary: &e.summary,
            label: &e.summary,
            now: e.cited.clone(),
        },
    )
    .await
    .map(|_| ())
}

fn tally<T>(counts: &mut [usize; 4], change: &Change<T>) {
    let i = match change {
        Change::Add(_) => 0,
        Change::Update(_) => 1,
        Change::Same => 2,
        Change::Remove(_) => 3,
    };
    counts[i] += 1;
}
