//! Settings of the gateway simulator: the merchants it accepts, its clock speed and the
//! notification schedule.

use std::collections::BTreeMap;

use crate::protocol::Merchant;

/// Seconds after the first notification attempt at which WeChat retries an unacknowledged
/// payment notification, from the schedule documented since 2020 (intervals 15s/15s/30s/3m/
/// 10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h, 24 h 4 min in all).
///
/// NOTE: WeChat calls this a 15-notification schedule but does not document whether the first
/// interval follows an immediate delivery. This simulator sends at once and then at each
/// offset, so it makes at most 16 attempts.
pub const DEFAULT_NOTIFY_RETRY_OFFSETS_SECS: [u64; 15] = [
    15, 30, 60, 240, 840, 2040, 3840, 5640, 7440, 11040, 21840, 32640, 43440, 65040, 86640,
];

/// How long a `code_url` (and its `prepay_id`) can start a payment: 2 hours, as documented
/// for Native mode 2.
pub const DEFAULT_CODE_URL_LIFETIME_SECS: u64 = 2 * 3600;

/// How long one notification attempt waits for the merchant's reply. WeChat does not document
/// its v2 reply timeout, so 10 s is this simulator's choice.
pub const DEFAULT_NOTIFY_TIMEOUT_SECS: u64 = 10;

/// Settings of one simulator instance.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatorConfig {
    /// Merchants the gateway accepts. Several entries may share an `mch_id` to bind more than
    /// one `appid` to it; they must then share the API key.
    pub merchants: Vec<Merchant>,
    /// Factor applied to the notification retry offsets: 1.0 is real time, 0.001 turns the
    /// 15 s first retry into 15 ms. Must be finite and not negative.
    pub time_scale: f64,
    /// Offsets, in seconds after the first notification attempt, of the retries.
    pub notify_retry_offsets_secs: Vec<u64>,
    /// Lifetime of an issued `code_url`, in wall-clock seconds (not scaled by `time_scale`).
    pub code_url_lifetime_secs: u64,
    /// Timeout of one notification attempt, in seconds (not scaled by `time_scale`).
    pub notify_timeout_secs: u64,
    /// Each merchant's Native mode-1 scan callback URL (支付回调URL), by `mch_id`. WeChat keeps
    /// it in the merchant platform; the simulator posts scan callbacks there.
    pub scan_callback_urls: BTreeMap<String, String>,
    /// JSON file that keeps the orders, short links and refunds across restarts, as WeChat's
    /// servers keep them. `None` keeps them in memory for this run only.
    pub state_file: Option<std::path::PathBuf>,
}

impl SimulatorConfig {
    /// Creates a configuration for `merchants` with real-time speed and WeChat's documented
    /// schedule and lifetimes.
    pub fn new(merchants: Vec<Merchant>) -> Self {
        SimulatorConfig {
            merchants,
            time_scale: 1.0,
            notify_retry_offsets_secs: DEFAULT_NOTIFY_RETRY_OFFSETS_SECS.to_vec(),
            code_url_lifetime_secs: DEFAULT_CODE_URL_LIFETIME_SECS,
            notify_timeout_secs: DEFAULT_NOTIFY_TIMEOUT_SECS,
            scan_callback_urls: BTreeMap::new(),
            state_file: None,
        }
    }

    /// Checks the values that would otherwise fail later, inside a running server.
    pub fn validate(&self) -> Result<(), String> {
        if !self.time_scale.is_finite() || self.time_scale < 0.0 {
            return Err(format!(
                "time_scale is {}, expected a finite number of at least 0",
                self.time_scale
            ));
        }
        if self
            .notify_retry_offsets_secs
            .windows(2)
            .any(|pair| pair[0] > pair[1])
        {
            return Err("notify_retry_offsets_secs must be in ascending order".into());
        }
        for (mch_id, url) in &self.scan_callback_urls {
            let parsed = reqwest::Url::parse(url).map_err(|err| {
                format!("scan callback URL {url:?} of mch_id {mch_id} is invalid: {err}")
            })?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(format!(
                    "scan callback URL {url:?} of mch_id {mch_id} is not an http:// or https:// URL"
                ));
            }
        }
        for merchant in &self.merchants {
            let conflicting_key = self
                .merchants
                .iter()
                .any(|other| other.mch_id == merchant.mch_id && other.api_key != merchant.api_key);
            if conflicting_key {
                return Err(format!(
                    "mch_id {} is configured with two different API keys",
                    merchant.mch_id
                ));
            }
        }
        Ok(())
    }

    /// Finds a merchant entry with `mch_id`; all entries for one `mch_id` share its key.
    pub(crate) fn merchant(&self, mch_id: &str) -> Option<&Merchant> {
        self.merchants
            .iter()
            .find(|merchant| merchant.mch_id == mch_id)
    }

    /// Returns whether `appid` is bound to `mch_id`.
    pub(crate) fn is_bound(&self, appid: &str, mch_id: &str) -> bool {
        self.merchants
            .iter()
            .any(|merchant| merchant.mch_id == mch_id && merchant.appid == appid)
    }
}
