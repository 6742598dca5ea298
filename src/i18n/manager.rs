//! Texts of the store manager's screen and its PIN prompt, in Simplified Chinese and English.

use super::Lang;

/// Fixed texts of the manager screen in one language.
#[derive(Debug)]
pub struct ManagerTexts {
    /// The cashier screen's button that opens the manager screen.
    pub manager_button: &'static str,
    pub pin_title: &'static str,
    pub pin_label: &'static str,
    pub unlock_button: &'static str,
    pub checking_pin: &'static str,
    pub pin_not_set: &'static str,
    pub pin_hash_invalid: &'static str,
    pub title: &'static str,
    pub lock_button: &'static str,
    pub from_label: &'static str,
    pub to_label: &'static str,
    pub today_button: &'static str,
    /// The button that reloads the table and totals, for sales made since they were loaded.
    pub refresh_button: &'static str,
    pub state_filter_label: &'static str,
    pub filter_all: &'static str,
    pub filter_paid: &'static str,
    pub filter_open: &'static str,
    pub filter_unpaid: &'static str,
    pub filter_refunds: &'static str,
    pub min_amount_label: &'static str,
    pub max_amount_label: &'static str,
    pub search_label: &'static str,
    pub bad_amount_filter: &'static str,
    pub column_time: &'static str,
    pub column_out_trade_no: &'static str,
    pub column_transaction_id: &'static str,
    pub column_body: &'static str,
    pub column_amount: &'static str,
    pub column_state: &'static str,
    pub column_terminal: &'static str,
    pub refund_prefix: &'static str,
    pub paid_count_label: &'static str,
    pub gross_label: &'static str,
    pub refunds_label: &'static str,
    pub net_label: &'static str,
    pub hourly_chart_label: &'static str,
    pub loading: &'static str,
    pub no_rows: &'static str,
    pub detail_title: &'static str,
    pub detail_hint: &'static str,
    pub history_title: &'static str,
    pub notifications_title: &'static str,
    pub refunds_title: &'static str,
    pub none: &'static str,
    pub close_detail_button: &'static str,
    pub export_csv_button: &'static str,
    pub export_xlsx_button: &'static str,
    pub export_pdf_button: &'static str,
    pub print_day_end_button: &'static str,
    pub day_end_printed: &'static str,
    /// Heading of the refund form in the detail panel.
    pub refund_title: &'static str,
    /// Label of the refund amount field.
    pub refund_amount_label: &'static str,
    /// Label of the refund reason field.
    pub refund_reason_label: &'static str,
    /// The button that starts a refund.
    pub refund_button: &'static str,
    /// The button that confirms the refund.
    pub confirm_refund_button: &'static str,
    /// The button that drops the refund.
    pub cancel_refund_button: &'static str,
    /// Shown while a refund is sent.
    pub refunding: &'static str,
    /// Error for a refund amount that does not parse.
    pub bad_refund_amount: &'static str,
    /// Heading of the bill reconciliation section.
    pub reconcile_title: &'static str,
    /// The button that downloads the bill and reconciles.
    pub reconcile_button: &'static str,
    /// Hint that reconciliation needs a single day.
    pub reconcile_single_day: &'static str,
    /// Shown while the bill is downloaded and compared.
    pub reconciling: &'static str,
    /// The button that exports the differences as CSV.
    pub export_differences_button: &'static str,
    /// Shown when the bill and the local records agree.
    pub reconcile_clean: &'static str,
    pub manager_pin_label: &'static str,
    pub manager_pin_saved_hint: &'static str,
    pub manager_pin_missing_hint: &'static str,
}

impl Lang {
    /// Returns the table of manager screen texts in this language.
    pub fn manager_texts(self) -> &'static ManagerTexts {
        match self {
            Lang::ZhCn => &MANAGER_ZH_CN,
            Lang::En => &MANAGER_EN,
        }
    }
}

static MANAGER_ZH_CN: ManagerTexts = ManagerTexts {
    manager_button: "管理",
    pin_title: "店长验证",
    pin_label: "店长密码",
    unlock_button: "进入",
    checking_pin: "正在验证…",
    pin_not_set: "尚未设置店长密码。请在 设置 → 界面 中设置后再进入。",
    pin_hash_invalid: "配置文件中的店长密码无效。请在 设置 → 界面 中重新设置。",
    title: "店长管理",
    lock_button: "退出管理",
    from_label: "开始日期",
    to_label: "结束日期",
    today_button: "今天",
    refresh_button: "刷新",
    state_filter_label: "状态",
    filter_all: "全部",
    filter_paid: "已支付",
    filter_open: "待支付",
    filter_unpaid: "已关闭或失败",
    filter_refunds: "退款",
    min_amount_label: "最低金额（元）",
    max_amount_label: "最高金额（元）",
    search_label: "搜索订单号、支付单号或金额",
    bad_amount_filter: "金额筛选无效，请输入如 19.90 的金额。",
    column_time: "时间",
    column_out_trade_no: "商户订单号",
    column_transaction_id: "微信支付单号",
    column_body: "商品描述",
    column_amount: "金额（元）",
    column_state: "状态",
    column_terminal: "终端",
    refund_prefix: "退款",
    paid_count_label: "收款笔数",
    gross_label: "收款总额",
    refunds_label: "退款总额",
    net_label: "净收入",
    hourly_chart_label: "分时段收款",
    loading: "正在加载…",
    no_rows: "此范围内没有符合条件的订单或退款。",
    detail_title: "订单详情",
    detail_hint: "点击表格中的订单查看详情。",
    history_title: "状态记录",
    notifications_title: "收到的支付通知",
    refunds_title: "退款记录",
    none: "无",
    close_detail_button: "关闭详情",
    export_csv_button: "导出 CSV",
    export_xlsx_button: "导出 Excel",
    export_pdf_button: "日结报表 PDF",
    print_day_end_button: "打印日结报表",
    day_end_printed: "日结报表已发送到打印机。",
    refund_title: "申请退款",
    refund_amount_label: "退款金额（元）",
    refund_reason_label: "退款原因（可不填）",
    refund_button: "退款给顾客",
    confirm_refund_button: "确认退款",
    cancel_refund_button: "取消",
    refunding: "正在退款…",
    bad_refund_amount: "退款金额无效，请输入如 5.00 的金额",
    reconcile_title: "微信对账",
    reconcile_button: "下载对账单并核对",
    reconcile_single_day: "选择单独一天后可以对账",
    reconciling: "正在下载对账单…",
    export_differences_button: "导出差异 CSV",
    reconcile_clean: "账单与本地记录一致",
    manager_pin_label: "店长密码（4–12 位数字）",
    manager_pin_saved_hint: "已设置；留空则不修改",
    manager_pin_missing_hint: "未设置；设置后才能进入管理",
};

static MANAGER_EN: ManagerTexts = ManagerTexts {
    manager_button: "Manager",
    pin_title: "Manager sign-in",
    pin_label: "Manager PIN",
    unlock_button: "Open",
    checking_pin: "Checking…",
    pin_not_set: "No manager PIN is set. Set one in Settings → Display first.",
    pin_hash_invalid: "The manager PIN in the configuration file is invalid. Set it again in Settings → Display.",
    title: "Store manager",
    lock_button: "Leave manager",
    from_label: "From",
    to_label: "To",
    today_button: "Today",
    refresh_button: "Refresh",
    state_filter_label: "State",
    filter_all: "All",
    filter_paid: "Paid",
    filter_open: "Awaiting payment",
    filter_unpaid: "Closed or failed",
    filter_refunds: "Refunds",
    min_amount_label: "Minimum amount (yuan)",
    max_amount_label: "Maximum amount (yuan)",
    search_label: "Search order number, transaction id or amount",
    bad_amount_filter: "The amount filter is invalid; enter an amount such as 19.90.",
    column_time: "Time",
    column_out_trade_no: "Order number",
    column_transaction_id: "Transaction id",
    column_body: "Description",
    column_amount: "Amount (yuan)",
    column_state: "State",
    column_terminal: "Terminal",
    refund_prefix: "Refund",
    paid_count_label: "Paid orders",
    gross_label: "Gross",
    refunds_label: "Refunded",
    net_label: "Net",
    hourly_chart_label: "Takings by hour",
    loading: "Loading…",
    no_rows: "No orders or refunds in this range match the filters.",
    detail_title: "Order details",
    detail_hint: "Click an order in the table to see its details.",
    history_title: "State history",
    notifications_title: "Payment notifications received",
    refunds_title: "Refunds",
    none: "None",
    close_detail_button: "Close details",
    export_csv_button: "Export CSV",
    export_xlsx_button: "Export Excel",
    export_pdf_button: "Day-end report PDF",
    print_day_end_button: "Print day-end report",
    day_end_printed: "The day-end report was sent to the printer.",
    refund_title: "Refund this order",
    refund_amount_label: "Refund amount (yuan)",
    refund_reason_label: "Reason (optional)",
    refund_button: "Refund the customer",
    confirm_refund_button: "Confirm refund",
    cancel_refund_button: "Cancel",
    refunding: "Refunding…",
    bad_refund_amount: "The refund amount is invalid. Type an amount such as 5.00.",
    reconcile_title: "WeChat bill",
    reconcile_button: "Download the bill and reconcile",
    reconcile_single_day: "Pick a single day to reconcile",
    reconciling: "Downloading the bill…",
    export_differences_button: "Export differences (CSV)",
    reconcile_clean: "The bill matches the local records",
    manager_pin_label: "Manager PIN (4–12 digits)",
    manager_pin_saved_hint: "Set; leave empty to keep it",
    manager_pin_missing_hint: "Not set; the manager screen needs one",
};

/// Returns the message for a wrong PIN.
pub fn pin_rejected_text(lang: Lang, attempts_left: u32) -> String {
    match lang {
        Lang::ZhCn => format!("店长密码错误，还可以再试 {attempts_left} 次。"),
        Lang::En => format!("Wrong manager PIN; {attempts_left} tries left."),
    }
}

/// Returns the message shown while PIN entry is locked.
pub fn pin_locked_text(lang: Lang, retry_after_secs: u64) -> String {
    match lang {
        Lang::ZhCn => format!("密码错误次数过多，请 {retry_after_secs} 秒后再试。"),
        Lang::En => format!("Too many wrong PINs; try again in {retry_after_secs} seconds."),
    }
}

/// Returns the message after an export was written.
pub fn exported_text(lang: Lang, path: &str) -> String {
    match lang {
        Lang::ZhCn => format!("已保存到 {path}"),
        Lang::En => format!("Saved to {path}"),
    }
}

/// Returns the line under a listing cut at its row limit.
pub fn rows_cut_text(lang: Lang, shown: usize, total: usize) -> String {
    match lang {
        Lang::ZhCn => format!("仅显示前 {shown} 条，共 {total} 条；请缩小日期范围或筛选。"),
        Lang::En => {
            format!("Showing the first {shown} of {total} rows; narrow the dates or filter.")
        }
    }
}

/// Returns the notice after a refund was accepted, with its current state.
pub fn refunded_text(
    lang: Lang,
    out_trade_no: &str,
    amount: crate::money::Fen,
    state: &str,
) -> String {
    let state = state_name(lang, state);
    match lang {
        Lang::ZhCn => format!("订单 {out_trade_no} 退款 ￥{amount}：{state}"),
        Lang::En => format!("Order {out_trade_no}, refund of ¥{amount}: {state}"),
    }
}

/// Returns the line with the amount of the order that can still be refunded.
pub fn refundable_text(lang: Lang, remainder: crate::money::Fen) -> String {
    match (lang, remainder.fen()) {
        (Lang::ZhCn, 0) => "该订单已无可退金额".to_owned(),
        (Lang::En, 0) => "Nothing is left to refund on this order.".to_owned(),
        (Lang::ZhCn, _) => format!("可退金额：￥{remainder}"),
        (Lang::En, _) => format!("Left to refund: ¥{remainder}"),
    }
}

/// Returns the error for a refund larger than what is left to refund.
pub fn refund_over_remainder_text(lang: Lang, remainder: crate::money::Fen) -> String {
    match lang {
        Lang::ZhCn => format!("退款金额超过可退金额 ￥{remainder}，请重新输入"),
        Lang::En => format!("The refund is more than the ¥{remainder} left to refund."),
    }
}

/// Returns the question that confirms a refund of `amount`.
pub fn confirm_refund_text(lang: Lang, amount: crate::money::Fen) -> String {
    match lang {
        Lang::ZhCn => format!("确认原路退还 ￥{amount} 给顾客？退款后不能撤回。"),
        Lang::En => {
            format!("Refund ¥{amount} to the customer's WeChat Pay? A refund cannot be undone.")
        }
    }
}

/// Returns the message for a manager command that failed.
pub fn manager_failed_text(lang: Lang, detail: &str) -> String {
    match lang {
        Lang::ZhCn => format!("操作失败：{detail}"),
        Lang::En => format!("The operation failed: {detail}"),
    }
}

/// Returns a stored order event reason in `lang`. The store keeps reasons in English for
/// logs and audits. Known reasons are translated for the Chinese screen, and any other
/// reason is returned as stored.
pub fn event_reason_text(lang: Lang, reason: &str) -> String {
    // "refund R… of 500 fen succeeded" reads in yuan in both languages.
    if let Some(rest) = reason.strip_prefix("refund ")
        && let Some((out_refund_no, rest)) = rest.split_once(" of ")
        && let Some(fen) = rest.strip_suffix(" fen succeeded")
        && let Ok(fen) = fen.parse::<i64>()
    {
        let amount = crate::money::Fen(fen);
        return match lang {
            Lang::ZhCn => format!("退款 {out_refund_no} 成功，金额 ￥{amount}"),
            Lang::En => format!("refund {out_refund_no} of ¥{amount} succeeded"),
        };
    }
    if lang == Lang::En {
        return reason.to_owned();
    }
    let fixed = match reason {
        "order saved" => Some("订单已保存"),
        "unifiedorder returned code_url" => Some("统一下单成功，已生成收款二维码"),
        "payment confirmed by notification" => Some("支付通知确认收款"),
        "payment confirmed by orderquery" => Some("查询订单确认收款"),
        "closed by the cashier" => Some("收银员取消订单"),
        "expired unpaid" => Some("超时未支付"),
        "orderquery reported CLOSED" => Some("查询订单：已关闭"),
        "orderquery reported PAYERROR" => Some("查询订单：支付失败"),
        "unifiedorder never reached the gateway" => Some("统一下单请求没有到达网关"),
        "unifiedorder outcome unknown after retries" => Some("多次重试后统一下单结果仍未知"),
        "unifiedorder rejected" => Some("统一下单被拒绝"),
        _ => None,
    };
    match fixed {
        Some(text) => text.to_owned(),
        None => reason.to_owned(),
    }
}

/// Returns a stored notification verdict in `lang`.
pub fn verdict_text(lang: Lang, verdict: &str) -> String {
    let zh = match verdict {
        "accepted" => "已接受",
        "duplicate" => "重复通知",
        "payment_failed" => "支付失败",
        "rejected" => "已拒绝",
        "error" => "处理出错",
        _ => return verdict.to_owned(),
    };
    match lang {
        Lang::ZhCn => zh.to_owned(),
        Lang::En => verdict.to_owned(),
    }
}

/// Returns a stored notification reason in `lang`; like [`event_reason_text`], reasons that
/// are not known (mostly the technical causes of a rejection) are shown as stored.
pub fn notification_reason_text(lang: Lang, reason: &str) -> String {
    if lang == Lang::En {
        return reason.to_owned();
    }
    match reason {
        "payment recorded" => return "已记录收款".to_owned(),
        "payment already recorded" => return "收款此前已记录".to_owned(),
        _ => {}
    }
    // "refund notification: refund R… is now success"
    if let Some(rest) = reason.strip_prefix("refund notification: refund ")
        && let Some((out_refund_no, state)) = rest.split_once(" is now ")
    {
        return format!("退款通知：退款 {out_refund_no} {}", state_name(lang, state));
    }
    match reason.strip_prefix("refund notification: ") {
        Some(rest) => format!("退款通知：{rest}"),
        None => reason.to_owned(),
    }
}

/// Returns the name of a stored order or refund state in `lang`, or 其他/Other for a name
/// this version does not store.
pub fn state_name(lang: Lang, state: &str) -> &'static str {
    known_state_name(lang, state).unwrap_or(match lang {
        Lang::ZhCn => "其他",
        Lang::En => "Other",
    })
}

/// Returns the name of a stored order or refund state in `lang`, or `None` for a name this
/// version does not store.
pub fn known_state_name(lang: Lang, state: &str) -> Option<&'static str> {
    let (zh, en) = match state {
        "created" => ("已创建", "Created"),
        "awaiting_payment" => ("待支付", "Awaiting payment"),
        "unknown" => ("待确认", "Unknown"),
        "paid" => ("已支付", "Paid"),
        "closed" => ("已关闭", "Closed"),
        "expired" => ("已过期", "Expired"),
        "failed" => ("失败", "Failed"),
        "partly_refunded" => ("部分退款", "Partly refunded"),
        "refunded" => ("已退款", "Refunded"),
        "requested" => ("退款已申请", "Refund requested"),
        "processing" => ("退款处理中", "Refund processing"),
        "success" => ("退款成功", "Refund succeeded"),
        "change" => ("退款异常", "Refund needs attention"),
        "refundclose" => ("退款关闭", "Refund closed"),
        _ => return None,
    };
    Some(match lang {
        Lang::ZhCn => zh,
        Lang::En => en,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_event_reasons_are_translated() {
        assert_eq!(event_reason_text(Lang::ZhCn, "order saved"), "订单已保存");
        assert_eq!(
            event_reason_text(Lang::ZhCn, "refund R20261205 of 500 fen succeeded"),
            "退款 R20261205 成功，金额 ￥5.00"
        );
        assert_eq!(event_reason_text(Lang::En, "order saved"), "order saved");
        assert_eq!(
            event_reason_text(Lang::ZhCn, "something new"),
            "something new"
        );
    }

    #[test]
    fn notification_texts_are_translated() {
        assert_eq!(verdict_text(Lang::ZhCn, "accepted"), "已接受");
        assert_eq!(verdict_text(Lang::En, "accepted"), "accepted");
        assert_eq!(
            notification_reason_text(Lang::ZhCn, "payment recorded"),
            "已记录收款"
        );
        assert_eq!(
            notification_reason_text(Lang::ZhCn, "refund notification: refund R1 is now success"),
            "退款通知：退款 R1 退款成功"
        );
        assert_eq!(
            notification_reason_text(Lang::ZhCn, "signature mismatch"),
            "signature mismatch"
        );
    }
}
