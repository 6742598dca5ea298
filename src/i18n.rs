//! Texts shown to cashiers and managers, in Simplified Chinese (the default) and English.
//!
//! Fixed texts live in one [`Texts`] table per language; texts that include values (amounts,
//! gateway codes) are built by functions such as [`amount_error_text`] and [`problem_text`].

use crate::money::{AmountError, Fen, MAX_AMOUNT_FEN};
use crate::ui::bridge::Problem;

/// The language of the cashier screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    /// Simplified Chinese.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Every language, in the order the language switch shows them.
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    /// Maps a BCP 47 or POSIX locale tag (`zh-CN`, `zh_TW.UTF-8`, `en-US`) to a language:
    /// any tag starting with `zh` (in any letter case) is Simplified Chinese, anything else English.
    pub fn from_locale_tag(tag: &str) -> Lang {
        let is_chinese = tag
            .get(..2)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("zh"));
        if is_chinese { Lang::ZhCn } else { Lang::En }
    }

    /// Reads the operating system's locale; Simplified Chinese when the locale is unknown.
    pub fn system_default() -> Lang {
        sys_locale::get_locale().map_or(Lang::ZhCn, |tag| Lang::from_locale_tag(&tag))
    }

    /// Returns the language's name written in that language, for the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::ZhCn => "简体中文",
            Lang::En => "English",
        }
    }

    /// Returns the table of fixed texts in this language.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::ZhCn => &ZH_CN,
            Lang::En => &EN,
        }
    }
}

/// Fixed texts of the cashier screens in one language.
#[derive(Debug)]
pub struct Texts {
    /// Window title.
    pub app_title: &'static str,
    /// Banner shown on every screen in demo mode.
    pub demo_banner: &'static str,
    /// Label of the amount field.
    pub amount_label: &'static str,
    /// Label of the order description field (WeChat Pay `body`).
    pub description_label: &'static str,
    /// Description used when the cashier leaves the field empty.
    pub default_description: &'static str,
    /// The button that creates an order.
    pub charge_button: &'static str,
    /// Keyboard hint under the charge button.
    pub charge_hint: &'static str,
    /// Shown while the charge command is in flight.
    pub creating_order: &'static str,
    /// Instruction above the QR code.
    pub scan_prompt: &'static str,
    /// Accessible name of the QR code image.
    pub qr_label: &'static str,
    /// Shown instead of the QR code when `code_url` cannot be encoded.
    pub qr_failed: &'static str,
    /// Text before the mm:ss countdown to the order's expiry.
    pub time_left: &'static str,
    /// The button that closes the unpaid order.
    pub cancel_button: &'static str,
    /// Shown while the cancel command is in flight.
    pub cancelling: &'static str,
    /// Demo mode button that pays the order through the gateway simulator.
    pub simulate_pay_button: &'static str,
    /// Shown while the simulated payment is in flight.
    pub simulating_pay: &'static str,
    /// Heading of the paid screen.
    pub paid_title: &'static str,
    /// Label before the WeChat Pay `transaction_id`.
    pub transaction_id_label: &'static str,
    /// Label before the merchant's `out_trade_no`.
    pub out_trade_no_label: &'static str,
    /// The button that leaves the paid screen for a new sale.
    pub new_sale_button: &'static str,
    /// Notice after the cashier cancelled an order.
    pub order_closed: &'static str,
    /// Notice after an order expired unpaid.
    pub order_expired: &'static str,
    /// Error when the command channel is full.
    pub command_queue_full: &'static str,
    /// Error when the command or update channel is closed.
    pub backend_stopped: &'static str,
}

impl Texts {
    /// Lists every text in the table, so tests can check that the bundled font draws all of them.
    pub fn all(&self) -> Vec<&'static str> {
        // Destructured without `..`, so a new field does not compile until it is listed here.
        let Texts {
            app_title,
            demo_banner,
            amount_label,
            description_label,
            default_description,
            charge_button,
            charge_hint,
            creating_order,
            scan_prompt,
            qr_label,
            qr_failed,
            time_left,
            cancel_button,
            cancelling,
            simulate_pay_button,
            simulating_pay,
            paid_title,
            transaction_id_label,
            out_trade_no_label,
            new_sale_button,
            order_closed,
            order_expired,
            command_queue_full,
            backend_stopped,
        } = self;
        vec![
            app_title,
            demo_banner,
            amount_label,
            description_label,
            default_description,
            charge_button,
            charge_hint,
            creating_order,
            scan_prompt,
            qr_label,
            qr_failed,
            time_left,
            cancel_button,
            cancelling,
            simulate_pay_button,
            simulating_pay,
            paid_title,
            transaction_id_label,
            out_trade_no_label,
            new_sale_button,
            order_closed,
            order_expired,
            command_queue_full,
            backend_stopped,
        ]
    }
}

static ZH_CN: Texts = Texts {
    app_title: "微信收款",
    demo_banner: "演示模式：使用内置模拟网关，不会产生真实扣款",
    amount_label: "金额（元）",
    description_label: "商品描述",
    default_description: "商品",
    charge_button: "收款",
    charge_hint: "按 F1 或回车键收款",
    creating_order: "正在创建订单…",
    scan_prompt: "请顾客打开微信扫一扫，扫描下方二维码付款",
    qr_label: "收款二维码",
    qr_failed: "无法生成二维码，请取消后重新收款",
    time_left: "剩余时间",
    cancel_button: "取消",
    cancelling: "正在取消订单…",
    simulate_pay_button: "模拟顾客付款",
    simulating_pay: "正在模拟付款…",
    paid_title: "支付成功",
    transaction_id_label: "微信支付单号",
    out_trade_no_label: "商户订单号",
    new_sale_button: "新的收款",
    order_closed: "订单已取消",
    order_expired: "订单已过期，请重新收款",
    command_queue_full: "收银程序繁忙，操作没有执行，请稍后重试",
    backend_stopped: "后台服务已停止，请重新启动收银程序",
};

static EN: Texts = Texts {
    app_title: "WeChat Pay cashier",
    demo_banner: "Demo mode: payments go to the built-in simulated gateway, and no real money is charged",
    amount_label: "Amount (yuan)",
    description_label: "Description",
    default_description: "Goods",
    charge_button: "Charge",
    charge_hint: "Press F1 or Enter to charge",
    creating_order: "Creating the order…",
    scan_prompt: "Ask the customer to scan this QR code with WeChat",
    qr_label: "Payment QR code",
    qr_failed: "Cannot draw the QR code. Cancel and charge again.",
    time_left: "Time left",
    cancel_button: "Cancel",
    cancelling: "Cancelling the order…",
    simulate_pay_button: "Simulate customer payment",
    simulating_pay: "Simulating the payment…",
    paid_title: "Payment received",
    transaction_id_label: "WeChat Pay transaction ID",
    out_trade_no_label: "Merchant order number",
    new_sale_button: "New sale",
    order_closed: "The order was cancelled.",
    order_expired: "The order expired. Charge again.",
    command_queue_full: "The cashier is busy and did not run the action. Try again in a moment.",
    backend_stopped: "The background service has stopped. Restart the cashier app.",
};

/// Builds the message that explains why the typed amount was rejected and what to type instead.
pub fn amount_error_text(lang: Lang, error: &AmountError) -> String {
    let max = Fen(MAX_AMOUNT_FEN);
    match (lang, error) {
        (Lang::ZhCn, AmountError::Empty) => "请输入金额，例如 19.90".to_owned(),
        (Lang::En, AmountError::Empty) => "Enter an amount, for example 19.90.".to_owned(),
        (Lang::ZhCn, AmountError::Malformed { text }) => {
            format!("金额“{text}”格式不正确，请输入数字，例如 19.90")
        }
        (Lang::En, AmountError::Malformed { text }) => {
            format!("\"{text}\" is not a valid amount. Enter a number such as 19.90.")
        }
        (Lang::ZhCn, AmountError::TooManyDecimals { text }) => {
            format!("金额“{text}”超过两位小数，请精确到分，例如 19.90")
        }
        (Lang::En, AmountError::TooManyDecimals { text }) => {
            format!(
                "\"{text}\" has more than two decimal places. Enter fen at most, such as 19.90."
            )
        }
        (Lang::ZhCn, AmountError::Zero) => "金额必须大于零，请重新输入".to_owned(),
        (Lang::En, AmountError::Zero) => "The amount must be greater than zero.".to_owned(),
        (Lang::ZhCn, AmountError::TooLarge { text }) => {
            format!("金额“{text}”超过单笔上限 {max} 元，请核对后重新输入")
        }
        (Lang::En, AmountError::TooLarge { text }) => {
            format!("\"{text}\" is above the limit of {max} yuan per order. Check the amount.")
        }
    }
}

/// Builds the advice for a failed command: what went wrong and what the cashier should do next.
///
/// The technical cause (`detail`, or the gateway's code and message) is left out: the screen
/// shows it separately in small print.
pub fn problem_text(lang: Lang, problem: &Problem) -> String {
    let text = match (lang, problem) {
        (Lang::ZhCn, Problem::GatewayUnreachable { .. }) => "无法连接支付网关，请检查网络后重试",
        (Lang::En, Problem::GatewayUnreachable { .. }) => {
            "Cannot reach the payment gateway. Check the network and try again."
        }
        (_, Problem::GatewayRejected { code, .. }) => rejected_text(lang, code),
        (Lang::ZhCn, Problem::Storage { .. }) => {
            "本地数据库出错，本次没有扣款。请重试；如果仍然失败，请联系管理员"
        }
        (Lang::En, Problem::Storage { .. }) => {
            "The local database failed and nothing was charged. Try again, and if it fails again, call the administrator."
        }
        (Lang::ZhCn, Problem::NotAllowed { .. }) => "当前状态下不能执行这个操作",
        (Lang::En, Problem::NotAllowed { .. }) => "This action is not possible right now.",
    };
    text.to_owned()
}

/// Returns the advice for the code of a [`Problem::GatewayRejected`]. The codes are WeChat Pay v2
/// `err_code` values; any other code gets general advice.
fn rejected_text(lang: Lang, code: &str) -> &'static str {
    match (lang, code) {
        (Lang::ZhCn, "SYSTEMERROR" | "BIZERR_NEED_RETRY") => "微信支付系统繁忙，请稍后重试",
        (Lang::En, "SYSTEMERROR" | "BIZERR_NEED_RETRY") => {
            "WeChat Pay is busy. Try again in a moment."
        }
        (Lang::ZhCn, "ORDERPAID") => "这笔订单已经支付，请勿重复收款",
        (Lang::En, "ORDERPAID") => "This order is already paid. Do not charge it again.",
        (Lang::ZhCn, "ORDERCLOSED") => "这笔订单已经关闭，请重新收款",
        (Lang::En, "ORDERCLOSED") => "This order is already closed. Charge again.",
        (Lang::ZhCn, "OUT_TRADE_NO_USED") => "商户订单号重复，请重新收款",
        (Lang::En, "OUT_TRADE_NO_USED") => {
            "The merchant order number was already used. Charge again."
        }
        (
            Lang::ZhCn,
            "SIGNERROR"
            | "NOAUTH"
            | "APPID_NOT_EXIST"
            | "MCHID_NOT_EXIST"
            | "APPID_MCHID_NOT_MATCH",
        ) => "商户配置有误，请联系管理员检查商户号、AppID 和 API 密钥",
        (
            Lang::En,
            "SIGNERROR"
            | "NOAUTH"
            | "APPID_NOT_EXIST"
            | "MCHID_NOT_EXIST"
            | "APPID_MCHID_NOT_MATCH",
        ) => {
            "The merchant settings are wrong. Ask the administrator to check the merchant ID, AppID and API key."
        }
        (Lang::ZhCn, _) => "支付网关拒绝了请求，请核对后重试；如果仍然失败，请联系管理员",
        (Lang::En, _) => {
            "The payment gateway rejected the request. Check and try again, and if it fails again, call the administrator."
        }
    }
}

/// Formats the time left before an order expires, such as `剩余时间 04:59`, or
/// `剩余时间 1:59:58` from one hour up.
pub fn time_left_text(lang: Lang, seconds_left: i64) -> String {
    let seconds = seconds_left.max(0);
    let label = lang.texts().time_left;
    if seconds >= 3600 {
        format!(
            "{label} {}:{:02}:{:02}",
            seconds / 3600,
            seconds % 3600 / 60,
            seconds % 60
        )
    } else {
        format!("{label} {:02}:{:02}", seconds / 60, seconds % 60)
    }
}

/// Formats the countdown until the paid screen starts a new sale by itself.
pub fn auto_return_text(lang: Lang, seconds_left: u64) -> String {
    match lang {
        Lang::ZhCn => format!("{seconds_left} 秒后自动开始新的收款"),
        Lang::En => format!("A new sale starts in {seconds_left} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_locale_tags_choose_chinese() {
        for tag in ["zh", "zh-CN", "zh-Hans-CN", "zh_CN.UTF-8", "zh-TW", "ZH-cn"] {
            assert_eq!(Lang::from_locale_tag(tag), Lang::ZhCn, "{tag}");
        }
    }

    #[test]
    fn other_locale_tags_choose_english() {
        for tag in ["en-US", "en", "C", "", "z", "ja-JP", "fr_FR.UTF-8"] {
            assert_eq!(Lang::from_locale_tag(tag), Lang::En, "{tag:?}");
        }
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Settings {
        lang: Lang,
    }

    #[test]
    fn lang_uses_locale_tags_in_settings() {
        let chinese: Settings = toml::from_str("lang = \"zh-CN\"").unwrap();
        let english: Settings = toml::from_str("lang = \"en\"").unwrap();
        let written = toml::to_string(&Settings { lang: Lang::En }).unwrap();

        assert_eq!(chinese.lang, Lang::ZhCn);
        assert_eq!(english.lang, Lang::En);
        assert_eq!(written.trim(), "lang = \"en\"");
    }

    #[test]
    fn time_left_is_minutes_and_seconds() {
        assert_eq!(time_left_text(Lang::ZhCn, 299), "剩余时间 04:59");
        assert_eq!(time_left_text(Lang::En, 7200), "Time left 2:00:00");
        assert_eq!(time_left_text(Lang::ZhCn, 7198), "剩余时间 1:59:58");
        assert_eq!(time_left_text(Lang::ZhCn, 3599), "剩余时间 59:59");
        assert_eq!(time_left_text(Lang::En, -3), "Time left 00:00");
    }

    #[test]
    fn amount_errors_quote_the_typed_text() {
        let error = AmountError::Malformed {
            text: "19.9.9".to_owned(),
        };
        assert!(amount_error_text(Lang::ZhCn, &error).contains("19.9.9"));
        assert!(amount_error_text(Lang::En, &error).contains("19.9.9"));
    }

    #[test]
    fn amount_limit_is_printed_in_yuan() {
        let error = AmountError::TooLarge {
            text: "2000000".to_owned(),
        };
        assert!(amount_error_text(Lang::ZhCn, &error).contains("1000000.00 元"));
    }

    #[test]
    fn gateway_codes_get_specific_advice() {
        let busy = Problem::GatewayRejected {
            code: "SYSTEMERROR".to_owned(),
            message: "系统繁忙".to_owned(),
        };
        let unknown = Problem::GatewayRejected {
            code: "SOMETHING_NEW".to_owned(),
            message: "?".to_owned(),
        };
        assert_eq!(
            problem_text(Lang::ZhCn, &busy),
            "微信支付系统繁忙，请稍后重试"
        );
        assert_ne!(
            problem_text(Lang::En, &busy),
            problem_text(Lang::En, &unknown)
        );
    }
}
