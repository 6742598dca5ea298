//! Native mode 1: replying to the scan callback WeChat posts when a customer scans a printed
//! product QR code. The order is created here, placed with unifiedorder (with the customer's
//! `openid`), and the signed reply carries its `prepay_id`; the payment then arrives as for
//! mode 2, through the notification or the poller, and [`PaymentService::confirm`].
//!
//! Repeated callbacks: a mode-1 order keeps the callback's `nonce_str` as its own, so a
//! callback with the same `product_id`, `openid` and `nonce_str` within the order's lifetime
//! finds the order already made and gets its `prepay_id` again instead of a second order.
//! Callbacks are handled one at a time (a service-wide lock around lookup, insert and
//! unifiedorder), so two copies arriving together cannot both create an order.
//!
//! NOTE: because of that lock, a gateway that times out (up to three attempts of the client's
//! request timeout) delays every scan queued behind it.

use std::sync::Arc;

use chrono::Utc;

use super::charge::{OPEN_STATES, truncate_body};
use super::{PaymentService, blocking};
use crate::error_text::error_chain;
use crate::protocol::bizpay::{ScanCallback, ScanResponse, scan_reply_fail, scan_reply_xml};
use crate::protocol::messages::{UnifiedOrderRequest, format_protocol_time};
use crate::protocol::reply::check_merchant;
use crate::protocol::{sign, xml};
use crate::store::{AuditDraft, AuditVerdict, NewOrder, OrderRecord, OrderState, Product};

/// `return_msg` of the unsigned FAIL reply to a callback that is forged or unreadable.
pub const SCAN_FAIL_MSG: &str = "invalid scan callback";
/// Shown to the customer when the scanned product is not in the catalogue.
pub const SCAN_MSG_UNKNOWN_PRODUCT: &str = "商品不存在，请联系店员";
/// Shown to the customer when the scanned product is switched off.
pub const SCAN_MSG_DISABLED_PRODUCT: &str = "该商品已停售，请联系店员";
/// Shown to the customer when the order could not be placed with WeChat Pay.
pub const SCAN_MSG_ORDER_FAILED: &str = "下单失败，请稍后重新扫码";
/// Shown to the customer when the scan's order was already paid, closed or expired.
pub const SCAN_MSG_ORDER_SETTLED: &str = "该订单已处理，请重新扫码";

/// The decision on one scan callback, stored in the notification audit table by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanVerdict {
    /// A new order was placed; the reply carries its `prepay_id`.
    Prepared,
    /// A repeated callback for an order already placed; its `prepay_id` was sent again.
    Repeated,
    /// A genuine callback that got `result_code=FAIL` (unknown or disabled product,
    /// gateway failure, order already settled).
    Refused,
    /// Forged or malformed, so the reply is an unsigned `return_code=FAIL`. Nothing changed.
    Rejected,
}

impl ScanVerdict {
    /// Returns the audit table's name for the verdict; the `scan_` prefix keeps scan rows
    /// apart from payment notification rows in the same table.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanVerdict::Prepared => "scan_prepared",
            ScanVerdict::Repeated => "scan_repeated",
            ScanVerdict::Refused => "scan_refused",
            ScanVerdict::Rejected => "scan_rejected",
        }
    }
}

/// The listener's reply to a scan callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanReply {
    pub verdict: ScanVerdict,
    /// The order the callback created or found.
    pub out_trade_no: Option<String>,
    /// The XML body to send.
    pub body: String,
}

/// The decision before it is audited.
struct ScanDecision {
    verdict: ScanVerdict,
    out_trade_no: Option<String>,
    /// Content of the signed reply, or `None` for the unsigned FAIL.
    response: Option<ScanResponse>,
    /// One line for the audit table and the log, without secrets.
    reason: String,
}

impl ScanDecision {
    fn rejected(reason: impl Into<String>) -> Self {
        ScanDecision {
            verdict: ScanVerdict::Rejected,
            out_trade_no: None,
            response: None,
            reason: reason.into(),
        }
    }

    fn refused(out_trade_no: Option<String>, message: &str, reason: impl Into<String>) -> Self {
        ScanDecision {
            verdict: ScanVerdict::Refused,
            out_trade_no,
            response: Some(ScanResponse::Refused {
                err_code_des: message.to_owned(),
            }),
            reason: reason.into(),
        }
    }
}

impl PaymentService {
    /// Replies to a scan callback body: verifies it, creates (or finds) the scan's order, and
    /// returns the signed reply with its `prepay_id`. Every callback is audited.
    pub async fn handle_scan_callback(
        self: &Arc<Self>,
        body: &[u8],
        remote_addr: &str,
    ) -> ScanReply {
        let decision = match self.check_scan(body) {
            Ok(callback) => self.decide_scan(&callback).await,
            Err(decision) => decision,
        };
        self.finish_scan(decision, body.to_vec(), remote_addr).await
    }

    /// Rejects a scan callback whose body was over `max_bytes` or could not be read, keeping an
    /// audit row without the body.
    pub async fn reject_unreadable_scan(
        self: &Arc<Self>,
        remote_addr: &str,
        max_bytes: usize,
    ) -> ScanReply {
        let decision = ScanDecision::rejected(format!(
            "the body is over {max_bytes} bytes or the connection failed while reading it"
        ));
        self.finish_scan(decision, Vec::new(), remote_addr).await
    }

    /// Runs the checks that need no database: XML, signature, merchant, required fields.
    fn check_scan(&self, body: &[u8]) -> Result<ScanCallback, ScanDecision> {
        let fields = xml::parse(body)
            .map_err(|err| ScanDecision::rejected(format!("invalid XML: {err}")))?;
        let merchant = self.gateway.merchant();
        sign::verify(&fields, &merchant.api_key)
            .map_err(|err| ScanDecision::rejected(format!("signature rejected: {err}")))?;
        check_merchant(&fields, merchant).map_err(|err| ScanDecision::rejected(err.to_string()))?;
        ScanCallback::from_params(&fields).map_err(|err| ScanDecision::rejected(err.to_string()))
    }

    /// Finds the product and the scan's order, or creates and places the order.
    async fn decide_scan(self: &Arc<Self>, callback: &ScanCallback) -> ScanDecision {
        let product = match self.scanned_product(&callback.product_id).await {
            Ok(product) => product,
            Err(decision) => return decision,
        };

        // Held until the order is placed, so a copy of this callback waits and then finds it.
        let _scan_guard = self.scan_lock.lock().await;
        let store = self.store.clone();
        let (product_id, openid, nonce_str) = (
            callback.product_id.clone(),
            callback.openid.clone(),
            callback.nonce_str.clone(),
        );
        let now_ms = Utc::now().timestamp_millis();
        let existing =
            blocking(move || store.scan_order(&product_id, &openid, &nonce_str, now_ms)).await;
        match existing {
            Ok(Some(order)) => self.decide_repeated_scan(order, callback).await,
            Ok(None) => self.place_scan_order(&product, callback).await,
            Err(err) => ScanDecision::refused(
                None,
                SCAN_MSG_ORDER_FAILED,
                format!("cannot look up the scan's order: {err}"),
            ),
        }
    }

    /// Loads the scanned product; an unknown, malformed or disabled one is refused.
    async fn scanned_product(&self, product_id: &str) -> Result<Product, ScanDecision> {
        let unknown = || {
            ScanDecision::refused(
                None,
                SCAN_MSG_UNKNOWN_PRODUCT,
                format!("product_id {product_id:?} is not in the catalogue"),
            )
        };
        let id = product_id
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(unknown)?;
        let store = self.store.clone();
        let product = blocking(move || store.product(id)).await.map_err(|err| {
            ScanDecision::refused(
                None,
                SCAN_MSG_ORDER_FAILED,
                format!("cannot load the product: {err}"),
            )
        })?;
        match product {
            Some(product) if product.enabled => Ok(product),
            Some(_) => Err(ScanDecision::refused(
                None,
                SCAN_MSG_DISABLED_PRODUCT,
                format!("product {id} is switched off"),
            )),
            None => Err(unknown()),
        }
    }

    /// Decides on a callback whose order exists: its `prepay_id` again while it is open, a
    /// fresh unifiedorder with identical fields for an order saved before a crash but never
    /// placed, or a refusal when the order is settled or its unifiedorder outcome is unknown.
    async fn decide_repeated_scan(
        self: &Arc<Self>,
        order: OrderRecord,
        callback: &ScanCallback,
    ) -> ScanDecision {
        let out_trade_no = order.out_trade_no.clone();
        if !OPEN_STATES.contains(&order.state) {
            return ScanDecision::refused(
                Some(out_trade_no),
                SCAN_MSG_ORDER_SETTLED,
                format!("the scan's order is already {}", order.state.as_str()),
            );
        }
        if order.state == OrderState::Unknown {
            // The poller settles it by orderquery, and closes it when the gateway reports it
            // unpaid, so its prepay_id must not reach the customer now.
            return ScanDecision::refused(
                Some(out_trade_no),
                SCAN_MSG_ORDER_FAILED,
                "the scan's order has an unknown unifiedorder outcome",
            );
        }
        match order.prepay_id {
            Some(prepay_id) => ScanDecision {
                verdict: ScanVerdict::Repeated,
                out_trade_no: Some(out_trade_no),
                response: Some(ScanResponse::Prepared { prepay_id }),
                reason: "repeated callback; prepay_id sent again".into(),
            },
            None => {
                let new_order = NewOrder {
                    out_trade_no: order.out_trade_no,
                    sale_id: order.sale_id,
                    body: order.body,
                    total_fee: order.total_fee,
                    nonce_str: order.nonce_str,
                    time_start: order.time_start,
                    time_expire: order.time_expire,
                    expires_at_ms: order.expires_at_ms,
                    terminal: order.terminal,
                    product_id: order.product_id,
                    openid: order.openid,
                };
                self.call_unified_order(&new_order, callback).await
            }
        }
    }

    /// Saves a new order for the product and places it.
    async fn place_scan_order(
        self: &Arc<Self>,
        product: &Product,
        callback: &ScanCallback,
    ) -> ScanDecision {
        let now = Utc::now();
        let lifetime = chrono::Duration::from_std(self.options.order_lifetime)
            .unwrap_or(chrono::Duration::hours(2));
        let expires_at = now + lifetime;
        let out_trade_no = super::charge::new_out_trade_no();
        let order = NewOrder {
            sale_id: out_trade_no.clone(),
            out_trade_no,
            body: truncate_body(product.name.trim()).to_owned(),
            total_fee: product.price,
            nonce_str: callback.nonce_str.clone(),
            time_start: format_protocol_time(now),
            time_expire: format_protocol_time(expires_at),
            expires_at_ms: expires_at.timestamp_millis(),
            terminal: self.options.device_info.clone(),
            product_id: Some(callback.product_id.clone()),
            openid: Some(callback.openid.clone()),
        };
        let store = self.store.clone();
        let saved = order.clone();
        if let Err(err) = blocking(move || store.insert_order(&saved)).await {
            return ScanDecision::refused(
                None,
                SCAN_MSG_ORDER_FAILED,
                format!("cannot save the order: {err}"),
            );
        }
        self.call_unified_order(&order, callback).await
    }

    /// Calls unifiedorder (trade_type NATIVE with the product_id and openid), retrying a
    /// timeout or SYSTEMERROR with identical fields, and stores the `prepay_id`.
    async fn call_unified_order(
        self: &Arc<Self>,
        order: &NewOrder,
        callback: &ScanCallback,
    ) -> ScanDecision {
        let out_trade_no = order.out_trade_no.clone();
        let request = UnifiedOrderRequest {
            body: order.body.clone(),
            out_trade_no: out_trade_no.clone(),
            total_fee: order.total_fee,
            spbill_create_ip: self.options.spbill_create_ip.clone(),
            notify_url: self.options.notify_url.clone(),
            product_id: callback.product_id.clone(),
            time_start: order.time_start.clone(),
            time_expire: order.time_expire.clone(),
            device_info: self.options.device_info.clone(),
        };

        let mut attempt = 0;
        let reply = loop {
            attempt += 1;
            let result = self
                .gateway
                .unified_order_for_scan(&request, &order.nonce_str, &callback.openid)
                .await;
            match result {
                Ok(reply) => break reply,
                Err(err) if err.is_transient() && attempt < self.options.unified_order_attempts => {
                    tracing::warn!(%out_trade_no, attempt, error = %err, "unifiedorder for a scan failed; retrying with the same fields");
                }
                Err(err) => {
                    self.settle_unplaced_scan(order, err.is_transient()).await;
                    return ScanDecision::refused(
                        Some(out_trade_no),
                        SCAN_MSG_ORDER_FAILED,
                        format!("unifiedorder failed: {}", error_chain(&err)),
                    );
                }
            }
        };

        let store = self.store.clone();
        let (key, prepay_id, code_url) = (
            out_trade_no.clone(),
            reply.prepay_id.clone(),
            reply.code_url.clone(),
        );
        if let Err(err) = blocking(move || store.set_prepared(&key, &prepay_id, &code_url)).await {
            // The customer is not shown a payment sheet, so nothing can be paid for this order.
            return ScanDecision::refused(
                Some(out_trade_no),
                SCAN_MSG_ORDER_FAILED,
                format!("cannot store the prepay_id: {err}"),
            );
        }
        self.publish(&out_trade_no, OrderState::AwaitingPayment, None);
        self.spawn_poller(out_trade_no.clone(), order.expires_at_ms);
        tracing::info!(%out_trade_no, product_id = %callback.product_id, total_fee = order.total_fee.fen(), "scan order created");
        ScanDecision {
            verdict: ScanVerdict::Prepared,
            out_trade_no: Some(out_trade_no),
            response: Some(ScanResponse::Prepared {
                prepay_id: reply.prepay_id,
            }),
            reason: "order placed".into(),
        }
    }

    /// Marks an order whose unifiedorder failed: `unknown` (the poller settles it) when the
    /// gateway may hold it, `failed` when the gateway rejected it.
    async fn settle_unplaced_scan(self: &Arc<Self>, order: &NewOrder, may_exist: bool) {
        let (to, reason) = if may_exist {
            (
                OrderState::Unknown,
                "unifiedorder outcome unknown after retries",
            )
        } else {
            (OrderState::Failed, "unifiedorder rejected")
        };
        let moved = self
            .transition(&order.out_trade_no, &[OrderState::Created], to, reason)
            .await;
        match moved {
            Ok(_) if may_exist => {
                self.spawn_poller(order.out_trade_no.clone(), order.expires_at_ms);
            }
            Ok(_) => {}
            Err(err) => {
                tracing::error!(out_trade_no = %order.out_trade_no, error = %err, "cannot record the failed scan order");
            }
        }
    }

    /// Audits the decision, logs it in one line and builds the reply.
    async fn finish_scan(
        &self,
        decision: ScanDecision,
        body: Vec<u8>,
        remote_addr: &str,
    ) -> ScanReply {
        let audit = AuditDraft {
            remote_addr: remote_addr.to_owned(),
            body,
            out_trade_no: decision.out_trade_no.clone(),
            verdict: AuditVerdict::Fixed {
                verdict: decision.verdict.as_str(),
                reason: decision.reason.clone(),
            },
        };
        if let Err(err) = self.writer.write(None, Some(audit)).await {
            tracing::error!(out_trade_no = ?decision.out_trade_no, verdict = decision.verdict.as_str(), error = %err, "cannot write the scan callback audit row");
        }

        let out_trade_no = decision.out_trade_no.as_deref().unwrap_or("-");
        let body = match &decision.response {
            Some(response) => {
                if decision.verdict == ScanVerdict::Refused {
                    tracing::warn!(out_trade_no, reason = %decision.reason, "scan callback got result_code FAIL");
                } else {
                    tracing::debug!(
                        out_trade_no,
                        verdict = decision.verdict.as_str(),
                        "scan callback answered"
                    );
                }
                scan_reply_xml(self.gateway.merchant(), response)
            }
            None => {
                tracing::warn!(remote_addr, reason = %decision.reason, "scan callback rejected");
                scan_reply_fail(SCAN_FAIL_MSG)
            }
        };
        ScanReply {
            verdict: decision.verdict,
            out_trade_no: decision.out_trade_no,
            body,
        }
    }
}
