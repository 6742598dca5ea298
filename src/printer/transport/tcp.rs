//! ESC/POS over a network printer's raw TCP port. Every step has a timeout: connecting,
//! each write, and each status reply, so a printer that is off, rejects the connection or
//! stops reading is reported within seconds.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use crate::printer::PrintError;
use crate::printer::status::{
    OFFLINE_CAUSE_REQUEST, PRINTER_STATUS_REQUEST, PrinterStatus, is_status_reply,
    parse_offline_cause, parse_printer_status,
};

/// Bytes handed to the socket per write, so a printer that stops reading is noticed within
/// one write timeout.
const WRITE_CHUNK_BYTES: usize = 4096;

/// Bytes read while looking for a status reply before giving up. A printer may send other
/// bytes first (an echo, or automatic status blocks when those are turned on).
const MAX_BYTES_BEFORE_STATUS: usize = 16;

/// Timeouts and checks for one job.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TcpJobOptions {
    pub(crate) connect_timeout: Duration,
    /// Maximum wait for one write or one status reply.
    pub(crate) io_timeout: Duration,
    /// Ask for the printer's status before the job and again after it (`DLE EOT`).
    pub(crate) status_check: bool,
}

/// Sends `job` to the printer at `address`.
///
/// With `status_check`, the printer must report itself online before the job is sent, and
/// must reply to a second status request after it. The second reply proves the printer read
/// the whole job, because it reads its input in order. Without `status_check`, a job
/// smaller than the socket buffers is reported sent once the local system took it, even if
/// the printer never reads it.
pub(crate) fn send(
    address: SocketAddr,
    job: &[u8],
    options: TcpJobOptions,
) -> Result<(), PrintError> {
    let target = address.to_string();
    let mut stream = connect(address, options.connect_timeout)?;
    let io_error = |source| PrintError::Disconnected {
        target: target.clone(),
        source,
    };
    stream.set_nodelay(true).map_err(io_error)?;
    stream
        .set_read_timeout(Some(options.io_timeout))
        .map_err(io_error)?;
    stream
        .set_write_timeout(Some(options.io_timeout))
        .map_err(io_error)?;

    if options.status_check {
        check_online(
            &mut stream,
            &target,
            options.io_timeout,
            StatusStage::BeforeJob,
        )?;
    }
    write_job(&mut stream, job, &target, options.io_timeout)?;
    if options.status_check {
        check_online(
            &mut stream,
            &target,
            options.io_timeout,
            StatusStage::AfterJob,
        )?;
    }

    // The printer has the job; a failed half-close changes nothing for it.
    let _ = stream.shutdown(Shutdown::Write);
    tracing::debug!(printer = %target, bytes = job.len(), "print job sent");
    Ok(())
}

fn connect(address: SocketAddr, timeout: Duration) -> Result<TcpStream, PrintError> {
    TcpStream::connect_timeout(&address, timeout).map_err(|source| match source.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => PrintError::ConnectTimeout {
            address,
            timeout_secs: timeout.as_secs(),
        },
        _ => PrintError::Connect { address, source },
    })
}

/// Writes `job` in chunks; a chunk that the printer does not take within `io_timeout` ends
/// the job as stalled.
fn write_job(
    stream: &mut TcpStream,
    job: &[u8],
    target: &str,
    io_timeout: Duration,
) -> Result<(), PrintError> {
    let mut rest = job;
    while !rest.is_empty() {
        let chunk_len = rest.len().min(WRITE_CHUNK_BYTES);
        match stream.write(&rest[..chunk_len]) {
            Ok(0) => {
                return Err(PrintError::Disconnected {
                    target: target.to_owned(),
                    source: io::ErrorKind::WriteZero.into(),
                });
            }
            Ok(written) => rest = &rest[written..],
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) if is_timeout(&err) => {
                return Err(PrintError::Stalled {
                    target: target.to_owned(),
                    timeout_secs: io_timeout.as_secs(),
                });
            }
            Err(source) => {
                return Err(PrintError::Disconnected {
                    target: target.to_owned(),
                    source,
                });
            }
        }
    }
    Ok(())
}

/// When a status request is made: a missing reply before the job means the printer does not
/// reply to status requests at all; after the job it means the printer stopped reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusStage {
    BeforeJob,
    AfterJob,
}

/// Asks for the printer status and, when the printer is offline, for the cause.
fn check_online(
    stream: &mut TcpStream,
    target: &str,
    io_timeout: Duration,
    stage: StatusStage,
) -> Result<(), PrintError> {
    let reply = request_status(stream, &PRINTER_STATUS_REQUEST, target, io_timeout, stage)?;
    if parse_printer_status(reply) == Some(PrinterStatus::Online) {
        return Ok(());
    }
    let cause_reply = request_status(stream, &OFFLINE_CAUSE_REQUEST, target, io_timeout, stage)?;
    Err(PrintError::Offline {
        target: target.to_owned(),
        cause: parse_offline_cause(cause_reply),
    })
}

/// Sends one `DLE EOT n` request and returns the first status byte that comes back.
fn request_status(
    stream: &mut TcpStream,
    request: &[u8],
    target: &str,
    io_timeout: Duration,
    stage: StatusStage,
) -> Result<u8, PrintError> {
    let no_reply = || match stage {
        StatusStage::BeforeJob => PrintError::NoStatusReply {
            target: target.to_owned(),
            timeout_secs: io_timeout.as_secs(),
        },
        StatusStage::AfterJob => PrintError::Stalled {
            target: target.to_owned(),
            timeout_secs: io_timeout.as_secs(),
        },
    };
    let lost = |source| PrintError::Disconnected {
        target: target.to_owned(),
        source,
    };

    match stream.write_all(request) {
        Ok(()) => {}
        Err(err) if is_timeout(&err) => return Err(no_reply()),
        Err(source) => return Err(lost(source)),
    }
    let mut byte = [0u8; 1];
    for _ in 0..MAX_BYTES_BEFORE_STATUS {
        match stream.read(&mut byte) {
            Ok(0) => return Err(lost(io::ErrorKind::UnexpectedEof.into())),
            Ok(_) if is_status_reply(byte[0]) => return Ok(byte[0]),
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) if is_timeout(&err) => return Err(no_reply()),
            Err(source) => return Err(lost(source)),
        }
    }
    Err(no_reply())
}

/// Checks for a socket timeout, which is `WouldBlock` on Unix and `TimedOut` on Windows.
fn is_timeout(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
