//! Identifiers: UUIDs, typed by the entity they name so that a community id
//! cannot be passed where a meeting id is expected.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// The id of an entity of kind `T`. Stored as text (the hyphenated UUID) in every database.
pub struct Id<T> {
    uuid: Uuid,
    kind: PhantomData<fn() -> T>,
}

impl<T> Id<T> {
    pub fn new() -> Self {
        Self::from_uuid(Uuid::new_v4())
    }

    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self {
            uuid,
            kind: PhantomData,
        }
    }

    /// A deterministic id, for generated data that must come out the same on every run.
    pub fn from_seed(seed: u128) -> Self {
        Self::from_uuid(uuid::Builder::from_random_bytes(seed.to_be_bytes()).into_uuid())
    }

    /// The id of something read from others rather than stored (a risk report derived from an
    /// indicator's value in a locality): the same on every read, different for other sources.
    pub fn derived<A, B>(from: Id<A>, within: Id<B>, part: u64) -> Self {
        let mix = |mut z: u128| {
            z ^= z >> 67;
            z = z.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
            z ^ (z >> 61)
        };
        let seed = mix(mix(from.uuid.as_u128()) ^ within.uuid.as_u128().rotate_left(41))
            ^ u128::from(part);
        Self::from_seed(mix(seed))
    }

    pub fn uuid(&self) -> Uuid {
        self.uuid
    }

    /// The same id viewed as another kind; for joins where one table's id names another's row.
    pub fn cast<U>(self) -> Id<U> {
        Id::from_uuid(self.uuid)
    }
}

impl<T> Default for Id<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.uuid == other.uuid
    }
}
impl<T> Eq for Id<T> {}
impl<T> std::hash::Hash for Id<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.uuid.hash(state)
    }
}
impl<T> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.uuid.cmp(&other.uuid)
    }
}

impl<T> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.uuid)
    }
}

impl<T> fmt::Display for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.uuid.hyphenated().fmt(f)
    }
}

impl<T> FromStr for Id<T> {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self::from_uuid)
    }
}

impl<T> Serialize for Id<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.uuid.serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for Id<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Uuid::deserialize(deserializer).map(Self::from_uuid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Thing;

    #[test]
    fn round_trips_through_text() {
        let id: Id<Thing> = Id::new();
        let back: Id<Thing> = id.to_string().parse().unwrap();
        assert_eq!(id, back);
    }

    #[test]
    fn seeded_ids_are_deterministic_and_distinct() {
        assert_eq!(Id::<Thing>::from_seed(7), Id::<Thing>::from_seed(7));
        assert_ne!(Id::<Thing>::from_seed(7), Id::<Thing>::from_seed(8));
    }
}
