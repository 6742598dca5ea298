//! In-memory orders of the simulated gateway, keyed by merchant and `out_trade_no`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::error::SimulatorError;
use super::ids;
use super::notify::NotifyAttempt;
use crate::money::Fen;
use crate::protocol::messages::{TradeState, format_protocol_time};
use crate::protocol::{ApiKey, Params, SignType};

/// `bank_type` reported for simulated payments: `CFT` is the payer's WeChat balance (零钱).
pub const SIMULATED_BANK_TYPE: &str = "CFT";
/// `is_subscribe` reported for simulated payers: they do not follow the official account.
pub const SIMULATED_IS_SUBSCRIBE: &str = "N";

/// An order created by `/pay/unifiedorder`.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub appid: String,
    pub mch_id: String,
    pub out_trade_no: String,
    /// Request fields other than `nonce_str`, `sign` and `sign_type`, compared on re-entry.
    pub business_fields: Params,
    /// Algorithm of the creating request, used again for the notification.
    pub sign_type: SignType,
    pub api_key: ApiKey,
    pub total_fee: Fen,
    pub notify_url: String,
    /// Empty when the request had none.
    pub attach: String,
    pub device_info: String,
    pub prepay_id: String,
    pub code_url: String,
    pub code_url_expires_at: DateTime<Utc>,
    pub time_expire: Option<DateTime<Utc>>,
    pub trade_state: TradeState,
    pub payment: Option<Payment>,
    pub notify_attempts: Vec<NotifyAttempt>,
    pub notify_acknowledged: bool,
}

/// Payment details added to an order when it is paid.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub transaction_id: String,
    /// `yyyyMMddHHmmss` in Beijing time.
    pub time_end: String,
    pub openid: String,
}

impl Order {
    /// Returns the time from which the order can no longer be paid: the end of the `code_url`
    /// lifetime or `time_expire`, whichever comes first.
    pub fn payable_until(&self) -> DateTime<Utc> {
        match self.time_expire {
            Some(time_expire) if time_expire < self.code_url_expires_at => time_expire,
            _ => self.code_url_expires_at,
        }
    }

    /// Checks that the order is NOTPAY and still payable at `now`.
    pub fn check_payable(&self, now: DateTime<Utc>) -> Result<(), SimulatorError> {
        if self.trade_state != TradeState::NotPay {
            return Err(SimulatorError::OrderNotPayable {
                out_trade_no: self.out_trade_no.clone(),
                trade_state: self.trade_state.as_str().to_owned(),
            });
        }
        if now >= self.payable_until() {
            return Err(SimulatorError::OrderExpired {
                out_trade_no: self.out_trade_no.clone(),
                expired_at: format_protocol_time(self.payable_until()),
            });
        }
        Ok(())
    }
}

/// Key of an order: the merchant's `mch_id` and the `out_trade_no`.
pub(crate) type OrderKey = (String, String);

/// Every order and short link the gateway has issued.
#[derive(Debug, Default)]
pub(crate) struct Store {
    orders: HashMap<OrderKey, Order>,
    transaction_ids: HashMap<String, OrderKey>,
    short_urls: HashMap<String, String>,
    /// Refunds, kept under the same lock as the orders they refund.
    pub refunds: super::refund::RefundBook,
}

impl Store {
    /// Finds a merchant's order by `out_trade_no`.
    pub fn order(&self, mch_id: &str, out_trade_no: &str) -> Option<&Order> {
        self.orders
            .get(&(mch_id.to_owned(), out_trade_no.to_owned()))
    }

    /// Finds a merchant's order by `out_trade_no`, for changing it.
    pub fn order_mut(&mut self, mch_id: &str, out_trade_no: &str) -> Option<&mut Order> {
        self.orders
            .get_mut(&(mch_id.to_owned(), out_trade_no.to_owned()))
    }

    /// Finds a merchant's order by WeChat's `transaction_id`.
    pub fn order_by_transaction_id(&self, mch_id: &str, transaction_id: &str) -> Option<&Order> {
        let key = self.transaction_ids.get(transaction_id)?;
        self.orders.get(key).filter(|order| order.mch_id == mch_id)
    }

    /// Stores a new order, or replaces one with the same merchant and `out_trade_no`. A paid
    /// order (one loaded from the state file) is also indexed by its `transaction_id`.
    pub fn insert(&mut self, order: Order) {
        let key = (order.mch_id.clone(), order.out_trade_no.clone());
        if let Some(payment) = &order.payment {
            self.transaction_ids
                .insert(payment.transaction_id.clone(), key.clone());
        }
        self.orders.insert(key, order);
    }

    /// Returns every order, in no particular order.
    pub fn orders(&self) -> impl Iterator<Item = &Order> {
        self.orders.values()
    }

    /// Returns every issued short link, by the long link it stands for.
    pub fn short_urls(&self) -> &HashMap<String, String> {
        &self.short_urls
    }

    /// Stores a short link issued in an earlier run.
    pub fn restore_short_url(&mut self, long_url: String, short_url: String) {
        self.short_urls.insert(long_url, short_url);
    }

    /// Finds the one order with `out_trade_no`, whichever merchant it belongs to; the control
    /// API names orders without a merchant.
    pub fn find_unique_mut(&mut self, out_trade_no: &str) -> Result<&mut Order, SimulatorError> {
        let mut matches = self
            .orders
            .values_mut()
            .filter(|order| order.out_trade_no == out_trade_no);
        let found = matches
            .next()
            .ok_or_else(|| SimulatorError::OrderNotFound {
                out_trade_no: out_trade_no.to_owned(),
            })?;
        if matches.next().is_some() {
            return Err(SimulatorError::AmbiguousOrder {
                out_trade_no: out_trade_no.to_owned(),
            });
        }
        Ok(found)
    }

    /// Marks the one order with `out_trade_no` as paid at `now`; returns a copy of the order
    /// and its payment.
    pub fn mark_paid(
        &mut self,
        out_trade_no: &str,
        now: DateTime<Utc>,
    ) -> Result<(Order, Payment), SimulatorError> {
        let order = self.find_unique_mut(out_trade_no)?;
        order.check_payable(now)?;

        // A mode-1 order names its payer in unifiedorder; any other gets a random one.
        let openid = order
            .business_fields
            .get("openid")
            .filter(|openid| !openid.is_empty())
            .cloned()
            .unwrap_or_else(ids::new_openid);
        let payment = Payment {
            transaction_id: ids::new_transaction_id(now),
            time_end: format_protocol_time(now),
            openid,
        };
        order.trade_state = TradeState::Success;
        order.payment = Some(payment.clone());
        let paid = order.clone();

        let key = (paid.mch_id.clone(), paid.out_trade_no.clone());
        self.transaction_ids
            .insert(payment.transaction_id.clone(), key);
        Ok((paid, payment))
    }

    /// Finds a merchant's order by the `prepay_id` it was issued.
    pub fn order_by_prepay_id(&self, mch_id: &str, prepay_id: &str) -> Option<&Order> {
        self.orders
            .values()
            .find(|order| order.mch_id == mch_id && order.prepay_id == prepay_id)
    }

    /// Returns the long link a `short_url` was issued for.
    pub fn long_url(&self, short_url: &str) -> Option<String> {
        self.short_urls
            .iter()
            .find(|(_, issued)| issued.as_str() == short_url)
            .map(|(long_url, _)| long_url.clone())
    }

    /// Returns every paid order of `mch_id` with its payment, whatever its state is now.
    pub fn paid_orders<'a>(
        &'a self,
        mch_id: &'a str,
    ) -> impl Iterator<Item = (&'a Order, &'a Payment)> + 'a {
        self.orders
            .values()
            .filter(move |order| order.mch_id == mch_id)
            .filter_map(|order| order.payment.as_ref().map(|payment| (order, payment)))
    }

    /// Returns the `short_url` for `long_url`, issuing one on first use.
    pub fn short_url(&mut self, long_url: &str) -> String {
        if let Some(existing) = self.short_urls.get(long_url) {
            return existing.clone();
        }
        let mut short_url = ids::new_short_url();
        while self.short_urls.values().any(|issued| issued == &short_url) {
            short_url = ids::new_short_url();
        }
        self.short_urls
            .insert(long_url.to_owned(), short_url.clone());
        short_url
    }
}
