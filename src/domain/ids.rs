//! Identifiers: the Unified Social Credit Code (USCC, GB 32100-2015) with its embedded
//! organisation code (GB 11714), the 10-digit customs registration code and its AEO code,
//! the 18-digit declaration number, and the Shanghai customs office table.
//!
//! Everything here is pure: parsing, checking and formatting only.
//!
//! Input normalisation shared by all parsers: surrounding whitespace is trimmed, full-width
//! ASCII forms (as typed with a Chinese input method, e.g. `９１３１`) are folded to ASCII,
//! and lowercase letters are uppercased.

use std::fmt;
use std::str::FromStr;

/// The 31 characters a USCC may use, in value order 0..=30 (no I, O, S, V, Z).
pub const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Letters that GB 32100 never uses.
const USCC_FORBIDDEN: &[char] = &['I', 'O', 'S', 'V', 'Z'];

/// GB 11714 weights for the 8-character organisation code body.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Errors from parsing or building an identifier. Each message is one line naming the
/// identifier and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{what} is empty")]
    Empty { what: &'static str },

    #[error("USCC must be 18 characters, got {got}")]
    UsccLength { got: usize },

    #[error("USCC character {position} '{ch}' is not allowed (I, O, S, V, Z are never used)")]
    UsccForbiddenLetter { position: usize, ch: char },

    #[error("USCC character {position} '{ch}' is not a digit or a capital letter")]
    UsccInvalidChar { position: usize, ch: char },

    #[error(
        "USCC character {position} '{ch}' must be a digit (characters 3-8 are the division code)"
    )]
    UsccDivisionNotDigit { position: usize, ch: char },

    #[error("USCC check character is '{found}', expected '{expected}'")]
    UsccCheckChar { found: char, expected: char },

    #[error("USCC organisation-code check (character 17) is '{found}', expected '{expected}'")]
    UsccOrgCodeCheck { found: char, expected: char },

    #[error("USCC {part} must be {expected} characters, got {got}")]
    UsccPartLength {
        part: &'static str,
        expected: usize,
        got: usize,
    },

    #[error("customs code must be 10 digits, got {got} characters")]
    CustomsCodeLength { got: usize },

    #[error("customs code must be 10 digits: character {position} '{ch}' is not a digit")]
    CustomsCodeNotDigit { position: usize, ch: char },

    #[error("AEO code must be 'AEOCN' followed by the 10-digit customs code")]
    AeoCodePrefix,

    #[error("declaration number must be 18 digits, got {got} characters")]
    DeclarationLength { got: usize },

    #[error("declaration number must be 18 digits: character {position} '{ch}' is not a digit")]
    DeclarationNotDigit { position: usize, ch: char },

    #[error("declaration number year (positions 5-8) must be 1990-2100, got {year}")]
    DeclarationYear { year: u16 },

    #[error("declaration number position 9 must be 1 (import) or 0 (export), got '{ch}'")]
    DeclarationDirection { ch: char },

    #[error("declaration number customs office code must be 4 digits, got '{office}'")]
    DeclarationOffice { office: String },

    #[error("declaration number sequence must be at most 9 digits, got {seq}")]
    DeclarationSequence { seq: u32 },
}

/// Fold full-width ASCII forms and the ideographic space to ASCII.
fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Trim, fold full-width forms, uppercase.
fn normalise(s: &str) -> String {
    s.chars()
        .map(fold_width)
        .collect::<String>()
        .trim()
        .to_ascii_uppercase()
}

fn uscc_value(c: char) -> Option<u32> {
    USCC_ALPHABET.find(c.to_ascii_uppercase()).map(|i| i as u32)
}

/// GB 11714 value of an organisation-code body character: digits 0-9, letters A=10..Z=35.
fn org_value(c: char) -> Option<u32> {
    match c.to_ascii_uppercase() {
        d @ '0'..='9' => Some(d as u32 - '0' as u32),
        l @ 'A'..='Z' => Some(l as u32 - 'A' as u32 + 10),
        _ => None,
    }
}

/// The USCC check character (position 18) for the first 17 characters (GB 32100-2015):
/// `W_i = 3^(i-1) mod 31`, `C18 = (31 - Σ C_i·W_i mod 31) mod 31`.
///
/// Returns `None` unless `first17` is exactly 17 characters from [`USCC_ALPHABET`]
/// (lowercase accepted).
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut weight = 1u32;
    let mut count = 0usize;
    for c in first17.chars() {
        count += 1;
        if count > 17 {
            return None;
        }
        sum += uscc_value(c)? * weight;
        weight = weight * 3 % 31;
    }
    if count != 17 {
        return None;
    }
    let check = (31 - sum % 31) % 31;
    USCC_ALPHABET.chars().nth(check as usize)
}

/// The GB 11714 organisation-code check character for an 8-character body:
/// weights 3,7,9,10,5,8,4,2; letters A=10..Z=35; `r = (11 - Σ mod 11) mod 11`;
/// 10 is written 'X'.
///
/// Returns `None` unless `body8` is exactly 8 digits or ASCII letters (lowercase accepted).
pub fn org_code_check_char(body8: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut count = 0usize;
    for c in body8.chars() {
        if count >= 8 {
            return None;
        }
        sum += org_value(c)? * ORG_WEIGHTS[count];
        count += 1;
    }
    if count != 8 {
        return None;
    }
    match (11 - sum % 11) % 11 {
        10 => Some('X'),
        r => char::from_digit(r, 10),
    }
}

/// Outcome of the two checks on a well-formed USCC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecksumStatus {
    /// Both checks pass.
    Valid,
    /// The embedded organisation code is fine but the check character (18) is wrong.
    BadCheckChar,
    /// The embedded organisation-code check (17) is wrong (the check character may be too).
    BadOrgCodeCheck,
}

/// A Unified Social Credit Code (统一社会信用代码), 18 characters, stored uppercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Uscc(String);

impl Uscc {
    /// Strict parse: the format and both checks must hold.
    pub fn parse(s: &str) -> Result<Uscc, IdError> {
        let (code, failure) = Self::parse_checked(s)?;
        match failure {
            None => Ok(code),
            Some(err) => Err(err),
        }
    }

    /// Lenient parse for imports: format errors are still errors, a failing check is
    /// reported as the status instead.
    pub fn parse_lenient(s: &str) -> Result<(Uscc, ChecksumStatus), IdError> {
        let (code, failure) = Self::parse_checked(s)?;
        let status = match failure {
            None => ChecksumStatus::Valid,
            Some(IdError::UsccOrgCodeCheck { .. }) => ChecksumStatus::BadOrgCodeCheck,
            Some(_) => ChecksumStatus::BadCheckChar,
        };
        Ok((code, status))
    }

    /// Format check, then the checks; a failing check comes back as the second value.
    /// The organisation-code check is reported first, being the more specific one.
    fn parse_checked(s: &str) -> Result<(Uscc, Option<IdError>), IdError> {
        let code = normalise(s);
        if code.is_empty() {
            return Err(IdError::Empty { what: "USCC" });
        }
        let chars: Vec<char> = code.chars().collect();
        if chars.len() != 18 {
            return Err(IdError::UsccLength { got: chars.len() });
        }
        for (i, &ch) in chars.iter().enumerate() {
            check_uscc_char(i + 1, ch)?;
        }
        let code = Uscc(code);
        let org = code.org_code();
        let found_org = chars[16];
        let expected_org = org_code_check_char(&org[..8]).expect("validated characters");
        if found_org != expected_org {
            let err = IdError::UsccOrgCodeCheck {
                found: found_org,
                expected: expected_org,
            };
            return Ok((code, Some(err)));
        }
        let found = chars[17];
        let expected = uscc_check_char(&code.0[..17]).expect("validated characters");
        if found != expected {
            return Ok((code, Some(IdError::UsccCheckChar { found, expected })));
        }
        Ok((code, None))
    }

    /// The code, 18 uppercase characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Characters 1-2: registration department and organisation type (e.g. "91").
    pub fn reg_dept_and_type(&self) -> &str {
        &self.0[0..2]
    }

    /// Characters 3-8: the administrative division code (GB/T 2260).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Characters 9-17: the embedded organisation code including its check character.
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }

    /// The check character (18).
    pub fn check_char(&self) -> char {
        self.0.as_bytes()[17] as char
    }

    /// Build a valid code from its parts (for demo data): the organisation-code check
    /// (character 17) and the check character (18) are computed.
    pub fn build(reg_dept_and_type: &str, division: &str, org8: &str) -> Result<Uscc, IdError> {
        let parts: [(&'static str, String, usize, usize); 3] = [
            (
                "registration department and type",
                normalise(reg_dept_and_type),
                2,
                1,
            ),
            ("division code", normalise(division), 6, 3),
            ("organisation code body", normalise(org8), 8, 9),
        ];
        let mut first16 = String::with_capacity(18);
        for (part, text, len, first_position) in &parts {
            let got = text.chars().count();
            if got != *len {
                return Err(IdError::UsccPartLength {
                    part,
                    expected: *len,
                    got,
                });
            }
            for (i, ch) in text.chars().enumerate() {
                check_uscc_char(first_position + i, ch)?;
            }
            first16.push_str(text);
        }
        let org_check = org_code_check_char(&first16[8..16]).expect("validated characters");
        first16.push(org_check);
        let check = uscc_check_char(&first16).expect("validated characters");
        first16.push(check);
        Ok(Uscc(first16))
    }
}

/// Check one character of a USCC at its 1-based position.
fn check_uscc_char(position: usize, ch: char) -> Result<(), IdError> {
    if USCC_FORBIDDEN.contains(&ch) {
        return Err(IdError::UsccForbiddenLetter { position, ch });
    }
    if uscc_value(ch).is_none() {
        return Err(IdError::UsccInvalidChar { position, ch });
    }
    if (3..=8).contains(&position) && !ch.is_ascii_digit() {
        return Err(IdError::UsccDivisionNotDigit { position, ch });
    }
    Ok(())
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Uscc {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

/// Check that `s` is exactly `len` ASCII digits; report the first offender.
fn all_digits(
    s: &str,
    len: usize,
    on_length: impl Fn(usize) -> IdError,
    on_char: impl Fn(usize, char) -> IdError,
) -> Result<(), IdError> {
    let got = s.chars().count();
    if got != len {
        return Err(on_length(got));
    }
    match s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, ch)) => Err(on_char(i + 1, ch)),
        None => Ok(()),
    }
}

/// The customs registration code (海关编码): 10 digits — 1-4 area, 5 economic-zone type,
/// 6 enterprise type, 7-10 sequence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct CustomsCode(String);

/// Prefix of an AEO code.
pub const AEO_PREFIX: &str = "AEOCN";

impl CustomsCode {
    /// Parse the bare 10-digit code (use [`parse_aeo_code`] for "AEOCN…").
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let code = normalise(s);
        if code.is_empty() {
            return Err(IdError::Empty {
                what: "customs code",
            });
        }
        all_digits(
            &code,
            10,
            |got| IdError::CustomsCodeLength { got },
            |position, ch| IdError::CustomsCodeNotDigit { position, ch },
        )?;
        Ok(CustomsCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits 1-4: the area.
    pub fn area(&self) -> &str {
        &self.0[0..4]
    }

    /// Digit 5: the economic-zone type.
    pub fn economic_zone_type(&self) -> char {
        self.0.as_bytes()[4] as char
    }

    /// Digit 6: the enterprise type.
    pub fn enterprise_type(&self) -> char {
        self.0.as_bytes()[5] as char
    }

    /// Digits 7-10: the sequence.
    pub fn sequence(&self) -> &str {
        &self.0[6..10]
    }

    /// The AEO code: "AEOCN" followed by the 10 digits.
    pub fn aeo_code(&self) -> String {
        format!("{AEO_PREFIX}{}", self.0)
    }
}

/// Parse an AEO code ("AEOCN" + 10 digits, case-insensitive, spaces around the digits
/// allowed) into its customs code.
pub fn parse_aeo_code(s: &str) -> Result<CustomsCode, IdError> {
    let code = normalise(s);
    match code.strip_prefix(AEO_PREFIX) {
        Some(rest) => CustomsCode::parse(rest),
        None => Err(IdError::AeoCodePrefix),
    }
}

impl fmt::Display for CustomsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CustomsCode {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CustomsCode::parse(s)
    }
}

/// Import or export, as position 9 of a declaration number says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Import,
    Export,
}

impl Direction {
    /// The digit written at position 9.
    pub fn digit(self) -> char {
        match self {
            Direction::Import => '1',
            Direction::Export => '0',
        }
    }
}

/// Earliest and latest year accepted in a declaration number.
pub const DECLARATION_YEARS: std::ops::RangeInclusive<u16> = 1990..=2100;

/// A declaration number (报关单号 / 海关编号): 18 digits — 1-4 customs office code,
/// 5-8 year, 9 '1' import / '0' export, 10-18 sequence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct DeclarationNo(String);

impl DeclarationNo {
    /// Parse; whitespace inside (as in "2225 2019 1 000153457") is removed.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        // Most numbers come as 18 plain digits (an import reads a million of them).
        let code: String = if s.len() == 18 && s.bytes().all(|b| b.is_ascii_digit()) {
            s.to_string()
        } else {
            normalise(s)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect()
        };
        if code.is_empty() {
            return Err(IdError::Empty {
                what: "declaration number",
            });
        }
        all_digits(
            &code,
            18,
            |got| IdError::DeclarationLength { got },
            |position, ch| IdError::DeclarationNotDigit { position, ch },
        )?;
        let year: u16 = code[4..8].parse().expect("four digits");
        if !DECLARATION_YEARS.contains(&year) {
            return Err(IdError::DeclarationYear { year });
        }
        let ch = code.as_bytes()[8] as char;
        if ch != '0' && ch != '1' {
            return Err(IdError::DeclarationDirection { ch });
        }
        Ok(DeclarationNo(code))
    }

    /// Compose a declaration number; `seq` is zero-padded to 9 digits.
    pub fn build(office: &str, year: u16, direction: Direction, seq: u32) -> Result<Self, IdError> {
        let office_norm = normalise(office);
        if office_norm.len() != 4 || !office_norm.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::DeclarationOffice {
                office: office.to_string(),
            });
        }
        if !DECLARATION_YEARS.contains(&year) {
            return Err(IdError::DeclarationYear { year });
        }
        if seq > 999_999_999 {
            return Err(IdError::DeclarationSequence { seq });
        }
        Self::parse(&format!(
            "{office_norm}{year:04}{}{seq:09}",
            direction.digit()
        ))
    }

    /// The 18 digits without spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits 1-4: the customs office code (see [`office_name`]).
    pub fn office(&self) -> &str {
        &self.0[0..4]
    }

    /// Digits 5-8: the year.
    pub fn year(&self) -> u16 {
        self.0[4..8].parse().expect("validated at parse")
    }

    /// Digit 9: import or export.
    pub fn direction(&self) -> Direction {
        if self.0.as_bytes()[8] == b'1' {
            Direction::Import
        } else {
            Direction::Export
        }
    }

    /// Digits 10-18: the sequence.
    pub fn sequence(&self) -> &str {
        &self.0[9..18]
    }

    /// The number grouped as it is usually written: "2225 2019 1 000153457".
    pub fn spaced(&self) -> String {
        format!(
            "{} {} {} {}",
            &self.0[0..4],
            &self.0[4..8],
            &self.0[8..9],
            &self.0[9..18]
        )
    }
}

impl fmt::Display for DeclarationNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for DeclarationNo {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeclarationNo::parse(s)
    }
}

/// A customs office (关区) code and its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CustomsOffice {
    pub code: &'static str,
    pub name: &'static str,
}

/// Shanghai customs office codes (partly confirmed; see the domain brief).
pub const SHANGHAI_OFFICES: &[CustomsOffice] = &[
    CustomsOffice {
        code: "2200",
        name: "上海海关",
    },
    CustomsOffice {
        code: "2201",
        name: "浦江海关",
    },
    CustomsOffice {
        code: "2202",
        name: "吴淞海关",
    },
    CustomsOffice {
        code: "2203",
        name: "虹桥机场海关",
    },
    CustomsOffice {
        code: "2208",
        name: "宝山海关",
    },
    CustomsOffice {
        code: "2210",
        name: "浦东海关",
    },
    CustomsOffice {
        code: "2218",
        name: "外高桥",
    },
    CustomsOffice {
        code: "2225",
        name: "外港海关",
    },
    CustomsOffice {
        code: "2233",
        name: "浦东机场海关",
    },
    CustomsOffice {
        code: "2244",
        name: "上海快件",
    },
    CustomsOffice {
        code: "2248",
        name: "洋山海关(港区)",
    },
    CustomsOffice {
        code: "2249",
        name: "洋山海关(保税)",
    },
];

/// Name of a Shanghai customs office by its 4-digit code.
pub fn office_name(code: &str) -> Option<&'static str> {
    let code = code.trim();
    SHANGHAI_OFFICES
        .iter()
        .find(|o| o.code == code)
        .map(|o| o.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SAIC: &str = "91310000132260250X";
    const TENCENT: &str = "9144030071526726XG";

    /// Replace the character at 1-based `position`.
    fn replace_at(code: &str, position: usize, ch: char) -> String {
        code.chars()
            .enumerate()
            .map(|(i, c)| if i + 1 == position { ch } else { c })
            .collect()
    }

    #[test]
    fn the_public_examples_pass_both_checks() {
        for s in [SAIC, TENCENT] {
            let code = Uscc::parse(s).unwrap();
            assert_eq!(code.as_str(), s);
            assert_eq!(Uscc::parse_lenient(s).unwrap().1, ChecksumStatus::Valid);
        }
    }

    #[test]
    fn division_and_org_code_are_sliced_by_position() {
        let code = Uscc::parse(SAIC).unwrap();
        assert_eq!(code.reg_dept_and_type(), "91");
        assert_eq!(code.division_code(), "310000");
        assert_eq!(code.org_code(), "132260250");
        assert_eq!(code.check_char(), 'X');
        let code = Uscc::parse(TENCENT).unwrap();
        assert_eq!(code.division_code(), "440300");
        assert_eq!(code.org_code(), "71526726X");
    }

    #[test]
    fn check_char_function_reproduces_the_examples() {
        assert_eq!(uscc_check_char(&SAIC[..17]), Some('X'));
        assert_eq!(uscc_check_char(&TENCENT[..17]), Some('G'));
        assert_eq!(uscc_check_char("9131000013226025"), None);
        assert_eq!(uscc_check_char("91310000132260250X"), None);
        assert_eq!(uscc_check_char("9131000013226025I"), None);
    }

    #[test]
    fn org_code_check_examples() {
        assert_eq!(org_code_check_char("13226025"), Some('0'));
        assert_eq!(org_code_check_char("71526726"), Some('X'));
        // The classic GB 11714 sample D2143569-X: D=13, Σ = 199 ≡ 1 (mod 11), r = 10 → 'X'.
        assert_eq!(org_code_check_char("D2143569"), Some('X'));
        assert_eq!(org_code_check_char("d2143569"), Some('X'));
        // 12345678: Σ = 3+14+27+40+25+48+28+16 = 201 ≡ 3, r = 8.
        assert_eq!(org_code_check_char("12345678"), Some('8'));
        assert_eq!(org_code_check_char("1234567"), None);
        assert_eq!(org_code_check_char("123456789"), None);
        assert_eq!(org_code_check_char("1234567-"), None);
    }

    #[test]
    fn org_code_check_writes_ten_as_x_and_eleven_as_zero() {
        // Σ ≡ 1 (mod 11) gives r = 10 → 'X'; Σ ≡ 0 gives r = 11 mod 11 = 0 → '0'.
        assert_eq!(org_code_check_char("00000000"), Some('0'));
        // "00000006": 6*2 = 12 ≡ 1 → 10 → 'X'.
        assert_eq!(org_code_check_char("00000006"), Some('X'));
    }

    #[test]
    fn corrupting_the_check_char_is_reported_as_a_check_char_error() {
        let bad = replace_at(SAIC, 18, '3');
        assert_eq!(
            Uscc::parse(&bad).unwrap_err(),
            IdError::UsccCheckChar {
                found: '3',
                expected: 'X'
            }
        );
        assert_eq!(
            Uscc::parse(&bad).unwrap_err().to_string(),
            "USCC check character is '3', expected 'X'"
        );
    }

    #[test]
    fn corrupting_character_17_is_reported_as_an_org_code_check_error() {
        for base in [SAIC, TENCENT] {
            let expected = base.chars().nth(16).unwrap();
            for ch in USCC_ALPHABET.chars().filter(|&c| c != expected) {
                let bad = replace_at(base, 17, ch);
                assert_eq!(
                    Uscc::parse(&bad).unwrap_err(),
                    IdError::UsccOrgCodeCheck {
                        found: ch,
                        expected
                    },
                    "{bad}"
                );
            }
        }
        assert_eq!(
            Uscc::parse(&replace_at(SAIC, 17, '1'))
                .unwrap_err()
                .to_string(),
            "USCC organisation-code check (character 17) is '1', expected '0'"
        );
    }

    #[test]
    fn every_single_character_substitution_of_the_examples_fails() {
        for base in [SAIC, TENCENT] {
            for position in 1..=18 {
                let original = base.chars().nth(position - 1).unwrap();
                for ch in USCC_ALPHABET.chars().filter(|&c| c != original) {
                    let bad = replace_at(base, position, ch);
                    let err = Uscc::parse(&bad).unwrap_err();
                    match position {
                        3..=8 if !ch.is_ascii_digit() => {
                            assert_eq!(err, IdError::UsccDivisionNotDigit { position, ch }, "{bad}")
                        }
                        1..=8 | 18 => {
                            assert!(matches!(err, IdError::UsccCheckChar { .. }), "{bad}: {err}")
                        }
                        9..=16 => assert!(
                            matches!(
                                err,
                                IdError::UsccCheckChar { .. } | IdError::UsccOrgCodeCheck { .. }
                            ),
                            "{bad}: {err}"
                        ),
                        17 => assert!(
                            matches!(err, IdError::UsccOrgCodeCheck { .. }),
                            "{bad}: {err}"
                        ),
                        _ => unreachable!(),
                    }
                }
            }
        }
    }

    #[test]
    fn every_disallowed_letter_is_refused_with_its_position() {
        for position in 1..=18 {
            for ch in ['I', 'O', 'S', 'V', 'Z'] {
                let bad = replace_at(SAIC, position, ch);
                let err = Uscc::parse(&bad).unwrap_err();
                assert_eq!(err, IdError::UsccForbiddenLetter { position, ch });
                assert_eq!(
                    err.to_string(),
                    format!(
                        "USCC character {position} '{ch}' is not allowed (I, O, S, V, Z are never used)"
                    )
                );
                assert_eq!(Uscc::parse_lenient(&bad).unwrap_err(), err);
            }
        }
    }

    #[test]
    fn lowercase_forbidden_letters_are_refused_too() {
        let bad = replace_at(SAIC, 5, 'i');
        assert_eq!(
            Uscc::parse(&bad).unwrap_err().to_string(),
            "USCC character 5 'I' is not allowed (I, O, S, V, Z are never used)"
        );
    }

    #[test]
    fn punctuation_is_refused_with_its_position() {
        let bad = replace_at(SAIC, 10, '-');
        assert_eq!(
            Uscc::parse(&bad).unwrap_err(),
            IdError::UsccInvalidChar {
                position: 10,
                ch: '-'
            }
        );
    }

    #[test]
    fn wrong_lengths_are_refused() {
        assert_eq!(
            Uscc::parse(&SAIC[..17]).unwrap_err().to_string(),
            "USCC must be 18 characters, got 17"
        );
        assert_eq!(
            Uscc::parse(&format!("{SAIC}1")).unwrap_err(),
            IdError::UsccLength { got: 19 }
        );
        assert_eq!(
            Uscc::parse("   ").unwrap_err(),
            IdError::Empty { what: "USCC" }
        );
        assert_eq!(
            Uscc::parse("9131 0000 1322 6025 0X").unwrap_err(),
            IdError::UsccLength { got: 22 }
        );
        assert_eq!(
            Uscc::parse_lenient("123").unwrap_err(),
            IdError::UsccLength { got: 3 }
        );
    }

    #[test]
    fn lowercase_and_surrounding_whitespace_are_accepted() {
        let code = Uscc::parse("  91310000132260250x\n").unwrap();
        assert_eq!(code.as_str(), SAIC);
        let code = Uscc::parse("9144030071526726xg").unwrap();
        assert_eq!(code.as_str(), TENCENT);
    }

    #[test]
    fn full_width_input_is_folded_to_ascii() {
        let code = Uscc::parse("９１３１００００１３２２６０２５０Ｘ").unwrap();
        assert_eq!(code.as_str(), SAIC);
    }

    #[test]
    fn lenient_parse_reports_bad_check_char_for_an_altered_last_character() {
        let (code, status) = Uscc::parse_lenient(&replace_at(TENCENT, 18, 'H')).unwrap();
        assert_eq!(status, ChecksumStatus::BadCheckChar);
        assert_eq!(code.as_str(), "9144030071526726XH");
    }

    #[test]
    fn lenient_parse_reports_bad_org_code_check_for_an_altered_character_17() {
        let (_, status) = Uscc::parse_lenient(&replace_at(SAIC, 17, '7')).unwrap();
        assert_eq!(status, ChecksumStatus::BadOrgCodeCheck);
    }

    #[test]
    fn build_reproduces_the_public_examples() {
        assert_eq!(
            Uscc::build("91", "310000", "13226025").unwrap().as_str(),
            SAIC
        );
        assert_eq!(
            Uscc::build("91", "440300", "71526726").unwrap().as_str(),
            TENCENT
        );
    }

    #[test]
    fn build_refuses_bad_parts() {
        assert_eq!(
            Uscc::build("9", "310000", "13226025").unwrap_err(),
            IdError::UsccPartLength {
                part: "registration department and type",
                expected: 2,
                got: 1
            }
        );
        assert_eq!(
            Uscc::build("91", "31000A", "13226025").unwrap_err(),
            IdError::UsccDivisionNotDigit {
                position: 8,
                ch: 'A'
            }
        );
        assert_eq!(
            Uscc::build("91", "310000", "1322602O").unwrap_err(),
            IdError::UsccForbiddenLetter {
                position: 16,
                ch: 'O'
            }
        );
    }

    fn uscc_char() -> impl Strategy<Value = char> {
        proptest::sample::select(USCC_ALPHABET.chars().collect::<Vec<_>>())
    }

    proptest! {
        #[test]
        fn built_codes_parse_strictly(
            head in proptest::collection::vec(uscc_char(), 2),
            division in "[0-9]{6}",
            body in proptest::collection::vec(uscc_char(), 8),
        ) {
            let head: String = head.into_iter().collect();
            let body: String = body.into_iter().collect();
            let built = Uscc::build(&head, &division, &body).unwrap();
            let parsed = Uscc::parse(built.as_str()).unwrap();
            prop_assert_eq!(&parsed, &built);
            prop_assert_eq!(parsed.division_code(), division.as_str());
            prop_assert_eq!(&parsed.org_code()[..8], body.as_str());
            prop_assert_eq!(Uscc::parse_lenient(built.as_str()).unwrap().1, ChecksumStatus::Valid);
        }

        #[test]
        fn any_single_substitution_of_a_built_code_fails_strict_parse(
            division in "[0-9]{6}",
            body in proptest::collection::vec(uscc_char(), 8),
            position in 1usize..=18,
            replacement in uscc_char(),
        ) {
            let body: String = body.into_iter().collect();
            let built = Uscc::build("91", &division, &body).unwrap();
            let original = built.as_str().chars().nth(position - 1).unwrap();
            prop_assume!(original != replacement);
            let bad = replace_at(built.as_str(), position, replacement);
            prop_assert!(Uscc::parse(&bad).is_err());
        }
    }

    #[test]
    fn customs_code_good_case() {
        let code = CustomsCode::parse(" 3122460001 ").unwrap();
        assert_eq!(code.as_str(), "3122460001");
        assert_eq!(code.area(), "3122");
        assert_eq!(code.economic_zone_type(), '4');
        assert_eq!(code.enterprise_type(), '6');
        assert_eq!(code.sequence(), "0001");
    }

    #[test]
    fn customs_code_bad_cases() {
        assert_eq!(
            CustomsCode::parse("312246000").unwrap_err().to_string(),
            "customs code must be 10 digits, got 9 characters"
        );
        assert_eq!(
            CustomsCode::parse("31224600012").unwrap_err(),
            IdError::CustomsCodeLength { got: 11 }
        );
        assert_eq!(
            CustomsCode::parse("31224A0001").unwrap_err().to_string(),
            "customs code must be 10 digits: character 6 'A' is not a digit"
        );
        assert_eq!(
            CustomsCode::parse("").unwrap_err(),
            IdError::Empty {
                what: "customs code"
            }
        );
        // The AEO form is not a bare customs code.
        assert!(CustomsCode::parse("AEOCN3122460001").is_err());
    }

    #[test]
    fn aeo_code_is_aeocn_followed_by_the_customs_code() {
        let code = CustomsCode::parse("3122460001").unwrap();
        assert_eq!(code.aeo_code(), "AEOCN3122460001");
        assert_eq!(parse_aeo_code("AEOCN3122460001").unwrap(), code);
        assert_eq!(parse_aeo_code(" aeocn3122460001 ").unwrap(), code);
        assert_eq!(parse_aeo_code("AEOCN 3122460001").unwrap(), code);
        assert_eq!(
            parse_aeo_code("3122460001").unwrap_err(),
            IdError::AeoCodePrefix
        );
        assert_eq!(
            parse_aeo_code("AEOCN312246000").unwrap_err(),
            IdError::CustomsCodeLength { got: 9 }
        );
    }

    #[test]
    fn the_example_declaration_number_parses_with_or_without_spaces() {
        for s in ["222520191000153457", "2225 2019 1 000153457"] {
            let d = DeclarationNo::parse(s).unwrap();
            assert_eq!(d.as_str(), "222520191000153457");
            assert_eq!(d.office(), "2225");
            assert_eq!(office_name(d.office()), Some("外港海关"));
            assert_eq!(d.year(), 2019);
            assert_eq!(d.direction(), Direction::Import);
            assert_eq!(d.sequence(), "000153457");
            assert_eq!(d.spaced(), "2225 2019 1 000153457");
        }
    }

    #[test]
    fn declaration_number_bad_cases() {
        assert_eq!(
            DeclarationNo::parse("222520195000153457")
                .unwrap_err()
                .to_string(),
            "declaration number position 9 must be 1 (import) or 0 (export), got '5'"
        );
        assert_eq!(
            DeclarationNo::parse("22252019100015345").unwrap_err(),
            IdError::DeclarationLength { got: 17 }
        );
        assert_eq!(
            DeclarationNo::parse("2225201910001534X7").unwrap_err(),
            IdError::DeclarationNotDigit {
                position: 17,
                ch: 'X'
            }
        );
        assert_eq!(
            DeclarationNo::parse("222519891000153457").unwrap_err(),
            IdError::DeclarationYear { year: 1989 }
        );
        assert_eq!(
            DeclarationNo::parse("222521011000153457").unwrap_err(),
            IdError::DeclarationYear { year: 2101 }
        );
        assert_eq!(
            DeclarationNo::parse("   ").unwrap_err(),
            IdError::Empty {
                what: "declaration number"
            }
        );
    }

    #[test]
    fn declaration_year_bounds_are_inclusive() {
        assert_eq!(
            DeclarationNo::parse("220019900000000001").unwrap().year(),
            1990
        );
        assert_eq!(
            DeclarationNo::parse("220021000000000001").unwrap().year(),
            2100
        );
    }

    #[test]
    fn declaration_number_build_round_trips() {
        let d = DeclarationNo::build("2248", 2026, Direction::Export, 42).unwrap();
        assert_eq!(d.as_str(), "224820260000000042");
        assert_eq!(d.direction(), Direction::Export);
        assert_eq!(DeclarationNo::parse(d.as_str()).unwrap(), d);
        let d = DeclarationNo::build("2225", 2019, Direction::Import, 153_457).unwrap();
        assert_eq!(d.as_str(), "222520191000153457");
    }

    #[test]
    fn declaration_number_build_refuses_bad_parts() {
        assert!(matches!(
            DeclarationNo::build("225", 2026, Direction::Import, 1),
            Err(IdError::DeclarationOffice { .. })
        ));
        assert_eq!(
            DeclarationNo::build("2225", 1980, Direction::Import, 1).unwrap_err(),
            IdError::DeclarationYear { year: 1980 }
        );
        assert_eq!(
            DeclarationNo::build("2225", 2026, Direction::Import, 1_000_000_000).unwrap_err(),
            IdError::DeclarationSequence { seq: 1_000_000_000 }
        );
    }

    #[test]
    fn shanghai_office_table_is_unique_and_looked_up_by_code() {
        let mut codes: Vec<_> = SHANGHAI_OFFICES.iter().map(|o| o.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), SHANGHAI_OFFICES.len());
        assert_eq!(office_name("2200"), Some("上海海关"));
        assert_eq!(office_name("2249"), Some("洋山海关(保税)"));
        assert_eq!(office_name("9999"), None);
    }

    #[test]
    fn identifiers_serialise_as_plain_strings() {
        let code = Uscc::parse(SAIC).unwrap();
        assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{SAIC}\""));
        assert_eq!(
            serde_json::to_string(&ChecksumStatus::BadOrgCodeCheck).unwrap(),
            "\"bad_org_code_check\""
        );
        assert_eq!(
            serde_json::to_string(&Direction::Import).unwrap(),
            "\"import\""
        );
    }
}
