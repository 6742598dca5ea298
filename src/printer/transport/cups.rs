//! Jobs through the CUPS command-line client, `lp`: ESC/POS bytes to a raw queue, or a PDF
//! to any queue. The job goes to `lp` on standard input; `lp` that does not finish within
//! the timeout is killed.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::printer::PrintError;

/// Pause between checks of whether `lp` has exited.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Maximum wait for `lp`'s error output once it has exited.
const STDERR_WAIT: Duration = Duration::from_secs(1);

/// Most bytes of `lp`'s error output kept for the message.
const MAX_STDERR_BYTES: u64 = 2048;

/// Runs `command ARGS` with `job` on standard input and waits for it to exit successfully.
pub(crate) fn send(
    command: &str,
    args: &[&str],
    job: &[u8],
    timeout: Duration,
) -> Result<(), PrintError> {
    let mut child = Command::new(command)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| PrintError::LpSpawn {
            command: command.to_owned(),
            source,
        })?;

    // The job is written and the error output read on their own threads, so a child that
    // stops reading or fills its error pipe cannot block the timeout below. Neither thread is
    // joined: a process that `lp` started may keep the pipes open after `lp` exits or is
    // killed, and then the thread ends only when that process does.
    if let Some(mut stdin) = child.stdin.take() {
        let job = job.to_vec();
        thread::spawn(move || {
            // A write error means lp exited early; its exit status reports why.
            let _ = stdin.write_all(&job);
        });
    }
    let (stderr_sender, stderr_receiver) = mpsc::channel();
    if let Some(stderr) = child.stderr.take() {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.take(MAX_STDERR_BYTES).read_to_string(&mut text);
            let _ = stderr_sender.send(text);
        });
    }

    let status = wait_with_timeout(&mut child, command, timeout)?;
    let stderr = stderr_receiver
        .recv_timeout(STDERR_WAIT)
        .unwrap_or_default();

    if !status.success() {
        return Err(PrintError::LpFailed {
            command: command.to_owned(),
            status: status.to_string(),
            stderr: stderr.trim().to_owned(),
        });
    }
    tracing::debug!(command, ?args, bytes = job.len(), "print job queued");
    Ok(())
}

/// Waits for `child` to exit; kills it (and reaps it) when `timeout` passes first.
fn wait_with_timeout(
    child: &mut Child,
    command: &str,
    timeout: Duration,
) -> Result<std::process::ExitStatus, PrintError> {
    let started = Instant::now();
    let lost = |source| PrintError::LpSpawn {
        command: command.to_owned(),
        source,
    };
    loop {
        if let Some(status) = child.try_wait().map_err(lost)? {
            return Ok(status);
        }
        if started.elapsed() >= timeout {
            // The child may have exited in between; then kill fails and wait reaps it.
            let _ = child.kill();
            let _ = child.wait();
            return Err(PrintError::LpTimeout {
                command: command.to_owned(),
                timeout_secs: timeout.as_secs(),
            });
        }
        thread::sleep(POLL_INTERVAL);
    }
}
