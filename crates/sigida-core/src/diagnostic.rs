//! The diagnostic: one workspace holding a programme's zone, communities, data, meetings and plans.

use serde::{Deserialize, Serialize};

use crate::{Id, Timestamp};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub id: Id<Diagnostic>,
    pub name: String,
    /// ISO 3166-1 alpha-3 code of the country (`MLI`).
    pub country_iso3: String,
    pub programme: String,
    /// Generated demonstration data: every page and report says so.
    pub synthetic: bool,
    /// The disclosure threshold: a published cell resting on fewer respondents is suppressed
    /// (pages, API and reports alike).
    pub min_cell: u64,
    pub created_at: Timestamp,
    /// The period the diagnostic covers (its data collection and consultations).
    pub period_start: Option<time::Date>,
    pub period_end: Option<time::Date>,
    /// The languages it works in, as codes (`fr`, `en`, `bm` Bambara, `son` Songhay…).
    pub languages: Vec<String>,
}

/// The languages of a new diagnostic.
pub fn default_languages() -> Vec<String> {
    vec!["fr".into(), "en".into()]
}

/// ISO 3166-1 alpha-3 codes with their alpha-2 code, which COD-AB P-codes start with
/// (`MLI` → `ML01` Kayes).
const COUNTRIES: &str = "AFG AF ALA AX ALB AL DZA DZ ASM AS AND AD AGO AO AIA AI ATA AQ ATG AG ARG AR ARM AM ABW AW AUS AU AUT AT AZE AZ BHS BS BHR BH BGD BD BRB BB BLR BY BEL BE BLZ BZ BEN BJ BMU BM BTN BT BOL BO BES BQ BIH BA BWA BW BVT BV BRA BR IOT IO BRN BN BGR BG BFA BF BDI BI CPV CV KHM KH CMR CM CAN CA CYM KY CAF CF TCD TD CHL CL CHN CN CXR CX CCK CC COL CO COM KM COG CG COD CD COK CK CRI CR CIV CI HRV HR CUB CU CUW CW CYP CY CZE CZ DNK DK DJI DJ DMA DM DOM DO ECU EC EGY EG SLV SV GNQ GQ ERI ER EST EE SWZ SZ ETH ET FLK FK FRO FO FJI FJ FIN FI FRA FR GUF GF PYF PF ATF TF GAB GA GMB GM GEO GE DEU DE GHA GH GIB GI GRC GR GRL GL GRD GD GLP GP GUM GU GTM GT GGY GG GIN GN GNB GW GUY GY HTI HT HMD HM VAT VA HND HN HKG HK HUN HU ISL IS IND IN IDN ID IRN IR IRQ IQ IRL IE IMN IM ISR IL ITA IT JAM JM JPN JP JEY JE JOR JO KAZ KZ KEN KE KIR KI PRK KP KOR KR KWT KW KGZ KG LAO LA LVA LV LBN LB LSO LS LBR LR LBY LY LIE LI LTU LT LUX LU MAC MO MDG MG MWI MW MYS MY MDV MV MLI ML MLT MT MHL MH MTQ MQ MRT MR MUS MU MYT YT MEX MX FSM FM MDA MD MCO MC MNG MN MNE ME MSR MS MAR MA MOZ MZ MMR MM NAM NA NRU NR NPL NP NLD NL NCL NC NZL NZ NIC NI NER NE NGA NG NIU NU NFK NF MKD MK MNP MP NOR NO OMN OM PAK PK PLW PW PSE PS PAN PA PNG PG PRY PY PER PE PHL PH PCN PN POL PL PRT PT PRI PR QAT QA REU RE ROU RO RUS RU RWA RW BLM BL SHN SH KNA KN LCA LC MAF MF SPM PM VCT VC WSM WS SMR SM STP ST SAU SA SEN SN SRB RS SYC SC SLE SL SGP SG SXM SX SVK SK SVN SI SLB SB SOM SO ZAF ZA SGS GS SSD SS ESP ES LKA LK SDN SD SUR SR SJM SJ SWE SE CHE CH SYR SY TWN TW TJK TJ TZA TZ THA TH TLS TL TGO TG TKL TK TON TO TTO TT TUN TN TUR TR TKM TM TCA TC TUV TV UGA UG UKR UA ARE AE GBR GB USA US UMI UM URY UY UZB UZ VUT VU VEN VE VNM VN VGB VG VIR VI WLF WF ESH EH YEM YE ZMB ZM ZWE ZW XKX XK";

/// The P-code prefix of a country (its ISO 3166-1 alpha-2 code), from its alpha-3 code.
pub fn pcode_prefix(iso3: &str) -> Option<&'static str> {
    let iso3 = iso3.trim().to_ascii_uppercase();
    let mut words = COUNTRIES.split(' ');
    while let (Some(three), Some(two)) = (words.next(), words.next()) {
        if three == iso3 {
            return Some(two);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_have_their_pcode_prefix() {
        assert_eq!(pcode_prefix("MLI"), Some("ML"));
        assert_eq!(pcode_prefix("caf"), Some("CF"));
        assert_eq!(pcode_prefix("NER"), Some("NE"));
        assert_eq!(pcode_prefix("ZWE"), Some("ZW"));
        assert_eq!(pcode_prefix("XYZ"), None);
        // Every entry is a pair of a three-letter and a two-letter code.
        let words: Vec<&str> = COUNTRIES.split(' ').collect();
        assert_eq!(words.len() % 2, 0);
        assert!(words.chunks(2).all(|p| p[0].len() == 3 && p[1].len() == 2));
        assert!(words.len() / 2 >= 249);
    }
}
