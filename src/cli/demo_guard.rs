//! Keeps one-shot commands off the demo gateway while the till runs it.
//!
//! In demo mode each command starts its own embedded gateway from the demo gateway's saved
//! trades. While the till runs, the till has locked that file, so the command's gateway keeps
//! its changes in memory. An order charged or a refund made there would be recorded locally
//! but unknown to the till's gateway, and a query could report a till order as not existing.
//! Such commands therefore stop before they contact the gateway.

use std::process::ExitCode;

use crate::app::Services;

/// Returns a failure exit, after printing why, when this command runs a demo gateway that
/// the till has locked; `None` otherwise. `zh` and `en` name what was not done.
pub(super) fn reject_while_till_runs(services: &Services, zh: &str, en: &str) -> Option<ExitCode> {
    let busy = services
        .simulator
        .as_ref()
        .is_some_and(|simulator| !simulator.state().is_persistent());
    if !busy {
        return None;
    }
    eprintln!("演示模式：收银台正在使用演示网关，{zh}。请在收银台操作，或先关闭收银台");
    eprintln!(
        "Demo mode: the running till is using the demo gateway, so {en}. Use the till, or close it first."
    );
    Some(ExitCode::FAILURE)
}
