//! Building the model of a checkout slip or a paid receipt from an order, so that the first
//! print, a reprint from history and the saved PDF all show the same page.

use chrono::{DateTime, FixedOffset, TimeZone};

use crate::config::Settings;
use crate::gateway::GatewayClient;
use crate::protocol::messages::{beijing, parse_protocol_time};
use crate::receipt::{PaymentState, ReceiptData, ReceiptLine, ReceiptModel};
use crate::store::{OrderRecord, OrderState, Store, StoreError};

/// Shop details printed on every slip and receipt.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShopDetails {
    pub merchant_name: String,
    pub terminal_id: String,
    pub footer: String,
    /// The shop runs on the built-in simulator.
    pub demo_mode: bool,
}

impl ShopDetails {
    /// Takes the shop name and terminal from `[shop]`, the footer from `[printer]`, and demo
    /// mode from the absence of `[merchant]`.
    pub fn from_settings(settings: &Settings) -> ShopDetails {
        ShopDetails {
            merchant_name: settings.shop.name.clone(),
            terminal_id: settings.shop.terminal_id.clone(),
            footer: settings.printer.config().footer.clone(),
            demo_mode: settings.is_demo(),
        }
    }
}

/// Error from building the slip or receipt of an order.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("找不到订单 {out_trade_no}。Order {out_trade_no} was not found.")]
    OrderNotFound { out_trade_no: String },

    #[error(
        "订单 {out_trade_no} 未支付（状态 {state}），没有收款凭证。\
         Order {out_trade_no} is not paid (state {state}), so it has no receipt."
    )]
    NotPaid {
        out_trade_no: String,
        state: &'static str,
    },

    #[error(
        "订单 {out_trade_no} 不在待支付状态（状态 {state}），不能打印结账小票。\
         Order {out_trade_no} is not awaiting payment (state {state}), so it has no checkout slip."
    )]
    NotAwaitingPayment {
        out_trade_no: String,
        state: &'static str,
    },

    #[error(
        "订单 {out_trade_no} 还没有支付链接，请稍后再打印结账小票。\
         Order {out_trade_no} has no payment link yet; print the checkout slip again shortly."
    )]
    MissingCodeUrl { out_trade_no: String },

    #[error("读取订单 {out_trade_no} 失败。Cannot read order {out_trade_no} from the database.")]
    Store {
        out_trade_no: String,
        #[source]
        source: StoreError,
    },
}

/// Builds the paid receipt of `data` with the shop's terminal and footer. The payment
/// lifecycle and [`paid_receipt_from_store`] both use it, so a reprint matches the first print.
pub fn paid_receipt_model(data: &ReceiptData, shop: &ShopDetails) -> ReceiptModel {
    ReceiptModel {
        terminal_id: shop.terminal_id.clone(),
        footer: shop.footer.clone(),
        ..ReceiptModel::from(data)
    }
}

/// Builds the checkout slip of `order`, which must await payment and have its `code_url`.
/// `qr_payload` is the short link of the `code_url`, or the `code_url` itself.
pub fn checkout_slip_model(
    order: &OrderRecord,
    qr_payload: String,
    shop: &ShopDetails,
) -> Result<ReceiptModel, JobError> {
    if !order.state.is_open() {
        return Err(JobError::NotAwaitingPayment {
            out_trade_no: order.out_trade_no.clone(),
            state: order.state.as_str(),
        });
    }
    if order.code_url.is_none() {
        return Err(JobError::MissingCodeUrl {
            out_trade_no: order.out_trade_no.clone(),
        });
    }

    Ok(ReceiptModel {
        merchant_name: shop.merchant_name.clone(),
        terminal_id: shop.terminal_id.clone(),
        time: beijing_time_ms(order.created_at_ms),
        lines: vec![ReceiptLine {
            name: order.body.clone(),
            quantity: 1,
            amount: order.total_fee,
        }],
        discount: crate::money::Fen(0),
        total: order.total_fee,
        payment: PaymentState::AwaitingPayment {
            expires_at: beijing_time_ms(order.expires_at_ms),
        },
        out_trade_no: order.out_trade_no.clone(),
        qr_payload,
        footer: shop.footer.clone(),
        demo_mode: shop.demo_mode,
    })
}

/// Loads the paid receipt of an order from the store, with the same fields the payment
/// lifecycle printed: the stored short link, the payment's `time_end` and the order's body
/// and amount.
///
/// NOTE: when the order has no receipt row (writing the first receipt failed), the QR code
/// contains the order's `code_url`, not a short link, and a missing or unreadable `time_end`
/// prints the order's creation time.
pub fn paid_receipt_from_store(
    store: &Store,
    out_trade_no: &str,
    shop: &ShopDetails,
) -> Result<ReceiptModel, JobError> {
    let store_error = |source| JobError::Store {
        out_trade_no: out_trade_no.to_owned(),
        source,
    };
    let order = store
        .order(out_trade_no)
        .map_err(store_error)?
        .ok_or_else(|| JobError::OrderNotFound {
            out_trade_no: out_trade_no.to_owned(),
        })?;
    if order.state != OrderState::Paid {
        return Err(JobError::NotPaid {
            out_trade_no: out_trade_no.to_owned(),
            state: order.state.as_str(),
        });
    }

    let time_end = store.payment_time_end(out_trade_no).map_err(store_error)?;
    let paid_at = time_end
        .as_deref()
        .and_then(parse_protocol_time)
        .map(|time| time.with_timezone(&beijing()))
        .unwrap_or_else(|| beijing_time_ms(order.created_at_ms));
    let qr_link = match store.receipt(out_trade_no).map_err(store_error)? {
        Some((qr_link, _pdf_path)) => qr_link,
        None => order
            .code_url
            .clone()
            .unwrap_or_else(|| order.out_trade_no.clone()),
    };

    let data = ReceiptData {
        merchant_name: shop.merchant_name.clone(),
        out_trade_no: order.out_trade_no.clone(),
        transaction_id: order.transaction_id.clone().unwrap_or_default(),
        body: order.body.clone(),
        amount: order.total_fee,
        paid_at,
        qr_link,
        demo_mode: shop.demo_mode,
    };
    Ok(paid_receipt_model(&data, shop))
}

/// Asks the gateway's shorturl API for a short link to `long_link`, and returns `long_link`
/// itself when the call fails. A short link makes a coarser QR code that prints sharply.
pub async fn short_link(gateway: &GatewayClient, long_link: &str) -> String {
    match gateway.short_url(long_link).await {
        Ok(short) => short,
        Err(err) => {
            tracing::warn!(error = %err, "shorturl failed; the slip uses the long link");
            long_link.to_owned()
        }
    }
}

/// Converts milliseconds since the Unix epoch to Beijing time; an out-of-range value gives
/// the epoch.
fn beijing_time_ms(ms: i64) -> DateTime<FixedOffset> {
    beijing()
        .timestamp_millis_opt(ms)
        .single()
        .unwrap_or_else(|| DateTime::<FixedOffset>::default().with_timezone(&beijing()))
}
