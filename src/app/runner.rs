//! Runs the cashier screen's commands against the order lifecycle and reports back.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, mpsc};

use super::Services;
use crate::gateway::GatewayError;
use crate::orders::{ChargeError, LifecycleError, PaymentService};
use crate::store::OrderState;
use crate::ui::bridge::{Command, Problem, RunnerBridge, Update};

/// How often the screen's order is re-read from the store, besides being woken by events.
pub const ORDER_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Joins an error and its sources as `outer: inner: root`.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Handles commands until the UI drops its sender. `repaint` wakes the UI after each update.
pub async fn run_commands(
    mut bridge: RunnerBridge,
    services: Arc<Services>,
    repaint: Arc<dyn Fn() + Send + Sync>,
) {
    while let Some(command) = bridge.commands.recv().await {
        tracing::debug!(?command, "cashier command");
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
            OrderState::Paid => Update::Paid {
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
