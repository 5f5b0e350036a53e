//! Validated identifiers. A value of these types has passed its `parse` and cannot be invalid,
//! so nothing downstream has to check again.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a code was refused. Each variant names what was expected so the UI can say it in Swedish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("an organisation number has 10 digits (NNNNNN-NNNN)")]
    OrganisationNumberFormat,
    #[error("the organisation number's check digit is wrong")]
    OrganisationNumberChecksum,
    #[error(
        "an organisation number's third digit is at least 2 (a personal identity number is not accepted)"
    )]
    OrganisationNumberPersonal,
    #[error("a kommun code has four digits")]
    KommunCodeFormat,
    #[error("a län code has two digits")]
    LanCodeFormat,
    #[error("an SSYK 2012 code has one to four digits")]
    SsykCodeFormat,
    #[error("an SeQF level is a number from 1 to 8")]
    SeqfLevelRange,
    #[error("an e-mail address looks like name@example.se")]
    EmailFormat,
}

/// A Swedish organisation number (organisationsnummer), stored as ten digits.
///
/// Accepts `NNNNNN-NNNN`, `NNNNNNNNNN` and the twelve-digit `16NNNNNNNNNN` form. The last digit
/// is a Luhn check digit over the first nine; the third digit is at least 2 for legal entities,
/// which also keeps personal identity numbers (personal data) out of organisation records.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrganisationNumber(String);

impl OrganisationNumber {
    /// # Errors
    /// [`CodeError`] naming what is wrong with the input.
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        let digits: String = input
            .trim()
            .chars()
            .filter(|c| *c != '-' && *c != ' ')
            .collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(CodeError::OrganisationNumberFormat);
        }
        let digits = match digits.len() {
            10 => digits,
            12 if digits.starts_with("16") => digits[2..].to_string(),
            _ => return Err(CodeError::OrganisationNumberFormat),
        };
        let bytes: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        if bytes[2] < 2 {
            return Err(CodeError::OrganisationNumberPersonal);
        }
        if luhn_check_digit(&bytes[..9]) != bytes[9] {
            return Err(CodeError::OrganisationNumberChecksum);
        }
        Ok(Self(digits))
    }

    /// The ten digits without separator, as stored.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

/// The Luhn (mod 10) check digit over `digits`, as Skatteverket computes it.
pub fn luhn_check_digit(digits: &[u32]) -> u32 {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let v = if i % 2 == 0 { d * 2 } else { *d };
            v / 10 + v % 10
        })
        .sum();
    (10 - sum % 10) % 10
}

impl fmt::Display for OrganisationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..6], &self.0[6..])
    }
}

impl TryFrom<String> for OrganisationNumber {
    type Error = CodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OrganisationNumber> for String {
    fn from(value: OrganisationNumber) -> Self {
        value.to_string()
    }
}

macro_rules! digit_code {
    ($(#[$doc:meta])* $name:ident, $lens:expr, $err:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// # Errors
            /// The code's format error when the input is not all digits of an allowed length.
            pub fn parse(input: &str) -> Result<Self, CodeError> {
                let s = input.trim();
                if $lens.contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit()) {
                    Ok(Self(s.to_string()))
                } else {
                    Err($err)
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = CodeError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
}

digit_code!(
    /// A kommun code (kommunkod), four digits such as `2184` (Hudiksvall). Whether the kommun
    /// exists is a question for the reference data, not for the format.
    KommunCode,
    [4],
    CodeError::KommunCodeFormat
);
digit_code!(
    /// A län code (länskod), two digits such as `21` (Gävleborgs län).
    LanCode,
    [2],
    CodeError::LanCodeFormat
);
digit_code!(
    /// An SSYK 2012 code at level 1 (one digit) to level 4 (four digits).
    SsykCode,
    [1, 2, 3, 4],
    CodeError::SsykCodeFormat
);

impl SsykCode {
    /// The level in the hierarchy: the number of digits.
    pub fn level(&self) -> u8 {
        self.0.len() as u8
    }
}

/// A level in the Swedish qualifications framework (SeQF), 1 to 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct SeqfLevel(u8);

impl SeqfLevel {
    /// # Errors
    /// [`CodeError::SeqfLevelRange`] outside 1–8.
    pub fn new(level: u8) -> Result<Self, CodeError> {
        if (1..=8).contains(&level) {
            Ok(Self(level))
        } else {
            Err(CodeError::SeqfLevelRange)
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for SeqfLevel {
    type Error = CodeError;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<SeqfLevel> for u8 {
    fn from(value: SeqfLevel) -> Self {
        value.0
    }
}

/// An e-mail address, trimmed and lower-cased so that one person has one account.
///
/// The check is deliberately modest (one `@`, a dot in the domain, no spaces, at most 254
/// characters): the only real proof of an address is a message that arrives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// # Errors
    /// [`CodeError::EmailFormat`] when the input cannot be an address.
    pub fn parse(input: &str) -> Result<Self, CodeError> {
        let s = input.trim().to_lowercase();
        let Some((local, domain)) = s.split_once('@') else {
            return Err(CodeError::EmailFormat);
        };
        let ok = !local.is_empty()
            && s.len() <= 254
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
        if ok {
            Ok(Self(s))
        } else {
            Err(CodeError::EmailFormat)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = CodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_valid_organisation_number_is_accepted_in_every_common_form() {
        // 556036-0793 is a well-known valid example of the format (Luhn-valid, third digit 6).
        for input in [
            "556036-0793",
            "5560360793",
            "16556036-0793",
            " 556036 0793 ",
        ] {
            let n = OrganisationNumber::parse(input).unwrap();
            assert_eq!(n.to_string(), "556036-0793");
            assert_eq!(n.digits(), "5560360793");
        }
    }

    #[test]
    fn a_wrong_check_digit_is_refused() {
        assert_eq!(
            OrganisationNumber::parse("556036-0794"),
            Err(CodeError::OrganisationNumberChecksum)
        );
    }

    #[test]
    fn a_personal_identity_number_is_not_an_organisation_number() {
        // 811218-9876 is the Swedish Tax Agency's documented test personnummer shape.
        assert_eq!(
            OrganisationNumber::parse("811218-9876"),
            Err(CodeError::OrganisationNumberPersonal)
        );
    }

    #[test]
    fn organisation_numbers_with_letters_or_wrong_length_are_refused() {
        for input in [
            "",
            "55603-0793",
            "556036-07931",
            "55603A-0793",
            "17556036-0793",
        ] {
            assert_eq!(
                OrganisationNumber::parse(input),
                Err(CodeError::OrganisationNumberFormat),
                "{input}"
            );
        }
    }

    proptest! {
        #[test]
        fn every_number_with_a_computed_check_digit_is_accepted(
            first in proptest::collection::vec(0u32..10, 9)
        ) {
            let mut digits = first.clone();
            prop_assume!(digits[2] >= 2);
            digits.push(luhn_check_digit(&first));
            let s: String = digits.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
            prop_assert!(OrganisationNumber::parse(&s).is_ok());
            // Changing the check digit always breaks it.
            let wrong = (digits[9] + 1) % 10;
            let s2 = format!("{}{}", &s[..9], wrong);
            prop_assert_eq!(OrganisationNumber::parse(&s2), Err(CodeError::OrganisationNumberChecksum));
        }
    }

    #[test]
    fn codes_check_their_length() {
        assert!(KommunCode::parse("2184").is_ok());
        assert_eq!(KommunCode::parse("218"), Err(CodeError::KommunCodeFormat));
        assert_eq!(KommunCode::parse("21a4"), Err(CodeError::KommunCodeFormat));
        assert!(LanCode::parse("21").is_ok());
        assert_eq!(SsykCode::parse("5321").unwrap().level(), 4);
        assert_eq!(SsykCode::parse("53210"), Err(CodeError::SsykCodeFormat));
        assert_eq!(SeqfLevel::new(9), Err(CodeError::SeqfLevelRange));
        assert_eq!(SeqfLevel::new(0), Err(CodeError::SeqfLevelRange));
    }

    #[test]
    fn email_addresses_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Anna.Åberg@Hudiksvall.SE ")
                .unwrap()
                .as_str(),
            "anna.åberg@hudiksvall.se"
        );
        for bad in [
            "",
            "anna",
            "anna@",
            "@x.se",
            "anna@se",
            "an na@x.se",
            "a@b@c.se",
            "<a@b.se>",
        ] {
            assert_eq!(Email::parse(bad), Err(CodeError::EmailFormat), "{bad}");
        }
    }
}
