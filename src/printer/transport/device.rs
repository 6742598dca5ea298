//! ESC/POS to a device file such as `/dev/usb/lp0`. The file is opened non-blocking, so a
//! printer that is unplugged or stops taking data is reported after the I/O timeout instead
//! of holding a thread forever.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::printer::PrintError;

/// Pause between attempts while the device's buffer is full.
const RETRY_INTERVAL: Duration = Duration::from_millis(10);

/// Writes `job` to the device file at `path`. A device that takes no bytes for `io_timeout`
/// ends the job as stalled.
///
/// The file is opened for appending and never created, so a wrong path fails instead of
/// filling a new file. On Unix a FIFO with no reader fails at once (`ENXIO`).
pub(crate) fn send(path: &Path, job: &[u8], io_timeout: Duration) -> Result<(), PrintError> {
    let mut file = open(path).map_err(|source| PrintError::DeviceOpen {
        path: path.to_path_buf(),
        source,
    })?;

    let mut rest = job;
    let mut last_progress = Instant::now();
    while !rest.is_empty() {
        match file.write(rest) {
            Ok(0) => {
                return Err(PrintError::DeviceWrite {
                    path: path.to_path_buf(),
                    source: io::ErrorKind::WriteZero.into(),
                });
            }
            Ok(written) => {
                rest = &rest[written..];
                last_progress = Instant::now();
            }
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                if last_progress.elapsed() >= io_timeout {
                    return Err(PrintError::Stalled {
                        target: path.display().to_string(),
                        timeout_secs: io_timeout.as_secs(),
                    });
                }
                std::thread::sleep(RETRY_INTERVAL);
            }
            Err(source) => {
                return Err(PrintError::DeviceWrite {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
    }
    tracing::debug!(device = %path.display(), bytes = job.len(), "print job written");
    Ok(())
}

#[cfg(unix)]
fn open(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .append(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

/// NOTE: without `O_NONBLOCK` (Windows), a device that stops taking data blocks the print
/// thread until the system's own timeout; the cashier screen is not blocked.
#[cfg(not(unix))]
fn open(path: &Path) -> io::Result<File> {
    OpenOptions::new().append(true).open(path)
}
