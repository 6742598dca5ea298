//! Texts shown to cashiers and managers, in Simplified Chinese (the default) and English.
//!
//! Fixed texts live in one [`Texts`] table per language; texts that include values (amounts,
//! gateway codes) are built by functions such as [`amount_error_text`] and [`problem_text`].

mod manager;

pub use manager::{
    ManagerTexts, confirm_refund_text, event_reason_text, exported_text, known_state_name,
    manager_failed_text, notification_reason_text, pin_locked_text, pin_rejected_text,
    refund_over_remainder_text, refundable_text, refunded_text, rows_cut_text, state_name,
    verdict_text,
};

use crate::money::{AmountError, Fen, MAX_AMOUNT_FEN};
use crate::orders::RefundError;
use crate::store::{RefundRequestError, RefundState};
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
    /// any tag starting with `zh` (in any letter case) is Simplified Chinese, any other
    /// language English. The POSIX default locale (`C`, `C.UTF-8`, `POSIX`) and an empty tag
    /// name no language, so they give `None`.
    pub fn from_locale_tag(tag: &str) -> Option<Lang> {
        let language = tag.split(['.', '@']).next().unwrap_or_default();
        if language.is_empty() || language == "C" || language == "POSIX" {
            return None;
        }
        let is_chinese = tag
            .get(..2)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("zh"));
        Some(if is_chinese { Lang::ZhCn } else { Lang::En })
    }

    /// Reads the operating system's locale; Simplified Chinese when the locale is unknown or
    /// names no language (a bare `C.UTF-8`, as on many kiosk installs and containers).
    pub fn system_default() -> Lang {
        sys_locale::get_locale()
            .and_then(|tag| Lang::from_locale_tag(&tag))
            .unwrap_or(Lang::ZhCn)
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
    /// The button that prints the unprinted receipts again.
    pub reprint_receipts_button: &'static str,
    /// The button that stops listing the unprinted receipts.
    pub dismiss_unprinted_button: &'static str,
    /// The sale screen's button that opens the manual check screen.
    pub manual_check_button: &'static str,
    /// Title of the manual check screen.
    pub manual_check_title: &'static str,
    /// Explanation of the manual check screen.
    pub manual_check_note: &'static str,
    /// Heading of the list of orders that may still be paid.
    pub open_orders_title: &'static str,
    /// Shown when no order may still be paid.
    pub open_orders_empty: &'static str,
    /// The awaiting screen's button that queries WeChat Pay for the order's payment.
    pub check_payment_button: &'static str,
    /// Shown while that check runs.
    pub checking_payment: &'static str,
    /// Notice when the check found no payment; the gateway's state follows it.
    pub not_paid_yet: &'static str,
    /// Notice after the cashier cancelled an order.
    pub order_closed: &'static str,
    /// Notice after an order expired unpaid.
    pub order_expired: &'static str,
    /// Error when the command channel is full.
    pub command_queue_full: &'static str,
    /// Error when the command or update channel is closed.
    pub backend_stopped: &'static str,
    /// Label of the barcode field, which the scanner types into.
    pub barcode_label: &'static str,
    /// Hint in the empty barcode field.
    pub barcode_hint: &'static str,
    /// Quick key tab that shows every category.
    pub all_categories: &'static str,
    /// Quick key tab for products without a category.
    pub uncategorized: &'static str,
    /// Label of the product search field.
    pub search_label: &'static str,
    /// Shown when the catalogue has no products.
    pub catalogue_empty: &'static str,
    /// Heading of the cart.
    pub cart_title: &'static str,
    /// Shown in an empty cart.
    pub cart_empty: &'static str,
    /// Label of the whole-order discount field.
    pub discount_label: &'static str,
    /// Label before the sum of the cart lines and the free amount.
    pub subtotal_label: &'static str,
    /// Label before the amount to charge.
    pub total_label: &'static str,
    /// Error when the discount is not less than the subtotal.
    pub discount_too_large: &'static str,
    /// Keypad key that empties the amount field.
    pub keypad_clear: &'static str,
    /// Keypad key that deletes the last character.
    pub keypad_backspace: &'static str,
    /// The button that empties the cart.
    pub clear_cart_button: &'static str,
    /// The button that opens the settings screen.
    pub settings_button: &'static str,
    /// Status while the customer has not paid yet.
    pub waiting_for_payment: &'static str,
    /// Hint on the full-screen QR code in a one-monitor setup.
    pub fullscreen_hint: &'static str,
    /// Customer display when no order is open.
    pub customer_welcome: &'static str,
    /// Customer display label above the amount to pay.
    pub customer_amount: &'static str,
    /// Customer display after the payment.
    pub customer_thanks: &'static str,
    /// Heading of the settings screen.
    pub settings_title: &'static str,
    /// Settings page for the shop and merchant account.
    pub merchant_tab: &'static str,
    /// Settings page for receipts and the printer.
    pub printer_tab: &'static str,
    /// Settings page for the language and customer display.
    pub display_tab: &'static str,
    /// Settings page for the product catalogue.
    pub products_tab: &'static str,
    /// Label of the shop name field.
    pub shop_name_label: &'static str,
    /// Label of the terminal id field (`device_info`).
    pub terminal_id_label: &'static str,
    /// Checkbox that switches from demo mode to a real merchant account.
    pub merchant_enabled_label: &'static str,
    /// Label of the `appid` field.
    pub appid_label: &'static str,
    /// Label of the `mch_id` field.
    pub mch_id_label: &'static str,
    /// Label of the masked API key field.
    pub api_key_label: &'static str,
    /// Hint in the API key field when a key is saved.
    pub api_key_kept_hint: &'static str,
    /// Hint in the API key field when no key is saved.
    pub api_key_missing_hint: &'static str,
    /// Label of the signature type choice.
    pub sign_type_label: &'static str,
    /// Label of the gateway address field.
    pub gateway_url_label: &'static str,
    /// Label of the notification address field.
    pub notify_url_label: &'static str,
    /// Label of the server IP field (`spbill_create_ip`).
    pub spbill_ip_label: &'static str,
    /// Note that merchant settings apply after a restart.
    pub restart_note: &'static str,
    /// The button that prints the printer's test page.
    pub print_test_page_button: &'static str,
    /// Shown for the printer when none is configured.
    pub printer_none: &'static str,
    /// Notice after the test page went to the printer.
    pub test_page_printed: &'static str,
    /// Notice when a manual check finds an order already recorded as paid.
    pub already_paid: &'static str,
    /// The awaiting screen's button that prints the checkout slip.
    pub print_slip_button: &'static str,
    /// Notice after the checkout slip went to the printer.
    pub slip_printed: &'static str,
    /// Notice when no printer is set and the slip was saved as a PDF; the path follows.
    pub slip_saved: &'static str,
    /// Label in front of the configured printer.
    pub printer_label: &'static str,
    /// Note that printer changes apply once saved, and the test page uses the saved ones.
    pub printer_unavailable: &'static str,
    /// Label of the language choice.
    pub language_label: &'static str,
    /// Checkbox for the customer display window.
    pub customer_display_label: &'static str,
    /// Note on how the customer display setting applies.
    pub customer_display_note: &'static str,
    /// The button that saves the settings.
    pub save_button: &'static str,
    /// The button that leaves the settings screen.
    pub back_button: &'static str,
    /// Shown while the settings are being saved.
    pub saving: &'static str,
    /// Notice after the settings were saved.
    pub settings_saved: &'static str,
    /// Label of the product name field.
    pub product_name_label: &'static str,
    /// Label of the product price field.
    pub product_price_label: &'static str,
    /// Label of the product barcode field.
    pub product_barcode_label: &'static str,
    /// Label of the product category field.
    pub product_category_label: &'static str,
    /// The button that starts a new product.
    pub new_product_button: &'static str,
    /// The button that saves the product being edited.
    pub save_product_button: &'static str,
    /// The button that deletes the product being edited.
    pub delete_product_button: &'static str,
    /// Notice after a product was saved.
    pub product_saved: &'static str,
    /// Notice after a product was deleted.
    pub product_deleted: &'static str,
    /// Label of the printer type choice.
    pub printer_kind_label: &'static str,
    /// Printer type: none.
    pub printer_kind_none: &'static str,
    /// Printer type: an ESC/POS thermal printer.
    pub printer_kind_escpos: &'static str,
    /// Printer type: a system printer that takes PDF.
    pub printer_kind_pdf: &'static str,
    /// Label of the ESC/POS connection choice.
    pub printer_connection_label: &'static str,
    /// Connection: network (raw TCP).
    pub printer_connection_tcp: &'static str,
    /// Connection: a device file.
    pub printer_connection_device: &'static str,
    /// Connection: a CUPS raw queue.
    pub printer_connection_cups: &'static str,
    /// Label of the network printer address field.
    pub printer_address_label: &'static str,
    /// Label of the device file field.
    pub printer_device_label: &'static str,
    /// Label of the CUPS raw queue field.
    pub printer_queue_label: &'static str,
    /// Label of the PDF printer queue field.
    pub printer_pdf_queue_label: &'static str,
    /// Label of the paper width choice.
    pub paper_width_label: &'static str,
    /// Label of the QR code form choice for ESC/POS.
    pub qr_mode_label: &'static str,
    /// QR form: drawn by the printer.
    pub qr_mode_native: &'static str,
    /// QR form: sent as an image.
    pub qr_mode_raster: &'static str,
    /// Checkbox: cut after each slip.
    pub printer_cut_label: &'static str,
    /// Checkbox: open the cash drawer.
    pub printer_drawer_label: &'static str,
    /// Checkbox: print receipts automatically.
    pub printer_auto_print_label: &'static str,
    /// Checkbox: check the printer's status around each job.
    pub printer_status_check_label: &'static str,
    /// Label of the receipt footer field.
    pub printer_footer_label: &'static str,
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
            manual_check_button,
            manual_check_title,
            manual_check_note,
            open_orders_title,
            open_orders_empty,
            check_payment_button,
            checking_payment,
            not_paid_yet,
            paid_title,
            transaction_id_label,
            out_trade_no_label,
            new_sale_button,
            reprint_receipts_button,
            dismiss_unprinted_button,
            order_closed,
            order_expired,
            command_queue_full,
            backend_stopped,
            barcode_label,
            barcode_hint,
            all_categories,
            uncategorized,
            search_label,
            catalogue_empty,
            cart_title,
            cart_empty,
            discount_label,
            subtotal_label,
            total_label,
            discount_too_large,
            keypad_clear,
            keypad_backspace,
            clear_cart_button,
            settings_button,
            waiting_for_payment,
            fullscreen_hint,
            customer_welcome,
            customer_amount,
            customer_thanks,
            settings_title,
            merchant_tab,
            printer_tab,
            display_tab,
            products_tab,
            shop_name_label,
            terminal_id_label,
            merchant_enabled_label,
            appid_label,
            mch_id_label,
            api_key_label,
            api_key_kept_hint,
            api_key_missing_hint,
            sign_type_label,
            gateway_url_label,
            notify_url_label,
            spbill_ip_label,
            restart_note,
            print_test_page_button,
            printer_none,
            test_page_printed,
            already_paid,
            print_slip_button,
            slip_printed,
            slip_saved,
            printer_label,
            printer_unavailable,
            language_label,
            customer_display_label,
            customer_display_note,
            save_button,
            back_button,
            saving,
            settings_saved,
            product_name_label,
            product_price_label,
            product_barcode_label,
            product_category_label,
            new_product_button,
            save_product_button,
            delete_product_button,
            product_saved,
            product_deleted,
            printer_kind_label,
            printer_kind_none,
            printer_kind_escpos,
            printer_kind_pdf,
            printer_connection_label,
            printer_connection_tcp,
            printer_connection_device,
            printer_connection_cups,
            printer_address_label,
            printer_device_label,
            printer_queue_label,
            printer_pdf_queue_label,
            paper_width_label,
            qr_mode_label,
            qr_mode_native,
            qr_mode_raster,
            printer_cut_label,
            printer_drawer_label,
            printer_auto_print_label,
            printer_status_check_label,
            printer_footer_label,
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
            manual_check_button,
            manual_check_title,
            manual_check_note,
            open_orders_title,
            open_orders_empty,
            check_payment_button,
            checking_payment,
            not_paid_yet,
            paid_title,
            transaction_id_label,
            out_trade_no_label,
            new_sale_button,
            reprint_receipts_button,
            dismiss_unprinted_button,
            order_closed,
            order_expired,
            command_queue_full,
            backend_stopped,
            barcode_label,
            barcode_hint,
            all_categories,
            uncategorized,
            search_label,
            catalogue_empty,
            cart_title,
            cart_empty,
            discount_label,
            subtotal_label,
            total_label,
            discount_too_large,
            keypad_clear,
            keypad_backspace,
            clear_cart_button,
            settings_button,
            waiting_for_payment,
            fullscreen_hint,
            customer_welcome,
            customer_amount,
            customer_thanks,
            settings_title,
            merchant_tab,
            printer_tab,
            display_tab,
            products_tab,
            shop_name_label,
            terminal_id_label,
            merchant_enabled_label,
            appid_label,
            mch_id_label,
            api_key_label,
            api_key_kept_hint,
            api_key_missing_hint,
            sign_type_label,
            gateway_url_label,
            notify_url_label,
            spbill_ip_label,
            restart_note,
            print_test_page_button,
            printer_none,
            test_page_printed,
            already_paid,
            print_slip_button,
            slip_printed,
            slip_saved,
            printer_label,
            printer_unavailable,
            language_label,
            customer_display_label,
            customer_display_note,
            save_button,
            back_button,
            saving,
            settings_saved,
            product_name_label,
            product_price_label,
            product_barcode_label,
            product_category_label,
            new_product_button,
            save_product_button,
            delete_product_button,
            product_saved,
            product_deleted,
            printer_kind_label,
            printer_kind_none,
            printer_kind_escpos,
            printer_kind_pdf,
            printer_connection_label,
            printer_connection_tcp,
            printer_connection_device,
            printer_connection_cups,
            printer_address_label,
            printer_device_label,
            printer_queue_label,
            printer_pdf_queue_label,
            paper_width_label,
            qr_mode_label,
            qr_mode_native,
            qr_mode_raster,
            printer_cut_label,
            printer_drawer_label,
            printer_auto_print_label,
            printer_status_check_label,
            printer_footer_label,
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
    reprint_receipts_button: "补打小票",
    dismiss_unprinted_button: "不再提示",
    manual_check_button: "转手工确认",
    manual_check_title: "转手工确认：查询订单",
    manual_check_note: "输入或选择商户订单号，向微信支付查询；只有微信支付确认已付款的订单才会记为已收款",
    open_orders_title: "待支付订单",
    open_orders_empty: "没有待支付的订单",
    check_payment_button: "查询支付结果",
    checking_payment: "正在向微信支付查询…",
    not_paid_yet: "微信支付尚未收到这笔付款，请顾客确认已付款后再查询",
    order_closed: "订单已取消",
    order_expired: "订单已过期，请重新收款",
    command_queue_full: "收银程序繁忙，操作没有执行，请稍后重试",
    backend_stopped: "后台服务已停止，请重新启动收银程序",
    barcode_label: "扫描条码",
    barcode_hint: "扫码枪扫描或输入条码后按回车",
    all_categories: "全部",
    uncategorized: "未分类",
    search_label: "搜索商品",
    catalogue_empty: "商品库是空的，请在设置的商品页添加商品",
    cart_title: "购物车",
    cart_empty: "扫描条码、点选商品或在右侧输入金额",
    discount_label: "整单优惠（元）",
    subtotal_label: "小计",
    total_label: "应收",
    discount_too_large: "优惠金额必须小于小计，请修改优惠",
    keypad_clear: "清除",
    keypad_backspace: "退格",
    clear_cart_button: "清空",
    settings_button: "设置",
    waiting_for_payment: "等待顾客扫码付款…",
    fullscreen_hint: "按 Esc 取消订单并返回收银界面",
    customer_welcome: "欢迎光临",
    customer_amount: "请支付",
    customer_thanks: "支付成功，谢谢惠顾",
    settings_title: "收银设置",
    merchant_tab: "商户",
    printer_tab: "打印",
    display_tab: "界面",
    products_tab: "商品管理",
    shop_name_label: "店铺名称",
    terminal_id_label: "终端号",
    merchant_enabled_label: "使用真实商户账号（不勾选为演示模式）",
    appid_label: "公众账号 AppID",
    mch_id_label: "商户号",
    api_key_label: "API 密钥",
    api_key_kept_hint: "已设置；留空则保持不变",
    api_key_missing_hint: "请输入 32 位 API 密钥",
    sign_type_label: "签名方式",
    gateway_url_label: "支付网关地址",
    notify_url_label: "支付通知地址（HTTPS）",
    spbill_ip_label: "服务器 IP",
    restart_note: "商户配置保存后，重新启动收银程序才会生效",
    print_test_page_button: "打印测试页",
    printer_none: "未配置（PDF 小票照常保存）",
    test_page_printed: "测试页已发送到打印机",
    already_paid: "这笔订单已经收款，请核对下面的微信支付单号和付款时间",
    print_slip_button: "打印结账单",
    slip_printed: "结账单已发送到打印机",
    slip_saved: "没有配置打印机，结账单已保存为 PDF",
    printer_label: "打印机：",
    printer_unavailable: "保存后立即生效。测试页使用已保存的设置，修改后请先保存（F9）",
    language_label: "语言",
    customer_display_label: "顾客显示屏：有第二块屏幕时在其上全屏显示金额和二维码",
    customer_display_note: "只有一块屏幕时，二维码在收银窗口全屏显示",
    save_button: "保存设置",
    back_button: "返回收银",
    saving: "正在保存…",
    settings_saved: "设置已保存",
    product_name_label: "商品名称",
    product_price_label: "价格（元）",
    product_barcode_label: "商品条码",
    product_category_label: "分类",
    new_product_button: "新增商品",
    save_product_button: "保存商品",
    delete_product_button: "删除商品",
    product_saved: "商品已保存",
    product_deleted: "商品已删除",
    printer_kind_label: "打印机类型",
    printer_kind_none: "不打印（只保存 PDF 小票）",
    printer_kind_escpos: "小票打印机（ESC/POS）",
    printer_kind_pdf: "系统打印机（PDF）",
    printer_connection_label: "连接方式",
    printer_connection_tcp: "网络",
    printer_connection_device: "USB/串口设备",
    printer_connection_cups: "CUPS 队列",
    printer_address_label: "打印机地址（IP 或 IP:端口，默认端口 9100）",
    printer_device_label: "设备文件（如 /dev/usb/lp0）",
    printer_queue_label: "CUPS 队列名",
    printer_pdf_queue_label: "打印机队列（留空使用系统默认打印机）",
    paper_width_label: "纸宽",
    qr_mode_label: "二维码打印方式",
    qr_mode_native: "打印机生成",
    qr_mode_raster: "图像（适用于老型号打印机）",
    printer_cut_label: "打印后切纸",
    printer_drawer_label: "支付成功后打开钱箱",
    printer_auto_print_label: "支付成功后自动打印小票",
    printer_status_check_label: "打印前后检查打印机状态（缺纸、开盖）",
    printer_footer_label: "小票底部文字",
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
    reprint_receipts_button: "Reprint",
    dismiss_unprinted_button: "Dismiss",
    manual_check_button: "Manual check",
    manual_check_title: "Manual payment check",
    manual_check_note: "Type or pick a merchant order number to ask WeChat Pay. An order is recorded as paid only when WeChat Pay confirms it.",
    open_orders_title: "Orders awaiting payment",
    open_orders_empty: "No order is awaiting payment.",
    check_payment_button: "Check payment",
    checking_payment: "Asking WeChat Pay…",
    not_paid_yet: "WeChat Pay has not received this payment. Ask the customer to confirm the payment, then check again.",
    order_closed: "The order was cancelled.",
    order_expired: "The order expired. Charge again.",
    command_queue_full: "The cashier is busy and did not run the action. Try again in a moment.",
    backend_stopped: "The background service has stopped. Restart the cashier app.",
    barcode_label: "Scan barcode",
    barcode_hint: "Scan, or type a code and press Enter",
    all_categories: "All",
    uncategorized: "Other",
    search_label: "Search products",
    catalogue_empty: "The catalogue is empty. Add products on the products page of the settings.",
    cart_title: "Cart",
    cart_empty: "Scan a barcode, tap a product, or type an amount on the right",
    discount_label: "Discount (yuan)",
    subtotal_label: "Subtotal",
    total_label: "Total",
    discount_too_large: "The discount must be less than the subtotal. Change the discount.",
    keypad_clear: "Clear",
    keypad_backspace: "Del",
    clear_cart_button: "Clear cart",
    settings_button: "Settings",
    waiting_for_payment: "Waiting for the customer to scan and pay…",
    fullscreen_hint: "Press Esc to cancel the order and go back",
    customer_welcome: "Welcome",
    customer_amount: "Please pay",
    customer_thanks: "Paid. Thank you!",
    settings_title: "Cashier settings",
    merchant_tab: "Merchant",
    printer_tab: "Printing",
    display_tab: "Display",
    products_tab: "Products",
    shop_name_label: "Shop name",
    terminal_id_label: "Terminal ID",
    merchant_enabled_label: "Use a real merchant account (off: demo mode)",
    appid_label: "AppID",
    mch_id_label: "Merchant ID",
    api_key_label: "API key",
    api_key_kept_hint: "Saved; leave empty to keep it",
    api_key_missing_hint: "Enter the 32-character API key",
    sign_type_label: "Signature type",
    gateway_url_label: "Gateway URL",
    notify_url_label: "Notification URL (HTTPS)",
    spbill_ip_label: "Server IP",
    restart_note: "Merchant settings take effect after the cashier app restarts",
    print_test_page_button: "Print test page",
    printer_none: "none configured (PDF receipts are still saved)",
    test_page_printed: "The test page was sent to the printer.",
    already_paid: "This order is already paid. Check the WeChat Pay transaction and payment time below.",
    print_slip_button: "Print checkout slip",
    slip_printed: "The checkout slip was sent to the printer.",
    slip_saved: "No printer is set, so the checkout slip was saved as a PDF.",
    printer_label: "Printer: ",
    printer_unavailable: "Changes apply as soon as they are saved. The test page uses the saved settings, so save (F9) after a change.",
    language_label: "Language",
    customer_display_label: "Customer display: show the amount and QR code full screen on a second monitor",
    customer_display_note: "With one monitor, the QR code fills the cashier window",
    save_button: "Save settings",
    back_button: "Back to sale",
    saving: "Saving…",
    settings_saved: "Settings saved",
    product_name_label: "Product name",
    product_price_label: "Price (yuan)",
    product_barcode_label: "Product barcode",
    product_category_label: "Category",
    new_product_button: "New product",
    save_product_button: "Save product",
    delete_product_button: "Delete product",
    product_saved: "Product saved",
    product_deleted: "Product deleted",
    printer_kind_label: "Printer type",
    printer_kind_none: "None (save PDF receipts only)",
    printer_kind_escpos: "Receipt printer (ESC/POS)",
    printer_kind_pdf: "System printer (PDF)",
    printer_connection_label: "Connection",
    printer_connection_tcp: "Network",
    printer_connection_device: "USB or serial device",
    printer_connection_cups: "CUPS queue",
    printer_address_label: "Printer address (IP or IP:port, port 9100 by default)",
    printer_device_label: "Device file (such as /dev/usb/lp0)",
    printer_queue_label: "CUPS queue name",
    printer_pdf_queue_label: "Printer queue (empty: the system's default printer)",
    paper_width_label: "Paper width",
    qr_mode_label: "QR code",
    qr_mode_native: "Drawn by the printer",
    qr_mode_raster: "Image (for older printers)",
    printer_cut_label: "Cut the paper after each slip",
    printer_drawer_label: "Open the cash drawer after each payment",
    printer_auto_print_label: "Print the receipt by itself after each payment",
    printer_status_check_label: "Check the printer's status around each job (paper out, cover open)",
    printer_footer_label: "Receipt footer",
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
        (Lang::ZhCn, AmountError::NotPositive) => "金额必须大于零，请重新输入".to_owned(),
        (Lang::En, AmountError::NotPositive) => "The amount must be greater than zero.".to_owned(),
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
        (Lang::ZhCn, Problem::CartNotSaved { .. }) => {
            "购物车没有保存到本地数据库，可以继续收款；如果程序意外退出，需要重新录入商品"
        }
        (Lang::En, Problem::CartNotSaved { .. }) => {
            "The cart was not saved to the local database. You can go on, but if the app stops, enter the items again."
        }
        (Lang::ZhCn, Problem::Printer { .. }) => "打印失败，请检查打印机电源、纸张和连接后重试",
        (Lang::En, Problem::Printer { .. }) => {
            "Printing failed. Check the printer's power, paper and cable, then try again."
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
        (Lang::ZhCn, "PAYERROR") => "顾客付款失败，订单已关闭。请重新收款，或请顾客换一种付款方式",
        (Lang::En, "PAYERROR") => {
            "The customer's payment failed and the order is closed. Charge again, or ask for another way to pay."
        }
        (Lang::ZhCn, "ORDERPAID") => "这笔订单已经支付，请勿重复收款",
        (Lang::En, "ORDERPAID") => "This order is already paid. Do not charge it again.",
        (Lang::ZhCn, "ORDERCLOSED") => "这笔订单已经关闭，请重新收款",
        (Lang::En, "ORDERCLOSED") => "This order is already closed. Charge again.",
        (Lang::ZhCn, "ORDERNOTEXIST") => {
            "微信支付查不到这个订单号，顾客没有为它付款。请核对订单号（以收银小票或顾客手机上的商户单号为准）"
        }
        (Lang::En, "ORDERNOTEXIST") => {
            "WeChat Pay has no order with this number, so nothing was paid for it. Check the number against the receipt or the customer's phone."
        }
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

/// Builds the error for a scanned code that no product has.
pub fn unknown_barcode_text(lang: Lang, barcode: &str) -> String {
    match lang {
        Lang::ZhCn => format!("条码 {barcode} 不在商品库中。请在设置的商品页添加，或直接输入金额"),
        Lang::En => format!(
            "No product has the barcode {barcode}. Add it on the products page of the settings, or type the amount."
        ),
    }
}

/// Builds the error for a scanned barcode whose product is off sale.
pub fn product_off_sale_text(lang: Lang, name: &str) -> String {
    match lang {
        Lang::ZhCn => format!("“{name}”已停售，没有加入购物车。可在设置的商品页重新开启"),
        Lang::En => format!(
            "{name} is off sale and was not added to the cart. Put it back on sale on the products page of the settings."
        ),
    }
}

/// Builds the label of the product editor's on-sale switch.
pub fn product_on_sale_label(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "在售（快捷键、条码和商品二维码可用）",
        Lang::En => "On sale (quick keys, barcode and product QR code)",
    }
}

/// Builds the suffix that marks an off-sale product in the catalogue list.
pub fn off_sale_suffix(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "（停售）",
        Lang::En => " (off sale)",
    }
}

/// Builds the accessible name of a cart line button, such as `增加 珍珠奶茶`.
pub fn cart_line_button_label(lang: Lang, action: CartLineAction, name: &str) -> String {
    let verb = match (lang, action) {
        (Lang::ZhCn, CartLineAction::Increase) => "增加",
        (Lang::ZhCn, CartLineAction::Decrease) => "减少",
        (Lang::ZhCn, CartLineAction::Remove) => "删除",
        (Lang::En, CartLineAction::Increase) => "Add one",
        (Lang::En, CartLineAction::Decrease) => "Remove one",
        (Lang::En, CartLineAction::Remove) => "Remove",
    };
    format!("{verb} {name}")
}

/// A button on a cart line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CartLineAction {
    Increase,
    Decrease,
    Remove,
}

/// Formats the number of products in the catalogue.
pub fn product_count_text(lang: Lang, count: usize) -> String {
    match lang {
        Lang::ZhCn => format!("共 {count} 件商品"),
        Lang::En => format!("{count} products"),
    }
}

/// Builds the error for settings that were not saved, naming the setting at fault. The
/// validation reason is English, so the Chinese text leaves it to the small print (see
/// [`settings_rejected_detail`]) rather than mixing languages in one sentence.
pub fn settings_rejected_text(lang: Lang, key: &str, reason: &str) -> String {
    let texts = lang.texts();
    let field_label = match key {
        "printer.address" => Some(texts.printer_address_label),
        "printer.device" => Some(texts.printer_device_label),
        "printer.queue" => Some(texts.printer_queue_label),
        "printer.paper_width_mm" => Some(texts.paper_width_label),
        "printer.footer" => Some(texts.printer_footer_label),
        "shop.name" => Some(texts.shop_name_label),
        "shop.terminal_id" => Some(texts.terminal_id_label),
        "merchant.appid" => Some(texts.appid_label),
        "merchant.mch_id" => Some(texts.mch_id_label),
        "merchant.api_key" => Some(texts.api_key_label),
        "merchant.gateway_url" => Some(texts.gateway_url_label),
        "merchant.notify_url" => Some(texts.notify_url_label),
        "merchant.spbill_create_ip" => Some(texts.spbill_ip_label),
        "manager.pin_hash" => Some(lang.manager_texts().manager_pin_label),
        _ => None,
    };
    let key = match field_label {
        Some(label) => format!("{label} ({key})"),
        None => key.to_owned(),
    };
    match (lang, key.is_empty()) {
        (Lang::ZhCn, false) => format!("设置没有保存：“{key}”无效。请修改后再保存"),
        (Lang::En, false) => {
            format!("Settings not saved: `{key}` is invalid ({reason}). Correct it and save again.")
        }
        (Lang::ZhCn, true) => "设置没有保存，请按下方的原因处理后重试".to_owned(),
        (Lang::En, true) => format!("Settings not saved: {reason}"),
    }
}

/// Returns the small print under [`settings_rejected_text`]: the validation reason, which the
/// Chinese text does not repeat inline.
pub fn settings_rejected_detail(lang: Lang, reason: &str) -> Option<String> {
    match lang {
        Lang::ZhCn if !reason.trim().is_empty() => Some(reason.to_owned()),
        _ => None,
    }
}

/// Builds the error for a product that was not saved, naming the field at fault.
pub fn product_rejected_text(lang: Lang, field: &str, detail: &str) -> String {
    let texts = lang.texts();
    let field_label = match field {
        "name" => texts.product_name_label,
        "price" => texts.product_price_label,
        "barcode" => texts.product_barcode_label,
        "category" => texts.product_category_label,
        _ => "",
    };
    match (lang, field_label.is_empty()) {
        (Lang::ZhCn, false) => format!("商品没有保存：“{field_label}”无效（{detail}）"),
        (Lang::En, false) => format!("Product not saved: {field_label} is invalid ({detail})."),
        (Lang::ZhCn, true) => format!("商品没有保存：{detail}"),
        (Lang::En, true) => format!("Product not saved: {detail}"),
    }
}

/// Formats the countdown until the paid screen starts a new sale by itself.
pub fn auto_return_text(lang: Lang, seconds_left: u64) -> String {
    match lang {
        Lang::ZhCn => format!("{seconds_left} 秒后自动开始新的收款"),
        Lang::En => format!("A new sale starts in {seconds_left} s"),
    }
}

/// Formats the warning for paid orders whose receipt did not print: how many, the oldest
/// order number, and what to do next.
pub fn receipts_not_printed_text(lang: Lang, count: usize, oldest: &str) -> String {
    match (lang, count) {
        (Lang::ZhCn, 1) => format!(
            "订单 {oldest} 已收款，但小票没有打印。请检查打印机电源、纸张和连接，然后按“补打小票”"
        ),
        (Lang::ZhCn, _) => format!(
            "{count} 笔已收款订单的小票没有打印（最早一笔 {oldest}）。请检查打印机电源、纸张和连接，然后按“补打小票”"
        ),
        (Lang::En, 1) => format!(
            "Order {oldest} is paid, but its receipt did not print. Check the printer's power, paper and cable, then press Reprint."
        ),
        (Lang::En, _) => format!(
            "The receipts of {count} paid orders did not print (the oldest is {oldest}). Check the printer's power, paper and cable, then press Reprint."
        ),
    }
}

/// Formats the notice for a paid product QR sale (Native mode 1) that the customer started by
/// scanning a printed code.
pub fn scan_sale_paid_text(lang: Lang, body: &str, amount: Fen) -> String {
    match lang {
        Lang::ZhCn => format!("扫码购买已付款：{body} ￥{amount}"),
        Lang::En => format!("Product QR sale paid: {body} ¥{amount}"),
    }
}

/// Names a refund's state for the manager, in the order's language.
pub fn refund_state_text(lang: Lang, state: RefundState) -> &'static str {
    match (lang, state) {
        (Lang::ZhCn, RefundState::Requested) => "已提交，结果未知",
        (Lang::En, RefundState::Requested) => "Sent, outcome unknown",
        (Lang::ZhCn, RefundState::Processing) => "退款处理中",
        (Lang::En, RefundState::Processing) => "Refund in progress",
        (Lang::ZhCn, RefundState::Success) => "退款成功",
        (Lang::En, RefundState::Success) => "Refunded",
        (Lang::ZhCn, RefundState::Change) => "退款异常，请到商户平台处理",
        (Lang::En, RefundState::Change) => {
            "Refund payout failed; settle it on the merchant platform"
        }
        (Lang::ZhCn, RefundState::RefundClose) => "退款已关闭，未退款",
        (Lang::En, RefundState::RefundClose) => "Refund closed, nothing refunded",
        (Lang::ZhCn, RefundState::Failed) => "退款失败，未退款",
        (Lang::En, RefundState::Failed) => "Refund failed, nothing refunded",
    }
}

/// Builds the message for a refund that did not go through: what happened and what to do
/// next. Gateway codes and database details are left out, as in [`problem_text`].
pub fn refund_error_text(lang: Lang, error: &RefundError) -> String {
    let zh = lang == Lang::ZhCn;
    match error {
        RefundError::NotConfigured => pick(
            zh,
            "没有配置商户API证书，不能退款。请在配置文件 [merchant] 中设置 cert_p12，或 cert_pem 和 key_pem",
            "Refunds need the merchant API certificate. Set cert_p12, or cert_pem and key_pem, in the [merchant] table of the configuration file.",
        ),
        RefundError::ReasonTooLong => pick(
            zh,
            "退款原因太长，最多80个字，请缩短后重试",
            "The refund reason is too long (80 characters at most). Shorten it and try again.",
        ),
        RefundError::Request(RefundRequestError::OrderNotFound { out_trade_no }) => {
            if zh {
                format!("找不到订单 {out_trade_no}，请核对商户订单号")
            } else {
                format!("Order {out_trade_no} is not found. Check the order number.")
            }
        }
        RefundError::Request(RefundRequestError::NotRefundable { out_trade_no, .. }) => {
            if zh {
                format!("订单 {out_trade_no} 未支付或已全额退款，不能退款")
            } else {
                format!("Order {out_trade_no} is not paid or is already fully refunded.")
            }
        }
        RefundError::Request(RefundRequestError::ZeroAmount) => pick(
            zh,
            "退款金额必须大于零",
            "The refund amount must be greater than zero.",
        ),
        RefundError::Request(RefundRequestError::OverRefund {
            out_trade_no,
            available,
            ..
        }) => {
            if zh {
                format!(
                    "退款金额超过订单 {out_trade_no} 的可退金额，最多还能退 {available} 元，本次未退款"
                )
            } else {
                format!(
                    "The amount is more than order {out_trade_no} has left to refund ({available} yuan at most). Nothing was refunded."
                )
            }
        }
        RefundError::Rejected { .. } => {
            let code = error.err_code().unwrap_or_default();
            let advice = rejected_text(lang, code);
            if zh {
                format!("微信支付拒绝了退款，没有退款。{advice}")
            } else {
                format!("WeChat Pay rejected the refund and no money moved. {advice}")
            }
        }
        RefundError::OutcomeUnknown { out_refund_no, .. }
        | RefundError::ReplyMismatch { out_refund_no, .. } => {
            if zh {
                format!(
                    "退款结果未知，金额已保留，请勿重复退款。稍后用“查询退款”（refund-query {out_refund_no}）确认结果"
                )
            } else {
                format!(
                    "The refund outcome is unknown and its amount stays reserved; do not refund again. Check it later with refund-query {out_refund_no}."
                )
            }
        }
        RefundError::Query(_) => pick(
            zh,
            "无法查询退款结果，请检查网络后重试",
            "Cannot query the refund. Check the network and try again.",
        ),
        RefundError::NotFound { number } => {
            if zh {
                format!("找不到退款单或订单 {number}，请核对单号")
            } else {
                format!("No refund or order numbered {number} is stored here. Check the number.")
            }
        }
        RefundError::Request(RefundRequestError::DuplicateOutRefundNo { .. })
        | RefundError::Request(RefundRequestError::Store(_))
        | RefundError::Store(_)
        | RefundError::TaskFailed(_) => pick(
            zh,
            "本地数据库出错，本次没有退款。请重试；如果仍然失败，请联系管理员",
            "The local database failed and nothing was refunded. Try again, and if it fails again, call the administrator.",
        ),
    }
}

fn pick(zh: bool, chinese: &str, english: &str) -> String {
    if zh { chinese } else { english }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_locale_tags_choose_chinese() {
        for tag in ["zh", "zh-CN", "zh-Hans-CN", "zh_CN.UTF-8", "zh-TW", "ZH-cn"] {
            assert_eq!(Lang::from_locale_tag(tag), Some(Lang::ZhCn), "{tag}");
        }
    }

    #[test]
    fn other_locale_tags_choose_english() {
        for tag in ["en-US", "en", "z", "ja-JP", "fr_FR.UTF-8", "en_US@euro"] {
            assert_eq!(Lang::from_locale_tag(tag), Some(Lang::En), "{tag:?}");
        }
    }

    #[test]
    fn posix_default_locale_names_no_language() {
        for tag in ["C", "C.UTF-8", "POSIX", ""] {
            assert_eq!(Lang::from_locale_tag(tag), None, "{tag:?}");
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
