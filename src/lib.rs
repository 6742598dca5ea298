//! wxpay-pos: a desktop cashier for WeChat Pay Native (QR code) payments.
//!
//! The layers, from the wire up: [`protocol`] (WeChat Pay v2 signatures, XML and messages),
//! [`gateway`] (the HTTP client), [`simulator`] (a local WeChat Pay gateway), [`store`]
//! (SQLite), [`orders`] (the order lifecycle), [`listener`] (payment notifications),
//! [`receipt`] (PDF receipts), [`reconcile`] (daily bill reconciliation), [`ui`] (the egui
//! cashier) and [`cli`].

pub mod app;
pub mod cli;
pub mod config;
pub mod error_text;
pub mod gateway;
pub mod i18n;
pub mod listener;
pub mod money;
pub mod orders;
pub mod pin;
pub mod printer;
pub mod protocol;
pub mod receipt;
pub mod reconcile;
pub mod report;
pub mod simulator;
pub mod store;
pub mod ui;
