//! Personal data (names, phone numbers, exact places of people) is wrapped in [`Personal`]
//! from the moment it is read until a permitted page shows it: its `Debug` and `Display`
//! print a placeholder, so it never reaches a log or an error message by accident.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Personal<T>(T);

impl<T> Personal<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value itself. Callers must have checked `Permission::ViewPersonalData` and
    /// written the access to the audit log; the web layer's `reveal` does both.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Personal(***)")
    }
}

impl<T> fmt::Display for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_its_value() {
        let phone = Personal::new("+223 76 00 00 00".to_owned());
        assert_eq!(format!("{phone}"), "***");
        assert!(!format!("{phone:?}").contains("76"));
        assert_eq!(phone.expose(), "+223 76 00 00 00");
    }
}
