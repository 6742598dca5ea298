//! Native mode 1 on the simulated gateway: the customer scans a printed product link, the
//! gateway posts the signed scan callback to the merchant's registered URL, checks the signed
//! reply, and finds the order whose `prepay_id` the merchant returned.
//!
//! `POST /sim/scan` (a form with `link` or `product_id`, optional `openid`, `mch_id` and `pay`)
//! drives it from curl; [`SimulatorState::scan`] drives it in process.

use std::time::Duration;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::error::SimulatorError;
use super::ids;
use super::state::SimulatorState;
use crate::protocol::bizpay::{BizpayLink, ScanCallback};
use crate::protocol::reply::check_merchant;
use crate::protocol::xml::{parse, to_xml};
use crate::protocol::{Merchant, new_nonce, sign};

/// Route that scans a product QR code: `POST`, form fields as in [`ScanForm`].
pub const SCAN_ROUTE: &str = "/sim/scan";
/// Prefix of the short links `/tools/shorturl` issues.
const SHORT_LINK_PREFIX: &str = "weixin://wxpay/s/";

/// The form of a simulated scan: the scanned link or product, and the customer.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct ScanForm {
    /// The scanned link: a `weixin://wxpay/bizpayurl?...` link or a short link issued for one.
    #[serde(default)]
    pub link: Option<String>,
    /// A product id to scan without a link, for the merchant `mch_id` (or the first merchant).
    #[serde(default)]
    pub product_id: Option<String>,
    #[serde(default)]
    pub mch_id: Option<String>,
    /// The customer's openid; a random one when absent.
    #[serde(default)]
    pub openid: Option<String>,
    /// Pay the order at once after the merchant's reply, as the customer confirming.
    #[serde(default)]
    pub pay: bool,
}

/// The order a scan produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOutcome {
    pub mch_id: String,
    pub product_id: String,
    pub openid: String,
    pub prepay_id: String,
    pub out_trade_no: String,
    /// Set when the form asked to pay.
    pub transaction_id: Option<String>,
}

/// Scans and replies in plain text: 200 with `prepared out_trade_no=… prepay_id=…` (and
/// `transaction_id=…` when paid), 409 when the merchant refused the scan (its `err_code_des`
/// follows), 400 for a bad link or form, 502 when the merchant's reply was missing or invalid.
pub(crate) async fn scan(
    State(state): State<SimulatorState>,
    Form(form): Form<ScanForm>,
) -> Response {
    match state.scan(&form).await {
        Ok(outcome) => {
            let mut line = format!(
                "prepared out_trade_no={} prepay_id={} openid={}",
                outcome.out_trade_no, outcome.prepay_id, outcome.openid
            );
            if let Some(transaction_id) = &outcome.transaction_id {
                line.push_str(&format!(" paid transaction_id={transaction_id}"));
            }
            line.push('\n');
            (StatusCode::OK, line).into_response()
        }
        Err(err) => {
            let status = match &err {
                SimulatorError::ScanRefused { .. } => StatusCode::CONFLICT,
                SimulatorError::ScanCallbackFailed { .. }
                | SimulatorError::InvalidScanReply { .. } => StatusCode::BAD_GATEWAY,
                SimulatorError::OrderNotPayable { .. } | SimulatorError::OrderExpired { .. } => {
                    StatusCode::CONFLICT
                }
                _ => StatusCode::BAD_REQUEST,
            };
            (status, format!("{err}\n")).into_response()
        }
    }
}

impl SimulatorState {
    /// Plays a customer scanning a product QR code: posts the signed callback to the
    /// merchant's scan URL and checks the reply. The reply must be signed by the merchant,
    /// with `return_code` and `result_code` SUCCESS and a `prepay_id` this gateway issued for
    /// that product and openid. The order is paid too when `form.pay` is set.
    pub async fn scan(&self, form: &ScanForm) -> Result<ScanOutcome, SimulatorError> {
        let (merchant, product_id) = self.scanned_product(form)?;
        let url = self
            .config()
            .scan_callback_urls
            .get(&merchant.mch_id)
            .cloned()
            .ok_or_else(|| SimulatorError::NoScanUrl {
                mch_id: merchant.mch_id.clone(),
            })?;
        let callback = ScanCallback {
            openid: form
                .openid
                .clone()
                .filter(|openid| !openid.is_empty())
                .unwrap_or_else(ids::new_openid),
            product_id,
            nonce_str: new_nonce(),
            is_subscribe: "N".into(),
        };

        let reply = self
            .post_scan_callback(&url, &callback.to_signed_params(&merchant))
            .await?;
        let prepay_id = check_scan_reply(&reply, &merchant)?;
        let out_trade_no = self.scanned_order(&merchant, &callback, &prepay_id)?;
        tracing::info!(mch_id = %merchant.mch_id, product_id = %callback.product_id, %out_trade_no, "simulated scan prepared an order");

        let transaction_id = if form.pay {
            Some(self.pay(&out_trade_no)?)
        } else {
            None
        };
        Ok(ScanOutcome {
            mch_id: merchant.mch_id,
            product_id: callback.product_id,
            openid: callback.openid,
            prepay_id,
            out_trade_no,
            transaction_id,
        })
    }

    /// Reads the merchant and product from the form: a signed link (long or short) or a bare
    /// product id.
    fn scanned_product(&self, form: &ScanForm) -> Result<(Merchant, String), SimulatorError> {
        let invalid = |reason: String| SimulatorError::InvalidLink { reason };
        let Some(link_text) = form
            .link
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        else {
            let product_id = form
                .product_id
                .clone()
                .filter(|id| !id.is_empty())
                .ok_or_else(|| invalid("the form needs a link or a product_id".into()))?;
            let merchant = match &form.mch_id {
                Some(mch_id) => self.merchant(mch_id)?,
                None => self
                    .config()
                    .merchants
                    .first()
                    .cloned()
                    .ok_or_else(|| invalid("the simulator has no merchant".into()))?,
            };
            return Ok((merchant, product_id));
        };

        let long_link = if link_text.starts_with(SHORT_LINK_PREFIX) {
            self.lock_store()
                .long_url(link_text)
                .ok_or_else(|| invalid(format!("{link_text} was not issued by this gateway")))?
        } else {
            link_text.to_owned()
        };
        let link = BizpayLink::parse(&long_link).map_err(|err| invalid(err.to_string()))?;
        let merchant = self.merchant(&link.mch_id)?;
        if !self.config().is_bound(&link.appid, &link.mch_id) {
            return Err(invalid(format!(
                "appid {} is not bound to mch_id {}",
                link.appid, link.mch_id
            )));
        }
        sign::verify(&link.fields_with_sign(), &merchant.api_key)
            .map_err(|err| invalid(format!("the link's sign is rejected: {err}")))?;
        Ok((merchant, link.product_id))
    }

    fn merchant(&self, mch_id: &str) -> Result<Merchant, SimulatorError> {
        self.config()
            .merchant(mch_id)
            .cloned()
            .ok_or_else(|| SimulatorError::UnknownMerchant {
                mch_id: mch_id.to_owned(),
            })
    }

    /// Posts the callback and reads the reply body, capped like any XML body.
    async fn post_scan_callback(
        &self,
        url: &str,
        fields: &crate::protocol::Params,
    ) -> Result<Vec<u8>, SimulatorError> {
        let failed = |reason: String| SimulatorError::ScanCallbackFailed {
            url: url.to_owned(),
            reason,
        };
        let timeout = Duration::from_secs(self.config().notify_timeout_secs);
        let exchange = async {
            let mut response = self
                .http()
                .post(url)
                .header(CONTENT_TYPE, super::wire::XML_CONTENT_TYPE)
                .body(to_xml(fields))
                .send()
                .await?;
            let status = response.status();
            let body = super::notify::read_capped_body(&mut response).await?;
            Ok::<_, reqwest::Error>((status, body))
        };
        match tokio::time::timeout(timeout, exchange).await {
            Err(_) => Err(failed(format!("no reply within {}s", timeout.as_secs()))),
            Ok(Err(err)) => Err(failed(err.to_string())),
            Ok(Ok((status, _))) if !status.is_success() => {
                Err(failed(format!("HTTP {}", status.as_u16())))
            }
            Ok(Ok((_, body))) => Ok(body),
        }
    }

    /// Finds the order behind the merchant's `prepay_id` and checks it is the scanned product
    /// for the scanning customer.
    fn scanned_order(
        &self,
        merchant: &Merchant,
        callback: &ScanCallback,
        prepay_id: &str,
    ) -> Result<String, SimulatorError> {
        let invalid = |reason: String| SimulatorError::InvalidScanReply { reason };
        let store = self.lock_store();
        let order = store
            .order_by_prepay_id(&merchant.mch_id, prepay_id)
            .ok_or_else(|| {
                invalid(format!(
                    "prepay_id {prepay_id} was not issued by this gateway"
                ))
            })?;
        let field = |name: &str| order.business_fields.get(name).cloned().unwrap_or_default();
        if field("openid") != callback.openid {
            return Err(invalid(format!(
                "order {} was placed for openid {:?}, not the scanning customer",
                order.out_trade_no,
                field("openid")
            )));
        }
        if field("product_id") != callback.product_id {
            return Err(invalid(format!(
                "order {} is for product_id {:?}, not the scanned {:?}",
                order.out_trade_no,
                field("product_id"),
                callback.product_id
            )));
        }
        if order.payable_until() <= Utc::now() {
            return Err(invalid(format!("prepay_id {prepay_id} has expired")));
        }
        Ok(order.out_trade_no.clone())
    }
}

/// Checks the merchant's reply in the documented order and returns its `prepay_id`.
fn check_scan_reply(body: &[u8], merchant: &Merchant) -> Result<String, SimulatorError> {
    let invalid = |reason: String| SimulatorError::InvalidScanReply { reason };
    let fields = parse(body).map_err(|err| invalid(format!("unreadable XML: {err}")))?;
    match fields.get("return_code").map(String::as_str) {
        Some("SUCCESS") => {}
        _ => {
            return Err(invalid(format!(
                "return_code is not SUCCESS (return_msg {:?})",
                fields.get("return_msg").map(String::as_str).unwrap_or("")
            )));
        }
    }
    sign::verify(&fields, &merchant.api_key)
        .map_err(|err| invalid(format!("signature rejected: {err}")))?;
    check_merchant(&fields, merchant).map_err(|err| invalid(err.to_string()))?;
    if fields.get("result_code").map(String::as_str) != Some("SUCCESS") {
        return Err(SimulatorError::ScanRefused {
            err_code_des: fields.get("err_code_des").cloned().unwrap_or_default(),
        });
    }
    fields
        .get("prepay_id")
        .filter(|prepay_id| !prepay_id.is_empty())
        .cloned()
        .ok_or_else(|| invalid("result_code is SUCCESS but prepay_id is missing".into()))
}
