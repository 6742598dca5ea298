//! The published v2 signature vectors and the self-generated vectors of the protocol
//! reference, each cross-checked there against two independent SDKs.

use wxpay_pos::protocol::sign::{sign, string_to_sign, verify};
use wxpay_pos::protocol::{ApiKey, Params, SignType};

const TEST_KEY: &str = "192006250b4c09247ec02edce69f6a2d";

fn params(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn key() -> ApiKey {
    ApiKey::new(TEST_KEY)
}

fn official_example() -> Params {
    params(&[
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ])
}

#[test]
fn official_example_md5() {
    let fields = official_example();
    assert_eq!(
        string_to_sign(&fields),
        "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA"
    );
    assert_eq!(
        sign(&fields, &key(), SignType::Md5),
        "9A0A8659F005D6984697E2CA0A9CF3B7"
    );
}

#[test]
fn official_example_hmac_sha256() {
    assert_eq!(
        sign(&official_example(), &key(), SignType::HmacSha256),
        "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
    );
}

#[test]
fn wechatpy_vectors() {
    let fields = params(&[("test1", "test1"), ("test2", "test2")]);
    assert_eq!(
        sign(&fields, &key(), SignType::Md5),
        "1E3A8D73B5A4AEE787C0F68B5DAB8520"
    );
    assert_eq!(
        sign(&fields, &key(), SignType::HmacSha256),
        "EDAC6D70D2FDF5A2382F8204FC96A1918017E46ACC5297F565ED1A7610ACF659"
    );
}

#[test]
fn single_field_vector() {
    assert_eq!(
        sign(&params(&[("a", "1")]), &key(), SignType::Md5),
        "05A8262EF14793F0004DE3EBB14AC453"
    );
}

#[test]
fn empty_set_vector() {
    // The published vector is md5("&key=…") in lower case. This signer leaves out the leading
    // '&' for an empty set (the WxJava and wechatpy form), so the hash is checked directly.
    use md5::{Digest, Md5};
    let digest = hex::encode(Md5::digest(b"&key=exposed_your_key_here_have_risks"));
    assert_eq!(digest, "b3d43c8390f26e2030d4d17bd580fbc8");
    assert_eq!(string_to_sign(&Params::new()), "");
}

fn unified_order_a() -> Params {
    params(&[
        ("appid", "wx2421b1c4370ec43b"),
        ("mch_id", "10000100"),
        ("nonce_str", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"),
        ("body", "腾讯充值中心-QQ会员充值"),
        ("attach", "a&b=c"),
        ("out_trade_no", "20150806125346"),
        ("total_fee", "888"),
        ("spbill_create_ip", "123.12.12.123"),
        ("notify_url", "http://www.weixin.qq.com/wxpay/pay.php"),
        ("trade_type", "NATIVE"),
        ("product_id", "12235413214070356458058"),
        ("time_start", "20091225091010"),
        ("time_expire", "20091227091010"),
        ("device_info", ""),
    ])
}

#[test]
fn vector_a_unifiedorder_md5() {
    let fields = unified_order_a();
    assert_eq!(
        string_to_sign(&fields),
        "appid=wx2421b1c4370ec43b&attach=a&b=c&body=腾讯充值中心-QQ会员充值&mch_id=10000100&nonce_str=5K8264ILTKCH16CQ2502SI8ZNMTM67VS&notify_url=http://www.weixin.qq.com/wxpay/pay.php&out_trade_no=20150806125346&product_id=12235413214070356458058&spbill_create_ip=123.12.12.123&time_expire=20091227091010&time_start=20091225091010&total_fee=888&trade_type=NATIVE"
    );
    assert_eq!(
        sign(&fields, &key(), SignType::Md5),
        "667DC2EF8A951995797941FEBD7D2459"
    );
}

#[test]
fn vector_a2_unifiedorder_hmac_with_sign_type() {
    let mut fields = unified_order_a();
    fields.insert("sign_type".into(), "HMAC-SHA256".into());
    let signature = sign(&fields, &key(), SignType::HmacSha256);
    assert_eq!(
        signature,
        "28CAC6EB63A52A1BDD3EF8E075E1DC1076464CC836F06ABD82C701F52FDCD518"
    );

    fields.insert("sign".into(), signature);
    assert_eq!(verify(&fields, &key()), Ok(SignType::HmacSha256));
}

#[test]
fn vector_b_mode1_link() {
    let fields = params(&[
        ("appid", "wx2421b1c4370ec43b"),
        ("mch_id", "10000100"),
        ("nonce_str", "f6808210402125e30663234f94c87a8c"),
        ("product_id", "1"),
        ("time_stamp", "1415949957"),
    ]);
    assert_eq!(
        sign(&fields, &key(), SignType::Md5),
        "62C618B41B3C5F9050AB94C0580DDA8E"
    );
}

#[test]
fn vector_c_mode1_callback_and_c2_reply() {
    let callback = params(&[
        ("appid", "wx8888888888888888"),
        ("openid", "o8GeHuLAsgefS_80exEr1cTqekUs"),
        ("mch_id", "1900000109"),
        ("is_subscribe", "Y"),
        ("nonce_str", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"),
        ("product_id", "88888"),
    ]);
    assert_eq!(
        sign(&callback, &key(), SignType::Md5),
        "E66998FAFE1B30D802462AB3BAF5C6C8"
    );

    let reply = params(&[
        ("return_code", "SUCCESS"),
        ("return_msg", ""),
        ("appid", "wx8888888888888888"),
        ("mch_id", "1900000109"),
        ("nonce_str", "IITRi8Iabbblz1Jc"),
        ("prepay_id", "wx201410272009395522657a690389285100"),
        ("result_code", "SUCCESS"),
        ("err_code_des", ""),
    ]);
    assert_eq!(
        sign(&reply, &key(), SignType::Md5),
        "120C9D4201C174651693FE2324B69D4D"
    );
}

#[test]
fn vector_d_notification_with_coupons_verifies() {
    let mut fields = params(&[
        ("appid", "wx2421b1c4370ec43b"),
        ("attach", "支付测试"),
        ("bank_type", "CFT"),
        ("cash_fee", "70"),
        ("coupon_count", "2"),
        ("coupon_fee", "30"),
        ("coupon_fee_0", "10"),
        ("coupon_fee_1", "20"),
        ("coupon_id_0", "10000"),
        ("coupon_id_1", "10001"),
        ("coupon_type_0", "CASH"),
        ("coupon_type_1", "NO_CASH"),
        ("fee_type", "CNY"),
        ("is_subscribe", "N"),
        ("mch_id", "10000100"),
        ("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c"),
        ("openid", "oUpF8uMEb4qRXf22hE3X68TekukE"),
        ("out_trade_no", "1409811653"),
        ("result_code", "SUCCESS"),
        ("return_code", "SUCCESS"),
        ("time_end", "20140903131540"),
        ("total_fee", "100"),
        ("trade_type", "NATIVE"),
        ("transaction_id", "1004400740201409030005092168"),
    ]);
    assert!(string_to_sign(&fields).starts_with(
        "appid=wx2421b1c4370ec43b&attach=支付测试&bank_type=CFT&cash_fee=70&coupon_count=2&coupon_fee=30&coupon_fee_0=10&coupon_fee_1=20&coupon_id_0=10000"
    ));
    fields.insert("sign".into(), "66A9B7072444BA3C76B0A2A92CE374AB".into());
    assert_eq!(verify(&fields, &key()), Ok(SignType::Md5));

    // Dropping an unknown-to-us indexed field breaks the signature: every field is covered.
    fields.remove("coupon_type_1");
    assert!(verify(&fields, &key()).is_err());
}

#[test]
fn vector_e_shorturl_signs_the_raw_long_url() {
    let long_url = "weixin://wxpay/bizpayurl?sign=62C618B41B3C5F9050AB94C0580DDA8E&appid=wx2421b1c4370ec43b&mch_id=10000100&product_id=1&time_stamp=1415949957&nonce_str=f6808210402125e30663234f94c87a8c";
    let fields = params(&[
        ("appid", "wx2421b1c4370ec43b"),
        ("mch_id", "10000100"),
        ("nonce_str", "ec2316275641faa3aacf3cc599e8730f"),
        ("long_url", long_url),
    ]);
    assert_eq!(
        sign(&fields, &key(), SignType::Md5),
        "76B7710F48F7774739C334F695DA9D44"
    );
}

#[test]
fn vector_f_orderquery_hmac() {
    let fields = params(&[
        ("appid", "wx2421b1c4370ec43b"),
        ("mch_id", "10000100"),
        ("nonce_str", "ec2316275641faa3aacf3cc599e8730f"),
        ("out_trade_no", "1415983244"),
        ("sign_type", "HMAC-SHA256"),
    ]);
    assert_eq!(
        sign(&fields, &key(), SignType::HmacSha256),
        "2F7F499B80FC737AFD90EAD274C7B55DC0615918B5CE23941BCDB38DA8579C7B"
    );
}

#[test]
fn vectors_g_h_i_j() {
    let getsignkey = params(&[
        ("mch_id", "1305638280"),
        ("nonce_str", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"),
    ]);
    assert_eq!(
        sign(&getsignkey, &key(), SignType::Md5),
        "0280FA67FABD908931934762D162895E"
    );

    let downloadbill = params(&[
        ("appid", "wx2421b1c4370ec43b"),
        ("mch_id", "10000100"),
        ("nonce_str", "21df7dc9cd8616b56919f20d9f679233"),
        ("bill_date", "20141110"),
        ("bill_type", "ALL"),
    ]);
    assert_eq!(
        sign(&downloadbill, &key(), SignType::Md5),
        "EACED4DF2125661537FEA38B687AA24A"
    );

    let closeorder = params(&[
        ("appid", "wx2421b1c4370ec43b"),
        ("mch_id", "10000100"),
        ("nonce_str", "4ca93f17ddf3443ceabf72f26d64fe0e"),
        ("out_trade_no", "1415983244"),
    ]);
    assert_eq!(
        sign(&closeorder, &key(), SignType::Md5),
        "8D2363E7A0948301A065F369DEB9011B"
    );

    let signed_ok = params(&[("return_code", "SUCCESS"), ("return_msg", "OK")]);
    assert_eq!(
        sign(&signed_ok, &key(), SignType::Md5),
        "BDB43B668D77AD759855B36C051949D1"
    );
}

#[test]
fn foreign_key_example_fails_verification() {
    let mut bizpayurl = params(&[
        ("appid", "wx2421b1c4370ec43b"),
        ("mch_id", "10000100"),
        ("nonce_str", "f6808210402125e30663234f94c87a8c"),
        ("product_id", "1"),
        ("time_stamp", "1415949957"),
    ]);
    bizpayurl.insert("sign".into(), "512F68131DD251DA4A45DA79CC7EFE9D".into());
    assert!(verify(&bizpayurl, &key()).is_err());
}
