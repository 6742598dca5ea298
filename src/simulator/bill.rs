//! `/pay/downloadbill`: replies with the day's bill rendered from the simulator's paid orders
//! and the refunds it was given, as text or GZIP, or with the documented error replies. The
//! `/sim` bill controls switch `Bill Creating` on for a day and pick the layout.

use std::io::Write as _;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;

use super::auth::{Rejection, authenticate};
use super::bill_render::{BillPayment, BillRefund, bill_day, render_bill};
use super::state::SimulatorState;
use super::validate::optional;
use super::wire::{err_code, xml_response};
use crate::protocol::Params;
use crate::protocol::bill::{
    BillFailure, BillType, NO_BILL_EXIST_ERROR_CODE, TarType, parse_bill_date,
};
use crate::protocol::bill_parse::BillLayout;
use crate::protocol::messages::parse_protocol_time;
use crate::protocol::xml::to_xml;

/// Path of the download bill API.
pub const DOWNLOAD_BILL_PATH: &str = "/pay/downloadbill";
/// `Content-Type` of a plain text bill.
const TEXT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";
/// `Content-Type` of a GZIP bill.
const GZIP_CONTENT_TYPE: &str = "application/x-gzip";

/// Settings of the downloadbill endpoint, changed through [`SimulatorState`].
#[derive(Debug, Clone, Default)]
pub(crate) struct BillControls {
    pub layout: Option<BillLayout>,
    /// Days whose bill request gets the reply `Bill Creating`.
    pub creating: Vec<NaiveDate>,
    pub refunds: Vec<BillRefund>,
}

impl SimulatorState {
    /// Renders later bills in `layout`: the current 27-column layout (the default) or the
    /// legacy 24-column one.
    pub fn set_bill_layout(&self, layout: BillLayout) {
        self.lock_bills().layout = Some(layout);
    }

    /// Makes downloadbill for `bill_date` reply `Bill Creating` while `creating` is set.
    pub fn set_bill_creating(&self, bill_date: NaiveDate, creating: bool) {
        let mut controls = self.lock_bills();
        controls.creating.retain(|date| *date != bill_date);
        if creating {
            controls.creating.push(bill_date);
        }
    }

    /// Adds a refund to the bills of the day it belongs to (see [`BillRefund::bill_time`]).
    pub fn add_bill_refund(&self, refund: BillRefund) {
        self.lock_bills().refunds.push(refund);
    }

    /// Returns the layout, whether the day's bill is still being made, and the day's refunds
    /// of `mch_id`.
    fn bill_inputs(
        &self,
        mch_id: &str,
        bill_date: NaiveDate,
    ) -> (BillLayout, bool, Vec<BillRefund>) {
        let controls = self.lock_bills();
        let refunds = controls
            .refunds
            .iter()
            .filter(|refund| refund.mch_id == mch_id && bill_day(refund.bill_time()) == bill_date)
            .cloned()
            .collect();
        (
            controls.layout.unwrap_or(BillLayout::Current),
            controls.creating.contains(&bill_date),
            refunds,
        )
    }

    /// Returns the payments of `mch_id` whose `time_end` falls on `bill_date`, oldest first.
    fn bill_payments(&self, mch_id: &str, bill_date: NaiveDate) -> Vec<BillPayment> {
        let store = self.lock_store();
        let mut payments: Vec<BillPayment> = store
            .paid_orders(mch_id)
            .filter_map(|(order, payment)| {
                let paid_at = parse_protocol_time(&payment.time_end)?;
                (bill_day(paid_at) == bill_date).then(|| BillPayment {
                    appid: order.appid.clone(),
                    mch_id: order.mch_id.clone(),
                    device_info: order.device_info.clone(),
                    transaction_id: payment.transaction_id.clone(),
                    out_trade_no: order.out_trade_no.clone(),
                    openid: payment.openid.clone(),
                    paid_at,
                    total_fee: order.total_fee,
                    body: optional(&order.business_fields, "body").to_owned(),
                    attach: order.attach.clone(),
                })
            })
            .collect();
        payments.sort_by(|a, b| (a.paid_at, &a.out_trade_no).cmp(&(b.paid_at, &b.out_trade_no)));
        payments
    }
}

/// Control route that makes a day's bill reply `Bill Creating`: `POST` to switch it on,
/// `DELETE` to switch it off. `{bill_date}` is `yyyyMMdd`.
pub const BILL_CREATING_ROUTE: &str = "/sim/bills/{bill_date}/creating";
/// Control route that picks the bill layout: `POST` with `current` or `legacy`.
pub const BILL_LAYOUT_ROUTE: &str = "/sim/bill-layout/{layout}";

/// Switches `Bill Creating` on (POST) or off (DELETE) for a day. Replies 400 when the date is
/// not `yyyyMMdd`.
pub(crate) async fn bill_creating(
    State(state): State<SimulatorState>,
    method: axum::http::Method,
    Path(bill_date): Path<String>,
) -> Response {
    let Some(date) = parse_bill_date(&bill_date) else {
        return (
            StatusCode::BAD_REQUEST,
            format!("invalid bill date {bill_date:?}; write it as yyyyMMdd\n"),
        )
            .into_response();
    };
    let creating = method == axum::http::Method::POST;
    state.set_bill_creating(date, creating);
    (
        StatusCode::OK,
        format!("bill_date={bill_date} creating={creating}\n"),
    )
        .into_response()
}

/// Sets the bill layout. Replies 400 for a layout other than `current` or `legacy`.
pub(crate) async fn bill_layout(
    State(state): State<SimulatorState>,
    Path(layout): Path<String>,
) -> Response {
    match BillLayout::from_stored(&layout) {
        Some(parsed) => {
            state.set_bill_layout(parsed);
            (StatusCode::OK, format!("layout={layout}\n")).into_response()
        }
        None => (
            StatusCode::BAD_REQUEST,
            format!("unknown layout {layout:?}; use current or legacy\n"),
        )
            .into_response(),
    }
}

/// Serves downloadbill: authenticates like the other APIs, then replies with the bill or an
/// unsigned `return_code=FAIL` reply.
pub(crate) async fn download_bill(
    State(state): State<SimulatorState>,
    request: Request,
) -> Response {
    let fields = match super::wire::read_fields(request).await {
        Ok(fields) => fields,
        Err(failure) => return failure.into_response(),
    };
    let (caller, fields) = match authenticate(state.config(), fields, false) {
        Ok(authenticated) => authenticated,
        Err(Rejection::Protocol(failure)) => return failure.into_response(),
        Err(Rejection::Business(_, error)) if error.err_code == err_code::LACK_PARAMS => {
            return bill_failure(&BillFailure::MissingParameter);
        }
        Err(Rejection::Business(..)) => return bill_failure(&BillFailure::DataFormatError),
    };

    let request = match check_request(&fields) {
        Ok(request) => request,
        Err(failure) => return bill_failure(&failure),
    };
    let (layout, creating, refunds) = state.bill_inputs(&caller.mch_id, request.bill_date);
    if creating {
        return bill_failure(&BillFailure::BillCreating);
    }
    let payments = state.bill_payments(&caller.mch_id, request.bill_date);
    let has_trades = (request.bill_type.lists_payments() && !payments.is_empty())
        || (request.bill_type.lists_refunds() && !refunds.is_empty());
    if !has_trades {
        return bill_failure(&BillFailure::NoBillExist);
    }

    let text = render_bill(request.bill_type, layout, &payments, &refunds);
    tracing::debug!(
        mch_id = %caller.mch_id,
        bill_date = %request.bill_date,
        payments = payments.len(),
        refunds = refunds.len(),
        "bill rendered"
    );
    match request.tar_type {
        None => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, TEXT_CONTENT_TYPE)],
            Body::from(text),
        )
            .into_response(),
        Some(TarType::Gzip) => match gzip(text.as_bytes()) {
            Ok(bytes) => (
                StatusCode::OK,
                [(header::CONTENT_TYPE, GZIP_CONTENT_TYPE)],
                Body::from(bytes),
            )
                .into_response(),
            Err(err) => {
                tracing::error!(error = %err, "cannot compress the bill");
                bill_failure(&BillFailure::CompressGzipError)
            }
        },
    }
}

struct BillRequest {
    bill_date: NaiveDate,
    bill_type: BillType,
    tar_type: Option<TarType>,
}

fn check_request(fields: &Params) -> Result<BillRequest, BillFailure> {
    let bill_date_text = optional(fields, "bill_date");
    if bill_date_text.is_empty() {
        return Err(BillFailure::MissingParameter);
    }
    let bill_date = parse_bill_date(bill_date_text).ok_or(BillFailure::DataFormatError)?;
    let bill_type = match optional(fields, "bill_type") {
        "" => BillType::All,
        text => BillType::from_field(text).ok_or(BillFailure::InvalidBillType)?,
    };
    let tar_type = match optional(fields, "tar_type") {
        "" => None,
        "GZIP" => Some(TarType::Gzip),
        _ => return Err(BillFailure::DataFormatError),
    };
    Ok(BillRequest {
        bill_date,
        bill_type,
        tar_type,
    })
}

/// Builds the unsigned error reply; `No Bill Exist` carries its documented `error_code`.
fn bill_failure(failure: &BillFailure) -> Response {
    let mut fields = Params::new();
    fields.insert("return_code".into(), "FAIL".into());
    fields.insert("return_msg".into(), failure.return_msg().into());
    if *failure == BillFailure::NoBillExist {
        fields.insert("error_code".into(), NO_BILL_EXIST_ERROR_CODE.into());
    }
    xml_response(to_xml(&fields))
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes)?;
    encoder.finish()
}
