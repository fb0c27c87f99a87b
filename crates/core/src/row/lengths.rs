//! Texts kept end to end in one `str`, each after its length, and the
//! reading of them back.
//!
//! A length is written in ASCII bytes, so the whole stays a `str` (its
//! texts are sliced out without checking UTF-8 again): below 64 it is one
//! byte; otherwise a byte `0x40 + n` and then `n` bytes of seven bits each,
//! high bits first. Almost every field of a list row is shorter than 64
//! bytes, so a length costs one byte where a table of `u32` ends cost four.
//!
//! An id may stand in place of a text (`push_id`): the byte `0x7f`, which
//! no length begins with, then the UUID's 128 bits in 19 bytes of seven.

use super::id_text;

/// In place of a length: a UUID follows, in `UUID_BYTES` bytes.
const UUID_MARK: u8 = 0x7f;
const UUID_BYTES: usize = 19;

/// Writes `part` after its length.
pub(super) fn push(out: &mut String, part: &str) {
    push_count(out, part.len());
    out.push_str(part);
}

/// Writes an id: as its bits when it is a canonical UUID, else as text.
pub(super) fn push_id(out: &mut String, id: &str) {
    let Some(n) = id_text::parse(id) else {
        return push(out, id);
    };
    out.push(char::from(UUID_MARK));
    for g in (0..UUID_BYTES).rev() {
        out.push(char::from(((n >> (7 * g)) & 0x7f) as u8));
    }
}

/// Writes a number (a length, or how many texts follow).
pub(super) fn push_count(out: &mut String, n: usize) {
    if n < 0x40 {
        out.push(char::from(n as u8));
        return;
    }
    let groups = (usize::BITS - n.leading_zeros()).div_ceil(7);
    out.push(char::from(0x40 + groups as u8));
    for g in (0..groups).rev() {
        out.push(char::from(((n >> (7 * g)) & 0x7f) as u8));
    }
}

/// One text as written: a text, or an id kept as its bits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Part<'a> {
    Text(&'a str),
    Uuid(u128),
}

/// The next `left` texts of `text` from byte `at`. The text is always one
/// that `push` wrote: a length that runs past the end reads as the rest.
pub struct Lengths<'a> {
    text: &'a str,
    at: usize,
    left: usize,
}

impl<'a> Lengths<'a> {
    pub(super) fn new(text: &'a str, at: usize, left: usize) -> Self {
        Self { text, at, left }
    }

    fn number(&mut self) -> usize {
        let bytes = self.text.as_bytes();
        let byte = |i: usize| usize::from(bytes.get(i).copied().unwrap_or(0));
        let first = byte(self.at);
        self.at += 1;
        if first < 0x40 {
            return first;
        }
        let mut n = 0usize;
        for _ in 0..first - 0x40 {
            n = (n << 7) | byte(self.at);
            self.at += 1;
        }
        n
    }

    /// After these texts: the number written next, and that many texts.
    pub(super) fn counted(mut self) -> Self {
        let left = self.number();
        Self { left, ..self }
    }
}

impl<'a> Lengths<'a> {
    /// The next text, or the next id kept as its bits.
    pub(super) fn next_part(&mut self) -> Option<Part<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let bytes = self.text.as_bytes();
        if bytes.get(self.at) == Some(&UUID_MARK) {
            let start = (self.at + 1).min(bytes.len());
            let end = (start + UUID_BYTES).min(bytes.len());
            self.at = end;
            // The first byte's top five bits are always zero: shifted out.
            let n = bytes[start..end]
                .iter()
                .fold(0u128, |n, &b| (n << 7) | u128::from(b));
            return Some(Part::Uuid(n));
        }
        let length = self.number();
        let start = self.at.min(self.text.len());
        let end = start.saturating_add(length).min(self.text.len());
        self.at = end;
        Some(Part::Text(self.text.get(start..end).unwrap_or_default()))
    }
}

impl<'a> Iterator for Lengths<'a> {
    /// Texts only (tags): an id, which `push` never writes, reads as "".
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.next_part().map(|part| match part {
            Part::Text(t) => t,
            Part::Uuid(_) => "",
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Lengths<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every length reads back, around each place the writing changes
    /// (63/64 bytes, each seven-bit group), and the whole stays UTF-8
    /// with multi-byte texts beside the lengths.
    #[test]
    fn texts_read_back_at_every_length_boundary() {
        let sizes = [0, 1, 63, 64, 127, 128, 200, 16_383, 16_384, 70_000];
        let texts: Vec<String> = sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| {
                let c = if i % 2 == 0 { 'a' } else { 'é' };
                std::iter::repeat_n(c, n / c.len_utf8()).collect()
            })
            .collect();
        let mut out = String::new();
        for t in &texts {
            push(&mut out, t);
        }
        push_count(&mut out, 2);
        push(&mut out, "华东");
        push(&mut out, "");
        let mut read = Lengths::new(&out, 0, texts.len());
        assert_eq!(read.len(), texts.len());
        let back: Vec<&str> = read.by_ref().collect();
        assert_eq!(back, texts.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(read.counted().collect::<Vec<_>>(), ["华东", ""]);
        let id = uuid::Uuid::new_v4().to_string();
        let mut with_ids = String::new();
        push_id(&mut with_ids, &id);
        push_id(&mut with_ids, "c1");
        push(&mut with_ids, "after");
        assert!(with_ids.is_ascii() && with_ids.len() == 1 + UUID_BYTES + 3 + 6);
        let mut read = Lengths::new(&with_ids, 0, 3);
        let uuid = uuid::Uuid::parse_str(&id).unwrap().as_u128();
        assert!(matches!(read.next_part(), Some(Part::Uuid(n)) if n == uuid));
        assert!(matches!(read.next_part(), Some(Part::Text("c1"))));
        assert_eq!(read.next(), Some("after"));
        for n in [0usize, 63, 64, 1 << 14, (1 << 21) + 5, u32::MAX as usize] {
            let mut s = String::new();
            push_count(&mut s, n);
            assert!(s.is_ascii());
            assert_eq!(Lengths::new(&s, 0, 0).counted().left, n, "{n}");
        }
    }
}
