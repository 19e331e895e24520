//! The instrument kit: the XLSForms a diagnostic of this kind uses (`kit/*.xlsx` in the
//! repository, made by `kit/build.py`), carried in the program so that `sigida init
//! --instruments` and the Kit page hand them over offline.

use sigida_core::instrument::InstrumentKind;

/// One form of the kit.
#[derive(Clone, Copy, Debug)]
pub struct KitForm {
    pub file: &'static str,
    /// The catalogue key of what it is for.
    pub about: &'static str,
    pub kind: InstrumentKind,
    pub bytes: &'static [u8],
}

macro_rules! form {
    ($file:literal, $about:literal, $kind:expr) => {
        KitForm {
            file: $file,
            about: $about,
            kind: $kind,
            bytes: include_bytes!(concat!("../../../../kit/", $file)),
        }
    };
}

pub const KIT: [KitForm; 7] = [
    form!(
        "enquete-menage.xlsx",
        "kit.household",
        InstrumentKind::HouseholdSurvey
    ),
    form!(
        "guide-informateur-cle.xlsx",
        "kit.kii",
        InstrumentKind::KeyInformant
    ),
    form!(
        "guide-groupe-discussion.xlsx",
        "kit.fgd",
        InstrumentKind::FocusGroup
    ),
    form!(
        "registre-flux.xlsx",
        "kit.flows",
        InstrumentKind::FlowRegistry
    ),
    form!(
        "enquete-voyageurs.xlsx",
        "kit.travellers",
        InstrumentKind::FlowSurvey
    ),
    form!(
        "cartographie-services.xlsx",
        "kit.services",
        InstrumentKind::ServiceMapping
    ),
    form!(
        "profil-communautaire.xlsx",
        "kit.profile",
        InstrumentKind::CommunityProfile
    ),
];

/// The kit's form named `file`.
pub fn kit_form(file: &str) -> Option<&'static KitForm> {
    KIT.iter().find(|f| f.file == file)
}
