//! The diagnostic itself: made once per store, its country checked.

pub mod kit;

use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::diagnostic::{Diagnostic, pcode_prefix};
use sigida_core::{Id, Timestamp};
use sigida_store::Store;

use crate::{AppError, Refusal};

/// The country must be an ISO 3166 alpha-3 code Sigida knows the P-code prefix of.
pub fn check_country(country: &str) -> Result<(), Refusal> {
    match pcode_prefix(country) {
        Some(_) => Ok(()),
        None => Err(Refusal::new("diagnostic.country").arg("country", country)),
    }
}

/// What a coordinator sets of the diagnostic.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub name: String,
    pub programme: String,
    pub country_iso3: String,
    pub period_start: Option<time::Date>,
    pub period_end: Option<time::Date>,
    pub languages: Vec<String>,
    pub min_cell: u64,
}

/// Changes the diagnostic's settings, checked: a name; a country Sigida knows, and not another
/// country than the P-codes already stored; a period that ends after it starts; language codes
/// of two or three letters, French among them (the reports' language); a disclosure threshold
/// of at least 1. Audited.
pub async fn change_settings(
    store: &Store,
    current: &Diagnostic,
    settings: &Settings,
    by: Option<&str>,
    at: Timestamp,
) -> Result<Diagnostic, AppError> {
    let field = |code: &'static str, field: &'static str| Refusal::new(code).arg("field", field);
    if settings.name.trim().is_empty() {
        return Err(field("register.name", "name").into());
    }
    let country = settings.country_iso3.trim().to_ascii_uppercase();
    check_country(&country).map_err(|r| r.arg("field", "country"))?;
    if country != current.country_iso3.to_ascii_uppercase() {
        let prefix = pcode_prefix(&country).unwrap_or_default();
        if let Some(unit) = store
            .admin_units()
            .await?
            .into_iter()
            .find(|u| u.level > 0 && !u.pcode.starts_with(prefix))
        {
            return Err(field("settings.country_units", "country")
                .arg("pcode", unit.pcode)
                .arg("country", country.as_str())
                .into());
        }
    }
    if let (Some(start), Some(end)) = (settings.period_start, settings.period_end)
        && end < start
    {
        return Err(field("settings.period", "period_end").into());
    }
    let languages: Vec<String> = settings
        .languages
        .iter()
        .map(|l| l.trim().to_ascii_lowercase())
        .filter(|l| !l.is_empty())
        .collect();
    if let Some(bad) = languages
        .iter()
        .find(|l| !(2..=3).contains(&l.len()) || !l.bytes().all(|b| b.is_ascii_lowercase()))
    {
        return Err(field("settings.language", "languages")
            .arg("value", bad.as_str())
            .into());
    }
    if !languages.iter().any(|l| l == "fr") {
        return Err(field("settings.french", "languages").into());
    }
    if settings.min_cell == 0 {
        return Err(field("settings.min_cell", "min_cell").into());
    }
    let diagnostic = Diagnostic {
        name: settings.name.trim().to_owned(),
        programme: settings.programme.trim().to_owned(),
        country_iso3: country,
        period_start: settings.period_start,
        period_end: settings.period_end,
        languages,
        min_cell: settings.min_cell,
        ..current.clone()
    };
    let mut tx = store.begin().await?;
    tx.update_diagnostic(&diagnostic).await?;
    tx.audit(&AuditEvent {
        id: Id::new(),
        at,
        actor: by.map(str::to_owned),
        action: AuditAction::SettingsChanged,
        subject: format!("diagnostic:{}", diagnostic.id),
        detail: format!(
            "{} · {} · seuil {}",
            diagnostic.name, diagnostic.country_iso3, diagnostic.min_cell
        ),
    })
    .await?;
    tx.commit().await?;
    Ok(diagnostic)
}

/// Creates the diagnostic of a store: the one way a diagnostic is made, by `sigida init` or
/// by the demo.
pub async fn create_diagnostic(store: &Store, diagnostic: &Diagnostic) -> Result<(), AppError> {
    check_country(&diagnostic.country_iso3)?;
    let mut tx = store.begin().await?;
    tx.insert_diagnostic(diagnostic).await?;
    tx.commit().await?;
    Ok(())
}
