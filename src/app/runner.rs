//! Runs the cashier screen's commands against the order lifecycle and reports back.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc};

use super::{ManagerBackend, Services};
use crate::config::{MerchantSettings, Settings};
use crate::gateway::GatewayError;
use crate::money::Fen;
use crate::orders::{ChargeError, LifecycleError, PaymentService};
use crate::printer::PrinterSettings;
use crate::store::{CatalogueError, OrderState, ProductDraft, Store};
use crate::ui::bridge::{
    BRIDGE_CHANNEL_CAPACITY, Command, ManagerUpdate, OpenOrder, Problem, RunnerBridge,
    SettingsForm, Update,
};

/// How often the screen's order is re-read from the store, besides being woken by events.
pub const ORDER_POLL_INTERVAL: Duration = Duration::from_millis(100);

pub use crate::error_text::error_chain;

/// Handles commands until the UI drops its sender. `repaint` wakes the UI after each update.
///
/// Payment commands run concurrently. Catalogue, cart and settings commands run one at a time
/// in the order they were sent, so the last cart saved is the last cart edited.
/// `settings_file` is where [`Command::SaveSettings`] writes; without it the command is
/// rejected.
pub async fn run_commands(
    mut bridge: RunnerBridge,
    services: Arc<Services>,
    settings_file: Option<PathBuf>,
    repaint: Arc<dyn Fn() + Send + Sync>,
) {
    tokio::spawn(super::scan_sales::forward_scan_sales(
        Arc::clone(&services.service),
        bridge.updates.clone(),
        Arc::clone(&repaint),
    ));
    tokio::spawn(super::print_failures::forward_print_failures(
        Arc::clone(&services.service),
        bridge.updates.clone(),
        Arc::clone(&repaint),
    ));
    tokio::spawn(super::catalogue_watch::watch_catalogue(
        services.service.store().clone(),
        bridge.updates.clone(),
        Arc::clone(&repaint),
    ));
    let (store_commands, store_queue) = mpsc::channel(BRIDGE_CHANNEL_CAPACITY);
    let options = services.service.options();
    let manager = Arc::new(ManagerBackend::new(
        services.service.store().clone(),
        settings_file.clone(),
        options.receipt_dir.clone(),
        options.printer.clone(),
        options.merchant_name.clone(),
    ));
    tokio::spawn(run_store_commands(
        store_queue,
        Arc::clone(&services),
        settings_file,
        Reporter {
            updates: bridge.updates.clone(),
            repaint: Arc::clone(&repaint),
        },
    ));

    while let Some(command) = bridge.commands.recv().await {
        tracing::debug!(?command, "cashier command");
        if let Command::Manager(command) = command {
            manager.set_printer(services.service.printer());
            let manager = Arc::clone(&manager);
            let reporter = Reporter {
                updates: bridge.updates.clone(),
                repaint: Arc::clone(&repaint),
            };
            if super::manager::is_gateway_command(&command) {
                let service = Arc::clone(&services.service);
                tokio::spawn(async move {
                    let update = manager.handle_gateway(command, &service).await;
                    reporter.send(Update::Manager(update)).await;
                });
                continue;
            }
            tokio::spawn(async move {
                let answer = tokio::task::spawn_blocking(move || manager.handle(command)).await;
                match answer {
                    Ok(Some(update)) => reporter.send(Update::Manager(update)).await,
                    Ok(None) => {}
                    Err(err) => {
                        tracing::error!(error = %err, "manager command task failed");
                        let detail = err.to_string();
                        let update = ManagerUpdate::Failed { detail };
                        reporter.send(Update::Manager(update)).await;
                    }
                }
            });
            continue;
        }
        if is_store_command(&command) {
            if store_commands.send(command).await.is_err() {
                tracing::error!("the catalogue task stopped; catalogue commands are dropped");
            }
            continue;
        }
        let updates = bridge.updates.clone();
        let services = Arc::clone(&services);
        let repaint = Arc::clone(&repaint);
        // Each command runs on its own task so a slow gateway never blocks a cancel.
        tokio::spawn(async move {
            let reporter = Reporter { updates, repaint };
            run_command(command, &services, &reporter).await;
        });
    }
}

struct Reporter {
    updates: mpsc::Sender<Update>,
    repaint: Arc<dyn Fn() + Send + Sync>,
}

impl Reporter {
    async fn send(&self, update: Update) {
        if self.updates.send(update).await.is_err() {
            tracing::debug!("cashier screen is gone; update dropped");
        }
        (self.repaint)();
    }
}

async fn run_command(command: Command, services: &Services, reporter: &Reporter) {
    let service = &services.service;
    match command {
        Command::Charge { amount, body } => {
            // Subscribe before creating the order so no state change can slip past.
            let events = service.subscribe();
            match service.charge(amount, &body).await {
                Ok(order) => {
                    let out_trade_no = order.out_trade_no.clone();
                    reporter.send(Update::OrderCreated(order)).await;
                    watch_order(service, &out_trade_no, events, reporter).await;
                }
                Err(err) => reporter.send(Update::Failed(charge_problem(&err))).await,
            }
        }
        Command::Cancel { out_trade_no } => {
            if let Err(err) = service.cancel(&out_trade_no).await {
                reporter.send(Update::Failed(lifecycle_problem(&err))).await;
            }
        }
        Command::PrintCheckoutSlip { out_trade_no } => {
            let update = match service.print_checkout_slip(&out_trade_no).await {
                Ok(crate::orders::SlipOutput::Printed) => Update::SlipPrinted { saved_to: None },
                Ok(crate::orders::SlipOutput::Saved(path)) => Update::SlipPrinted {
                    saved_to: Some(path.display().to_string()),
                },
                Err(err) => Update::Failed(Problem::Printer {
                    detail: error_chain(&err),
                }),
            };
            reporter.send(update).await;
        }
        Command::ListOpenOrders => {
            let store = service.store().clone();
            let listed = tokio::task::spawn_blocking(move || store.open_orders()).await;
            let update = match listed {
                Ok(Ok(orders)) => Update::OpenOrders(
                    orders
                        .into_iter()
                        .rev()
                        .map(|order| OpenOrder {
                            out_trade_no: order.out_trade_no,
                            amount: order.total_fee,
                            body: order.body,
                        })
                        .collect(),
                ),
                Ok(Err(err)) => Update::Failed(Problem::Storage {
                    detail: error_chain(&err),
                }),
                Err(err) => Update::Failed(Problem::Storage {
                    detail: err.to_string(),
                }),
            };
            reporter.send(update).await;
        }
        Command::CheckPayment { out_trade_no } => {
            // An order already recorded as paid is reported with its transaction and payment
            // time, so that the cashier does not take an earlier payment for a new one.
            if let Ok(Some(order)) = service.order(&out_trade_no).await
                && matches!(
                    order.state,
                    OrderState::Paid | OrderState::PartlyRefunded | OrderState::Refunded
                )
            {
                let store = service.store().clone();
                let key = out_trade_no.clone();
                let time_end = tokio::task::spawn_blocking(move || store.payment_time_end(&key))
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .flatten()
                    .and_then(|text| crate::protocol::messages::parse_protocol_time(&text))
                    .map(|time| {
                        time.with_timezone(&crate::protocol::messages::beijing())
                            .format("%Y-%m-%d %H:%M:%S")
                            .to_string()
                    })
                    .unwrap_or_default();
                reporter
                    .send(Update::AlreadyPaid {
                        out_trade_no,
                        transaction_id: order.transaction_id.unwrap_or_default(),
                        paid_at: time_end,
                    })
                    .await;
                return;
            }
            match service.check_payment(&out_trade_no).await {
                Ok((state, trade_state)) if state.is_open() => {
                    let trade_state = trade_state
                        .map(|trade_state| trade_state.as_str().to_owned())
                        .unwrap_or_else(|| "ORDERNOTEXIST".to_owned());
                    reporter
                        .send(Update::NotPaidYet {
                            out_trade_no,
                            trade_state,
                        })
                        .await;
                }
                Ok((OrderState::Paid, _)) => {
                    // Sent here too because the order may not be the one a watcher follows.
                    if let Ok(Some(order)) = service.order(&out_trade_no).await {
                        reporter
                            .send(Update::Paid {
                                out_trade_no: order.out_trade_no,
                                transaction_id: order.transaction_id.unwrap_or_default(),
                                amount: order.total_fee,
                            })
                            .await;
                    }
                }
                Ok((state, _)) => {
                    reporter
                        .send(Update::Failed(Problem::NotAllowed {
                            detail: format!("order {out_trade_no} is {}", state.as_str()),
                        }))
                        .await;
                }
                Err(err) => reporter.send(Update::Failed(lifecycle_problem(&err))).await,
            }
        }
        Command::SimulatePay { out_trade_no } => {
            let Some(simulator) = &services.simulator else {
                let detail = "simulated payment is only available in demo mode".to_owned();
                reporter
                    .send(Update::Failed(Problem::NotAllowed { detail }))
                    .await;
                return;
            };
            if let Err(err) = simulator.pay(&out_trade_no) {
                reporter
                    .send(Update::Failed(Problem::NotAllowed {
                        detail: error_chain(&err),
                    }))
                    .await;
            }
        }
        Command::PrintTestPage => {
            let printer = service.printer();
            let update = if !printer.is_enabled() {
                Update::Failed(Problem::Printer {
                    detail: "no printer is configured in [printer]".into(),
                })
            } else {
                match crate::printer::print_test_page(&printer).await {
                    Ok(()) => Update::TestPagePrinted,
                    Err(err) => Update::Failed(Problem::Printer {
                        detail: error_chain(&err),
                    }),
                }
            };
            reporter.send(update).await;
        }
        Command::ReprintReceipt { out_trade_no } => {
            let update = match service.reprint_receipt(&out_trade_no).await {
                Ok(()) => Update::ReceiptReprinted { out_trade_no },
                Err(err) => {
                    let detail = error_chain(&err);
                    tracing::warn!(%out_trade_no, error = %detail, "cannot print the receipt again");
                    Update::ReceiptNotPrinted {
                        out_trade_no,
                        detail,
                    }
                }
            };
            reporter.send(update).await;
        }
        Command::LoadCatalogue
        | Command::SaveCart(_)
        | Command::SaveProduct(_)
        | Command::DeleteProduct { .. }
        | Command::SaveSettings(_)
        | Command::Manager(_) => {
            tracing::error!("catalogue command reached the payment task; it was dropped");
        }
    }
}

/// Follows one order until it leaves the open states, woken by committed events and
/// re-reading the store every [`ORDER_POLL_INTERVAL`], then reports the final state.
async fn watch_order(
    service: &Arc<PaymentService>,
    out_trade_no: &str,
    mut events: broadcast::Receiver<crate::orders::OrderEvent>,
    reporter: &Reporter,
) {
    let mut poll = tokio::time::interval(ORDER_POLL_INTERVAL);
    loop {
        tokio::select! {
            _ = poll.tick() => {}
            event = events.recv() => match event {
                Ok(event) if event.out_trade_no != out_trade_no => continue,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
        let order = match service.order(out_trade_no).await {
            Ok(Some(order)) => order,
            Ok(None) => return,
            Err(err) => {
                tracing::error!(out_trade_no, error = %err, "cannot read the order being watched");
                continue;
            }
        };
        let update = match order.state {
            OrderState::Created | OrderState::AwaitingPayment | OrderState::Unknown => continue,
            OrderState::Paid | OrderState::PartlyRefunded | OrderState::Refunded => Update::Paid {
                out_trade_no: order.out_trade_no,
                transaction_id: order.transaction_id.unwrap_or_default(),
                amount: order.total_fee,
            },
            OrderState::Closed => Update::Closed {
                out_trade_no: order.out_trade_no,
            },
            OrderState::Expired => Update::Expired {
                out_trade_no: order.out_trade_no,
            },
            OrderState::Failed => Update::Failed(Problem::GatewayRejected {
                code: "PAYERROR".into(),
                message: "payment failed".into(),
            }),
        };
        reporter.send(update).await;
        return;
    }
}

fn gateway_problem(err: &GatewayError) -> Problem {
    if let GatewayError::Reply { source, .. } = err {
        use crate::protocol::reply::ReplyError;
        match source {
            ReplyError::BusinessFail {
                err_code,
                err_code_des,
            } => {
                return Problem::GatewayRejected {
                    code: err_code.clone(),
                    message: err_code_des.clone(),
                };
            }
            ReplyError::ProtocolFail { return_msg } => {
                return Problem::GatewayRejected {
                    code: "FAIL".into(),
                    message: return_msg.clone(),
                };
            }
            _ => {}
        }
    }
    if err.is_transient() {
        Problem::GatewayUnreachable {
            detail: error_chain(err),
        }
    } else {
        Problem::GatewayRejected {
            code: "INVALID_REPLY".into(),
            message: error_chain(err),
        }
    }
}

fn charge_problem(err: &ChargeError) -> Problem {
    match err {
        ChargeError::Gateway { source, .. } => gateway_problem(source),
        ChargeError::EmptyBody => Problem::NotAllowed {
            detail: err.to_string(),
        },
        ChargeError::Lifecycle(inner) => lifecycle_problem(inner),
    }
}

fn lifecycle_problem(err: &LifecycleError) -> Problem {
    match err {
        LifecycleError::Gateway(source) => gateway_problem(source),
        LifecycleError::Store(_) | LifecycleError::TaskFailed(_) => Problem::Storage {
            detail: error_chain(err),
        },
        LifecycleError::Confirm(_) | LifecycleError::IncompletePayment { .. } => {
            Problem::GatewayRejected {
                code: "INVALID_PAYMENT".into(),
                message: error_chain(err),
            }
        }
    }
}

/// True for the commands that [`run_store_commands`] runs in order.
fn is_store_command(command: &Command) -> bool {
    matches!(
        command,
        Command::LoadCatalogue
            | Command::SaveCart(_)
            | Command::SaveProduct(_)
            | Command::DeleteProduct { .. }
            | Command::SaveSettings(_)
    )
}

/// Runs catalogue, cart and settings commands one at a time, each on the blocking pool
/// because SQLite and file writes block.
async fn run_store_commands(
    mut queue: mpsc::Receiver<Command>,
    services: Arc<Services>,
    settings_file: Option<PathBuf>,
    reporter: Reporter,
) {
    let demo_mode = services.is_demo();
    while let Some(command) = queue.recv().await {
        let service = Arc::clone(&services.service);
        let settings_file = settings_file.clone();
        let task = tokio::task::spawn_blocking(move || {
            run_store_command(command, &service, demo_mode, settings_file.as_deref())
        });
        let updates = match task.await {
            Ok(updates) => updates,
            Err(err) => {
                tracing::error!(error = %err, "catalogue command task failed");
                vec![Update::Failed(Problem::Storage {
                    detail: err.to_string(),
                })]
            }
        };
        for update in updates {
            reporter.send(update).await;
        }
    }
}

fn run_store_command(
    command: Command,
    service: &PaymentService,
    demo_mode: bool,
    settings_file: Option<&std::path::Path>,
) -> Vec<Update> {
    let store = service.store();
    match command {
        Command::LoadCatalogue => load_catalogue(store, demo_mode),
        Command::SaveCart(cart) => match store.save_cart(&cart) {
            Ok(()) => Vec::new(),
            Err(err) => {
                tracing::error!(error = %error_chain(&err), "cannot save the cart");
                vec![Update::Failed(Problem::CartNotSaved {
                    detail: error_chain(&err),
                })]
            }
        },
        Command::SaveProduct(draft) => match store.save_product(&draft) {
            Ok(product) => vec![Update::ProductSaved(product)],
            Err(err) => vec![product_rejected(&err)],
        },
        Command::DeleteProduct { id } => match store.delete_product(id) {
            Ok(()) => vec![Update::ProductDeleted { id }],
            Err(err) => vec![product_rejected(&err)],
        },
        Command::SaveSettings(form) => match save_settings(&form, settings_file) {
            Ok(printer) => {
                // The printer applies at once; the merchant account waits for a restart.
                let printer_summary = printer.is_enabled().then(|| printer.target_description());
                service.set_printer(printer);
                vec![Update::SettingsSaved { printer_summary }]
            }
            Err(rejected) => vec![rejected],
        },
        Command::Charge { .. }
        | Command::Cancel { .. }
        | Command::SimulatePay { .. }
        | Command::CheckPayment { .. }
        | Command::ListOpenOrders
        | Command::PrintCheckoutSlip { .. }
        | Command::PrintTestPage
        | Command::ReprintReceipt { .. }
        | Command::Manager(_) => Vec::new(),
    }
}

/// Loads the catalogue and the saved cart. In demo mode an empty catalogue is first filled
/// with [`DEMO_PRODUCTS`], so the quick keys and the scanner can be tried at once.
fn load_catalogue(store: &Store, demo_mode: bool) -> Vec<Update> {
    let mut updates = Vec::new();
    let mut products = match store.products() {
        Ok(products) => products,
        Err(err) => {
            return vec![Update::Failed(Problem::Storage {
                detail: error_chain(&err),
            })];
        }
    };
    if demo_mode && products.is_empty() {
        let drafts: Vec<ProductDraft> = DEMO_PRODUCTS
            .iter()
            .map(|(name, fen, barcode, category)| ProductDraft {
                id: None,
                name: (*name).to_owned(),
                price: Fen(*fen),
                barcode: Some((*barcode).to_owned()),
                category: (*category).to_owned(),
                enabled: true,
            })
            .collect();
        match store.insert_products(&drafts).map(|_| store.products()) {
            Ok(Ok(seeded)) => products = seeded,
            Ok(Err(err)) => {
                tracing::warn!(error = %error_chain(&err), "cannot reload the demo products")
            }
            Err(err) => tracing::warn!(error = %error_chain(&err), "cannot add the demo products"),
        }
    }
    updates.push(Update::CatalogueLoaded { products });

    match store.saved_cart() {
        Ok(Some(cart)) => updates.push(Update::CartRestored(cart)),
        Ok(None) => {}
        Err(err) => updates.push(Update::Failed(Problem::CartNotSaved {
            detail: error_chain(&err),
        })),
    }
    updates
}

/// Products added to an empty catalogue in demo mode: name, price in fen, barcode, category.
const DEMO_PRODUCTS: &[(&str, i64, &str, &str)] = &[
    ("珍珠奶茶", 1200, "6901234567892", "饮品"),
    ("柠檬红茶", 900, "6901234567908", "饮品"),
    ("美式咖啡", 1500, "6901234567915", "饮品"),
    ("矿泉水", 200, "6901234567922", "饮品"),
    ("牛角面包", 800, "6901234567939", "点心"),
    ("蛋挞", 650, "6901234567946", "点心"),
    ("三明治", 1800, "6901234567953", "点心"),
];

fn product_rejected(err: &CatalogueError) -> Update {
    let field = match err {
        CatalogueError::Invalid { field, .. } => (*field).to_owned(),
        CatalogueError::DuplicateBarcode { .. } => "barcode".to_owned(),
        CatalogueError::NotFound { .. } | CatalogueError::Store(_) => String::new(),
    };
    Update::ProductRejected {
        field,
        detail: error_chain(err),
    }
}

/// Applies the settings form to the configuration file at `path` and writes it. An empty
/// API key in the form keeps the key already in the file.
/// Writes the form to the configuration file and returns the checked printer settings, or
/// the [`Update::SettingsRejected`] to show.
fn save_settings(
    form: &SettingsForm,
    path: Option<&std::path::Path>,
) -> Result<PrinterSettings, Update> {
    let Some(path) = path else {
        return Err(Update::SettingsRejected {
            key: String::new(),
            reason: "no configuration file is set for this window".to_owned(),
        });
    };
    let mut settings = match std::fs::read_to_string(path) {
        Ok(text) => match Settings::parse(&text) {
            Ok(settings) => settings,
            Err(err) => return Err(settings_rejected(&err)),
        },
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Settings::default(),
        Err(err) => {
            return Err(Update::SettingsRejected {
                key: String::new(),
                reason: format!("cannot read {}: {err}", path.display()),
            });
        }
    };

    settings.shop.name = form.shop_name.trim().to_owned();
    settings.shop.terminal_id = form.terminal_id.trim().to_owned();
    settings.ui.language = Some(form.language);
    settings.ui.customer_display = form.customer_display;
    settings.printer =
        PrinterSettings::try_from(form.printer_config()).map_err(|err| settings_rejected(&err))?;
    if !form.manager_pin.is_empty() {
        match crate::pin::hash_pin(&form.manager_pin) {
            Ok(pin_hash) => settings.manager.pin_hash = pin_hash,
            Err(err) => {
                return Err(Update::SettingsRejected {
                    key: "manager.pin_hash".to_owned(),
                    reason: err.to_string(),
                });
            }
        }
    }
    settings.merchant = if form.merchant_enabled {
        let saved_key = settings.merchant.as_ref().map(|m| m.api_key.clone());
        // The form has no field for it, so a saved scan_url is kept.
        let saved_scan_url = settings.merchant.as_ref().and_then(|m| m.scan_url.clone());
        let api_key = if form.api_key.is_empty() {
            saved_key.unwrap_or_default()
        } else {
            form.api_key.clone()
        };
        let saved = settings.merchant.as_ref();
        // The screen does not edit the refund keys, so the file's values are kept.
        let saved_path = |pick: fn(&MerchantSettings) -> Option<PathBuf>| saved.and_then(pick);
        Some(MerchantSettings {
            secapi_url: saved.and_then(|m| m.secapi_url.clone()),
            gateway_ca_pem: saved_path(|m| m.gateway_ca_pem.clone()),
            cert_p12: saved_path(|m| m.cert_p12.clone()),
            cert_pem: saved_path(|m| m.cert_pem.clone()),
            key_pem: saved_path(|m| m.key_pem.clone()),
            refund_notify_url: saved.and_then(|m| m.refund_notify_url.clone()),
            appid: form.appid.trim().to_owned(),
            mch_id: form.mch_id.trim().to_owned(),
            api_key,
            sign_type: form.sign_type,
            gateway_url: form.gateway_url.trim().to_owned(),
            notify_url: form.notify_url.trim().to_owned(),
            spbill_create_ip: form.spbill_create_ip.trim().to_owned(),
            scan_url: saved_scan_url,
        })
    } else {
        None
    };

    match settings.save(path) {
        Ok(()) => {
            tracing::info!(path = %path.display(), "settings saved");
            Ok(settings.printer)
        }
        Err(err) => Err(settings_rejected(&err)),
    }
}

fn settings_rejected(err: &crate::config::ConfigError) -> Update {
    match err {
        crate::config::ConfigError::Invalid { key, reason } => Update::SettingsRejected {
            key: (*key).to_owned(),
            reason: reason.clone(),
        },
        other => Update::SettingsRejected {
            key: String::new(),
            reason: error_chain(other),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pin::verify_pin;

    fn form(manager_pin: &str) -> SettingsForm {
        SettingsForm {
            manager_pin: manager_pin.to_owned(),
            ..SettingsForm::from_settings(&Settings::default(), crate::i18n::Lang::ZhCn)
        }
    }

    fn saved_pin_hash(path: &std::path::Path) -> String {
        let text = std::fs::read_to_string(path).unwrap();
        Settings::parse(&text).unwrap().manager.pin_hash
    }

    #[test]
    fn manager_pin_is_saved_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");

        assert!(save_settings(&form("1357"), Some(&path)).is_ok());
        let hash = saved_pin_hash(&path);
        assert!(!std::fs::read_to_string(&path).unwrap().contains("1357"));
        assert_eq!(verify_pin("1357", &hash), Ok(true));

        // An empty PIN in the form keeps the saved one.
        assert!(save_settings(&form(""), Some(&path)).is_ok());
        assert_eq!(saved_pin_hash(&path), hash);
    }

    #[test]
    fn malformed_manager_pin_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        assert!(save_settings(&form("1357"), Some(&path)).is_ok());
        let before = std::fs::read_to_string(&path).unwrap();

        let update = save_settings(&form("12a"), Some(&path));
        assert!(matches!(
            update,
            Err(Update::SettingsRejected { ref key, .. }) if key == "manager.pin_hash"
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    }
}
