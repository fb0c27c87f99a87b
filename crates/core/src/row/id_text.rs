//! Record ids in a list row: a UUID, as every id the server or this app
//! makes is, is kept as its 128 bits (19 bytes of seven bits, so the row's
//! texts stay one `str`) instead of 36 bytes of text. A customer's row
//! holds two (its own and its owner's): 34 bytes less a row, 3.4 MB for a
//! section of 100 000. Any other id (tests use "c1") is kept as written.

use std::fmt;
use std::ops::Deref;

/// The bits of `id` when it is a UUID written the canonical way (lower
/// case, hyphens at 8, 13, 18 and 23), which `text` gives back byte for
/// byte; none for any other text, kept as it is.
pub(super) fn parse(id: &str) -> Option<u128> {
    let bytes = id.as_bytes();
    if bytes.len() != 36 {
        return None;
    }
    let mut n = 0u128;
    for (i, &c) in bytes.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        n = (n << 4) | u128::from(digit);
    }
    Some(n)
}

/// The canonical text of a UUID's bits.
fn text(n: u128) -> [u8; 36] {
    let mut out = [0u8; 36];
    uuid::Uuid::from_u128(n).hyphenated().encode_lower(&mut out);
    out
}

/// An id as a row gives it back: a `str` (through `Deref`), written out
/// from its bits when it was kept as a UUID.
#[derive(Clone, Copy)]
pub enum IdText<'a> {
    Text(&'a str),
    Uuid([u8; 36]),
}

impl<'a> IdText<'a> {
    pub(super) fn from_bits(n: u128) -> Self {
        IdText::Uuid(text(n))
    }
}

impl Deref for IdText<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            IdText::Text(t) => t,
            // Hex digits and hyphens: always UTF-8.
            IdText::Uuid(bytes) => std::str::from_utf8(bytes).unwrap_or_default(),
        }
    }
}

impl AsRef<str> for IdText<'_> {
    fn as_ref(&self) -> &str {
        self
    }
}

impl fmt::Display for IdText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for IdText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq for IdText<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for IdText<'_> {}

impl PartialOrd for IdText<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for IdText<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl PartialEq<str> for IdText<'_> {
    fn eq(&self, other: &str) -> bool {
        &**self == other
    }
}

impl PartialEq<&str> for IdText<'_> {
    fn eq(&self, other: &&str) -> bool {
        &**self == *other
    }
}

impl PartialEq<String> for IdText<'_> {
    fn eq(&self, other: &String) -> bool {
        **self == **other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A canonical UUID comes back byte for byte from its bits; any other
    /// way of writing one, or any other text, is not taken for one (it
    /// would come back changed).
    #[test]
    fn only_canonical_uuids_are_kept_as_bits() {
        for _ in 0..1000 {
            let id = uuid::Uuid::new_v4().to_string();
            let n = parse(&id).expect(&id);
            assert_eq!(n, uuid::Uuid::parse_str(&id).unwrap().as_u128());
            assert_eq!(&*IdText::from_bits(n), id);
        }
        for id in [uuid::Uuid::nil().to_string(), uuid::Uuid::max().to_string()] {
            assert_eq!(&*IdText::from_bits(parse(&id).unwrap()), id);
        }
        let upper = uuid::Uuid::new_v4().to_string().to_uppercase();
        let simple = uuid::Uuid::new_v4().simple().to_string();
        let braced = uuid::Uuid::new_v4().braced().to_string();
        let moved_hyphen = "0123456-78901-2345-6789-abcdef012345".to_string();
        let not_hex = "g1234567-1234-1234-1234-123456789abc".to_string();
        for id in ["", "c1", &upper, &simple, &braced, &moved_hyphen, &not_hex] {
            assert_eq!(parse(id), None, "{id}");
        }
    }
}
