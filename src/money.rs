//! Money as an integer count of fen (1 yuan = 100 fen), parsed from and printed as yuan text
//! with integer arithmetic only.

use std::fmt;

/// Largest amount accepted from yuan text: 1,000,000.00 yuan. WeChat's `total_fee` is an Int,
/// and a larger sum typed at a counter is far more likely a slip than a sale.
pub const MAX_AMOUNT_FEN: i64 = 100_000_000;

/// An amount of money in fen (分). Sums and differences may be negative (refunds); amounts
/// parsed from user text are always positive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fen(pub i64);

/// A reason a yuan amount typed by a person was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount is empty")]
    Empty,
    #[error("amount {text:?} is not a number of yuan such as 19.90")]
    Malformed { text: String },
    #[error("amount {text:?} has more than two decimal places")]
    TooManyDecimals { text: String },
    /// Zero, or a number with a minus sign.
    #[error("amount must be greater than zero")]
    NotPositive,
    #[error("amount {text:?} is above the limit of 1000000.00 yuan")]
    TooLarge { text: String },
}

impl Fen {
    /// Parses yuan text such as `19.90`, `19.9`, `19` or `0.29` into fen.
    ///
    /// Accepts an optional leading `￥` or `¥` and surrounding spaces. Full-width digits and the
    /// full stops `．` and `。`, which a Chinese input method types in full-width or Chinese
    /// punctuation mode, read as their ASCII forms. Rejects signs, exponents, more than two
    /// decimals, zero and amounts above [`MAX_AMOUNT_FEN`]; a negative amount is
    /// [`AmountError::NotPositive`], like zero.
    pub fn parse_yuan(text: &str) -> Result<Fen, AmountError> {
        let halfwidth = to_halfwidth(text);
        let trimmed = halfwidth.trim();
        let trimmed = trimmed
            .strip_prefix('￥')
            .or_else(|| trimmed.strip_prefix('¥'))
            .unwrap_or(trimmed)
            .trim();
        if trimmed.is_empty() {
            return Err(AmountError::Empty);
        }
        let malformed = || AmountError::Malformed {
            text: text.to_owned(),
        };
        // A well-formed amount with a minus sign gets the same advice as zero.
        if let Some(magnitude) = trimmed.strip_prefix('-')
            && magnitude.starts_with(|c: char| c.is_ascii_digit())
            && matches!(
                Fen::parse_yuan(magnitude),
                Ok(_) | Err(AmountError::NotPositive)
            )
        {
            return Err(AmountError::NotPositive);
        }

        let (yuan_text, fraction_text) = match trimmed.split_once('.') {
            Some((yuan, fraction)) => (yuan, fraction),
            None => (trimmed, ""),
        };
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if yuan_text.is_empty() || !all_digits(yuan_text) || !all_digits(fraction_text) {
            return Err(malformed());
        }
        if fraction_text.len() > 2 {
            return Err(AmountError::TooManyDecimals {
                text: text.to_owned(),
            });
        }

        // Leading zeros are harmless, but a long digit run must not overflow before the range check.
        let yuan_digits = yuan_text.trim_start_matches('0');
        let max_yuan_digits = MAX_AMOUNT_FEN.to_string().len() - 2;
        if yuan_digits.len() > max_yuan_digits {
            return Err(AmountError::TooLarge {
                text: text.to_owned(),
            });
        }
        let yuan: i64 = if yuan_digits.is_empty() {
            0
        } else {
            yuan_digits.parse().map_err(|_| malformed())?
        };
        let fraction_fen: i64 = match fraction_text.len() {
            0 => 0,
            1 => i64::from(fraction_text.as_bytes()[0] - b'0') * 10,
            _ => fraction_text.parse().map_err(|_| malformed())?,
        };

        let fen = yuan * 100 + fraction_fen;
        if fen == 0 {
            return Err(AmountError::NotPositive);
        }
        if fen > MAX_AMOUNT_FEN {
            return Err(AmountError::TooLarge {
                text: text.to_owned(),
            });
        }
        Ok(Fen(fen))
    }

    /// Parses a protocol integer-fen field such as `total_fee` (`"1990"`).
    pub fn parse_fen_field(text: &str) -> Option<Fen> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().map(Fen)
    }

    /// Returns the amount in fen.
    pub fn fen(self) -> i64 {
        self.0
    }
}

/// Prints yuan with two decimals, for example `19.90` or `-0.05`.
/// Maps full-width digits and full stops to ASCII, leaving every other character as it is.
fn to_halfwidth(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (u32::from(c) - u32::from('０')) as u8),
            '．' | '。' => '.',
            other => other,
        })
        .collect()
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_text_is_parsed_with_integer_arithmetic() {
        assert_eq!(Fen::parse_yuan("19.90"), Ok(Fen(1990)));
        assert_eq!(Fen::parse_yuan("19.9"), Ok(Fen(1990)));
        assert_eq!(Fen::parse_yuan("0.29"), Ok(Fen(29)));
        assert_eq!(Fen::parse_yuan("0.01"), Ok(Fen(1)));
        assert_eq!(Fen::parse_yuan("19"), Ok(Fen(1900)));
        assert_eq!(Fen::parse_yuan("19."), Ok(Fen(1900)));
        assert_eq!(Fen::parse_yuan(" ￥12.05 "), Ok(Fen(1205)));
        assert_eq!(Fen::parse_yuan("007.10"), Ok(Fen(710)));
        assert_eq!(Fen::parse_yuan("1000000"), Ok(Fen(MAX_AMOUNT_FEN)));
    }

    #[test]
    fn bad_yuan_text_is_rejected() {
        for text in [
            "19.9.9",
            "-abc",
            "--1",
            "abc",
            "1e3",
            "+5",
            ".5",
            "1,000",
            "1 000",
            "１９,５",
        ] {
            assert!(
                matches!(Fen::parse_yuan(text), Err(AmountError::Malformed { .. })),
                "{text:?} should be malformed"
            );
        }
        assert!(matches!(
            Fen::parse_yuan("19.999"),
            Err(AmountError::TooManyDecimals { .. })
        ));
        assert_eq!(Fen::parse_yuan(""), Err(AmountError::Empty));
        assert_eq!(Fen::parse_yuan("0.00"), Err(AmountError::NotPositive));
        for negative in ["-1", "-19.90", "￥-5", "-0", "-0.00"] {
            assert_eq!(
                Fen::parse_yuan(negative),
                Err(AmountError::NotPositive),
                "{negative:?}"
            );
        }
        assert!(matches!(
            Fen::parse_yuan("1000000.01"),
            Err(AmountError::TooLarge { .. })
        ));
        assert!(matches!(
            Fen::parse_yuan("99999999999999999999999"),
            Err(AmountError::TooLarge { .. })
        ));
    }

    #[test]
    fn fullwidth_yuan_text_is_accepted() {
        assert_eq!(Fen::parse_yuan("１９．９０"), Ok(Fen(1990)));
        assert_eq!(Fen::parse_yuan("１９。９"), Ok(Fen(1990)));
        assert_eq!(Fen::parse_yuan("￥１２"), Ok(Fen(1200)));
        assert_eq!(
            Fen::parse_yuan("１９。９。９"),
            Err(AmountError::Malformed {
                text: "１９。９。９".to_owned()
            })
        );
    }

    #[test]
    fn fen_prints_as_yuan() {
        assert_eq!(Fen(1990).to_string(), "19.90");
        assert_eq!(Fen(5).to_string(), "0.05");
        assert_eq!(Fen(-5).to_string(), "-0.05");
        assert_eq!(Fen(100).to_string(), "1.00");
    }

    #[test]
    fn fen_field_accepts_only_digits() {
        assert_eq!(Fen::parse_fen_field("1990"), Some(Fen(1990)));
        assert_eq!(Fen::parse_fen_field("-1"), None);
        assert_eq!(Fen::parse_fen_field(""), None);
        assert_eq!(Fen::parse_fen_field("19.9"), None);
    }
}
