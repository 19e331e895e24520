//! Closed vocabularies (roles, stakeholder types, risk types…) share one shape: a Rust enum,
//! a stable lower-case code stored in databases and files, and an i18n key `<family>.<code>`
//! through which people see it.

/// A code that is not in a vocabulary: names the vocabulary and lists what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {code} » n'est pas un code de {vocabulary} connu (attendu : {expected})")]
pub struct UnknownCode {
    pub vocabulary: &'static str,
    pub code: String,
    pub expected: String,
}

/// What every vocabulary is, for code that handles any of them (a workbook's drop-downs).
pub trait Closed: Copy + 'static {
    fn all() -> &'static [Self];
    fn code(self) -> &'static str;
    fn label_key(self) -> &'static str;
}

/// Defines a vocabulary enum: `vocabulary!(Family "i18n-family" { Variant = "code", ... })`.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident $family:literal { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The i18n family: the label of a value is the catalogue entry `<family>.<code>`.
            pub const FAMILY: &'static str = $family;

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The i18n key of this value's label.
            pub fn label_key(self) -> &'static str {
                match self { $($name::$variant => concat!($family, ".", $code)),+ }
            }
        }

        impl $crate::vocabulary::Closed for $name {
            fn all() -> &'static [Self] {
                $name::ALL
            }
            fn code(self) -> &'static str {
                $name::code(self)
            }
            fn label_key(self) -> &'static str {
                $name::label_key(self)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::UnknownCode;
            fn from_str(code: &str) -> Result<Self, Self::Err> {
                match code {
                    $($code => Ok($name::$variant),)+
                    _ => Err($crate::UnknownCode {
                        vocabulary: $family,
                        code: code.to_owned(),
                        expected: [$($code),+].join(", "),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
