//! Character sets and check-character arithmetic shared by the identifier parsers.

/// GB 32100 character set: digits and upper-case letters without I, O, S, V, Z; value = index.
pub(crate) const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Value of a character in the GB 32100 set, if it belongs to it.
pub(crate) fn uscc_value(c: u8) -> Option<u32> {
    USCC_ALPHABET.iter().position(|&a| a == c).map(|i| i as u32)
}

/// GS1 mod-10 check digit over the data digits (all but the check digit), weights 3,1,3,… from the right.
pub(crate) fn gs1_check_digit(data: &[u8]) -> u8 {
    let sum: u32 =
        data.iter().rev().enumerate().map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 3 } else { 1 }).sum();
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// Normalises user input: trims surrounding white space (including full-width spaces) and upper-cases ASCII.
pub(crate) fn normalise(input: &str) -> String {
    input.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}').to_ascii_uppercase()
}

/// The 1-based position and value of the first non-ASCII character, which no identifier here allows.
pub(crate) fn first_non_ascii(s: &str) -> Option<(usize, char)> {
    s.chars().enumerate().find(|(_, c)| !c.is_ascii()).map(|(i, c)| (i + 1, c))
}
