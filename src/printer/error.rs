//! Errors of print jobs. Messages are for the cashier: Chinese first, then English, each
//! saying what to check; every failed job can be printed again.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use super::status::OfflineCause;
use crate::receipt::ReceiptError;

/// A print job that did not reach the printer, or that the printer did not take.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error(
        "未配置打印机：请在配置文件的 [printer] 中设置 kind。\
         No printer is configured: set `kind` in the [printer] table of the configuration file."
    )]
    NotConfigured,

    #[error("无法生成打印内容。Cannot build the print job.")]
    Render {
        #[source]
        source: ReceiptError,
    },

    #[error(
        "无法连接打印机 {address}：请确认打印机已开机并接好网线，然后重新打印。\
         Cannot connect to the printer at {address}: check that it is on and connected, then \
         print again."
    )]
    Connect {
        address: SocketAddr,
        #[source]
        source: io::Error,
    },

    #[error(
        "连接打印机 {address} 超时（{timeout_secs} 秒）：请确认打印机已开机、地址正确，然后重新打印。\
         Connecting to the printer at {address} timed out after {timeout_secs} s: check that it \
         is on and the address is right, then print again."
    )]
    ConnectTimeout {
        address: SocketAddr,
        timeout_secs: u64,
    },

    #[error(
        "与打印机 {target} 的连接中断：请检查打印机和线缆，然后重新打印。\
         The connection to the printer at {target} was lost: check the printer and its cable, \
         then print again."
    )]
    Disconnected {
        target: String,
        #[source]
        source: io::Error,
    },

    #[error(
        "打印机 {target} 在 {timeout_secs} 秒内没有接收数据：请检查纸张和机盖，然后重新打印。\
         The printer at {target} took no data for {timeout_secs} s: check the paper and the \
         cover, then print again."
    )]
    Stalled { target: String, timeout_secs: u64 },

    #[error(
        "打印机 {target} 没有回应状态查询（{timeout_secs} 秒）：请检查打印机；\
         若该型号不支持状态查询，请将 printer.status_check 设为 false。\
         The printer at {target} did not answer a status request within {timeout_secs} s: check \
         the printer, or set printer.status_check = false if it does not support status requests."
    )]
    NoStatusReply { target: String, timeout_secs: u64 },

    #[error("打印机 {target}：{}。Printer at {target} is offline; fix it, then print again.", cause.describe())]
    Offline { target: String, cause: OfflineCause },

    #[error(
        "无法打开打印机设备 {}：请确认打印机已连接、当前用户有写权限。\
         Cannot open the printer device {}: check that the printer is connected and this user \
         may write to the device.",
        path.display(), path.display()
    )]
    DeviceOpen {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "写入打印机设备 {} 失败：请检查打印机，然后重新打印。\
         Writing to the printer device {} failed: check the printer, then print again.",
        path.display(), path.display()
    )]
    DeviceWrite {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "无法运行打印命令 {command}：请安装 CUPS 客户端（cups-client）或设置 printer.lp_command。\
         Cannot run the print command {command}: install the CUPS client or set \
         printer.lp_command."
    )]
    LpSpawn {
        command: String,
        #[source]
        source: io::Error,
    },

    #[error(
        "打印命令 {command} 失败（{status}）：{stderr}。请检查 CUPS 队列，然后重新打印。\
         The print command {command} failed ({status}): {stderr}. Check the CUPS queue, then \
         print again."
    )]
    LpFailed {
        command: String,
        status: String,
        stderr: String,
    },

    #[error(
        "打印命令 {command} 在 {timeout_secs} 秒内没有结束，已停止：请检查 CUPS 服务，然后重新打印。\
         The print command {command} did not finish within {timeout_secs} s and was stopped: \
         check the CUPS service, then print again."
    )]
    LpTimeout { command: String, timeout_secs: u64 },

    #[error("打印任务意外中止，请重新打印。The print task stopped unexpectedly; print again.")]
    TaskFailed {
        #[source]
        source: tokio::task::JoinError,
    },
}

impl From<ReceiptError> for PrintError {
    fn from(source: ReceiptError) -> Self {
        PrintError::Render { source }
    }
}
