//! A refusal: a person asked for something the rules forbid. It is a stable code and the
//! values of its slots, never prose: where it is shown it is translated through the catalogue
//! (`refusal.<code>`), so French and English users each read it in their language, and a URL
//! can carry the code alone.

use std::fmt;

/// A refusal: the catalogue key `refusal.<code>` and the values of its `{name}` slots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Refusal {
    pub fn new(code: &'static str) -> Self {
        Self {
            code,
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// The catalogue's key for this refusal.
    pub fn key(&self) -> String {
        format!("refusal.{}", self.code)
    }
}

impl fmt::Display for Refusal {
    /// For logs: the code and its arguments, in no person's language.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)?;
        for (name, value) in &self.args {
            write!(f, " {name}={value:?}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_logs_as_its_code_and_values() {
        let r = Refusal::new("account.username").arg("username", "a b");
        assert_eq!(r.key(), "refusal.account.username");
        assert_eq!(r.to_string(), "account.username username=\"a b\"");
    }
}
