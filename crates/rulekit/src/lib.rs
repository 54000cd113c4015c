//! What the rule rooms share: `text_enum!` for the closed vocabularies of workflows (statuses, actions, kinds),
//! stored and sent as their snake_case text, and [`deadline`], the one format in which every workflow's legal
//! deadlines are data (source, confidence, working or calendar days).

pub mod deadline;
pub mod due;
pub mod fields;
pub mod merge;

pub use deadline::{Confidence, DeadlineError, Period, Term};
pub use merge::{merge_keyed, Change};

/// Why a workflow refuses a step, where the state or the step's fields are all it can be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The record's state does not allow the step now.
    #[error("{0}")]
    WrongState(String),
    /// The step lacks a field or a field does not fit.
    #[error("{0}")]
    Invalid(String),
}

/// A text that is not one of an enumeration's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a {what}; expected one of {expected}")]
pub struct UnknownValue {
    /// What the enumeration names, e.g. "complaint status".
    pub what: &'static str,
    /// The text given.
    pub value: String,
    /// The allowed values, comma-separated.
    pub expected: String,
}

/// A value with a name for each page language.
pub trait Named: Copy + std::str::FromStr {
    fn name_zh(self) -> &'static str;
    fn name_en(self) -> &'static str;
}

/// A closed vocabulary declared by [`text_enum!`]: its values, their texts and what it names, so documents
/// (the OpenAPI schema, label tables) list them from the declaration.
pub trait Vocabulary: Named + 'static {
    /// What the vocabulary names, e.g. "complaint status".
    const WHAT: &'static str;
    /// Every value, in declaration order.
    fn values() -> &'static [Self];
    /// The stored and sent text of a value.
    fn text(self) -> &'static str;
}

/// Declares an enum whose values are texts, each with its Chinese and English name: `as_str`, `name_zh`,
/// `name_en`, `FromStr`, `Display`, `TryFrom<String>` (so stores decode it), serde as the text, and `ALL`.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident ($what:literal) {
        $($(#[$vmeta:meta])* $variant:ident = $text:literal ($zh:literal, $en:literal)),* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vmeta])* $variant),* }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stored and sent text.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            /// The name on Chinese pages.
            pub const fn name_zh(self) -> &'static str {
                match self { $($name::$variant => $zh),* }
            }

            /// The name on English pages.
            pub const fn name_en(self) -> &'static str {
                match self { $($name::$variant => $en),* }
            }
        }

        impl $crate::Named for $name {
            fn name_zh(self) -> &'static str {
                $name::name_zh(self)
            }
            fn name_en(self) -> &'static str {
                $name::name_en(self)
            }
        }

        impl $crate::Vocabulary for $name {
            const WHAT: &'static str = $what;
            fn values() -> &'static [Self] {
                $name::ALL
            }
            fn text(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownValue;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok($name::$variant),)*
                    _ => Err($crate::UnknownValue {
                        what: $what,
                        value: text.to_owned(),
                        expected: [$($text),*].join(", "),
                    }),
                }
            }
        }

        impl ::std::convert::TryFrom<String> for $name {
            type Error = $crate::UnknownValue;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                text.parse()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    text_enum! {
        /// A test vocabulary.
        enum Colour ("colour") { Red = "red" ("红", "red"), DeepBlue = "deep_blue" ("深蓝", "deep blue") }
    }

    #[test]
    fn a_text_enum_round_trips_and_names_what_it_expected() {
        for colour in Colour::ALL {
            assert_eq!(colour.as_str().parse::<Colour>(), Ok(*colour));
            let json = serde_json::to_string(colour).unwrap();
            assert_eq!(serde_json::from_str::<Colour>(&json).unwrap(), *colour);
        }
        let refused = "green".parse::<Colour>().unwrap_err();
        assert_eq!(refused.to_string(), "'green' is not a colour; expected one of red, deep_blue");
        assert!(serde_json::from_str::<Colour>("\"green\"").is_err());
        assert_eq!(Colour::try_from("deep_blue".to_owned()), Ok(Colour::DeepBlue));
        assert_eq!((Colour::DeepBlue.name_zh(), Colour::DeepBlue.name_en()), ("深蓝", "deep blue"));
    }
}
