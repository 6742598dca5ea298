//! Read-only queries for the manager's view and the day-end report: orders and refunds in a
//! time range, totals, takings per hour, and one order's history.
//!
//! Time basis: an order belongs to the range that contains its `created_at_ms` (the moment the
//! counter took it), and a refund to the range that contains its own `created_at_ms`. A sale paid
//! a few minutes after midnight therefore counts on the day it was rung up. Ranges are
//! half-open, `[from_ms, to_ms)`, in Unix milliseconds; callers turn local dates into them.

use rusqlite::{Row, params_from_iter, types::Value};

use super::{OrderState, Store, StoreError};
use crate::money::Fen;

/// Maximum rows one listing returns. A day has a few thousand. A longer range is cut here,
/// and [`Listing::total_rows`] gives how many matched.
pub const MAX_LIST_ROWS: usize = 20_000;

/// Milliseconds in an hour, for the per-hour buckets.
const HOUR_MS: i64 = 3_600_000;

/// Refund states whose money has left, or is leaving, the merchant's account and so count
/// against the takings. `failed` and `refundclose` do not.
const COUNTED_REFUND_STATES: &str = "'requested', 'processing', 'success', 'change'";

/// Pins range queries to the time index of migration 5. Without statistics, SQLite's planner
/// guesses that `state IN (...)` is selective and picks the state index. That index reads
/// every paid order ever made, so the time range is the narrower cut.
const ORDERS_BY_TIME: &str = "INDEXED BY orders_created_state_fee";
const REFUNDS_BY_TIME: &str = "INDEXED BY refunds_created_state_fee";

/// Order states that mean the customer paid.
const PAID_STATES: &str = "'paid', 'partly_refunded', 'refunded'";

/// A half-open time range `[from_ms, to_ms)` in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub from_ms: i64,
    pub to_ms: i64,
}

/// The kinds of rows a listing includes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowFilter {
    /// Orders in any state, and refunds.
    #[default]
    All,
    /// Orders the customer paid (paid, partly refunded, refunded).
    Paid,
    /// Orders that may still be paid.
    Open,
    /// Orders closed, expired or failed unpaid.
    Unpaid,
    /// Refunds only.
    Refunds,
}

/// The column a listing is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Time,
    OutTradeNo,
    Amount,
    State,
    Terminal,
}

/// A listing request: state filter, amount range, search text and sort order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListQuery {
    pub filter: RowFilter,
    /// Smallest amount shown, inclusive.
    pub min_amount: Option<Fen>,
    /// Largest amount shown, inclusive.
    pub max_amount: Option<Fen>,
    /// Part of an `out_trade_no`, `out_refund_no` or transaction id, or an amount in yuan
    /// (`19.90`) matched exactly. Empty matches everything.
    pub search: String,
    pub sort: SortKey,
    pub descending: bool,
}

/// Whether a listed row is an order or a refund of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Order,
    Refund,
}

/// One line of the manager's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub kind: RowKind,
    /// When the order was created or the refund requested, Unix milliseconds.
    pub at_ms: i64,
    pub out_trade_no: String,
    /// The refund's `out_refund_no`; `None` for orders.
    pub out_refund_no: Option<String>,
    /// The payment's transaction id, when the order is paid.
    pub transaction_id: Option<String>,
    pub body: String,
    /// The order's `total_fee`, or the refund's `refund_fee`.
    pub amount: Fen,
    /// The stored state name: an [`OrderState`] name for orders, a refund state for refunds.
    pub state: String,
    pub terminal: String,
}

/// A listing and how many rows matched before [`MAX_LIST_ROWS`] cut it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Listing {
    pub rows: Vec<ReportRow>,
    pub total_rows: usize,
}

/// Sums over a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RangeTotals {
    /// Paid orders created in the range.
    pub paid_count: i64,
    /// Their `total_fee` summed.
    pub gross: Fen,
    /// Counted refunds requested in the range.
    pub refund_count: i64,
    pub refunds: Fen,
    /// `gross - refunds`; negative when refunds of earlier sales outweigh the range's sales.
    pub net: Fen,
}

/// Takings of one hour of the day, summed over every day of the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HourTakings {
    /// Local hour of the day, 0 to 23.
    pub hour: u8,
    pub paid_count: i64,
    pub gross: Fen,
    pub refund_count: i64,
    pub refunds: Fen,
}

impl RangeTotals {
    /// Adds up per-hour takings into the totals of their range.
    pub fn from_hours(hours: &[HourTakings]) -> RangeTotals {
        let mut totals = RangeTotals::default();
        for hour in hours {
            totals.paid_count += hour.paid_count;
            totals.gross = Fen(totals.gross.fen() + hour.gross.fen());
            totals.refund_count += hour.refund_count;
            totals.refunds = Fen(totals.refunds.fen() + hour.refunds.fen());
        }
        totals.net = Fen(totals.gross.fen() - totals.refunds.fen());
        totals
    }
}

/// One state change of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderEvent {
    pub at_ms: i64,
    pub from_state: Option<String>,
    pub to_state: String,
    pub reason: String,
}

/// A notification received for an order, without its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationSummary {
    pub received_at_ms: i64,
    pub remote_addr: String,
    pub verdict: String,
    pub reason: String,
}

/// Everything the detail panel shows about one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDetail {
    pub row: ReportRow,
    pub events: Vec<OrderEvent>,
    pub notifications: Vec<NotificationSummary>,
    pub refunds: Vec<ReportRow>,
}

impl Store {
    /// Lists the orders and refunds of `range` that pass `query`, sorted, at most
    /// [`MAX_LIST_ROWS`] of them.
    pub fn list_range(&self, range: TimeRange, query: &ListQuery) -> Result<Listing, StoreError> {
        self.query_rows(range, query, Some(MAX_LIST_ROWS))
    }

    /// Lists every order and refund of `range` that passes `query`, sorted, with no row
    /// limit, for exports. A year of a busy shop is about a million rows, so prefer
    /// [`Store::list_range`] where the rows are only shown.
    pub fn export_rows(
        &self,
        range: TimeRange,
        query: &ListQuery,
    ) -> Result<Vec<ReportRow>, StoreError> {
        Ok(self.query_rows(range, query, None)?.rows)
    }

    fn query_rows(
        &self,
        range: TimeRange,
        query: &ListQuery,
        limit: Option<usize>,
    ) -> Result<Listing, StoreError> {
        let (sql, values) = listing_sql(range, query);
        let connection = self.lock();

        let count_sql = format!("SELECT COUNT(*) FROM ({sql})");
        let total_rows: i64 =
            connection.query_row(&count_sql, params_from_iter(values.iter()), |row| {
                row.get(0)
            })?;

        let limit_clause = limit.map_or_else(String::new, |limit| format!(" LIMIT {limit}"));
        let list_sql = format!(
            "{sql} ORDER BY {} {}, at_ms, out_trade_no{limit_clause}",
            sort_column(query.sort),
            if query.descending { "DESC" } else { "ASC" },
        );
        let mut statement = connection.prepare_cached(&list_sql)?;
        let rows = statement
            .query_map(params_from_iter(values.iter()), map_report_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Listing {
            rows,
            total_rows: usize::try_from(total_rows).unwrap_or(0),
        })
    }

    /// Sums the paid orders and the counted refunds of `range`.
    pub fn range_totals(&self, range: TimeRange) -> Result<RangeTotals, StoreError> {
        let connection = self.lock();
        let (paid_count, gross): (i64, i64) = connection.query_row(
            &format!(
                "SELECT COUNT(*), COALESCE(SUM(total_fee), 0) FROM orders {ORDERS_BY_TIME}
                 WHERE created_at_ms >= ?1 AND created_at_ms < ?2 AND state IN ({PAID_STATES})"
            ),
            [range.from_ms, range.to_ms],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let (refund_count, refunds): (i64, i64) = connection.query_row(
            &format!(
                "SELECT COUNT(*), COALESCE(SUM(refund_fee), 0) FROM refunds {REFUNDS_BY_TIME}
                 WHERE created_at_ms >= ?1 AND created_at_ms < ?2
                   AND state IN ({COUNTED_REFUND_STATES})"
            ),
            [range.from_ms, range.to_ms],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok(RangeTotals {
            paid_count,
            gross: Fen(gross),
            refund_count,
            refunds: Fen(refunds),
            net: Fen(gross - refunds),
        })
    }

    /// Sums takings and refunds by local hour of the day over `range`. `utc_offset_secs` is
    /// the local offset from UTC; one offset serves the whole range, so in a zone with
    /// daylight saving the hours of the other season are shifted by one.
    pub fn takings_by_hour(
        &self,
        range: TimeRange,
        utc_offset_secs: i32,
    ) -> Result<[HourTakings; 24], StoreError> {
        let mut hours: [HourTakings; 24] = std::array::from_fn(|hour| HourTakings {
            hour: u8::try_from(hour).unwrap_or(0),
            ..HourTakings::default()
        });
        let offset_ms = i64::from(utc_offset_secs) * 1000;
        let connection = self.lock();

        let hour_expression = format!("((created_at_ms + ?3) / {HOUR_MS} % 24 + 24) % 24");
        let mut paid = connection.prepare_cached(&format!(
            "SELECT {hour_expression} AS hour, COUNT(*), SUM(total_fee) FROM orders {ORDERS_BY_TIME}
             WHERE created_at_ms >= ?1 AND created_at_ms < ?2 AND state IN ({PAID_STATES})
             GROUP BY hour"
        ))?;
        let paid_rows = paid.query_map([range.from_ms, range.to_ms, offset_ms], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get(2)?))
        })?;
        for paid_row in paid_rows {
            let (hour, count, gross) = paid_row?;
            if let Some(slot) = usize::try_from(hour).ok().and_then(|h| hours.get_mut(h)) {
                slot.paid_count = count;
                slot.gross = Fen(gross);
            }
        }

        let mut refunded = connection.prepare_cached(&format!(
            "SELECT {hour_expression} AS hour, COUNT(*), SUM(refund_fee) FROM refunds {REFUNDS_BY_TIME}
             WHERE created_at_ms >= ?1 AND created_at_ms < ?2
               AND state IN ({COUNTED_REFUND_STATES})
             GROUP BY hour"
        ))?;
        let refund_rows = refunded.query_map([range.from_ms, range.to_ms, offset_ms], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get(2)?))
        })?;
        for refund_row in refund_rows {
            let (hour, count, refunds) = refund_row?;
            if let Some(slot) = usize::try_from(hour).ok().and_then(|h| hours.get_mut(h)) {
                slot.refund_count = count;
                slot.refunds = Fen(refunds);
            }
        }
        Ok(hours)
    }

    /// Returns the range's totals and its takings by local hour from one pass over the
    /// range (see [`Store::takings_by_hour`]), which is about half the work of calling
    /// [`Store::range_totals`] as well.
    pub fn range_summary(
        &self,
        range: TimeRange,
        utc_offset_secs: i32,
    ) -> Result<(RangeTotals, [HourTakings; 24]), StoreError> {
        let hours = self.takings_by_hour(range, utc_offset_secs)?;
        Ok((RangeTotals::from_hours(&hours), hours))
    }

    /// Loads one order with its state history, notifications and refunds, or `None` when no
    /// order has that `out_trade_no`.
    pub fn order_detail(&self, out_trade_no: &str) -> Result<Option<OrderDetail>, StoreError> {
        let connection = self.lock();
        let mut order = connection.prepare_cached(&format!(
            "SELECT {ORDER_ROW_COLUMNS} FROM orders o WHERE o.out_trade_no = ?1"
        ))?;
        let mut found = order.query_map([out_trade_no], map_report_row)?;
        let Some(row) = found.next().transpose()? else {
            return Ok(None);
        };

        let mut events = connection.prepare_cached(
            "SELECT at_ms, from_state, to_state, reason FROM order_events
             WHERE out_trade_no = ?1 ORDER BY id",
        )?;
        let events = events
            .query_map([out_trade_no], |row| {
                Ok(OrderEvent {
                    at_ms: row.get(0)?,
                    from_state: row.get(1)?,
                    to_state: row.get(2)?,
                    reason: row.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;

        let mut notifications = connection.prepare_cached(
            "SELECT received_at_ms, remote_addr, verdict, reason FROM notifications
             WHERE out_trade_no = ?1 ORDER BY id",
        )?;
        let notifications = notifications
            .query_map([out_trade_no], |row| {
                Ok(NotificationSummary {
                    received_at_ms: row.get(0)?,
                    remote_addr: row.get(1)?,
                    verdict: row.get(2)?,
                    reason: row.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;

        let mut refunds = connection.prepare_cached(&format!(
            "SELECT {REFUND_ROW_COLUMNS} FROM refunds r JOIN orders o USING (out_trade_no)
             WHERE r.out_trade_no = ?1 ORDER BY r.id"
        ))?;
        let refunds = refunds
            .query_map([out_trade_no], map_report_row)?
            .collect::<Result<Vec<_>, _>>()?;

        Ok(Some(OrderDetail {
            row,
            events,
            notifications,
            refunds,
        }))
    }
}

/// Columns of an order as a [`ReportRow`], in [`map_report_row`]'s order.
const ORDER_ROW_COLUMNS: &str =
    "0 AS kind, o.created_at_ms AS at_ms, o.out_trade_no AS out_trade_no,
    NULL AS out_refund_no, o.transaction_id AS transaction_id, o.body AS body,
    o.total_fee AS amount, o.state AS state, o.terminal AS terminal";

/// Columns of a refund as a [`ReportRow`], in [`map_report_row`]'s order.
const REFUND_ROW_COLUMNS: &str =
    "1 AS kind, r.created_at_ms AS at_ms, r.out_trade_no AS out_trade_no,
    r.out_refund_no AS out_refund_no, o.transaction_id AS transaction_id, o.body AS body,
    r.refund_fee AS amount, r.state AS state, o.terminal AS terminal";

fn map_report_row(row: &Row<'_>) -> rusqlite::Result<ReportRow> {
    let kind: i64 = row.get(0)?;
    Ok(ReportRow {
        kind: if kind == 1 {
            RowKind::Refund
        } else {
            RowKind::Order
        },
        at_ms: row.get(1)?,
        out_trade_no: row.get(2)?,
        out_refund_no: row.get(3)?,
        transaction_id: row.get(4)?,
        body: row.get(5)?,
        amount: Fen(row.get(6)?),
        state: row.get(7)?,
        terminal: row.get(8)?,
    })
}

fn sort_column(sort: SortKey) -> &'static str {
    match sort {
        SortKey::Time => "at_ms",
        SortKey::OutTradeNo => "out_trade_no",
        SortKey::Amount => "amount",
        SortKey::State => "state",
        SortKey::Terminal => "terminal",
    }
}

/// Builds the union of the order and refund selects for a listing, without ORDER BY, and
/// its parameters. Every value typed by the manager is bound, never spliced into the SQL.
fn listing_sql(range: TimeRange, query: &ListQuery) -> (String, Vec<Value>) {
    let mut values = vec![Value::Integer(range.from_ms), Value::Integer(range.to_ms)];
    let mut order_conditions = vec!["o.created_at_ms >= ?1 AND o.created_at_ms < ?2".to_owned()];
    let mut refund_conditions = vec!["r.created_at_ms >= ?1 AND r.created_at_ms < ?2".to_owned()];

    let states = |names: &[OrderState]| {
        let quoted: Vec<String> = names
            .iter()
            .map(|state| format!("'{}'", state.as_str()))
            .collect();
        format!("o.state IN ({})", quoted.join(", "))
    };
    match query.filter {
        RowFilter::All | RowFilter::Refunds => {}
        RowFilter::Paid => order_conditions.push(format!("o.state IN ({PAID_STATES})")),
        RowFilter::Open => order_conditions.push(states(&[
            OrderState::Created,
            OrderState::AwaitingPayment,
            OrderState::Unknown,
        ])),
        RowFilter::Unpaid => order_conditions.push(states(&[
            OrderState::Closed,
            OrderState::Expired,
            OrderState::Failed,
        ])),
    }

    if let Some(min) = query.min_amount {
        values.push(Value::Integer(min.fen()));
        let index = values.len();
        order_conditions.push(format!("o.total_fee >= ?{index}"));
        refund_conditions.push(format!("r.refund_fee >= ?{index}"));
    }
    if let Some(max) = query.max_amount {
        values.push(Value::Integer(max.fen()));
        let index = values.len();
        order_conditions.push(format!("o.total_fee <= ?{index}"));
        refund_conditions.push(format!("r.refund_fee <= ?{index}"));
    }

    let search = query.search.trim();
    if !search.is_empty() {
        values.push(Value::Text(format!("%{}%", escape_like(search))));
        let pattern = values.len();
        // -1 never equals a stored amount, so text that is not yuan matches by id alone.
        let amount = Fen::parse_yuan(search).map_or(-1, Fen::fen);
        values.push(Value::Integer(amount));
        let amount_index = values.len();
        order_conditions.push(format!(
            "(o.out_trade_no LIKE ?{pattern} ESCAPE '\\' OR o.transaction_id LIKE ?{pattern} ESCAPE '\\'
              OR o.total_fee = ?{amount_index})"
        ));
        refund_conditions.push(format!(
            "(r.out_trade_no LIKE ?{pattern} ESCAPE '\\' OR r.out_refund_no LIKE ?{pattern} ESCAPE '\\'
              OR o.transaction_id LIKE ?{pattern} ESCAPE '\\' OR r.refund_fee = ?{amount_index})"
        ));
    }

    let orders = format!(
        "SELECT {ORDER_ROW_COLUMNS} FROM orders o {ORDERS_BY_TIME} WHERE {}",
        order_conditions.join(" AND ")
    );
    let refunds = format!(
        "SELECT {REFUND_ROW_COLUMNS} FROM refunds r {REFUNDS_BY_TIME} JOIN orders o USING (out_trade_no)
         WHERE {}",
        refund_conditions.join(" AND ")
    );
    let sql = match query.filter {
        RowFilter::All => format!("{orders} UNION ALL {refunds}"),
        RowFilter::Refunds => refunds,
        RowFilter::Paid | RowFilter::Open | RowFilter::Unpaid => orders,
    };
    (sql, values)
}

/// Escapes `%`, `_` and `\` so that typed text matches itself in a LIKE pattern.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}
