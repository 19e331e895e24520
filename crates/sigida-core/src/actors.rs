//! Who is in the zone: stakeholders, socio-economic groups and service providers.

use serde::{Deserialize, Serialize};

use crate::community::Community;
use crate::diagnostic::Diagnostic;
use crate::geography::Locality;
use crate::personal::Personal;
use crate::{Id, vocabulary};

vocabulary! {
    StakeholderType "stakeholder_type" {
        Government = "government",
        LocalAuthority = "local_authority",
        NationalNgo = "national_ngo",
        InternationalNgo = "international_ngo",
        UnAgency = "un_agency",
        TraditionalLeader = "traditional_leader",
        ReligiousLeader = "religious_leader",
        MigrantAssociation = "migrant_association",
        WomenAssociation = "women_association",
        YouthAssociation = "youth_association",
        PrivateSector = "private_sector",
        ServiceProvider = "service_provider",
    }
}

vocabulary! {
    Level "level" {
        National = "national",
        Regional = "regional",
        Local = "local",
    }
}

/// An organisation or person with a stake in the diagnostic (the *registre des parties prenantes*).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stakeholder {
    pub id: Id<Stakeholder>,
    pub diagnostic_id: Id<Diagnostic>,
    /// `None` for national or regional actors that serve several communities.
    pub community_id: Option<Id<Community>>,
    pub organisation: String,
    pub kind: StakeholderType,
    pub level: Level,
    pub role_in_zone: String,
    /// The contact person and their phone: personal data.
    pub contact_name: Personal<String>,
    pub contact_phone: Personal<String>,
    /// 1 (low) to 5 (high), for the influence/interest matrix.
    pub influence: Option<u8>,
    pub interest: Option<u8>,
}

vocabulary! {
    GroupKind "group_kind" {
        Women = "women",
        Youth = "youth",
        Returnees = "returnees",
        MigrantsInTransit = "migrants_in_transit",
        Displaced = "displaced",
        HostCommunity = "host_community",
        PeopleWithDisabilities = "people_with_disabilities",
        GoldMiners = "gold_miners",
        Herders = "herders",
        Farmers = "farmers",
        TradersTransporters = "traders_transporters",
        EmigrantFamilies = "emigrant_families",
    }
}

/// A socio-economic group of a community, as the diagnostic describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SocioEconomicGroup {
    pub id: Id<SocioEconomicGroup>,
    pub community_id: Id<Community>,
    pub kind: GroupKind,
    pub name: String,
    /// The number of people the community or a census states, when known.
    pub size_estimate: Option<i64>,
    /// The code of the survey indicator (a weighted total) that estimates the group's size,
    /// when the survey can: shown with its interval beside the stated size.
    pub size_indicator: Option<String>,
    pub vulnerabilities: String,
    pub priorities: String,
    /// How the group is organised and represented (associations, leaders, none).
    pub representation: String,
}

vocabulary! {
    Sector "sector" {
        Health = "health",
        Psychosocial = "psychosocial",
        Legal = "legal",
        Documentation = "documentation",
        Shelter = "shelter",
        Food = "food",
        Wash = "wash",
        Education = "education",
        Livelihoods = "livelihoods",
        ChildProtection = "child_protection",
        Gbv = "gbv",
        Transport = "transport",
    }
}

/// One service offered by one provider at one place (a row of the 4W map).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceProvider {
    pub id: Id<ServiceProvider>,
    pub community_id: Id<Community>,
    pub locality_id: Option<Id<Locality>>,
    pub organisation: String,
    pub sector: Sector,
    pub service: String,
    /// For whom: the groups served, in words.
    pub target_groups: String,
    /// People served per month, when the provider says.
    pub capacity_per_month: Option<i64>,
    pub free_of_charge: bool,
    pub opening_hours: String,
    pub accepts_referrals: bool,
    pub contact_phone: Personal<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}
