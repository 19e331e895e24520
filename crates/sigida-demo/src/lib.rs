//! `sigida demo`: a deterministic, clearly labelled synthetic diagnostic for two communities,
//! Diboli (Kayes region, on the Bamako–Dakar corridor at the Senegal border) and Gao Château
//! (Gao region, a transit hub towards Algeria and Niger). Places and P-codes (COD-AB v03) are
//! real; people, figures and organisations' contacts are invented. Same output on every run.
//!
//! The demo is a scripted user, and structurally so: this crate depends on the use-cases
//! (`sigida_app`) and not on the store; it holds a [`Script`], which hands out nothing of the
//! store, so each step can only be a use-case a command or a page calls: the diagnostic, the
//! zone's COD-AB file, the instruments' XLSForms and the surveys' exports, their cleaning, the
//! indicators (and the risks they measure), the flow sheets, the coded notes, the exercises,
//! the risk reports and capacities, the documents, findings and evidence, every step of the
//! consultation meetings (register, questions, ballots, counts, decisions) and of the plans
//! (actions, budget, indicators, milestones, adoption, follow-up), the accounts, the reports.
//! What a workbook import brings in one go (the registers, the indicators, the risk reports,
//! the findings and their evidence) goes in [`Script::batch`]es, all or nothing.

use std::fmt::Write as _;
use std::path::Path;

use sigida_app::AppError;
use sigida_app::common::files::Upload;
use sigida_app::script::{Batch, Script};
use sigida_core::access::Role;
use sigida_core::actors::*;
use sigida_core::community::{Community, slugify};
use sigida_core::diagnostic::Diagnostic;
use sigida_core::finding::*;
use sigida_core::geography::{AdminUnit, Locality, LocalityKind};
use sigida_core::instrument::{Instrument, InstrumentKind};
use sigida_core::meeting::*;
use sigida_core::personal::Personal;
use sigida_core::plan::*;
use sigida_core::protection::{RiskReport, RiskType};
use sigida_core::{Id, Timestamp};
use sigida_formats::table::Table;
use sigida_report::Lang;

/// Why the demo stopped: a use-case refused or failed (shown as the commands show it), a file
/// of its folder could not be written, or its own script does not hold together (a programming
/// error, never a user's input).
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Format(#[from] sigida_formats::FormatError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("démonstration : {0}")]
    Script(String),
}

/// SplitMix64: tiny, and the same sequence on every platform and version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Ids and instants that come out the same on every run.
struct Gen {
    rng: Rng,
    seq: u128,
}

impl Gen {
    fn id<T>(&mut self) -> Id<T> {
        self.seq += 1;
        Id::from_seed(0x5161_da00_0000_0000_0000_0000_0000_0000 + self.seq)
    }
}

/// An instant of the demo's fixed calendar.
fn at(instant: time::OffsetDateTime) -> Timestamp {
    Timestamp::from_datetime(instant)
}

const COD: &str = "v03";
const VALID_FROM: &str = "2025-09-04";

/// The regions and cercles of the two study regions, COD-AB v03.
const KAYES_CERCLES: &[(&str, &str)] = &[
    ("ML0101", "Kayes"),
    ("ML0102", "Bafoulabé"),
    ("ML0103", "Yélimané"),
    ("ML0104", "Kéniéba"),
    ("ML0105", "Ambidédi"),
    ("ML0106", "Aourou"),
    ("ML0107", "Diamou"),
    ("ML0108", "Oussoubidiagna"),
    ("ML0109", "Ségala"),
    ("ML0110", "Sadiola"),
];
const GAO_CERCLES: &[(&str, &str)] = &[
    ("ML0701", "Gao"),
    ("ML0702", "Bourem"),
    ("ML0703", "Ansongo"),
    ("ML0704", "Almoustarat"),
    ("ML0705", "Bamba"),
    ("ML0706", "Ouattagouna"),
    ("ML0707", "Sony Aliber"),
    ("ML0708", "Djebock"),
    ("ML0709", "Talataye"),
    ("ML0710", "Tessit"),
    ("ML0711", "N'Tillit"),
    ("ML0712", "Gabéro"),
    ("ML0713", "Ersane"),
    ("ML0714", "Tabankort"),
    ("ML0715", "Tin-Aouker"),
    ("ML0716", "Kassambéré"),
];

/// The zone's admin units as a COD-AB file in OCHA's long layout.
fn cod_file() -> String {
    let mut out =
        String::from("Location,Admin Level,P-Code,Name,Parent P-Code,Valid from date,Version\n");
    for u in admin_units() {
        out.push_str(&format!(
            "MLI,{},{},{},{},{},{}\n",
            u.level,
            u.pcode,
            u.name,
            u.parent_pcode.unwrap_or_default(),
            u.valid_from.unwrap_or_default(),
            u.cod_version
        ));
    }
    out
}

fn admin_units() -> Vec<AdminUnit> {
    let unit = |pcode: &str, level, name: &str, parent: Option<&str>| AdminUnit {
        pcode: pcode.into(),
        cod_version: COD.into(),
        level,
        name: name.into(),
        parent_pcode: parent.map(Into::into),
        valid_from: Some(VALID_FROM.into()),
    };
    let mut units = vec![
        unit("MLI", 0, "Mali", None),
        unit("ML01", 1, "Kayes", Some("MLI")),
        unit("ML07", 1, "Gao", Some("MLI")),
    ];
    units.extend(
        KAYES_CERCLES
            .iter()
            .map(|(p, n)| unit(p, 2, n, Some("ML01"))),
    );
    units.extend(GAO_CERCLES.iter().map(|(p, n)| unit(p, 2, n, Some("ML07"))));
    units
}

/// A finding: its theme, its statement, and its evidence (source type, stance, summary).
/// A finding, its theme and its evidence: (source type, stance, what the source says). A
/// survey indicator's evidence is `=CODE` or `=CODE COLUMN=VALUE`: the demo cites the value
/// the engine computed (for the community, or for one value of a disaggregation).
type DemoFinding = (
    Theme,
    &'static str,
    &'static [(SourceType, Stance, &'static str)],
);

/// What differs between the two communities.
struct Profile {
    name: &'static str,
    region: &'static str,
    cercle: &'static str,
    centre: (f64, f64),
    description: &'static str,
    /// Why the consultation chose it.
    selection_reason: &'static str,
    /// (name, kind, population, offset in degrees from the centre)
    localities: &'static [(&'static str, LocalityKind, i64, (f64, f64))],
    groups: &'static [(
        GroupKind,
        &'static str,
        i64,
        &'static str,
        &'static str,
        &'static str,
    )],
    stakeholders: &'static [(&'static str, StakeholderType, Level, &'static str)],
    services: &'static [(&'static str, Sector, &'static str, &'static str)],
    findings: &'static [DemoFinding],
    flow_points: &'static [&'static str],
    destinations: &'static [&'static str],
    meeting_place: &'static str,
    meeting_date: time::Date,
}

const DIBOLI: Profile = Profile {
    name: "Diboli",
    region: "ML01",
    cercle: "ML0101",
    centre: (14.470, -12.199),
    description: "Ville frontalière du cercle de Kayes, face à Kidira (Sénégal), sur le corridor routier et ferroviaire Bamako–Dakar. Tradition ancienne d'émigration soninké et transferts de fonds ; passages vers la Mauritanie et la route atlantique ; attraction des sites d'orpaillage de Kéniéba et Sadiola.",
    selection_reason: "Poste frontière sur le corridor Bamako–Dakar : transit, retours et départs s'y croisent ; communauté d'origine d'une émigration ancienne.",
    localities: &[
        (
            "Diboli-Centre",
            LocalityKind::BorderPost,
            9_800,
            (0.000, 0.000),
        ),
        (
            "Diboli-Gare",
            LocalityKind::FlowMonitoringPoint,
            4_300,
            (0.006, 0.011),
        ),
        ("Gouthioubé", LocalityKind::Village, 2_100, (-0.018, 0.024)),
        ("Sobokou", LocalityKind::Village, 1_650, (0.021, -0.017)),
        (
            "Kouroukoto-Route",
            LocalityKind::Village,
            1_200,
            (-0.026, -0.022),
        ),
    ],
    groups: &[
        (
            GroupKind::EmigrantFamilies,
            "Familles de migrants à l'étranger",
            5_200,
            "Dépendance aux transferts ; départs de jeunes sans information",
            "Information sur la migration sûre ; investissement des transferts",
            "Associations de ressortissants, chefs de famille",
        ),
        (
            GroupKind::Youth,
            "Jeunes (18–35 ans)",
            4_600,
            "Chômage ; recrutement vers les sites d'orpaillage et la route atlantique",
            "Formation professionnelle ; emploi local",
            "Conseil communal de la jeunesse",
        ),
        (
            GroupKind::Women,
            "Femmes",
            9_400,
            "Charge des ménages de migrants ; VBG peu signalées",
            "Activités génératrices de revenus ; accès au CSCom",
            "Coopératives de femmes",
        ),
        (
            GroupKind::MigrantsInTransit,
            "Migrants en transit",
            700,
            "Extorsion au passage de la frontière ; absence de documents",
            "Information, hébergement d'urgence, soins",
            "Aucune structure propre",
        ),
        (
            GroupKind::Returnees,
            "Rapatriés",
            450,
            "Stigmatisation ; dettes contractées pour le départ",
            "Réinsertion économique ; soutien psychosocial",
            "Association des rapatriés de Kayes",
        ),
        (
            GroupKind::GoldMiners,
            "Orpailleurs saisonniers",
            900,
            "Travail des enfants et travail forcé sur les sites ; exploitation sexuelle",
            "Contrôle des sites ; sécurité au travail",
            "Tomboulmas (chefs de placers)",
        ),
        (
            GroupKind::TradersTransporters,
            "Commerçants et transporteurs",
            1_100,
            "Tracasseries aux postes de contrôle",
            "Fluidité du corridor",
            "Syndicat des transporteurs",
        ),
        (
            GroupKind::HostCommunity,
            "Communauté hôte",
            18_000,
            "Pression sur l'eau et la santé",
            "Services de base",
            "Chefferie, conseil de village",
        ),
    ],
    stakeholders: &[
        (
            "Mairie de Diboli",
            StakeholderType::LocalAuthority,
            Level::Local,
            "Maître d'ouvrage du PDSEC",
        ),
        (
            "Chefferie de Diboli",
            StakeholderType::TraditionalLeader,
            Level::Local,
            "Médiation, mobilisation communautaire",
        ),
        (
            "Imam de la grande mosquée",
            StakeholderType::ReligiousLeader,
            Level::Local,
            "Sensibilisation",
        ),
        (
            "Direction régionale du développement social de Kayes",
            StakeholderType::Government,
            Level::Regional,
            "Prise en charge sociale, référencement",
        ),
        (
            "Direction régionale de la promotion de la femme, de l'enfant et de la famille",
            StakeholderType::Government,
            Level::Regional,
            "Protection de l'enfance, VBG",
        ),
        (
            "Poste de police des frontières de Diboli",
            StakeholderType::Government,
            Level::Local,
            "Contrôle frontalier",
        ),
        (
            "Croix-Rouge malienne, comité de Kayes",
            StakeholderType::NationalNgo,
            Level::Regional,
            "Premiers secours, rétablissement des liens familiaux",
        ),
        (
            "Association des rapatriés de Kayes",
            StakeholderType::MigrantAssociation,
            Level::Regional,
            "Accueil et réinsertion des rapatriés",
        ),
        (
            "Coopérative des femmes de Diboli",
            StakeholderType::WomenAssociation,
            Level::Local,
            "Activités génératrices de revenus",
        ),
        (
            "Conseil communal de la jeunesse",
            StakeholderType::YouthAssociation,
            Level::Local,
            "Mobilisation des jeunes",
        ),
        (
            "Syndicat des transporteurs routiers",
            StakeholderType::PrivateSector,
            Level::Regional,
            "Transport sur le corridor",
        ),
        (
            "Coopérative des orpailleurs de Kéniéba",
            StakeholderType::PrivateSector,
            Level::Regional,
            "Gestion des placers",
        ),
        (
            "Agence de transfert d'argent",
            StakeholderType::PrivateSector,
            Level::Local,
            "Transferts de fonds",
        ),
    ],
    services: &[
        (
            "CSCom de Diboli",
            Sector::Health,
            "Soins de santé primaires et maternité",
            "Tous",
        ),
        (
            "CSRéf de Kayes (antenne mobile)",
            Sector::Health,
            "Consultations mobiles mensuelles",
            "Tous",
        ),
        (
            "Croix-Rouge malienne",
            Sector::Psychosocial,
            "Premiers secours psychologiques",
            "Migrants, rapatriés",
        ),
        (
            "Croix-Rouge malienne",
            Sector::Transport,
            "Rétablissement des liens familiaux",
            "Migrants",
        ),
        (
            "Service local du développement social",
            Sector::ChildProtection,
            "Prise en charge des enfants non accompagnés",
            "Enfants",
        ),
        (
            "Centre d'état civil de Diboli",
            Sector::Documentation,
            "Actes de naissance, jugements supplétifs",
            "Tous",
        ),
        (
            "ONG Jeunesse et développement",
            Sector::Livelihoods,
            "Formation professionnelle courte",
            "Jeunes",
        ),
        (
            "Clinique juridique de Kayes",
            Sector::Legal,
            "Conseil juridique gratuit",
            "Victimes de traite, migrants",
        ),
        (
            "Maison de la femme",
            Sector::Gbv,
            "Écoute et orientation des survivantes",
            "Femmes, filles",
        ),
        (
            "École fondamentale de Diboli",
            Sector::Education,
            "Enseignement fondamental",
            "Enfants",
        ),
        (
            "Comité de gestion du forage",
            Sector::Wash,
            "Eau potable",
            "Tous",
        ),
        (
            "Centre d'accueil temporaire (paroisse)",
            Sector::Shelter,
            "Hébergement d'urgence, 3 nuits",
            "Migrants en transit",
        ),
    ],
    findings: &[
        (
            Theme::Migration,
            "Les départs des jeunes vers la Mauritanie et la route atlantique ont augmenté depuis la dernière campagne agricole.",
            &[
                (
                    SourceType::FlowData,
                    Stance::Supports,
                    "Sorties vers Kidira : +38 % entre octobre et décembre",
                ),
                (
                    SourceType::FocusGroup,
                    Stance::Supports,
                    "{depart-jeunes} 4 groupes de jeunes sur 5 citent des départs récents",
                ),
                (
                    SourceType::SurveyIndicator,
                    Stance::Supports,
                    "=hh_intends_to_migrate",
                ),
            ],
        ),
        (
            Theme::Protection,
            "Des enfants travaillent sur les sites d'orpaillage, parfois sans leurs parents.",
            &[
                (
                    SourceType::KeyInformant,
                    Stance::Supports,
                    "{orpaillage} 6 informateurs clés sur 9 le rapportent",
                ),
                (
                    SourceType::ServiceMap,
                    Stance::Partly,
                    "{child_protection} Un seul service de protection de l'enfance actif",
                ),
            ],
        ),
        (
            Theme::Protection,
            "L'extorsion au passage de la frontière touche surtout les migrants sans documents.",
            &[
                (
                    SourceType::FlowData,
                    Stance::Supports,
                    "18 % des voyageurs enquêtés déclarent un paiement illégal",
                ),
                (
                    SourceType::KeyInformant,
                    Stance::Contradicts,
                    "{extorsion-route} Les autorités frontalières contestent l'ampleur",
                ),
            ],
        ),
        (
            Theme::Services,
            "Les survivantes de VBG n'ont pas de circuit de référencement connu dans la commune.",
            &[(
                SourceType::FocusGroup,
                Stance::Supports,
                "{papiers} Les groupes de femmes ne connaissent aucun service",
            )],
        ),
        (
            Theme::Livelihoods,
            "Les transferts des émigrés financent surtout la consommation et peu l'investissement local.",
            &[
                (
                    SourceType::SurveyIndicator,
                    Stance::Supports,
                    "=hh_remittances",
                ),
                (
                    SourceType::Secondary,
                    Stance::Supports,
                    "{Direction régionale de la planification de Kayes (démonstration)|2025-09-30} Étude régionale sur les transferts de fonds",
                ),
            ],
        ),
    ],
    flow_points: &[
        "Pont de Diboli (frontière)",
        "Gare routière de Diboli",
        "Gare ferroviaire",
    ],
    destinations: &[
        "Kidira (Sénégal)",
        "Dakar (Sénégal)",
        "Nouakchott (Mauritanie)",
        "Kayes",
        "Bamako",
        "Kéniéba (orpaillage)",
    ],
    meeting_place: "Salle de la mairie de Diboli",
    meeting_date: time::macros::date!(2026 - 03 - 12),
};

const GAO: Profile = Profile {
    name: "Gao Château",
    region: "ML07",
    cercle: "ML0701",
    centre: (16.272, -0.044),
    description: "Quartiers de la ville de Gao, carrefour des routes vers l'Algérie et le Niger. Migrants en transit et rapatriés, dont des personnes expulsées d'Algérie arrivées par le désert ; insécurité et groupes armés ; déplacés internes venus des cercles ruraux ; centre d'accueil et de transit des migrants.",
    selection_reason: "Carrefour des routes vers l'Algérie et le Niger : migrants en transit, rapatriés et expulsés, déplacés internes ; risques de protection élevés.",
    localities: &[
        ("Château", LocalityKind::Quarter, 11_500, (0.000, 0.000)),
        (
            "Sosso Koïra",
            LocalityKind::Quarter,
            14_200,
            (0.012, -0.010),
        ),
        ("Aljanabanda", LocalityKind::Quarter, 9_700, (-0.010, 0.012)),
        ("Gadeye", LocalityKind::Quarter, 8_400, (0.018, 0.014)),
        (
            "Saneye (site de déplacés)",
            LocalityKind::DisplacementSite,
            3_900,
            (0.030, -0.025),
        ),
        ("Farandjiré", LocalityKind::Quarter, 6_100, (-0.022, -0.016)),
    ],
    groups: &[
        (
            GroupKind::Returnees,
            "Rapatriés d'Algérie et de Libye",
            2_300,
            "Sans documents, dettes, traumatismes du désert",
            "Documentation ; moyens de subsistance",
            "Association des rapatriés de Gao",
        ),
        (
            GroupKind::MigrantsInTransit,
            "Migrants en transit vers le nord",
            1_600,
            "Extorsion aux postes de contrôle ; abandon dans le désert",
            "Information sur les risques ; soins ; hébergement",
            "Maison des migrants",
        ),
        (
            GroupKind::Displaced,
            "Personnes déplacées internes",
            6_800,
            "Perte des moyens de subsistance ; abris précaires",
            "Abris, vivres, retour en sécurité",
            "Comités de site",
        ),
        (
            GroupKind::Youth,
            "Jeunes (18–35 ans)",
            12_500,
            "Recrutement par des groupes armés ; chômage",
            "Emploi, formation, activités sportives",
            "Conseil régional de la jeunesse",
        ),
        (
            GroupKind::Women,
            "Femmes",
            27_000,
            "VBG ; veuvage lié au conflit",
            "Activités génératrices de revenus ; sécurité",
            "Coordination des associations féminines",
        ),
        (
            GroupKind::Herders,
            "Éleveurs",
            1_900,
            "Vol de bétail ; couloirs de transhumance fermés",
            "Sécurité des couloirs",
            "Association des éleveurs",
        ),
        (
            GroupKind::HostCommunity,
            "Communauté hôte",
            30_000,
            "Pression sur les services",
            "Services de base, cohésion",
            "Chefs de quartier",
        ),
        (
            GroupKind::PeopleWithDisabilities,
            "Personnes handicapées",
            850,
            "Accès aux services ; victimes d'engins explosifs",
            "Appareillage, inclusion",
            "Fédération des personnes handicapées",
        ),
    ],
    stakeholders: &[
        (
            "Mairie de la commune urbaine de Gao",
            StakeholderType::LocalAuthority,
            Level::Local,
            "PDSEC, état civil",
        ),
        (
            "Gouvernorat de Gao",
            StakeholderType::Government,
            Level::Regional,
            "Coordination, sécurité",
        ),
        (
            "Direction régionale du développement social de Gao",
            StakeholderType::Government,
            Level::Regional,
            "Prise en charge, référencement",
        ),
        (
            "Direction régionale de la promotion de la femme, de l'enfant et de la famille",
            StakeholderType::Government,
            Level::Regional,
            "Protection de l'enfance, VBG",
        ),
        (
            "Direction régionale de la protection civile",
            StakeholderType::Government,
            Level::Regional,
            "Secours",
        ),
        (
            "Centre d'accueil et de transit des migrants",
            StakeholderType::ServiceProvider,
            Level::Regional,
            "Accueil, retour volontaire",
        ),
        (
            "Maison des migrants de Gao",
            StakeholderType::NationalNgo,
            Level::Local,
            "Hébergement, orientation",
        ),
        (
            "Croix-Rouge malienne, comité de Gao",
            StakeholderType::NationalNgo,
            Level::Regional,
            "Premiers secours, liens familiaux",
        ),
        (
            "Association des rapatriés de Gao",
            StakeholderType::MigrantAssociation,
            Level::Local,
            "Représentation des rapatriés",
        ),
        (
            "Coordination des associations féminines",
            StakeholderType::WomenAssociation,
            Level::Regional,
            "Femmes",
        ),
        (
            "Conseil régional de la jeunesse",
            StakeholderType::YouthAssociation,
            Level::Regional,
            "Jeunes",
        ),
        (
            "Chefs de quartier de Château et Sosso Koïra",
            StakeholderType::TraditionalLeader,
            Level::Local,
            "Médiation",
        ),
        (
            "Compagnies de transport Gao–Kidal",
            StakeholderType::PrivateSector,
            Level::Regional,
            "Transport vers le nord",
        ),
        (
            "HCR, bureau de Gao",
            StakeholderType::UnAgency,
            Level::Regional,
            "Protection des déplacés",
        ),
        (
            "UNICEF, bureau de Gao",
            StakeholderType::UnAgency,
            Level::Regional,
            "Protection de l'enfance",
        ),
    ],
    services: &[
        (
            "Hôpital régional de Gao",
            Sector::Health,
            "Urgences, chirurgie",
            "Tous",
        ),
        (
            "CSCom de Château",
            Sector::Health,
            "Soins de santé primaires",
            "Tous",
        ),
        (
            "Centre d'accueil et de transit des migrants",
            Sector::Shelter,
            "Hébergement et repas, 7 jours",
            "Migrants, rapatriés",
        ),
        (
            "Centre d'accueil et de transit des migrants",
            Sector::Transport,
            "Aide au retour volontaire",
            "Migrants",
        ),
        (
            "Maison des migrants de Gao",
            Sector::Shelter,
            "Hébergement d'urgence",
            "Migrants en transit",
        ),
        (
            "Croix-Rouge malienne",
            Sector::Psychosocial,
            "Soutien psychosocial",
            "Rapatriés, déplacés",
        ),
        (
            "Service local du développement social",
            Sector::ChildProtection,
            "Enfants non accompagnés, familles d'accueil",
            "Enfants",
        ),
        (
            "One Stop Center de Gao",
            Sector::Gbv,
            "Prise en charge médicale, psychosociale et juridique des survivantes",
            "Femmes, filles",
        ),
        (
            "Centre d'état civil de Gao",
            Sector::Documentation,
            "Actes de naissance, cartes d'identité",
            "Tous",
        ),
        (
            "Clinique juridique DEME SO",
            Sector::Legal,
            "Assistance juridique",
            "Victimes, déplacés",
        ),
        (
            "Programme alimentaire (distribution)",
            Sector::Food,
            "Distributions mensuelles",
            "Déplacés",
        ),
        (
            "Centre de formation professionnelle",
            Sector::Livelihoods,
            "Formation en mécanique, couture",
            "Jeunes, rapatriés",
        ),
        (
            "Comité de gestion de l'eau de Saneye",
            Sector::Wash,
            "Forage et latrines",
            "Site de déplacés",
        ),
        (
            "Espace ami des enfants",
            Sector::Education,
            "Activités éducatives et récréatives",
            "Enfants déplacés",
        ),
    ],
    findings: &[
        (
            Theme::Migration,
            "Les arrivées de rapatriés expulsés d'Algérie augmentent et arrivent à Gao sans ressources.",
            &[
                (
                    SourceType::FlowData,
                    Stance::Supports,
                    "Entrées depuis le nord : +52 % en trois mois",
                ),
                (
                    SourceType::KeyInformant,
                    Stance::Supports,
                    "{accueil-rapatries} Le centre de transit signale une saturation",
                ),
                (
                    SourceType::FocusGroup,
                    Stance::Supports,
                    "{accueil-rapatries} Les rapatriés décrivent des expulsions collectives",
                ),
            ],
        ),
        (
            Theme::Security,
            "Des jeunes des quartiers périphériques sont approchés par des groupes armés.",
            &[
                (
                    SourceType::FocusGroup,
                    Stance::Supports,
                    "{recrutement-arme} 3 groupes de jeunes sur 4 l'évoquent",
                ),
                (
                    SourceType::KeyInformant,
                    Stance::Partly,
                    "{recrutement-arme} Les autorités parlent de cas isolés",
                ),
            ],
        ),
        (
            Theme::Protection,
            "Les migrants en transit subissent l'extorsion aux postes de contrôle sur la route de Kidal.",
            &[
                (
                    SourceType::FlowData,
                    Stance::Supports,
                    "27 % des voyageurs enquêtés déclarent un paiement illégal",
                ),
                (
                    SourceType::KeyInformant,
                    Stance::Supports,
                    "{extorsion-route} Transporteurs et Maison des migrants le confirment",
                ),
            ],
        ),
        (
            Theme::Protection,
            "Les rapatriés sans documents d'état civil ne peuvent accéder ni aux services ni à l'emploi.",
            &[
                (
                    SourceType::SurveyIndicator,
                    Stance::Supports,
                    "=hh_id_document status=returnee",
                ),
                (
                    SourceType::ServiceMap,
                    Stance::Supports,
                    "{documentation} Un seul centre d'état civil, saturé",
                ),
            ],
        ),
        (
            Theme::Services,
            "Le site de déplacés de Saneye manque d'eau potable en saison sèche.",
            &[(
                SourceType::PraExercise,
                Stance::Supports,
                "Calendrier saisonnier : pénurie de mars à juin",
            )],
        ),
        (
            Theme::SocialCohesion,
            "La cohabitation entre déplacés et communauté hôte reste bonne malgré la pression sur les services.",
            &[
                (
                    SourceType::FocusGroup,
                    Stance::Supports,
                    "{accueil-rapatries} Groupes mixtes : relations jugées bonnes",
                ),
                (
                    SourceType::Secondary,
                    Stance::Contradicts,
                    "{Cluster Protection Mali (démonstration)|2025-11-15} Enquête de cohésion sociale du cluster Protection (2025) : 38 % des ménages hôtes signalent des tensions",
                ),
            ],
        ),
    ],
    flow_points: &[
        "Poste d'entrée nord (route de Bourem)",
        "Gare routière de Gao",
        "Bac de Gao (fleuve Niger)",
    ],
    destinations: &[
        "Tamanrasset (Algérie)",
        "Kidal",
        "Agadez (Niger)",
        "Niamey (Niger)",
        "Bamako",
        "Gao",
    ],
    meeting_place: "Salle de conférence du gouvernorat de Gao",
    meeting_date: time::macros::date!(2026 - 03 - 19),
};

const FIRST_NAMES_F: &[&str] = &[
    "Aminata",
    "Fatoumata",
    "Mariam",
    "Kadiatou",
    "Awa",
    "Oumou",
    "Hawa",
    "Assitan",
    "Aïssata",
    "Djénéba",
    "Zeinabou",
    "Fadimata",
];
const FIRST_NAMES_M: &[&str] = &[
    "Moussa",
    "Mamadou",
    "Oumar",
    "Seydou",
    "Ibrahim",
    "Boubacar",
    "Modibo",
    "Adama",
    "Souleymane",
    "Hamadoun",
    "Alhassane",
    "Issa",
];
const FAMILY_NAMES: &[&str] = &[
    "Traoré",
    "Diarra",
    "Sissoko",
    "Konaté",
    "Camara",
    "Cissé",
    "Maïga",
    "Touré",
    "Haïdara",
    "Diallo",
    "Keïta",
    "Sidibé",
    "Dicko",
    "Ag Mohamed",
    "Soumaré",
    "Tandia",
];

fn person(rng: &mut Rng, female: bool) -> String {
    let first = if female {
        rng.pick(FIRST_NAMES_F)
    } else {
        rng.pick(FIRST_NAMES_M)
    };
    format!("{first} {}", rng.pick(FAMILY_NAMES))
}

fn phone(rng: &mut Rng) -> String {
    format!(
        "+223 {} {:02} {:02} {:02}",
        rng.pick(&["66", "76", "77", "79", "90"]),
        rng.below(100),
        rng.below(100),
        rng.below(100)
    )
}

pub struct DemoUser {
    pub username: &'static str,
    pub role: Role,
    pub password: String,
}

/// Builds the demonstration in `dir`, its personal data sealed with `key` (a previous
/// demonstration there is replaced, a real diagnostic refused) and writes its reports; answers the demo accounts and their passwords,
/// as a banner to print.
pub async fn run(dir: &Path, key: sigida_vault::Key) -> Result<String, DemoError> {
    std::fs::create_dir_all(dir)?;
    let script = Script::open_afresh(dir, key).await?;
    let mut g = Gen {
        rng: Rng(20_260_312),
        seq: 0,
    };
    println!(
        "Démonstration Sigida — données synthétiques — dans {}",
        dir.display()
    );

    let diagnostic = Diagnostic {
        id: g.id(),
        name: "Diagnostic communautaire participatif — Kayes et Gao".into(),
        country_iso3: "MLI".into(),
        programme: "Migration, protection et cohésion communautaire (démonstration)".into(),
        synthetic: true,
        min_cell: sigida_core::disclosure::DEFAULT_MIN_CELL,
        created_at: at(time::macros::datetime!(2026-01-12 08:00 UTC)),
        period_start: Some(time::macros::date!(2026 - 01 - 12)),
        period_end: Some(time::macros::date!(2029 - 12 - 31)),
        languages: ["fr", "en", "bm", "son"].map(String::from).to_vec(),
    };
    // Through the same use-cases as `sigida init` and `sigida geo import`: the zone's P-codes
    // are a COD-AB file in the long layout, written to donnees/ and imported.
    script.create_diagnostic(&diagnostic).await?;
    let data_dir = dir.join("donnees");
    std::fs::create_dir_all(&data_dir)?;
    let cod = data_dir.join("cod-ab-mali-kayes-gao.csv");
    std::fs::write(&cod, cod_file())?;
    let imported = script
        .import_geography(
            quiet(&cod.display().to_string(), &std::fs::read(&cod)?),
            None,
        )
        .await?;
    println!("  ✓ {} : {}", cod.display(), imported.summary(FR));
    kit_instruments(&script, dir).await?;
    // The zone's communities, localities and actors, all or nothing, as a workbook brings them.
    let communities = script
        .batch(async |b| {
            let mut communities = Vec::new();
            for profile in [&DIBOLI, &GAO] {
                communities.push(community(&mut g, b, &diagnostic, profile).await?);
            }
            national_stakeholders(&mut g, b, &diagnostic).await?;
            Ok::<_, DemoError>(communities)
        })
        .await?;
    println!(
        "  ✓ zone : 2 régions, {} cercles (COD-AB {COD}), 2 communautés",
        KAYES_CERCLES.len() + GAO_CERCLES.len()
    );

    // The household survey goes through the real pipeline: its XLSForm, then each
    // community's export, checked against it, then the cleaning checks.
    let all_localities: Vec<&Locality> = communities.iter().flat_map(|(_, l)| l).collect();
    let exports: Vec<(String, String)> = [&DIBOLI, &GAO]
        .into_iter()
        .zip(&communities)
        .map(|(profile, (community, localities))| {
            let survey = household_survey(&mut g.rng, profile, localities);
            (community.slug.clone(), survey)
        })
        .collect();
    let household_survey = Survey {
        instrument: HOUSEHOLD_SURVEY,
        kind: InstrumentKind::HouseholdSurvey,
        file_stem: "enquete-menage",
        accept_warnings: true,
    };
    household_survey
        .import(
            &script,
            &data_dir,
            &kit_survey("enquete-menage.xlsx", &all_localities)?,
            exports,
        )
        .await?;
    let household = script
        .instrument(&diagnostic, HOUSEHOLD_SURVEY)
        .await?
        .ok_or_else(|| DemoError::Script("l'enquête ménage n'a pas été importée".into()))?;
    let checked = script
        .check_instrument(&diagnostic, &household, Some("locality".into()))
        .await?;
    println!(
        "  ✓ nettoyage : {} soumissions vérifiées, {} entrées au journal",
        checked.rows, checked.merge.added
    );
    // Indicators on the household survey, computed on its clean data for each community; the
    // shares of households naming a protection concern measure that risk, locality by locality
    // (linked as the protection page links them).
    let indicators = household_indicators(&mut g, &diagnostic, household.id);
    script
        .batch(async |b| {
            for (indicator, risk) in &indicators {
                b.save_indicator(indicator).await?;
                if risk.is_some() {
                    b.link_indicator(indicator.id, *risk).await?;
                }
            }
            Ok::<_, DemoError>(())
        })
        .await?;
    for (community, _) in &communities {
        let computed = script
            .community_indicators(&diagnostic, community, "fr")
            .await?;
        let values: usize = computed
            .iter()
            .map(|c| c.values.as_ref().map_or(0, Vec::len))
            .sum();
        if let Some(failed) = computed.iter().find_map(|c| c.values.as_ref().err()) {
            return Err(DemoError::Script(format!("indicateur : {failed}")));
        }
        println!(
            "  ✓ indicateurs de {} : {} indicateurs, {values} estimations avec leur provenance",
            community.name,
            computed.len()
        );
    }

    // Flow monitoring sheets go through `sigida import flows`.
    for (profile, (community, _)) in [&DIBOLI, &GAO].into_iter().zip(&communities) {
        let flows = flow_counts(&mut g.rng, profile);
        let name = format!("suivi-flux-{}.csv", community.slug);
        std::fs::write(data_dir.join(&name), &flows)?;
        let done = script
            .import_flows(quiet(&name, flows.as_bytes()), community)
            .await?;
        let said = done.summary(FR, |f, tr| f.summary(tr));
        println!("  ✓ {} — {said}", data_dir.join(&name).display());
    }

    // The traveller survey at the monitoring points, through the same import as any survey.
    let exports: Vec<(String, String)> = [&DIBOLI, &GAO]
        .into_iter()
        .zip(&communities)
        .map(|(profile, (community, localities))| {
            let survey = traveller_survey(&mut g.rng, profile, localities);
            (community.slug.clone(), survey)
        })
        .collect();
    let traveller_survey = Survey {
        instrument: TRAVELLER_SURVEY,
        kind: InstrumentKind::FlowSurvey,
        file_stem: "enquete-voyageurs",
        accept_warnings: false,
    };
    traveller_survey
        .import(
            &script,
            &data_dir,
            &kit_survey("enquete-voyageurs.xlsx", &all_localities)?,
            exports,
        )
        .await?;

    // Interview and group-discussion notes, coded, through `sigida import notes`.
    for (profile, (community, _)) in [&DIBOLI, &GAO].into_iter().zip(&communities) {
        let name = format!("notes-codees-{}.xlsx", community.slug);
        let path = data_dir.join(&name);
        sigida_formats::write::write_workbook(&path, &coded_notes(profile))?;
        let bytes = std::fs::read(&path)?;
        let done = script.import_notes(quiet(&name, &bytes), community).await?;
        let said = done.summary(FR, |n, tr| n.summary(tr));
        println!("  ✓ {} — {said}", path.display());
    }

    // Community exercises, typed as the facilitators type them in the form.
    let mut recorded = 0;
    for (profile, (community, _)) in [&DIBOLI, &GAO].into_iter().zip(&communities) {
        for exercise in community_exercises(&mut g, profile, community)? {
            let typed = at(time::macros::datetime!(2026-02-08 18:00 UTC));
            script.record_exercise(&exercise, typed).await?;
            recorded += 1;
        }
    }
    println!(
        "  ✓ exercices communautaires : {recorded} (profils historiques, calendriers saisonniers, classements par paires, FFOM)"
    );

    // What the other sources report of the protection risks, locality by locality, entered
    // as a protection monitor or a service provider enters them (the household survey's
    // shares come from the indicators linked above).
    let mut reports = Vec::new();
    for (profile, (community, localities)) in [&DIBOLI, &GAO].into_iter().zip(&communities) {
        reports.extend(risk_reports(&mut g, profile, community, localities));
    }
    let reported = reports.len();
    script
        .batch(async |b| {
            for report in &reports {
                b.enter_risk_report(report).await?;
            }
            Ok::<_, DemoError>(())
        })
        .await?;
    for (profile, (community, localities)) in [&DIBOLI, &GAO].into_iter().zip(&communities) {
        for capacity in capacities(&mut g, profile, community, localities) {
            script.add_capacity(&capacity).await?;
        }
    }
    println!(
        "  ✓ protection : {reported} rapports saisis par localité (informateurs, groupes, services, suivi des flux), {} risques mesurés par les indicateurs de l'enquête ménage ; capacités et opportunités",
        MEASURED_RISKS.len()
    );

    // The analysts write each community's findings, citing what Sigida now holds; then its
    // consultation meeting and the plan it adopts, as a facilitator runs them.
    for (profile, (community, localities)) in [&DIBOLI, &GAO].into_iter().zip(&communities) {
        let findings =
            write_findings(&mut g, &script, &diagnostic, community, localities, profile).await?;
        consultation_and_plan(&mut g, &script, community, profile, localities, &findings).await?;
    }
    println!("  ✓ constats écrits et cités, réunions de consultation, plans d'action et suivi");

    let users = demo_users(&script, &mut g).await?;
    let reports = script
        .write_reports(
            dir,
            &diagnostic,
            &Lang::ALL,
            &sigida_app::reports::Format::ALL,
        )
        .await?;
    for path in &reports {
        println!("  ✓ rapport : {}", path.display());
    }
    let mut logins = String::from(
        "Comptes de démonstration (mots de passe générés pour cette démonstration) :\n",
    );
    for u in &users {
        let _ = writeln!(
            logins,
            "  {:<14} {:<16} {}",
            u.username,
            u.role.code(),
            u.password
        );
    }
    script.close().await;
    Ok(logins)
}

/// The instruments the demo has no data for come from the kit, as a team's do: their XLSForms
/// written to `instruments/` (as `sigida init --instruments` does) and imported. The household
/// and traveller surveys come in through forms of their own, with their synthetic exports.
async fn kit_instruments(script: &Script, dir: &Path) -> Result<(), DemoError> {
    let folder = dir.join("instruments");
    std::fs::create_dir_all(&folder)?;
    for (file, name) in [
        (
            "registre-flux.xlsx",
            "Enregistrement des flux aux points de suivi",
        ),
        (
            "guide-informateur-cle.xlsx",
            "Guide d'entretien — informateurs clés",
        ),
        (
            "guide-groupe-discussion.xlsx",
            "Guide des groupes de discussion",
        ),
        (
            "cartographie-services.xlsx",
            "Cartographie des services (4W)",
        ),
        ("profil-communautaire.xlsx", "Profil communautaire"),
    ] {
        let form = sigida_app::diagnostic::kit::kit_form(file)
            .ok_or_else(|| DemoError::Script(format!("{file} : absent du kit")))?;
        std::fs::write(folder.join(file), form.bytes)?;
        import_form(script, file, form.bytes, name, form.kind).await?;
    }
    Ok(())
}

/// A survey of the kit with the demo's localities as its `localite` list, as a team fills it
/// before loading it into Kobo or ODK.
fn kit_survey(file: &str, localities: &[&Locality]) -> Result<Vec<Table>, DemoError> {
    let form = sigida_app::diagnostic::kit::kit_form(file)
        .ok_or_else(|| DemoError::Script(format!("{file} : absent du kit")))?;
    let mut tables = sigida_formats::table::read_tables_from_bytes(file, form.bytes)?;
    if let Some(choices) = tables
        .iter_mut()
        .find(|t| t.sheet.as_deref() == Some("choices"))
    {
        let mut rows: Vec<Vec<String>> = localities
            .iter()
            .map(|l| {
                vec![
                    "localite".to_owned(),
                    slugify(&l.name),
                    l.name.clone(),
                    l.name.clone(),
                ]
            })
            .collect();
        rows.extend(
            choices
                .rows
                .drain(..)
                .map(|(_, cells)| cells)
                .filter(|cells| cells.first().is_none_or(|c| c != "localite")),
        );
        choices.rows = rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| (i + 2, r))
            .collect();
    }
    Ok(tables)
}

/// A workbook sheet from its rows, the first the headers (rows numbered as a spreadsheet does).
fn sheet(file: &str, name: &str, rows: Vec<Vec<String>>) -> Table {
    Table::sheet(file, name, &rows)
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

const HOUSEHOLD_SURVEY: &str = "Enquête ménage";

/// A file the demo wrote, named as it is in its data folder.
fn quiet<'a>(name: &'a str, bytes: &'a [u8]) -> Upload<'a> {
    Upload {
        name,
        shown: name,
        bytes,
    }
}

/// A form into an instrument, as `sigida import form` brings it.
async fn import_form(
    script: &Script,
    name: &str,
    bytes: &[u8],
    instrument: &str,
    kind: InstrumentKind,
) -> Result<(), DemoError> {
    let done = script
        .import_form(quiet(name, bytes), instrument, kind)
        .await?;
    println!("  ✓ {name} : {}", done.summary(FR, instrument));
    Ok(())
}

/// A demo survey as a team would bring it: its XLSForm written to the data folder and
/// imported, then each community's export written there and checked against it.
struct Survey {
    instrument: &'static str,
    kind: InstrumentKind,
    /// `enquete-menage`: the form is `formulaire-enquete-menage.xlsx`, an export
    /// `enquete-menage-diboli.csv`.
    file_stem: &'static str,
    accept_warnings: bool,
}

impl Survey {
    async fn import(
        &self,
        script: &Script,
        data_dir: &Path,
        form: &[Table],
        exports: Vec<(String, String)>,
    ) -> Result<(), DemoError> {
        let form_name = format!("formulaire-{}.xlsx", self.file_stem);
        let form_path = data_dir.join(&form_name);
        sigida_formats::write::write_workbook(&form_path, form)?;
        let bytes = std::fs::read(&form_path)?;
        import_form(script, &form_name, &bytes, self.instrument, self.kind).await?;
        for (community, export) in exports {
            let name = format!("{}-{community}.csv", self.file_stem);
            std::fs::write(data_dir.join(&name), &export)?;
            // As `sigida import data` does: checked against the form, kept or refused whole.
            let done = script
                .import_export(
                    self.instrument,
                    &name,
                    export.into_bytes(),
                    self.accept_warnings,
                )
                .await?;
            let said = done.summary(FR, self.instrument);
            if let sigida_app::imports::instruments::ExportOutcome::Refused { .. } = done.outcome {
                return Err(DemoError::Script(format!(
                    "{name} :\n{}\n{said}",
                    done.report(FR)
                )));
            }
            println!("  ✓ {name} : {said}");
        }
        Ok(())
    }
}
const TRAVELLER_SURVEY: &str = "Enquête voyageurs";

/// What travellers met at a community's points say: routes (stops, intended destination,
/// weight), reasons (weights), and the chance of each difficulty and need.
struct TravellerPattern {
    routes: &'static [(&'static [&'static str], &'static str, u64)],
    reasons: &'static [(&'static str, u64)],
    difficulties: &'static [(&'static str, f64)],
    needs: &'static [(&'static str, f64)],
}

/// The Kayes corridor: work and family on the road to Dakar, Mauritania and the gold sites,
/// money and papers the main worries. Gao: the desert road to Algeria and Niger, people sent
/// back from Algeria, conflict; extortion, violence, thirst and detention far more common.
fn traveller_pattern(p: &Profile) -> TravellerPattern {
    if p.region == "ML07" {
        TravellerPattern {
            routes: &[
                (
                    &["sevare", "gao", "bourem", "kidal", "tessalit", "bordj"],
                    "algeria",
                    24,
                ),
                (
                    &["gao", "kidal", "tessalit", "bordj", "tamanrasset"],
                    "algeria",
                    12,
                ),
                (
                    &["gao", "ansongo", "labbezanga", "niamey", "agadez"],
                    "libya",
                    16,
                ),
                (&["gao", "menaka", "agadez"], "niger", 7),
                (&["bordj", "tessalit", "kidal", "gao"], "return_home", 18),
                (&["gao", "intahaka"], "gold_sites", 10),
                (&["menaka", "ansongo", "gao"], "stay_here", 13),
            ],
            reasons: &[
                ("economic", 34),
                ("conflict", 24),
                ("family", 10),
                ("trade", 8),
                ("gold_mining", 15),
                ("return", 9),
            ],
            difficulties: &[
                ("extortion", 0.46),
                ("theft", 0.21),
                ("violence", 0.17),
                ("no_documents", 0.31),
                ("lack_money", 0.52),
                ("hunger_thirst", 0.29),
                ("detention", 0.14),
            ],
            needs: &[
                ("food", 0.49),
                ("water", 0.38),
                ("health", 0.34),
                ("shelter", 0.28),
                ("information", 0.18),
                ("documentation", 0.33),
                ("transport", 0.24),
                ("money", 0.41),
            ],
        }
    } else {
        TravellerPattern {
            routes: &[
                (
                    &[
                        "bamako",
                        "kayes",
                        "diboli",
                        "kidira",
                        "tambacounda",
                        "dakar",
                    ],
                    "dakar",
                    30,
                ),
                (
                    &["kayes", "diboli", "kidira", "tambacounda"],
                    "senegal_other",
                    12,
                ),
                (
                    &["diboli", "kayes", "nioro", "nouakchott"],
                    "mauritania",
                    12,
                ),
                (
                    &["bamako", "kayes", "diboli", "kidira", "dakar"],
                    "europe",
                    9,
                ),
                (
                    &["dakar", "tambacounda", "kidira", "diboli", "kayes"],
                    "return_home",
                    15,
                ),
                (&["diboli", "kayes", "kenieba"], "gold_sites", 10),
                (&["kidira", "diboli", "kayes", "bamako"], "bamako", 12),
            ],
            reasons: &[
                ("economic", 44),
                ("family", 16),
                ("seasonal_work", 10),
                ("trade", 13),
                ("gold_mining", 9),
                ("studies", 3),
                ("return", 5),
            ],
            difficulties: &[
                ("extortion", 0.27),
                ("theft", 0.09),
                ("violence", 0.05),
                ("no_documents", 0.22),
                ("lack_money", 0.41),
                ("hunger_thirst", 0.07),
                ("detention", 0.04),
            ],
            needs: &[
                ("food", 0.24),
                ("water", 0.09),
                ("health", 0.14),
                ("shelter", 0.11),
                ("information", 0.36),
                ("documentation", 0.31),
                ("transport", 0.29),
                ("money", 0.46),
            ],
        }
    }
}

/// Picks an entry by its weight.
fn weighted<'a, T>(rng: &mut Rng, entries: &'a [T], weight: impl Fn(&T) -> u64) -> &'a T {
    let total: u64 = entries.iter().map(&weight).sum();
    let mut left = rng.below(total.max(1));
    for entry in entries {
        let w = weight(entry);
        if left < w {
            return entry;
        }
        left -= w;
    }
    &entries[entries.len() - 1]
}

/// A Kobo-style export of the traveller survey at a community's first three localities
/// (where its monitoring points are).
fn traveller_survey(rng: &mut Rng, p: &Profile, localities: &[Locality]) -> String {
    let pattern = traveller_pattern(p);
    let mut out = String::from(
        "start;end;_uuid;_submission_time;consent;point_locality;sex;age_group;reason;intended_destination;\
         route_1;route_2;route_3;route_4;route_5;route_6;difficulties;needs\n",
    );
    let points = &localities[..localities.len().min(3)];
    let travellers = 170 + rng.below(40);
    for _ in 0..travellers {
        let point = slugify(&rng.pick(points).name);
        let (stops, destination, _) = *weighted(rng, pattern.routes, |r| r.2);
        let reason = if destination == "return_home" {
            "return"
        } else {
            weighted(rng, pattern.reasons, |r| r.1).0
        };
        let female = rng.chance(if p.region == "ML07" { 0.14 } else { 0.22 });
        let age = *weighted(
            rng,
            &[
                ("under_18", 9),
                ("18_24", 38),
                ("25_34", 36),
                ("35_plus", 17),
            ],
            |a| a.1,
        );
        let mut route: Vec<&str> = stops.to_vec();
        route.resize(6, "");
        let picked = |rng: &mut Rng, list: &[(&'static str, f64)]| -> String {
            let chosen: Vec<&str> = list
                .iter()
                .filter(|(_, p)| rng.chance(*p))
                .map(|(c, _)| *c)
                .collect();
            if chosen.is_empty() {
                "none".to_owned()
            } else {
                chosen.join(" ")
            }
        };
        let difficulties = picked(rng, pattern.difficulties);
        let needs = picked(rng, pattern.needs);
        let day = 1 + rng.below(27);
        let minute = 7 * 60 + rng.below(10 * 60);
        let _ = writeln!(
            out,
            "2026-03-{day:02}T{:02}:{:02}:00;2026-03-{day:02}T{:02}:{:02}:00;{};2026-03-{day:02}T20:00:00;yes;{point};{};{};{reason};{destination};{};{difficulties};{needs}",
            minute / 60,
            minute % 60,
            (minute + 12) / 60,
            (minute + 12) % 60,
            uuid_from(rng),
            if female { "female" } else { "male" },
            age.0,
            route.join(";"),
        );
    }
    out
}

async fn national_stakeholders(
    g: &mut Gen,
    b: &mut Batch<'_>,
    diagnostic: &Diagnostic,
) -> Result<(), DemoError> {
    for (organisation, kind, role) in [
        (
            "Comité national de lutte contre la traite des personnes",
            StakeholderType::Government,
            "Politique nationale contre la traite",
        ),
        (
            "Ministère des Maliens établis à l'extérieur",
            StakeholderType::Government,
            "Migration et diaspora",
        ),
        (
            "OIM Mali",
            StakeholderType::UnAgency,
            "Protection des migrants, retour et réintégration",
        ),
    ] {
        let female = g.rng.chance(0.5);
        b.add_stakeholder(&Stakeholder {
            id: g.id(),
            diagnostic_id: diagnostic.id,
            community_id: None,
            organisation: organisation.into(),
            kind,
            level: Level::National,
            role_in_zone: role.into(),
            contact_name: Personal::new(person(&mut g.rng, female)),
            contact_phone: Personal::new(phone(&mut g.rng)),
            influence: Some(5),
            interest: Some(4),
        })
        .await?;
    }
    Ok(())
}

async fn community(
    g: &mut Gen,
    b: &mut Batch<'_>,
    diagnostic: &Diagnostic,
    p: &Profile,
) -> Result<(Community, Vec<Locality>), DemoError> {
    let community = Community {
        id: g.id(),
        diagnostic_id: diagnostic.id,
        name: p.name.into(),
        slug: slugify(p.name),
        region_pcode: p.region.into(),
        cercle_pcode: p.cercle.into(),
        cod_version: COD.into(),
        description: p.description.into(),
        selection_reason: p.selection_reason.into(),
        latitude: Some(p.centre.0),
        longitude: Some(p.centre.1),
        archived_at: None,
    };
    b.add_community(&community).await?;
    let mut localities = Vec::new();
    for (name, kind, population, (dlat, dlon)) in p.localities {
        let locality = Locality {
            id: g.id(),
            community_id: community.id,
            name: (*name).into(),
            kind: *kind,
            admin_pcode: Some(p.cercle.into()),
            cod_version: Some(COD.into()),
            latitude: Some(p.centre.0 + dlat),
            longitude: Some(p.centre.1 + dlon),
            population: Some(*population),
            population_source: "Estimation du chef de village (démonstration)".into(),
            population_year: Some(2025),
        };
        b.add_locality(&locality).await?;
        localities.push(locality);
    }
    for (kind, name, size, vulnerabilities, priorities, representation) in p.groups {
        b.add_group(&SocioEconomicGroup {
            id: g.id(),
            community_id: community.id,
            kind: *kind,
            name: (*name).into(),
            size_estimate: Some(*size),
            size_indicator: group_size_indicator(*kind).map(Into::into),
            vulnerabilities: (*vulnerabilities).into(),
            priorities: (*priorities).into(),
            representation: (*representation).into(),
        })
        .await?;
    }
    for (organisation, kind, level, role) in p.stakeholders {
        let female = g.rng.chance(0.4);
        b.add_stakeholder(&Stakeholder {
            id: g.id(),
            diagnostic_id: diagnostic.id,
            community_id: Some(community.id),
            organisation: (*organisation).into(),
            kind: *kind,
            level: *level,
            role_in_zone: (*role).into(),
            contact_name: Personal::new(person(&mut g.rng, female)),
            contact_phone: Personal::new(phone(&mut g.rng)),
            influence: Some(1 + g.rng.below(5) as u8),
            interest: Some(1 + g.rng.below(5) as u8),
        })
        .await?;
    }
    for (organisation, sector, service, target) in p.services {
        let locality = g.rng.pick(&localities).clone();
        b.add_service_provider(&ServiceProvider {
            id: g.id(),
            community_id: community.id,
            locality_id: Some(locality.id),
            organisation: (*organisation).into(),
            sector: *sector,
            service: (*service).into(),
            target_groups: (*target).into(),
            capacity_per_month: Some(20 * (1 + g.rng.below(30) as i64)),
            free_of_charge: g.rng.chance(0.7),
            opening_hours: (*g.rng.pick(&[
                "8h–16h du lundi au vendredi",
                "7h30–17h tous les jours",
                "24 h sur 24",
                "Mardi et jeudi",
            ]))
            .into(),
            accepts_referrals: g.rng.chance(0.6),
            contact_phone: Personal::new(phone(&mut g.rng)),
            latitude: locality.latitude.map(|l| l + (g.rng.unit() - 0.5) * 0.006),
            longitude: locality.longitude.map(|l| l + (g.rng.unit() - 0.5) * 0.006),
        })
        .await?;
    }
    Ok((community, localities))
}

/// The facilitators write the minutes in French.
const FR: sigida_report::Tr = sigida_report::Tr { lang: Lang::Fr };
const PLENARY: &str = "Plénière de la réunion de consultation";

/// The analysts write a community's findings once its data are in, each citing what Sigida
/// holds through the findings page's use-cases: an indicator or one of its cells (`=CODE
/// [COLUMN=VALUE]`), the flow counts, a code of the coded notes (`{code}`), a sector of the
/// service map (`{sector}`), the seasonal calendar, or a document of the register
/// (`{publisher|date} title`), registered first. The findings come back carrying the outcome
/// the meeting will reach (the store holds them pending until it decides).
async fn write_findings(
    g: &mut Gen,
    script: &Script,
    diagnostic: &Diagnostic,
    community: &Community,
    localities: &[Locality],
    p: &Profile,
) -> Result<Vec<Finding>, DemoError> {
    use sigida_app::analysis::findings::{Citing, FindingDraft};
    use sigida_core::citation::{Citation, Document};
    let tr = sigida_report::Tr::new(sigida_report::Lang::Fr);
    // The secondary sources come into the register before a finding cites them.
    let mut documents = Vec::new();
    for (_, _, evidence) in p.findings {
        for (source_type, _, summary) in evidence.iter() {
            if *source_type != SourceType::Secondary {
                continue;
            }
            let (tag, title) = tagged(summary);
            let (publisher, date) = tag.and_then(|t| t.split_once('|')).unwrap_or(("", ""));
            let title = title.split(" : ").next().unwrap_or(title);
            let document = Document {
                id: g.id(),
                diagnostic_id: diagnostic.id,
                title: title.to_owned(),
                publisher: publisher.to_owned(),
                published_on: time::Date::parse(
                    date,
                    &time::format_description::well_known::Iso8601::DATE,
                )
                .ok(),
                link: None,
            };
            documents.push(document);
        }
    }
    script
        .batch(async |b| {
            for document in &documents {
                b.add_document(document).await?;
            }
            Ok::<_, DemoError>(())
        })
        .await?;
    let sources = script.sources(diagnostic, community, "fr").await?;
    let seasonal = sources
        .exercises
        .iter()
        .find(|e| e.data.kind() == sigida_core::exercises::ExerciseKind::SeasonalCalendar);
    let written_at = at(time::macros::datetime!(2026-02-27 10:00 UTC));
    script.batch(async |b| {
        let mut written = Vec::new();
    for (i, (theme, statement, evidence)) in p.findings.iter().enumerate() {
        let draft = FindingDraft {
            theme: *theme,
            statement: (*statement).into(),
            localities: Vec::new(),
        };
        let mut finding =
            b.write_finding(community, g.id(), &draft, written_at).await?;
        for (source_type, stance, summary) in evidence.iter() {
            let (tag, said) = tagged(summary);
            let citation = match source_type {
                SourceType::SurveyIndicator => {
                    let cited = said.trim_start_matches('=');
                    let mut parts = cited.split(' ');
                    let code = parts.next().unwrap_or(cited).to_owned();
                    let by = parts
                        .next()
                        .and_then(|b| b.split_once('='))
                        .map(|(c, v)| (c.to_owned(), v.to_owned()));
                    Citation::Indicator { code, by }
                }
                SourceType::FlowData => Citation::Flow {
                    month: None,
                    origin: None,
                    destination: None,
                },
                SourceType::KeyInformant | SourceType::FocusGroup => Citation::Code {
                    code: tag.unwrap_or_default().to_owned(),
                    source: *source_type,
                },
                SourceType::ServiceMap => Citation::Services {
                    locality: localities
                        .first()
                        .map(|l| l.id.to_string())
                        .unwrap_or_default(),
                    sector: tag
                        .unwrap_or_default()
                        .parse()
                        .map_err(|_| DemoError::Script(format!("secteur de « {summary} »")))?,
                },
                SourceType::PraExercise => Citation::Exercise {
                    id: seasonal.map(|e| e.id.to_string()).unwrap_or_default(),
                },
                SourceType::Secondary => Citation::Document {
                    id: documents
                        .iter()
                        .find(|d| said.starts_with(d.title.as_str()))
                        .map(|d| d.id.to_string())
                        .unwrap_or_default(),
                    page: Some("12".into()),
                },
            };
            // An indicator's evidence says its figure: the source's label and value.
            let own = if said.starts_with('=') { "" } else { said };
            b.cite(finding.id,
                g.id(),
                Citing {
                    citation: &citation,
                    stance: *stance,
                    summary: own,
                    label: &sources.label(tr, &citation),
                    now: sources.value(&citation),
                },
            )
            .await?;
        }
        let confidence = if evidence.len() >= 3 {
            Confidence::High
        } else {
            Confidence::Medium
        };
        b.set_confidence(finding.id, Some(confidence)).await?;
        finding.confidence = Some(confidence);
        // The meeting validates most findings, amends one and leaves the single-source one
        // pending: what it will decide, carried to the meeting.
        (finding.validation, finding.amended_statement) = match (i, evidence.len()) {
            (_, 1) => (ValidationStatus::Pending, None),
            (2, _) => (
                ValidationStatus::Amended,
                Some(format!(
                    "{statement} (formulation amendée en réunion : préciser les postes concernés)"
                )),
            ),
            _ => (ValidationStatus::Validated, None),
        };
        written.push(finding);
    }
        Ok::<_, DemoError>(written)
    })
    .await
}

/// A demo evidence text and its tag: `{tag} text`.
fn tagged(summary: &str) -> (Option<&str>, &str) {
    summary
        .strip_prefix('{')
        .and_then(|rest| rest.split_once("} "))
        .map_or((None, summary), |(tag, text)| (Some(tag), text))
}

/// The meeting's questions and how the room answered, through the facilitator's and the
/// phones' use-cases: each finding put to validation (by phone, the rest by show of hands) and
/// decided, then the first priority, each group leaning to its own.
async fn meeting_votes(
    g: &mut Gen,
    script: &Script,
    meeting: &Meeting,
    p: &Profile,
    findings: &[Finding],
    present: &[Participant],
) -> Result<Vec<(Id<Finding>, Id<Decision>)>, DemoError> {
    use sigida_app::meetings;
    let cast_at = |minute: u64| {
        at(meeting
            .date
            .with_hms(10 + (minute / 60) as u8 % 8, (minute % 60) as u8, 0)
            .unwrap_or(meeting.date.midnight())
            .assume_utc())
    };
    let questions = script.put_findings(meeting, || g.id()).await?;
    let mut phones = Phones::default();
    let mut validations = Vec::new();
    for (position, finding) in findings.iter().enumerate() {
        let position = position + 1;
        let Some(question) = questions.iter().find(|q| q.finding_id == Some(finding.id)) else {
            continue;
        };
        let opened = cast_at(position as u64 * 7);
        script.set_open(meeting, question.id, true, opened).await?;
        // The room leans the way the meeting decided.
        let leaning: [f64; 3] = match finding.validation {
            ValidationStatus::Validated => [0.82, 0.13, 0.05],
            ValidationStatus::Amended => [0.25, 0.65, 0.10],
            _ => [0.40, 0.35, 0.25],
        };
        let mut by_hands = [0u32; 3];
        for (i, participant) in present.iter().enumerate() {
            let draw = g.rng.unit();
            let choice = if draw < leaning[0] {
                0
            } else if draw < leaning[0] + leaning[1] {
                1
            } else {
                2
            };
            // About a third have no phone: they vote by show of hands, counted by the facilitator.
            if g.rng.chance(0.33) {
                by_hands[choice] += 1;
                continue;
            }
            let at = cast_at(position as u64 * 7 + i as u64 % 5);
            let option = VALIDATION_OPTIONS[choice].into();
            phones
                .vote(script, participant, question.id, option, at)
                .await?;
        }
        for (choice, count) in by_hands.into_iter().enumerate().filter(|(_, c)| *c > 0) {
            let votes = CountedVotes {
                id: g.id(),
                question_id: question.id,
                option: VALIDATION_OPTIONS[choice].into(),
                count,
                source: BallotSource::ShowOfHands,
                group: None,
                entered_at: cast_at(position as u64 * 7 + 6),
            };
            script.add_count(meeting, votes).await?;
        }
        let closed = cast_at(position as u64 * 7 + 6);
        script.set_open(meeting, question.id, false, closed).await?;
        // The facilitator records the outcome, with the counts, as the meeting's decision; a
        // finding the room could not settle is sent back for more evidence.
        if finding.validation == ValidationStatus::Pending {
            let text = format!(
                "Constat à compléter avant la prochaine réunion : « {} ».",
                question.prompt
            );
            script
                .record_decision(meeting, g.id(), DecisionKind::NextStep, &text, PLENARY)
                .await?;
            continue;
        }
        let outcome = meetings::Outcome {
            question: question.id,
            status: finding.validation,
            wording: finding.amended_statement.as_deref().unwrap_or(""),
            reason: if finding.validation == ValidationStatus::Rejected {
                "les participants ne reconnaissent pas la situation décrite"
            } else {
                ""
            },
        };
        let (_, decision) = script.decide_finding(FR, meeting, g.id(), outcome).await?;
        validations.push((finding.id, decision.id));
    }
    // The first priority: each group's own first priority is an option.
    let mut options: Vec<String> = Vec::new();
    for (_, _, _, _, priorities, _) in p.groups {
        let first = priorities.split(" ;").next().unwrap_or(priorities).trim();
        if !options.iter().any(|o| o == first) && options.len() < 5 {
            options.push(first.to_owned());
        }
    }
    let question = script
        .add_question(
            g.id(),
            meeting,
            "Première priorité pour la communauté",
            options.clone(),
        )
        .await?;
    script
        .set_open(meeting, question.id, true, cast_at(200))
        .await?;
    for (i, participant) in present.iter().enumerate() {
        let own = p
            .groups
            .iter()
            .position(|group| Some(group.0) == participant.group)
            .unwrap_or(0)
            .min(options.len().saturating_sub(1));
        let choice = if g.rng.chance(0.55) {
            own
        } else {
            g.rng.below(options.len() as u64) as usize
        };
        let at = cast_at(200 + i as u64 % 9);
        let option = options[choice].clone();
        phones
            .vote(script, participant, question.id, option, at)
            .await?;
    }
    script
        .set_open(meeting, question.id, false, cast_at(210))
        .await?;
    // The facilitator closes the meeting to phones: their codes and tokens vote no more.
    script.close_to_phones(meeting, cast_at(211)).await?;
    Ok(validations)
}

/// The room's phones: each joins with its participant's code the first time it votes, as at
/// `/v`, then votes with the token it got, as at `/v/ballot`.
#[derive(Default)]
struct Phones {
    tokens: std::collections::HashMap<Id<Participant>, String>,
}

impl Phones {
    async fn vote(
        &mut self,
        script: &Script,
        participant: &Participant,
        question: Id<Question>,
        option: String,
        at: Timestamp,
    ) -> Result<(), DemoError> {
        let token = match self.tokens.entry(participant.id) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(first) => {
                let joined = script
                    .join(&participant.check_code, at)
                    .await?
                    .ok_or_else(|| {
                        DemoError::Script(format!(
                            "le code {} n'ouvre pas la réunion",
                            participant.check_code
                        ))
                    })?;
                first.insert(joined.token)
            }
        };
        Ok(script.vote(token, question, option, at).await?)
    }
}

/// The consultation meeting of a community and the plan it adopts, then a first round of
/// follow-up: every step through the use-cases the meeting's, plan's and action's pages call.
async fn consultation_and_plan(
    g: &mut Gen,
    script: &Script,
    community: &Community,
    p: &Profile,
    localities: &[Locality],
    findings: &[Finding],
) -> Result<(), DemoError> {
    use sigida_app::{meetings, plans};
    let validated: Vec<&Finding> = findings.iter().filter(|f| f.is_accepted()).collect();
    let meeting = script
        .create_meeting(Meeting {
            id: g.id(),
            community_id: community.id,
            level: Level::Local,
            title: format!("Réunion de consultation de {}", community.name),
            date: p.meeting_date,
            place: p.meeting_place.into(),
            facilitators: "Équipe d'animation du programme".into(),
            agenda: vec![
                "Ouverture et présentation des participants".into(),
                "Restitution de l'analyse contextuelle".into(),
                "Validation des constats".into(),
                "Priorisation par groupe socio-économique".into(),
                "Sélection des localités d'intervention".into(),
                "Prochaines étapes".into(),
            ],
        })
        .await?;
    let count = 34 + g.rng.below(20);
    let groups: Vec<GroupKind> = p.groups.iter().map(|g| g.0).collect();
    let mut present = Vec::new();
    for i in 0..count {
        let female = g.rng.chance(0.46);
        let arrival = meetings::Arrival {
            id: g.id(),
            meeting_id: meeting.id,
            // Most participants give no name; the register does not need one.
            name: g.rng.chance(0.3).then(|| person(&mut g.rng, female)),
            sex: if female { Sex::Female } else { Sex::Male },
            age_group: *g.rng.pick(&[
                AgeGroup::Youth,
                AgeGroup::Youth,
                AgeGroup::Adult,
                AgeGroup::Adult,
                AgeGroup::Elder,
            ]),
            stakeholder_type: Some(*g.rng.pick(StakeholderType::ALL)),
            group: Some(*g.rng.pick(&groups)),
            organisation: String::new(),
            consent: true,
            at: at(p
                .meeting_date
                .with_hms(9, (i % 60) as u8, 0)
                .unwrap_or(p.meeting_date.midnight())
                .assume_utc()),
            code: std::array::from_fn(|_| g.rng.below(256) as u8),
        };
        present.push(script.register(arrival).await?);
    }
    let validations = meeting_votes(g, script, &meeting, p, findings, &present).await?;
    let selected: Vec<&str> = localities.iter().take(3).map(|l| l.name.as_str()).collect();
    let selection = script
        .record_decision(
            &meeting,
            g.id(),
            DecisionKind::LocalitySelection,
            &format!(
                "Localités retenues pour l'intervention : {}.",
                selected.join(", ")
            ),
            PLENARY,
        )
        .await?;
    let new_plan = plans::NewPlan {
        id: g.id(),
        title: format!("Plan d'action communautaire de {}", community.name),
        at: at(p
            .meeting_date
            .with_hms(16, 0, 0)
            .unwrap_or(p.meeting_date.midnight())
            .assume_utc()),
    };
    let mut plan = None;
    let mut actions = Vec::new();
    for (i, finding) in validated.iter().enumerate() {
        let response = action_for(finding);
        let start = Quarter::new(1 + (i as u8 / 4).min(2), 1 + (i as u8 % 4)).unwrap_or(Quarter {
            year: 1,
            quarter: 1,
        });
        let end = Quarter::new((start.year + 1).min(4), start.quarter).unwrap_or(start);
        let validation = validations
            .iter()
            .find(|(f, _)| *f == finding.id)
            .map(|(_, d)| *d);
        let draft = Action {
            id: g.id(),
            plan_id: new_plan.id,
            objective: objective_for(p, response.theme),
            title: response.title.into(),
            description: format!(
                "{} Répond au constat validé en réunion : « {} »",
                response.description,
                finding
                    .amended_statement
                    .as_deref()
                    .unwrap_or(&finding.statement)
            ),
            // The demo's partner account (Croix-Rouge malienne) leads the first action of each
            // plan, so that its follow-up screen has something to follow.
            lead_partner: if i == 0 {
                "Croix-Rouge malienne".into()
            } else {
                p.stakeholders[i % p.stakeholders.len()].0.into()
            },
            partners: vec!["Mairie".into(), "OIM Mali".into()],
            target_groups: p.groups[i % p.groups.len()].1.into(),
            localities: selected.join(", "),
            start,
            end,
            status: ActionStatus::Planned,
            pdsec_axis: Some(response.pdsec_axis.into()),
            risks: response.risks.into(),
            resources: response.resources.into(),
            finding_ids: vec![finding.id],
            decision_ids: validation.into_iter().chain([selection.id]).collect(),
            origin_id: None,
        };
        let (in_plan, action) = script
            .add_action(community, new_plan.clone(), draft)
            .await?;
        plan = Some(in_plan);
        for year in start.year..=end.year {
            let line = BudgetLine {
                id: g.id(),
                action_id: action.id,
                item: response.item.0.into(),
                unit: response.item.1.into(),
                quantity: 2 + g.rng.below(4) as i64,
                unit_cost_fcfa: response.item.2 + 25_000 * g.rng.below(4) as i64,
                funding_source: (*g.rng.pick(&["OIM", "Commune", "UNICEF"])).into(),
                year,
            };
            script.add_budget_line(&line).await?;
        }
        let coordination = BudgetLine {
            id: g.id(),
            action_id: action.id,
            item: "Suivi et coordination".into(),
            unit: "trimestre".into(),
            quantity: i64::from(end.index() - start.index() + 1),
            unit_cost_fcfa: 75_000,
            funding_source: "OIM".into(),
            year: start.year,
        };
        script.add_budget_line(&coordination).await?;
        let indicator = PlanIndicator {
            id: g.id(),
            action_id: action.id,
            name: response.indicator.0.into(),
            baseline: Some(response.indicator.2),
            target: Some(response.indicator.3),
            unit: response.indicator.1.into(),
            means_of_verification: response.indicator.4.into(),
        };
        script.add_plan_indicator(&indicator).await?;
        let mut milestones = Vec::new();
        for (k, title) in response.milestones.iter().enumerate() {
            let index = (start.index() + k as u8).min(end.index());
            let milestone = Milestone {
                id: g.id(),
                action_id: action.id,
                title: (*title).into(),
                due: Quarter::new(index / 4 + 1, index % 4 + 1).unwrap_or(start),
                done_on: None,
            };
            script.add_milestone(&milestone).await?;
            milestones.push(milestone);
        }
        actions.push((action, indicator, milestones));
    }
    let Some(plan) = plan else {
        return Ok(());
    };
    // The meeting adopts the plan; the adoption is one of its decisions.
    let text = format!(
        "{} (v1) adopté par la réunion, {} actions.",
        plan.title,
        actions.len()
    );
    script
        .adopt(&plan, &meeting, p.meeting_date, g.id(), [&text, PLENARY])
        .await?;
    // The first round of follow-up, at the end of September: the actions of the first two
    // quarters are under way (one late), their first milestone reached, their indicator measured.
    let follow_up = time::macros::date!(2026 - 09 - 30);
    for (k, (action, indicator, milestones)) in actions.iter().enumerate() {
        if action.start.index() > 1 {
            continue;
        }
        let status = if k == 1 {
            ActionStatus::Delayed
        } else {
            ActionStatus::Ongoing
        };
        script.set_status(action.id, status).await?;
        if status == ActionStatus::Ongoing
            && let Some(first) = milestones.first()
        {
            let reached = Some(time::macros::date!(2026 - 07 - 15));
            script.milestone_done(action.id, first.id, reached).await?;
        }
        let (baseline, target) = (
            indicator.baseline.unwrap_or(0.0),
            indicator.target.unwrap_or(0.0),
        );
        let share = if status == ActionStatus::Delayed {
            0.05
        } else {
            0.2 + 0.1 * g.rng.below(3) as f64
        };
        let value = (baseline + (target - baseline) * share).round();
        let measurement = Measurement {
            id: g.id(),
            indicator_id: indicator.id,
            measured_on: follow_up,
            value,
            note: "Premier tour de suivi (rapport trimestriel du partenaire)".into(),
            recorded_by: "suivi-evaluation".into(),
        };
        script.add_measurement(&measurement).await?;
    }
    Ok(())
}

/// The objectives trees the youth of each community drew; the plan's actions serve them.
const GAO_OBJECTIVES: &str = "centre | Les jeunes rapatriés ont un revenu à Gao\nmoyen | Établir les actes d'état civil\nmoyen | Sécuriser l'accès aux marchés\nmoyen | Former aux métiers du fleuve\nfin | Moins de recrutement des jeunes\nfin | Départs choisis, non subis\nfin | Cohésion avec les familles hôtes";
const DIBOLI_OBJECTIVES: &str = "centre | Les jeunes trouvent un avenir à Diboli\nmoyen | Formation professionnelle sur le corridor\nmoyen | Orienter les transferts vers l'investissement\nmoyen | Enregistrer les naissances\nfin | Départs choisis et informés\nfin | Enfants à l'école, pas aux placers\nfin | Revenus locaux";

/// The objective of the community's tree an action of a theme serves: the means that speaks
/// of it, else the tree's centre.
fn objective_for(p: &Profile, theme: Theme) -> String {
    let text = if p.region == "ML07" {
        GAO_OBJECTIVES
    } else {
        DIBOLI_OBJECTIVES
    };
    let Ok(sigida_core::exercises::ExerciseData::ObjectivesTree(tree)) =
        sigida_core::exercises::parse_objectives_tree(text)
    else {
        return String::new();
    };
    let words: &[&str] = match theme {
        Theme::Services => &["état civil", "naissances"],
        Theme::Livelihoods => &["Form"],
        Theme::Security => &["Sécuriser"],
        _ => &[],
    };
    tree.below
        .iter()
        .find(|m| words.iter().any(|w| m.contains(w)))
        .cloned()
        .unwrap_or(tree.core)
}

/// What the plan proposes in answer to a finding of each theme: the action, its budget item
/// (name, unit, unit cost in FCFA), its indicator (name, unit, baseline, target, means of
/// verification), its milestones, PDSEC axis, risks and resources.
struct Response {
    theme: Theme,
    title: &'static str,
    description: &'static str,
    item: (&'static str, &'static str, i64),
    indicator: (&'static str, &'static str, f64, f64, &'static str),
    milestones: [&'static str; 2],
    pdsec_axis: &'static str,
    risks: &'static str,
    resources: &'static str,
}

fn action_for(finding: &Finding) -> Response {
    // A finding about papers is answered by the civil registry, whatever its theme.
    let statement = finding.statement.to_lowercase();
    let theme = if statement.contains("document") || statement.contains("état civil") {
        Theme::Services
    } else {
        finding.theme
    };
    match theme {
        Theme::Migration => Response {
            theme: Theme::Migration,
            title: "Information sur la migration sûre et les voies régulières",
            description: "Séances d'information dans les localités de départ et aux points de passage, avec les associations de jeunes et de rapatriés.",
            item: ("Séance d'information communautaire", "séance", 150_000),
            indicator: (
                "Personnes informées sur la migration sûre",
                "personnes",
                0.0,
                1500.0,
                "Listes de présence des séances",
            ),
            milestones: [
                "Messages validés avec les associations",
                "Premières séances tenues dans les localités retenues",
            ],
            pdsec_axis: "Axe 1 — Développement social et citoyenneté",
            risks: "Méfiance envers les messages perçus comme dissuasifs : porter la parole par des rapatriés.",
            resources: "Deux animateurs communautaires, supports imprimés, sonorisation.",
        },
        Theme::Protection => Response {
            theme: Theme::Protection,
            title: "Mécanisme communautaire d'identification et de référencement des cas de protection",
            description: "Des relais formés identifient les personnes à risque (enfants non accompagnés, survivantes de VBG, victimes de traite) et les réfèrent aux services, avec leur consentement.",
            item: ("Formation des relais communautaires", "session", 350_000),
            indicator: (
                "Cas de protection référés vers un service",
                "cas",
                0.0,
                120.0,
                "Registre de référencement (données anonymisées)",
            ),
            milestones: [
                "Relais formés et circuit de référencement validé",
                "Première revue des cas référés",
            ],
            pdsec_axis: "Axe 1 — Développement social et citoyenneté",
            risks: "Exposition des personnes référées : confidentialité, consentement, aucun nom hors du registre.",
            resources: "Relais communautaires, un travailleur social du développement social, téléphone de permanence.",
        },
        Theme::Security => Response {
            theme: Theme::Security,
            title: "Comités communautaires de veille et d'alerte sur les axes migratoires",
            description: "Comités mixtes (chefferie, jeunes, femmes, transporteurs) qui signalent les incidents sur les axes et orientent les voyageurs.",
            item: ("Équipement et réunions des comités", "comité", 300_000),
            indicator: (
                "Comités de veille fonctionnels",
                "comités",
                0.0,
                6.0,
                "Procès-verbaux des réunions des comités",
            ),
            milestones: ["Comités constitués", "Premier rapport d'incidents transmis"],
            pdsec_axis: "Axe 4 — Sécurité et gouvernance locale",
            risks: "Représailles contre les membres : anonymat des signalements, appui des autorités.",
            resources: "Téléphones et crédit de communication, registre, moto pour les visites.",
        },
        Theme::Livelihoods => Response {
            theme: Theme::Livelihoods,
            title: "Appui aux activités génératrices de revenus des jeunes et des rapatriés",
            description: "Formation et kits de démarrage pour des activités choisies avec les intéressés (maraîchage, petit commerce, réparation).",
            item: ("Kit de démarrage d'activité", "kit", 250_000),
            indicator: (
                "Jeunes et rapatriés appuyés par une AGR",
                "personnes",
                0.0,
                200.0,
                "Fiches de suivi des bénéficiaires",
            ),
            milestones: [
                "Bénéficiaires sélectionnés en assemblée",
                "Kits remis et formations tenues",
            ],
            pdsec_axis: "Axe 2 — Économie locale et emploi",
            risks: "Activités non viables : étude de marché simple, suivi à six mois.",
            resources: "Formateurs des services techniques, local de formation.",
        },
        Theme::Services => Response {
            theme: Theme::Services,
            title: "Audiences foraines pour les actes de naissance et les pièces d'identité",
            description: "Le tribunal et l'état civil tiennent des audiences dans les localités pour délivrer jugements supplétifs, actes de naissance et cartes.",
            item: (
                "Audience foraine (juge, greffier, déplacement)",
                "audience",
                450_000,
            ),
            indicator: (
                "Actes de naissance et pièces délivrés",
                "actes",
                0.0,
                800.0,
                "Registres de l'état civil et du tribunal",
            ),
            milestones: [
                "Calendrier des audiences arrêté avec le tribunal",
                "Premières audiences tenues",
            ],
            pdsec_axis: "Axe 3 — Services sociaux de base",
            risks: "Indisponibilité du juge ; coût des timbres : prise en charge par le projet.",
            resources: "Juge, greffier, agents d'état civil, véhicule.",
        },
        Theme::SocialCohesion => Response {
            theme: Theme::SocialCohesion,
            title: "Espaces de dialogue entre communautés hôtes, déplacées et rapatriées",
            description: "Rencontres régulières animées par les leaders religieux et coutumiers pour prévenir les tensions autour des ressources.",
            item: ("Rencontre intercommunautaire", "rencontre", 200_000),
            indicator: (
                "Rencontres intercommunautaires tenues",
                "rencontres",
                0.0,
                16.0,
                "Comptes rendus des rencontres",
            ),
            milestones: [
                "Facilitateurs désignés par les communautés",
                "Première rencontre tenue",
            ],
            pdsec_axis: "Axe 4 — Sécurité et gouvernance locale",
            risks: "Tensions ravivées : facilitation neutre, sujets choisis par les communautés.",
            resources: "Leaders religieux et coutumiers, lieu de rencontre, collation.",
        },
        Theme::Governance => Response {
            theme: Theme::Governance,
            title: "Intégration des priorités migration et protection au PDSEC",
            description: "Appui au conseil communal pour inscrire les actions du plan au PDSEC et à son budget annuel.",
            item: ("Atelier de planification communale", "atelier", 400_000),
            indicator: (
                "Actions du plan inscrites au PDSEC",
                "actions",
                0.0,
                5.0,
                "Délibérations du conseil communal",
            ),
            milestones: [
                "Atelier de planification tenu",
                "Délibération du conseil communal",
            ],
            pdsec_axis: "Axe 5 — Gouvernance et planification",
            risks: "Calendrier budgétaire de la commune : caler les ateliers sur sa préparation.",
            resources: "Secrétaire général de la mairie, consultant en planification.",
        },
    }
}

fn date_iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A Kobo-style household export (`;`-separated, `_uuid`, split select_multiple columns),
/// stratified by locality and clustered by block, with design weights.
fn household_survey(rng: &mut Rng, p: &Profile, localities: &[Locality]) -> String {
    let mut out = String::from(
        "start;end;_uuid;_submission_time;consent;locality;cluster_id;weight;resp_sex;resp_age;resp_age_group;hh_size;status;\
         member_abroad;intends_to_migrate;has_id_document;receives_remittances;\
         protection_concerns;protection_concerns/extortion;protection_concerns/forced_labour;\
         protection_concerns/armed_recruitment;protection_concerns/gbv;protection_concerns/child_labour;\
         protection_concerns/none;monthly_income_fcfa\n",
    );
    let per_locality = 90 + rng.below(30);
    for (li, locality) in localities.iter().enumerate() {
        let population = locality.population.unwrap_or(1000) as f64;
        let households = population / 7.0;
        let clusters = 6;
        for k in 0..per_locality {
            let cluster = format!("{}-{}", li + 1, 1 + k % clusters);
            let weight = households / per_locality as f64;
            let female = rng.chance(0.52);
            let age = 18 + rng.below(50);
            // Gao hosts many more displaced people and returnees than Diboli.
            let statuses: &[(&str, u64)] = if p.region == "ML07" {
                &[
                    ("host", 70),
                    ("migrant", 5),
                    ("returnee", 6),
                    ("displaced", 19),
                ]
            } else {
                &[
                    ("host", 88),
                    ("migrant", 6),
                    ("returnee", 4),
                    ("displaced", 2),
                ]
            };
            let status = weighted(rng, statuses, |s| s.1).0;
            let concerns = [
                ("extortion", 0.22),
                ("forced_labour", 0.08),
                (
                    "armed_recruitment",
                    if p.region == "ML07" { 0.15 } else { 0.02 },
                ),
                ("gbv", 0.12),
                ("child_labour", if p.region == "ML01" { 0.17 } else { 0.06 }),
            ];
            let chosen: Vec<&str> = concerns
                .iter()
                .filter(|(_, prob)| rng.chance(*prob))
                .map(|(c, _)| *c)
                .collect();
            let none = chosen.is_empty();
            let flags: Vec<&str> = concerns
                .iter()
                .map(|(c, _)| if chosen.contains(c) { "1" } else { "0" })
                .collect();
            let day = 3 + rng.below(20);
            let start_minute = 8 * 60 + rng.below(7 * 60);
            // Most interviews take 25 to 60 minutes; a few were rushed.
            let length = if rng.chance(0.02) {
                4 + rng.below(6)
            } else {
                25 + rng.below(35)
            };
            let end_minute = start_minute + length;
            let mut age = age;
            if rng.chance(0.004) {
                age = 12; // a child answered: the form's constraint catches it
            }
            let age_group = match age {
                ..25 => "15_24",
                25..35 => "25_34",
                35..50 => "35_49",
                _ => "50_plus",
            };
            let mut income = 5_000 * (4 + rng.below(40));
            if rng.chance(0.006) {
                income *= 100; // a typing slip of two zeros: an outlier for cleaning
            }
            let _ = writeln!(
                out,
                "2026-02-{day:02}T{:02}:{:02}:00;2026-02-{day:02}T{:02}:{:02}:00;{};2026-02-{day:02}T19:00:00;yes;{};{cluster};{weight:.4};{};{age};{age_group};{};{status};{};{};{};{};{};{};{};{income}",
                start_minute / 60,
                start_minute % 60,
                end_minute / 60,
                end_minute % 60,
                uuid_from(rng),
                slugify(&locality.name),
                if female { "female" } else { "male" },
                2 + rng.below(10),
                yes_no(rng.chance(if p.region == "ML01" { 0.55 } else { 0.25 })),
                if age < 36 {
                    yes_no(rng.chance(0.31))
                } else {
                    yes_no(rng.chance(0.09))
                },
                yes_no(rng.chance(if status == "returnee" { 0.42 } else { 0.8 })),
                yes_no(rng.chance(if p.region == "ML01" { 0.46 } else { 0.18 })),
                if none {
                    "none".to_owned()
                } else {
                    chosen.join(" ")
                },
                flags.join(";"),
                if none { "1" } else { "0" },
            );
        }
    }
    out
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn uuid_from(rng: &mut Rng) -> String {
    let hi = rng.next();
    let lo = rng.next();
    uuid::Builder::from_random_bytes(((u128::from(hi) << 64) | u128::from(lo)).to_be_bytes())
        .into_uuid()
        .to_string()
}

/// Daily counts at each flow monitoring point over six months, both directions, as the
/// field teams' sheets would have them: Diboli's with French headers, Gao's with an HXL row
/// under English ones (the way DTM shares its data). Kayes's corridor sends labour migrants
/// west after the harvest and sees them back before the rains; Gao sees travellers north to
/// Algeria and Niger, and more people sent back, with more children alone and more people
/// in distress.
fn flow_counts(rng: &mut Rng, p: &Profile) -> String {
    let gao = p.region == "ML07";
    let mut out = if gao {
        String::from(
            "date;monitoring point;direction;origin;destination;nationality;men;women;boys;girls;unaccompanied children;vulnerable;transport\n\
             #date;#loc+fmp;#direction;#loc+origin;#loc+destination;#country+name+nationality;#affected+m+adults;#affected+f+adults;#affected+m+children;#affected+f+children;#affected+children+unaccompanied;#affected+vulnerable;#meta+transport\n",
        )
    } else {
        String::from(
            "date;point de suivi;sens;origine;destination;nationalité;hommes;femmes;garçons;filles;enfants non accompagnés;vulnérables;transport\n",
        )
    };
    // Eighteen months: two dry seasons to compare.
    let start = time::macros::date!(2024 - 09 - 01);
    let days = (time::macros::date!(2026 - 03 - 01) - start).whole_days();
    let nationalities: &[&str] = if gao {
        &[
            "Mali",
            "Mali",
            "Niger",
            "Guinée",
            "Burkina Faso",
            "Cameroun",
            "Nigeria",
        ]
    } else {
        &[
            "Mali",
            "Mali",
            "Mali",
            "Sénégal",
            "Guinée",
            "Gambie",
            "Côte d'Ivoire",
        ]
    };
    let transports: &[&str] = if gao {
        &["camion", "camion", "pick-up", "moto", "pirogue", "à pied"]
    } else {
        &["bus", "bus", "camion", "train", "moto", "à pied"]
    };
    for day in 0..days {
        let date = start + time::Duration::days(day);
        let month = u8::from(date.month());
        for point in p.flow_points {
            for direction in ["entrée", "sortie"] {
                // Kayes: departures swell from November to February (after the harvest),
                // returns in September–October. Gao: departures north fall in the hot
                // months; returns from Algeria rise through the period.
                let season = match (gao, direction, month) {
                    (false, "sortie", 11 | 12 | 1 | 2) => 1.8,
                    (false, "entrée", 9 | 10) => 1.5,
                    (true, "entrée", _) => 1.0 + day as f64 / 365.0,
                    (true, "sortie", 9 | 10) => 0.7,
                    _ => 1.0,
                };
                let total = ((6 + rng.below(12)) as f64 * season) as u32;
                let boys = rng.below(u64::from(total / 6 + 1)) as u32;
                let girls = rng.below(u64::from(total / 8 + 1)) as u32;
                let women = (total - boys - girls) / 4;
                let men = total - boys - girls - women;
                let alone_share = if gao { 3 } else { 6 };
                let unaccompanied = rng.below(u64::from((boys + girls) / alone_share + 1)) as u32;
                let vulnerable = rng.below(u64::from(total / if gao { 4 } else { 9 } + 1)) as u32;
                let (origin, destination) = if direction == "entrée" {
                    (*rng.pick(p.destinations), p.name)
                } else {
                    (p.name, *rng.pick(p.destinations))
                };
                let direction = match (gao, direction) {
                    (true, "entrée") => "incoming",
                    (true, _) => "outgoing",
                    (false, "entrée") => "entrant",
                    (false, _) => "sortant",
                };
                let _ = writeln!(
                    out,
                    "{};{point};{direction};{origin};{destination};{};{men};{women};{boys};{girls};{unaccompanied};{vulnerable};{}",
                    date_iso(date),
                    rng.pick(nationalities),
                    rng.pick(transports),
                );
            }
        }
    }
    out
}

/// The interview and focus-group notes of a community, coded, as an analyst's workbook:
/// sheets notes, codes and extraits. The codebook is the diagnostic's: Gao's workbook reuses
/// Diboli's codes and adds its own. Some passages name people or give a phone number, as
/// real notes do; the quotes published remove them.
fn coded_notes(p: &Profile) -> Vec<Table> {
    let gao = p.region == "ML07";
    let sheet = |name: &str, rows: Vec<Vec<String>>| sheet("notes", name, rows);
    let prefix = if gao { "GAO" } else { "DIB" };
    let code = |n: &str| format!("{prefix}-{n}");
    let codes = vec![
        row(&["code", "libellé", "thème"]),
        row(&["depart-jeunes", "Départ des jeunes", "migration"]),
        row(&[
            "transferts",
            "Transferts des émigrés",
            "moyens de subsistance",
        ]),
        row(&[
            "extorsion-route",
            "Extorsion et rackets sur la route",
            "protection",
        ]),
        row(&["papiers", "Absence de papiers d'état civil", "protection"]),
        row(&[
            "recrutement-arme",
            "Recrutement par des groupes armés",
            "sécurité",
        ]),
        row(&[
            "accueil-rapatries",
            "Accueil des rapatriés",
            "cohésion sociale",
        ]),
        row(&[
            "orpaillage",
            "Travail sur les sites d'orpaillage",
            "moyens de subsistance",
        ]),
    ];
    let (notes, excerpts): (Vec<[String; 6]>, Vec<[String; 3]>) = if gao {
        (
            vec![
                [code("KII-01"), "kii".into(), "rapatriés".into(), "hommes".into(), "2026-02-04".into(), "Entretien au centre de transit".into()],
                [code("FGD-02"), "fgd".into(), "jeunes".into(), "hommes".into(), "2026-02-05".into(), "Groupe de jeunes de Sosso Koïra".into()],
                [code("FGD-03"), "fgd".into(), "femmes".into(), "femmes".into(), "2026-02-06".into(), "Groupe de femmes déplacées, site de Saneye".into()],
                [code("KII-04"), "kii".into(), "".into(), "hommes".into(), "2026-02-07".into(), "Transporteur, gare routière".into()],
            ],
            vec![
                [code("KII-01"), "On nous a déposés à la frontière sans rien ; M. Touré du centre de transit nous a donné à manger trois jours.".into(), "accueil-rapatries".into()],
                [code("KII-01"), "Sans carte d'identité on ne peut pas prendre le bus pour rentrer au village.".into(), "papiers".into()],
                [code("FGD-02"), "Des hommes viennent au marché proposer 50 000 francs par mois aux jeunes qui n'ont rien à faire.".into(), "recrutement-arme depart-jeunes".into()],
                [code("FGD-02"), "Tout le monde pense à partir vers l'Algérie après la saison.".into(), "depart-jeunes".into()],
                [code("FGD-03"), "Aux postes, ils demandent de l'argent aux femmes, parfois pire ; on ne dit rien.".into(), "extorsion-route".into()],
                [code("FGD-03"), "L'accueil ici est bon, mais les familles hôtes n'ont plus rien à partager.".into(), "accueil-rapatries".into()],
                [code("KII-04"), "Entre Gao et Kidal, il faut payer à chaque barrière ; appelez-moi au 76 45 12 98 si vous voulez les noms des postes.".into(), "extorsion-route".into()],
                [code("KII-04"), "On parle de jeunes recrutés à la gare, mais la mairie dit que ce sont des cas isolés.".into(), "recrutement-arme".into()],
            ],
        )
    } else {
        (
            vec![
                [code("KII-01"), "kii".into(), "familles d'émigrés".into(), "hommes".into(), "2026-01-28".into(), "Chef de famille, Diboli-Centre".into()],
                [code("FGD-02"), "fgd".into(), "jeunes".into(), "mixte".into(), "2026-01-29".into(), "Groupe de jeunes, gare".into()],
                [code("FGD-03"), "fgd".into(), "femmes".into(), "femmes".into(), "2026-01-30".into(), "Groupe de femmes, Gouthioubé".into()],
                [code("KII-04"), "kii".into(), "orpailleurs".into(), "hommes".into(), "2026-01-31".into(), "Ancien orpailleur revenu de Kéniéba".into()],
            ],
            vec![
                [code("KII-01"), "L'argent de France construit les maisons, mais il n'y a pas d'usine ici ; l'imam Cissé le dit à chaque prêche.".into(), "transferts".into()],
                [code("KII-01"), "Mes deux fils sont partis à Dakar puis plus loin ; on attend leurs envois.".into(), "depart-jeunes transferts".into()],
                [code("FGD-02"), "Ceux qui restent ont honte ; on part dès qu'on a l'argent du passeur.".into(), "depart-jeunes".into()],
                [code("FGD-03"), "Les filles qu'on emmène aux placers pour le ménage ne reviennent pas toujours.".into(), "orpaillage".into()],
                [code("FGD-03"), "Beaucoup d'enfants n'ont pas d'acte de naissance, alors pas d'examen.".into(), "papiers".into()],
                [code("KII-04"), "Aux placers, on travaille pour rembourser le voyage ; le patron garde les papiers.".into(), "orpaillage papiers".into()],
                [code("KII-04"), "À la frontière, les douaniers font payer même ceux qui ont leurs papiers.".into(), "extorsion-route".into()],
            ],
        )
    };
    let mut notes_rows = vec![row(&["code", "type", "groupe", "sexe", "date", "texte"])];
    notes_rows.extend(notes.into_iter().map(|n| n.to_vec()));
    let mut excerpt_rows = vec![row(&["note", "extrait", "codes"])];
    excerpt_rows.extend(excerpts.into_iter().map(|e| e.to_vec()));
    vec![
        sheet("notes", notes_rows),
        sheet("codes", codes),
        sheet("extraits", excerpt_rows),
    ]
}

/// The exercises run in each community, in the facilitators' line format.
fn community_exercises(
    g: &mut Gen,
    p: &Profile,
    community: &Community,
) -> Result<Vec<sigida_core::exercises::Exercise>, DemoError> {
    use sigida_core::exercises::{
        Exercise, parse_calendar, parse_mobility_map, parse_objectives_tree, parse_pairwise,
        parse_problem_tree, parse_stakeholder_matrix, parse_swot, parse_timeline, parse_venn,
    };
    let gao = p.region == "ML07";
    let (timeline, calendar, pairwise, swot) = if gao {
        (
            "1973 | Grande sécheresse : départs vers la Libye et l'Algérie\n1984 | Sécheresse, perte des troupeaux\n1990 | Rébellion ; routes coupées\n2012 | Occupation de Gao par des groupes armés\n2013 | Retour de l'administration ; premiers rapatriés\n2023 | Expulsions massives d'Algérie vers le nord du Mali",
            "Départs vers l'Algérie | 2 2 3 3 2 1 0 0 1 2 3 3\nRetours et expulsions | 1 1 2 2 3 3 2 1 1 1 2 2\nPluies | 0 0 0 0 0 1 2 3 2 0 0 0\nInsécurité sur les routes | 2 2 2 3 3 2 1 1 2 2 2 2\nTravail agricole sur le fleuve | 1 0 0 0 0 1 3 3 3 2 1 1",
            "Sécurité sur les routes > Emploi des jeunes | sans sécurité personne ne travaille\nSécurité sur les routes > Papiers d'état civil | on se fait arrêter partout\nSécurité sur les routes > Eau potable | le fleuve est là\nEmploi des jeunes > Papiers d'état civil | les jeunes partent faute de travail\nEmploi des jeunes > Eau potable\nPapiers d'état civil > Eau potable | sans acte, pas d'école",
            (
                "Solidarité des familles hôtes\nAssociations de rapatriés organisées\nFleuve et terres irrigables",
                "Insécurité persistante\nServices saturés par les arrivées\nPeu d'emplois pour les jeunes",
                "Programmes de réinsertion des rapatriés\nCommerce transfrontalier avec le Niger\nRelance de la riziculture",
                "Recrutement des jeunes par des groupes armés\nNouvelles expulsions d'Algérie\nTensions autour de l'aide",
            ),
        )
    } else {
        (
            "1968 | Premiers départs vers la France par Dakar\n1973 | Grande sécheresse ; la migration devient une stratégie de survie\n1996 | Associations de ressortissants : écoles et centres de santé financés\n2003 | Ouverture de la route bitumée Kayes–Diboli\n2012 | Afflux vers les sites d'orpaillage de Kéniéba\n2020 | Fermeture des frontières (Covid-19) ; retours forcés",
            "Départs vers Dakar et la Mauritanie | 3 3 2 1 0 0 0 0 0 1 3 3\nRetours pour les travaux agricoles | 0 0 0 1 2 3 2 1 0 0 0 0\nOrpaillage | 3 3 3 3 2 1 0 0 1 2 3 3\nPluies | 0 0 0 0 0 1 2 3 2 1 0 0\nFêtes et retours des émigrés | 0 0 0 1 0 0 1 1 0 0 0 3",
            "Emploi des jeunes > Eau potable | les jeunes partent faute de travail\nEmploi des jeunes > Papiers d'état civil\nEmploi des jeunes > Santé\nEau potable > Papiers d'état civil | corvée d'eau des femmes\nSanté > Eau potable | la maternité est loin\nPapiers d'état civil > Santé | les enfants ne peuvent pas passer l'examen",
            (
                "Transferts réguliers des émigrés\nAssociations de ressortissants actives\nPosition sur le corridor Bamako–Dakar",
                "Dépendance aux transferts\nPeu d'emplois hors agriculture\nEnfants sans acte de naissance",
                "Commerce transfrontalier avec Kidira\nInvestissements productifs de la diaspora\nFormation professionnelle",
                "Travail des enfants sur les placers\nTraite des filles vers les sites d'orpaillage\nTracasseries à la frontière",
            ),
        )
    };
    let (venn, problems, objectives, actors, mobility) = if gao {
        (
            "Chefs de quartier | 3 | 1\nImams et cadis | 3 | 1\nMairie de Gao | 2 | 2\nAssociation des rapatriés | 2 | 1\nCroix-Rouge malienne | 2 | 2\nForces de défense | 3 | 3\nOIM | 2 | 3",
            "centre | Les jeunes rapatriés restent sans revenu\ncause | Pas de papiers pour travailler\ncause | Marchés fermés par l'insécurité\ncause | Pas de formation adaptée\neffet | Recrutement par des groupes armés\neffet | Nouveaux départs vers l'Algérie\neffet | Tensions avec les familles hôtes",
            GAO_OBJECTIVES,
            "Mairie de Gao | 4 | 4\nChefs de quartier | 4 | 5\nAssociation des rapatriés | 2 | 5\nForces de défense | 5 | 2\nTransporteurs | 3 | 2\nOIM | 4 | 4\nCommerçants | 2 | 3",
            "Bourem | 95 | 2 | famille, marché\nKidal | 350 | 1 | commerce\nTamanrasset (Algérie) | 1100 | 2 | travail\nNiamey (Niger) | 440 | 1 | commerce\nBamako | 1200 | 1 | administration, santé\nAnsongo | 100 | 3 | marché hebdomadaire",
        )
    } else {
        (
            "Chef de village | 3 | 1\nAssociations de ressortissants | 3 | 2\nMairie de Diboli | 2 | 1\nCentre de santé | 2 | 1\nDouane et police des frontières | 2 | 3\nONG de protection de l'enfance | 1 | 2\nServices de l'état civil | 2 | 2",
            "centre | Les jeunes partent faute d'avenir sur place\ncause | Peu d'emplois hors agriculture\ncause | Transferts dépensés en consommation\ncause | Enfants sans acte de naissance\neffet | Départs irréguliers par Dakar\neffet | Travail des enfants sur les placers\neffet | Familles dépendantes des envois",
            DIBOLI_OBJECTIVES,
            "Mairie de Diboli | 4 | 4\nChef de village | 4 | 5\nAssociations de ressortissants | 4 | 4\nDouane | 4 | 2\nTransporteurs | 3 | 3\nOrpailleurs | 2 | 2\nONG de protection de l'enfance | 2 | 5",
            "Kidira (Sénégal) | 2 | 3 | marché, famille\nKayes | 95 | 2 | administration, santé\nKéniéba (orpaillage) | 250 | 2 | travail\nDakar (Sénégal) | 650 | 2 | travail\nNouakchott (Mauritanie) | 900 | 1 | travail\nParis (France) | 4500 | 1 | émigration",
        )
    };
    let bad = |e: sigida_core::exercises::LineError| {
        DemoError::Script(format!("exercice de démonstration : {e}"))
    };
    let mut exercise = |title: &str, group, held_on, data| Exercise {
        id: g.id(),
        community_id: community.id,
        title: title.to_owned(),
        group,
        held_on,
        data,
    };
    Ok(vec![
        exercise(
            "Profil historique de la communauté",
            None,
            time::macros::date!(2026 - 02 - 02),
            parse_timeline(timeline).map_err(bad)?,
        ),
        exercise(
            "Calendrier saisonnier des mobilités",
            Some(GroupKind::Youth),
            time::macros::date!(2026 - 02 - 03),
            parse_calendar(calendar).map_err(bad)?,
        ),
        exercise(
            "Classement par paires des besoins — femmes",
            Some(GroupKind::Women),
            time::macros::date!(2026 - 02 - 04),
            parse_pairwise(pairwise).map_err(bad)?,
        ),
        exercise(
            "Forces, faiblesses, opportunités, menaces",
            None,
            time::macros::date!(2026 - 02 - 05),
            parse_swot(swot.0, swot.1, swot.2, swot.3),
        ),
        exercise(
            "Institutions qui comptent pour les femmes",
            Some(GroupKind::Women),
            time::macros::date!(2026 - 02 - 04),
            parse_venn(venn).map_err(bad)?,
        ),
        exercise(
            "Arbre à problèmes — les jeunes",
            Some(GroupKind::Youth),
            time::macros::date!(2026 - 02 - 05),
            parse_problem_tree(problems).map_err(bad)?,
        ),
        exercise(
            "Arbre à objectifs — les jeunes",
            Some(GroupKind::Youth),
            time::macros::date!(2026 - 02 - 06),
            parse_objectives_tree(objectives).map_err(bad)?,
        ),
        exercise(
            "Acteurs : influence et intérêt",
            None,
            time::macros::date!(2026 - 02 - 06),
            parse_stakeholder_matrix(actors).map_err(bad)?,
        ),
        exercise(
            "Carte de mobilité",
            None,
            time::macros::date!(2026 - 02 - 07),
            parse_mobility_map(mobility).map_err(bad)?,
        ),
    ])
}

/// The household survey's indicators: who has left, who means to, papers, remittances, the
/// protection concerns households name, household size and income; by sex of the respondent,
/// status and locality, with the survey's design (strata = locality, clusters, weights); each
/// share of households naming a protection concern with the risk it measures.
fn household_indicators(
    g: &mut Gen,
    diagnostic: &Diagnostic,
    instrument: Id<Instrument>,
) -> Vec<(sigida_core::indicator::Indicator, Option<RiskType>)> {
    use sigida_core::indicator::{Indicator, IndicatorKind};
    /// (code, label, theme, kind, question, option counted)
    type Spec = (
        &'static str,
        &'static str,
        Theme,
        IndicatorKind,
        &'static str,
        Option<&'static str>,
    );
    let specs: [Spec; 12] = [
        (
            "hh_member_abroad",
            "Ménages dont un membre vit à l'étranger",
            Theme::Migration,
            IndicatorKind::Share,
            "member_abroad",
            Some("yes"),
        ),
        (
            "hh_intends_to_migrate",
            "Répondants qui envisagent de partir dans les 12 mois",
            Theme::Migration,
            IndicatorKind::Share,
            "intends_to_migrate",
            Some("yes"),
        ),
        (
            "hh_remittances",
            "Ménages qui reçoivent des transferts d'argent",
            Theme::Livelihoods,
            IndicatorKind::Share,
            "receives_remittances",
            Some("yes"),
        ),
        (
            "hh_id_document",
            "Répondants qui ont une pièce d'identité",
            Theme::Protection,
            IndicatorKind::Share,
            "has_id_document",
            Some("yes"),
        ),
        (
            "hh_concern_exploitation",
            "Ménages qui citent la VBG, le travail forcé ou le travail des enfants",
            Theme::Protection,
            IndicatorKind::Share,
            "selected(${protection_concerns}, 'gbv') or selected(${protection_concerns}, 'forced_labour') or selected(${protection_concerns}, 'child_labour')",
            None,
        ),
        (
            "hh_large",
            "Ménages de 10 personnes ou plus",
            Theme::Livelihoods,
            IndicatorKind::Share,
            "${hh_size} >= 10",
            None,
        ),
        (
            "hh_size",
            "Taille moyenne des ménages (personnes)",
            Theme::Livelihoods,
            IndicatorKind::Mean,
            "hh_size",
            None,
        ),
        (
            "hh_income",
            "Revenu mensuel moyen des ménages (FCFA)",
            Theme::Livelihoods,
            IndicatorKind::Mean,
            "monthly_income_fcfa",
            None,
        ),
        (
            "hh_count_member_abroad",
            "Ménages dont un membre vit à l'étranger (nombre estimé)",
            Theme::Migration,
            IndicatorKind::Total,
            "member_abroad",
            Some("yes"),
        ),
        (
            "hh_count_returnee",
            "Ménages rapatriés (nombre estimé)",
            Theme::Migration,
            IndicatorKind::Total,
            "status",
            Some("returnee"),
        ),
        (
            "hh_count_displaced",
            "Ménages déplacés internes (nombre estimé)",
            Theme::Migration,
            IndicatorKind::Total,
            "status",
            Some("displaced"),
        ),
        (
            "hh_count_host",
            "Ménages de la communauté hôte (nombre estimé)",
            Theme::SocialCohesion,
            IndicatorKind::Total,
            "status",
            Some("host"),
        ),
    ];
    // The concerns households name, each the share that measures its risk.
    let concerns = [
        (
            "hh_concern_extortion",
            "Ménages qui citent l'extorsion parmi leurs préoccupations",
            Theme::Protection,
            "extortion",
            RiskType::DetentionExtortion,
        ),
        (
            "hh_concern_forced_labour",
            "Ménages qui citent le travail forcé",
            Theme::Protection,
            "forced_labour",
            RiskType::ForcedLabour,
        ),
        (
            "hh_concern_armed_recruitment",
            "Ménages qui citent le recrutement par des groupes armés",
            Theme::Security,
            "armed_recruitment",
            RiskType::ArmedRecruitment,
        ),
        (
            "hh_concern_gbv",
            "Ménages qui citent les violences basées sur le genre",
            Theme::Protection,
            "gbv",
            RiskType::GenderBasedViolence,
        ),
        (
            "hh_concern_child_labour",
            "Ménages qui citent le travail des enfants",
            Theme::Protection,
            "child_labour",
            RiskType::ChildProtection,
        ),
    ];
    let specs = specs
        .into_iter()
        .map(|spec| (spec, None))
        .chain(concerns.map(|(code, label, theme, option, risk)| {
            let spec: Spec = (
                code,
                label,
                theme,
                IndicatorKind::Share,
                "protection_concerns",
                Some(option),
            );
            (spec, Some(risk))
        }));
    specs
        .map(|((code, label, theme, kind, question, option), risk)| {
            let indicator = Indicator {
                id: g.id(),
                diagnostic_id: diagnostic.id,
                instrument_id: instrument,
                code: code.into(),
                label: label.into(),
                theme,
                kind,
                question: question.into(),
                option: option.map(Into::into),
                weight_column: Some("weight".into()),
                strata_column: Some("locality".into()),
                cluster_column: Some("cluster_id".into()),
                locality_column: "locality".into(),
                // A count of households of one status is only broken down by place.
                by: if kind == IndicatorKind::Total {
                    vec!["locality".into()]
                } else {
                    vec![
                        "resp_sex".into(),
                        "resp_age_group".into(),
                        "status".into(),
                        "locality".into(),
                    ]
                },
            };
            (indicator, risk)
        })
        .collect()
}

/// The risks the household survey measures, each by the share of households naming it.
const MEASURED_RISKS: [RiskType; 5] = [
    RiskType::DetentionExtortion,
    RiskType::ForcedLabour,
    RiskType::ArmedRecruitment,
    RiskType::GenderBasedViolence,
    RiskType::ChildProtection,
];

/// The household-survey indicator that estimates a group's size, for the groups a household
/// survey can count (in households).
fn group_size_indicator(kind: GroupKind) -> Option<&'static str> {
    match kind {
        GroupKind::EmigrantFamilies => Some("hh_count_member_abroad"),
        GroupKind::Returnees => Some("hh_count_returnee"),
        GroupKind::Displaced => Some("hh_count_displaced"),
        GroupKind::HostCommunity => Some("hh_count_host"),
        _ => None,
    }
}

/// What each community already has to protect its people, or can build on.
fn capacities(
    g: &mut Gen,
    p: &Profile,
    community: &Community,
    localities: &[Locality],
) -> Vec<sigida_core::protection::Capacity> {
    use RiskType::*;
    use sigida_core::protection::{Capacity, CapacityKind};
    let gao = p.region == "ML07";
    let first = localities.first().map(|l| l.id);
    let list: Vec<(CapacityKind, &str, &str, Vec<RiskType>, bool)> = if gao {
        vec![
            (
                CapacityKind::CommunityMechanism,
                "Comités de vigilance de quartier",
                "Veille de nuit, alerte des chefs de quartier",
                vec![ArmedRecruitment, ChildProtection],
                false,
            ),
            (
                CapacityKind::Leader,
                "Imams et cadis de Gao",
                "Médiation des conflits, sensibilisation au prêche du vendredi",
                vec![ArmedRecruitment, GenderBasedViolence],
                false,
            ),
            (
                CapacityKind::Association,
                "Association des rapatriés de Gao",
                "Accueil à la gare routière, orientation vers l'état civil",
                vec![LackOfDocumentation, DetentionExtortion],
                true,
            ),
            (
                CapacityKind::Opportunity,
                "Programme de réinsertion des rapatriés (OIM)",
                "Kits et formations ; démarrage prévu au deuxième trimestre",
                vec![Trafficking, ForcedLabour],
                false,
            ),
        ]
    } else {
        vec![
            (
                CapacityKind::CommunityMechanism,
                "Comité villageois de protection de l'enfant",
                "Repère les enfants partis vers les placers, alerte le service social",
                vec![ChildProtection, ForcedLabour, Trafficking],
                true,
            ),
            (
                CapacityKind::Association,
                "Associations de ressortissants en France",
                "Financent écoles et centre de santé ; prêtes à soutenir l'emploi des jeunes",
                vec![ForcedLabour],
                false,
            ),
            (
                CapacityKind::Leader,
                "Chef de village et conseillers",
                "Délivrent les attestations pour l'état civil",
                vec![LackOfDocumentation],
                false,
            ),
            (
                CapacityKind::Opportunity,
                "Audiences foraines d'état civil",
                "Jugements supplétifs d'actes de naissance en une journée",
                vec![LackOfDocumentation, ChildProtection],
                false,
            ),
        ]
    };
    list.into_iter()
        .map(|(kind, name, description, risks, local)| Capacity {
            id: g.id(),
            community_id: community.id,
            locality_id: if local { first } else { None },
            kind,
            name: name.into(),
            description: description.into(),
            risks,
        })
        .collect()
}

/// What key informants, focus groups, service providers and flow monitors say of each
/// protection risk in each locality, and the household survey's own tally of the risks it has
/// no indicator for (trafficking, missing papers). Diboli's risks are those of a
/// labour-migration corridor and its gold fields (forced labour, girls trafficked to the
/// mining sites, missing papers at the border); Gao's those of the route north under armed
/// groups (recruitment of youth, detention and extortion, violence against women). The last
/// locality of each community has been reached by the household survey only, and not on
/// every risk: the heat map shows what was not assessed.
fn risk_reports(
    g: &mut Gen,
    p: &Profile,
    community: &Community,
    localities: &[Locality],
) -> Vec<RiskReport> {
    use RiskType::*;
    use SourceType::*;
    let gao = p.region == "ML07";
    // (risk, survey share, cases over three months, which qualitative sources speak of it)
    let profile: [(RiskType, f64, u32, &[SourceType]); 7] = if gao {
        [
            (Trafficking, 0.17, 12, &[KeyInformant, ServiceMap]),
            (ForcedLabour, 0.09, 3, &[FocusGroup]),
            (ArmedRecruitment, 0.31, 0, &[KeyInformant, FocusGroup]),
            (GenderBasedViolence, 0.24, 26, &[ServiceMap, FocusGroup]),
            (ChildProtection, 0.19, 14, &[FlowData, ServiceMap]),
            (
                DetentionExtortion,
                0.52,
                0,
                &[KeyInformant, FocusGroup, FlowData],
            ),
            (LackOfDocumentation, 0.22, 0, &[KeyInformant]),
        ]
    } else {
        [
            (Trafficking, 0.11, 4, &[KeyInformant, ServiceMap]),
            (ForcedLabour, 0.27, 0, &[FocusGroup, KeyInformant]),
            (ArmedRecruitment, 0.01, 0, &[]),
            (GenderBasedViolence, 0.12, 7, &[ServiceMap]),
            (ChildProtection, 0.09, 5, &[FlowData]),
            (DetentionExtortion, 0.16, 0, &[FocusGroup]),
            (LackOfDocumentation, 0.38, 0, &[KeyInformant, ServiceMap]),
        ]
    };
    let observed = time::macros::date!(2026 - 02 - 10);
    let mut reports = Vec::new();
    let last = localities.len().saturating_sub(1);
    for (i, locality) in localities.iter().enumerate() {
        // Localities differ: the centre and the roads more exposed than the outskirts.
        let exposure = [1.15, 1.0, 0.8, 0.7, 0.6].get(i).copied().unwrap_or(0.6);
        for &(risk, share, cases, voices) in &profile {
            if i == last && (g.rng.chance(0.5) || !voices.is_empty() && g.rng.chance(0.3)) {
                continue;
            }
            let varied = (share * exposure * (0.85 + 0.3 * g.rng.unit())).min(0.95);
            let mut report = |source, prevalence, incidents, present, note: &str| RiskReport {
                id: g.id(),
                community_id: community.id,
                locality_id: locality.id,
                risk,
                source,
                observed_on: observed,
                prevalence,
                incidents,
                present,
                note: note.to_owned(),
                origin: Default::default(),
            };
            // Where the household survey asked about the risk, its report is the linked
            // indicator's share; elsewhere the survey module's own tally, entered.
            if !MEASURED_RISKS.contains(&risk) {
                reports.push(report(
                    SurveyIndicator,
                    Some((varied * 1000.0).round() / 1000.0),
                    None,
                    false,
                    "Enquête ménage : ménages qui signalent ce risque dans leur localité",
                ));
            }
            if i == last {
                continue;
            }
            for &voice in voices {
                let (incidents, note) = match voice {
                    ServiceMap => (
                        Some((f64::from(cases) * exposure).round() as u32),
                        "Cas reçus par les services de la localité (3 derniers mois)",
                    ),
                    FlowData => (
                        Some((f64::from(cases.max(2)) * exposure).round() as u32),
                        "Cas identifiés aux points de suivi des flux",
                    ),
                    _ => (None, "Signalé dans les entretiens"),
                };
                let present = varied >= 0.05;
                reports.push(report(voice, None, incidents, present, note));
            }
        }
    }
    reports
}

async fn demo_users(script: &Script, g: &mut Gen) -> Result<Vec<DemoUser>, DemoError> {
    let accounts = [
        (
            "coordination",
            Role::Coordinator,
            "Coordination du programme",
            "OIM",
        ),
        ("analyste", Role::Analyst, "Analyste S&E", "OIM"),
        ("animation", Role::Facilitator, "Équipe d'animation", "OIM"),
        ("saisie", Role::DataClerk, "Opérateur de saisie", "OIM"),
        (
            "partenaire",
            Role::PartnerViewer,
            "Croix-Rouge malienne",
            "Croix-Rouge malienne",
        ),
        ("admin", Role::Admin, "Administration", "OIM"),
    ];
    let mut users = Vec::new();
    for (username, role, name, organisation) in accounts {
        let password = sigida_app::accounts::generate_password();
        // Through the same use-case as `sigida user add`.
        script
            .create_account(sigida_app::accounts::NewAccount {
                id: g.id(),
                username,
                role,
                display_name: Some(name.into()),
                organisation,
                password: &password,
                at: at(time::macros::datetime!(2026-01-12 08:00 UTC)),
                by: None,
            })
            .await?;
        users.push(DemoUser {
            username,
            role,
            password,
        });
    }
    Ok(users)
}
