//! One-pass, borrowing parse of a claims payload.
//!
//! The payload is parsed once, strictly (the same JSON rules as parsing it into a
//! `serde_json::Value`: control characters, escapes, paired surrogates, number range), but only
//! the claims the checker looks at are kept, borrowed from the payload text; every other member
//! is validated and dropped without allocating. A claim given twice keeps its last value, as a
//! `serde_json::Map` does.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Number;

use crate::error::CheckError;

/// Claims the checker itself reads; configured username/groups claims outside this list are
/// looked up through the checker's extra names.
pub(crate) const FIXED: [&str; 15] = [
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "nbf",
    "nonce",
    "at_hash",
    "token_use",
    "client_id",
    "azp",
    "username",
    "groups",
    "cognito:username",
    "cognito:groups",
];

fn fixed_index(name: &str) -> Option<usize> {
    Some(match name {
        "iss" => 0,
        "sub" => 1,
        "aud" => 2,
        "exp" => 3,
        "iat" => 4,
        "nbf" => 5,
        "nonce" => 6,
        "at_hash" => 7,
        "token_use" => 8,
        "client_id" => 9,
        "azp" => 10,
        "username" => 11,
        "groups" => 12,
        "cognito:username" => 13,
        "cognito:groups" => 14,
        _ => return None,
    })
}

/// A claim value, borrowed from the payload where possible. Objects are validated but not kept.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Claim<'a> {
    Null,
    Bool(bool),
    Num(Number),
    Str(Cow<'a, str>),
    Arr(Vec<Claim<'a>>),
    Obj,
}

impl<'a> Claim<'a> {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Claim::Str(s) => Some(s),
            _ => None,
        }
    }
}

struct ClaimVisitor;

impl<'de> Visitor<'de> for ClaimVisitor {
    type Value = Claim<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Claim<'de>, E> {
        Ok(Claim::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Claim<'de>, E> {
        Ok(Claim::Num(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Claim<'de>, E> {
        Ok(Claim::Num(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Claim<'de>, E> {
        Ok(Number::from_f64(v).map_or(Claim::Null, Claim::Num))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Claim<'de>, E> {
        Ok(Claim::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Claim<'de>, E> {
        Ok(Claim::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Claim<'de>, E> {
        Ok(Claim::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Claim<'de>, E> {
        Ok(Claim::Null)
    }
    fn visit_none<E>(self) -> Result<Claim<'de>, E> {
        Ok(Claim::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Claim<'de>, D::Error> {
        Claim::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Claim<'de>, A::Error> {
        let mut v = Vec::new();
        while let Some(c) = seq.next_element::<Claim<'de>>()? {
            v.push(c);
        }
        Ok(Claim::Arr(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Claim<'de>, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Claim::Obj)
    }
}

impl<'de> Deserialize<'de> for Claim<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ClaimVisitor)
    }
}

/// Any JSON value, parsed as strictly as into a `Value` (through `deserialize_any`, unlike
/// `IgnoredAny`, which skips strings and numbers without checking them) but not kept.
struct Skip;

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_none<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Skip, D::Error> {
        Skip::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SkipVisitor)
    }
}

/// The claims of interest of one payload.
pub(crate) struct Slots<'a, 'n> {
    fixed: [Option<Claim<'a>>; FIXED.len()],
    extra_names: &'n [Box<str>],
    extra: Vec<Option<Claim<'a>>>,
}

impl<'a> Slots<'a, '_> {
    /// The claim `name`, when the payload has it. `name` must be in [`FIXED`] or among the
    /// extra names the payload was parsed with (other names read as absent).
    pub fn get(&self, name: &str) -> Option<&Claim<'a>> {
        match fixed_index(name) {
            Some(i) => self.fixed[i].as_ref(),
            None => self
                .extra_names
                .iter()
                .position(|n| &**n == name)
                .and_then(|i| self.extra[i].as_ref()),
        }
    }
}

/// Which slot a member name goes to: `Some(Ok(i))` fixed, `Some(Err(i))` extra, `None` skipped.
struct KeySeed<'n>(&'n [Box<str>]);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<Result<usize, usize>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<Result<usize, usize>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(match fixed_index(v) {
            Some(i) => Some(Ok(i)),
            None => self.0.iter().position(|n| &**n == v).map(Err),
        })
    }
}

struct SlotsSeed<'n>(&'n [Box<str>]);

impl<'de, 'n> DeserializeSeed<'de> for SlotsSeed<'n> {
    type Value = Slots<'de, 'n>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'n> Visitor<'de> for SlotsSeed<'n> {
    type Value = Slots<'de, 'n>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut slots = Slots {
            fixed: Default::default(),
            extra_names: self.0,
            extra: Vec::new(),
        };
        if !self.0.is_empty() {
            slots.extra.resize(self.0.len(), None);
        }
        while let Some(key) = map.next_key_seed(KeySeed(self.0))? {
            match key {
                Some(Ok(i)) => slots.fixed[i] = Some(map.next_value::<Claim<'de>>()?),
                Some(Err(i)) => slots.extra[i] = Some(map.next_value::<Claim<'de>>()?),
                None => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(slots)
    }
}

/// Parses a payload that must be one JSON object, keeping the [`FIXED`] claims and the claims
/// named in `extra`.
pub(crate) fn parse<'a, 'n>(
    payload: &'a str,
    extra: &'n [Box<str>],
) -> Result<Slots<'a, 'n>, CheckError> {
    let mut de = serde_json::Deserializer::from_str(payload);
    let slots = SlotsSeed(extra)
        .deserialize(&mut de)
        .and_then(|s| de.end().map(|()| s))
        .map_err(|_| CheckError::Malformed("payload is not a JSON object"))?;
    Ok(slots)
}
