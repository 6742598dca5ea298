//! Identifiers the simulated gateway issues, shaped like WeChat's own.

use chrono::{DateTime, Utc};
use rand::Rng;
use rand::distr::{Alphanumeric, Uniform};

use crate::protocol::messages::beijing;

/// Prefix of every `prepay_id`.
pub const PREPAY_ID_PREFIX: &str = "wx";
/// Random lower-case hex characters after the time in a `prepay_id`, which makes it 36
/// characters long like the documented example `wx201410272009395522657a690389285100`.
pub const PREPAY_ID_RANDOM_LEN: usize = 20;
/// Start of a mode-2 `code_url`; WeChat documents the value as opaque.
pub const CODE_URL_PREFIX: &str = "weixin://wxpay/bizpayurl?pr=";
/// Start of a `short_url`.
pub const SHORT_URL_PREFIX: &str = "weixin://wxpay/s/";
/// Random alphanumeric characters in a `code_url` or `short_url` token.
pub const URL_TOKEN_LEN: usize = 7;
/// Prefix of a WeChat Pay `transaction_id`.
pub const TRANSACTION_ID_PREFIX: &str = "4200";
/// Length of a `transaction_id` in digits.
pub const TRANSACTION_ID_LEN: usize = 28;
/// Prefix of a WeChat Pay `refund_id`, as in the documented `50000408942018111907145868882`.
pub const REFUND_ID_PREFIX: &str = "5000";
/// Length of a `refund_id` in digits.
pub const REFUND_ID_LEN: usize = 29;
/// Length of a simulated payer `openid`; real ones are 28 characters starting with `o`.
pub const OPENID_LEN: usize = 28;

const LOWER_HEX: &[u8] = b"0123456789abcdef";

/// Creates a `prepay_id`: `wx`, the Beijing time as `yyyyMMddHHmmss`, then random hex.
pub fn new_prepay_id(now: DateTime<Utc>) -> String {
    let time = now.with_timezone(&beijing()).format("%Y%m%d%H%M%S");
    format!(
        "{PREPAY_ID_PREFIX}{time}{}",
        random_from(LOWER_HEX, PREPAY_ID_RANDOM_LEN)
    )
}

/// Creates a mode-2 `code_url` such as `weixin://wxpay/bizpayurl?pr=Ab3dE9x`.
pub fn new_code_url() -> String {
    format!("{CODE_URL_PREFIX}{}", random_alphanumeric(URL_TOKEN_LEN))
}

/// Creates a `short_url` such as `weixin://wxpay/s/Ab3dE9x`.
pub fn new_short_url() -> String {
    format!("{SHORT_URL_PREFIX}{}", random_alphanumeric(URL_TOKEN_LEN))
}

/// Creates a 28-digit `transaction_id`: `4200`, six random digits, the Beijing date as
/// `yyyyMMdd`, then random digits.
pub fn new_transaction_id(now: DateTime<Utc>) -> String {
    let date = now.with_timezone(&beijing()).format("%Y%m%d").to_string();
    let head = format!(
        "{TRANSACTION_ID_PREFIX}{}{date}",
        random_from(b"0123456789", 6)
    );
    let tail_len = TRANSACTION_ID_LEN.saturating_sub(head.len());
    format!("{head}{}", random_from(b"0123456789", tail_len))
}

/// Creates a 29-digit `refund_id`: `5000`, six random digits, the Beijing date as
/// `yyyyMMdd`, then random digits.
pub fn new_refund_id(now: DateTime<Utc>) -> String {
    let date = now.with_timezone(&beijing()).format("%Y%m%d").to_string();
    let head = format!("{REFUND_ID_PREFIX}{}{date}", random_from(b"0123456789", 6));
    let tail_len = REFUND_ID_LEN.saturating_sub(head.len());
    format!("{head}{}", random_from(b"0123456789", tail_len))
}

/// Creates a fake payer `openid`: `o` followed by letters, digits, `-` and `_`.
pub fn new_openid() -> String {
    const OPENID_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    format!("o{}", random_from(OPENID_CHARS, OPENID_LEN - 1))
}

fn random_alphanumeric(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Picks `len` characters from the ASCII `alphabet`, which must not be empty.
fn random_from(alphabet: &[u8], len: usize) -> String {
    let Ok(index) = Uniform::new(0, alphabet.len()) else {
        return String::new();
    };
    rand::rng()
        .sample_iter(index)
        .take(len)
        .map(|i| char::from(alphabet[i]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_id_has_28_digits_and_the_prefix() {
        let id = new_transaction_id(Utc::now());
        assert_eq!(id.len(), TRANSACTION_ID_LEN);
        assert!(id.starts_with(TRANSACTION_ID_PREFIX));
        assert!(id.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn prepay_id_is_wx_time_and_random() {
        let id = new_prepay_id(Utc::now());
        assert_eq!(id.len(), PREPAY_ID_PREFIX.len() + 14 + PREPAY_ID_RANDOM_LEN);
        assert!(id.len() <= 64);
        assert!(id[2..16].bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn code_url_token_is_seven_alphanumerics() {
        let url = new_code_url();
        let token = &url[CODE_URL_PREFIX.len()..];
        assert_eq!(token.len(), URL_TOKEN_LEN);
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn openid_starts_with_o() {
        let openid = new_openid();
        assert_eq!(openid.len(), OPENID_LEN);
        assert!(openid.starts_with('o'));
    }
}
