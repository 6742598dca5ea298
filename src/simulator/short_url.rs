//! `/tools/shorturl`: short links for mode-1 QR codes.

use super::state::SimulatorState;
use super::validate::required;
use super::wire::{BusinessError, Caller};
use crate::protocol::Params;

/// Longest `long_url` accepted (String(512)).
pub const MAX_LONG_URL_CHARS: usize = 512;

/// Returns the `short_url` for `long_url`; the same link always gets the same short link.
///
/// `fields` are the fields the signature was verified over, so `long_url` is already
/// URL-decoded when the client sent it encoded.
pub(crate) fn short_url(
    state: &SimulatorState,
    _caller: &Caller,
    fields: &Params,
) -> Result<Params, BusinessError> {
    let long_url = required(fields, "long_url")?;
    if long_url.chars().count() > MAX_LONG_URL_CHARS {
        return Err(BusinessError::invalid("long_url", "长度不能超过512个字符"));
    }

    let short_url = state.lock_store().short_url(long_url);
    let mut reply = Params::new();
    reply.insert("short_url".into(), short_url);
    Ok(reply)
}
