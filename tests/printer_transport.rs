//! Jobs sent to printers that this test sets up itself: a virtual network printer on
//! 127.0.0.1, a temporary file and a FIFO as device files, and a stand-in `lp` script. Each
//! printer fault must end the job with a clear error within a few seconds, and the same job
//! must print identically when it is sent again.

mod printer_support;

use std::fs;
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use printer_support::{
    Behaviour, Command, ONLINE, VirtualPrinter, decode, paid_model, printed_lines,
    stored_qr_payloads,
};
use wxpay_pos::printer::status::OfflineCause;
use wxpay_pos::printer::{
    ConnectionKind, PrintError, PrintJob, PrinterConfig, PrinterKind, PrinterSettings, QrMode,
    TEST_PAGE_QR_PAYLOAD, encode_receipt, escpos_options, print_receipt, print_receipt_blocking,
    print_test_page, send_job_blocking,
};

const SHORT_LINK: &str = "weixin://wxpay/s/An4baqw";

/// Maximum time a faulty printer may hold a job in these tests: the 1 s I/O timeout they set,
/// with room for a slow machine.
const FAULT_DEADLINE: Duration = Duration::from_secs(4);

fn escpos_config() -> PrinterConfig {
    PrinterConfig {
        kind: PrinterKind::Escpos,
        connect_timeout_secs: 1,
        io_timeout_secs: 1,
        ..PrinterConfig::default()
    }
}

fn tcp_settings(address: std::net::SocketAddr, status_check: bool) -> PrinterSettings {
    PrinterSettings::try_from(PrinterConfig {
        address: address.to_string(),
        status_check,
        ..escpos_config()
    })
    .unwrap()
}

/// Returns the commands of a job with the status requests taken out.
fn without_status_requests(commands: Vec<Command>) -> Vec<Command> {
    commands
        .into_iter()
        .filter(|command| !matches!(command, Command::StatusRequest(_)))
        .collect()
}

fn assert_fails_fast(started: Instant) {
    let elapsed = started.elapsed();
    assert!(elapsed < FAULT_DEADLINE, "took {elapsed:?}");
}

#[test]
fn tcp_job_reaches_printer_between_status_requests() {
    let printer = VirtualPrinter::start(Behaviour::Normal {
        status: ONLINE,
        offline_cause: ONLINE,
    });
    let settings = tcp_settings(printer.address, true);
    let model = paid_model(SHORT_LINK);

    print_receipt_blocking(&settings, &model).unwrap();

    let received = printer.finish();
    let expected = encode_receipt(&model, &escpos_options(&settings)).unwrap();
    assert_eq!(received[..3], [0x10, 0x04, 1], "status request first");
    assert_eq!(received[3..received.len() - 3], expected[..]);
    assert_eq!(
        received[received.len() - 3..],
        [0x10, 0x04, 1],
        "status request last"
    );
}

#[test]
fn tcp_job_without_status_check() {
    let printer = VirtualPrinter::start(Behaviour::Normal {
        status: ONLINE,
        offline_cause: ONLINE,
    });
    let settings = tcp_settings(printer.address, false);
    let model = paid_model(SHORT_LINK);

    print_receipt_blocking(&settings, &model).unwrap();

    let expected = encode_receipt(&model, &escpos_options(&settings)).unwrap();
    assert_eq!(printer.finish(), expected);
}

#[test]
fn refused_connection_fails_fast() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let settings = tcp_settings(address, true);

    let started = Instant::now();
    let err = print_receipt_blocking(&settings, &paid_model(SHORT_LINK)).unwrap_err();

    assert_fails_fast(started);
    assert!(matches!(err, PrintError::Connect { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with("无法连接打印机"), "{message}");
    assert!(message.contains(&address.to_string()), "{message}");
    assert!(message.contains("Cannot connect"), "{message}");
}

#[test]
fn peer_that_never_reads_gives_no_status_reply() {
    let printer = VirtualPrinter::start(Behaviour::NeverReads);
    let settings = tcp_settings(printer.address, true);

    let started = Instant::now();
    let err = print_receipt_blocking(&settings, &paid_model(SHORT_LINK)).unwrap_err();

    assert_fails_fast(started);
    assert!(matches!(err, PrintError::NoStatusReply { .. }), "{err:?}");
    assert!(err.to_string().contains("printer.status_check"), "{err}");
}

#[test]
fn peer_that_never_reads_stalls_large_job() {
    let printer = VirtualPrinter::start(Behaviour::NeverReads);
    let settings = tcp_settings(printer.address, false);
    // Far more than the socket buffers on both sides of a loopback connection hold.
    let job = PrintJob::EscPos(vec![b'x'; 64 * 1024 * 1024]);

    let started = Instant::now();
    let err = send_job_blocking(&settings, &job).unwrap_err();

    assert_fails_fast(started);
    assert!(matches!(err, PrintError::Stalled { .. }), "{err:?}");
    assert!(err.to_string().contains("没有接收数据"), "{err}");
}

#[test]
fn disconnect_mid_job_is_reported() {
    let printer = VirtualPrinter::start(Behaviour::DisconnectsAfter { after_bytes: 64 });
    let settings = tcp_settings(printer.address, true);

    let started = Instant::now();
    let err = print_receipt_blocking(&settings, &paid_model(SHORT_LINK)).unwrap_err();

    assert_fails_fast(started);
    assert!(matches!(err, PrintError::Disconnected { .. }), "{err:?}");
    assert!(err.to_string().contains("连接中断"), "{err}");
    assert_eq!(printer.finish().len(), 3 + 64);
}

#[test]
fn disconnect_mid_large_job_reported() {
    let printer = VirtualPrinter::start(Behaviour::DisconnectsAfter { after_bytes: 1024 });
    let mut settings_config = escpos_config();
    settings_config.address = printer.address.to_string();
    settings_config.status_check = false;
    let settings = PrinterSettings::try_from(settings_config).unwrap();
    // The virtual printer expects a status request first; these bytes stand in for it.
    let mut bytes = vec![0x10, 0x04, 1];
    bytes.extend(vec![b'x'; 64 * 1024 * 1024]);

    let started = Instant::now();
    let err = send_job_blocking(&settings, &PrintJob::EscPos(bytes)).unwrap_err();

    assert_fails_fast(started);
    assert!(matches!(err, PrintError::Disconnected { .. }), "{err:?}");
}

#[test]
fn printer_out_of_paper_gets_nothing_to_print() {
    let printer = VirtualPrinter::start(Behaviour::Normal {
        status: 0x1A,
        offline_cause: 0x32,
    });
    let settings = tcp_settings(printer.address, true);

    let err = print_receipt_blocking(&settings, &paid_model(SHORT_LINK)).unwrap_err();

    assert!(
        matches!(
            err,
            PrintError::Offline {
                cause: OfflineCause::PaperEnd,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("缺纸"), "{err}");
    assert_eq!(printer.finish(), [0x10, 0x04, 1, 0x10, 0x04, 2]);
}

#[test]
fn failed_job_reprints_identically() {
    let model = paid_model(SHORT_LINK);
    let offline = VirtualPrinter::start(Behaviour::Normal {
        status: 0x1A,
        offline_cause: 0x16,
    });
    let err = print_receipt_blocking(&tcp_settings(offline.address, true), &model).unwrap_err();
    assert!(err.to_string().contains("机盖打开"), "{err}");

    let first = VirtualPrinter::start(Behaviour::Normal {
        status: ONLINE,
        offline_cause: ONLINE,
    });
    print_receipt_blocking(&tcp_settings(first.address, false), &model).unwrap();
    let second = VirtualPrinter::start(Behaviour::Normal {
        status: ONLINE,
        offline_cause: ONLINE,
    });
    print_receipt_blocking(&tcp_settings(second.address, false), &model).unwrap();

    assert_eq!(first.finish(), second.finish());
}

#[test]
fn async_print_does_not_block_the_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let printer = VirtualPrinter::start(Behaviour::NeverReads);
    let settings = tcp_settings(printer.address, true);
    let model = paid_model(SHORT_LINK);

    runtime.block_on(async {
        let job = tokio::spawn(async move { print_receipt(&settings, &model).await });
        // On a single-threaded runtime this timer fires only if the print job runs elsewhere.
        let ticked = tokio::time::timeout(
            Duration::from_millis(200),
            tokio::time::sleep(Duration::from_millis(50)),
        )
        .await;
        assert!(ticked.is_ok(), "the runtime was blocked by the print job");
        let result = job.await.unwrap();
        assert!(matches!(result, Err(PrintError::NoStatusReply { .. })));
    });
}

#[test]
fn test_page_prints_settings_and_qr() {
    let printer = VirtualPrinter::start(Behaviour::Normal {
        status: ONLINE,
        offline_cause: ONLINE,
    });
    let settings = tcp_settings(printer.address, true);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    runtime.block_on(print_test_page(&settings)).unwrap();

    let commands = without_status_requests(decode(&printer.finish()));
    let text: Vec<String> = printed_lines(&commands)
        .into_iter()
        .map(|l| l.text)
        .collect();
    let text = text.join("\n");
    assert!(text.contains("打印测试页"), "{text}");
    assert!(
        text.contains(&format!("TCP {}", printer_address(&settings))),
        "{text}"
    );
    assert!(text.contains("80 mm"), "{text}");
    assert_eq!(stored_qr_payloads(&commands), [TEST_PAGE_QR_PAYLOAD]);
}

fn printer_address(settings: &PrinterSettings) -> String {
    settings.config().address.clone()
}

#[test]
fn raster_test_page_qr_decodes() {
    let printer = VirtualPrinter::start(Behaviour::Normal {
        status: ONLINE,
        offline_cause: ONLINE,
    });
    let settings = PrinterSettings::try_from(PrinterConfig {
        address: printer.address.to_string(),
        qr_mode: QrMode::Raster,
        paper_width_mm: 58,
        ..escpos_config()
    })
    .unwrap();

    wxpay_pos::printer::print_test_page_blocking(&settings).unwrap();

    let commands = without_status_requests(decode(&printer.finish()));
    let images = printer_support::raster_images(&commands);
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].decode_qr(), TEST_PAGE_QR_PAYLOAD);
}

fn device_settings(path: &Path) -> PrinterSettings {
    PrinterSettings::try_from(PrinterConfig {
        connection: ConnectionKind::Device,
        device: path.to_path_buf(),
        ..escpos_config()
    })
    .unwrap()
}

#[test]
fn device_file_receives_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lp0");
    fs::write(&path, b"").unwrap();
    let settings = device_settings(&path);
    let model = paid_model(SHORT_LINK);

    print_receipt_blocking(&settings, &model).unwrap();
    print_receipt_blocking(&settings, &model).unwrap();

    let expected = encode_receipt(&model, &escpos_options(&settings)).unwrap();
    let written = fs::read(&path).unwrap();
    assert_eq!(written.len(), 2 * expected.len(), "jobs are appended");
    assert_eq!(written[..expected.len()], expected[..]);
    assert_eq!(written[expected.len()..], expected[..]);
}

#[test]
fn missing_device_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usb").join("lp9");

    let err = print_receipt_blocking(&device_settings(&path), &paid_model(SHORT_LINK)).unwrap_err();

    assert!(matches!(err, PrintError::DeviceOpen { .. }), "{err:?}");
    assert!(err.to_string().contains("无法打开打印机设备"), "{err}");
    assert!(!path.exists());
}

#[cfg(unix)]
fn make_fifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo failed");
}

#[cfg(unix)]
#[test]
fn fifo_without_reader_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lp0");
    make_fifo(&path);

    let started = Instant::now();
    let err = print_receipt_blocking(&device_settings(&path), &paid_model(SHORT_LINK)).unwrap_err();

    assert_fails_fast(started);
    assert!(matches!(err, PrintError::DeviceOpen { .. }), "{err:?}");
}

#[cfg(unix)]
#[test]
fn fifo_reader_that_never_reads_stalls_the_job() {
    use std::os::unix::fs::OpenOptionsExt;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lp0");
    make_fifo(&path);
    // A reader that keeps the FIFO open and never reads, like a printer that stopped.
    let _reader = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&path)
        .unwrap();
    // More than a pipe's buffer (64 KiB on Linux).
    let job = PrintJob::EscPos(vec![b'x'; 1024 * 1024]);

    let started = Instant::now();
    let err = send_job_blocking(&device_settings(&path), &job).unwrap_err();

    assert_fails_fast(started);
    assert!(matches!(err, PrintError::Stalled { .. }), "{err:?}");
}

/// Writes a stand-in for `lp` that records its arguments and standard input next to itself,
/// then runs `tail` (shell code) to decide how it ends.
#[cfg(unix)]
fn fake_lp(dir: &Path, tail: &str) -> String {
    use std::os::unix::fs::PermissionsExt;

    let script = dir.join("lp");
    let args = dir.join("args.txt");
    let job = dir.join("job.bin");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" > '{}'\ncat > '{}'\n{tail}\n",
            args.display(),
            job.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    script.display().to_string()
}

#[cfg(unix)]
fn cups_settings(lp_command: String, kind: PrinterKind, queue: &str) -> PrinterSettings {
    PrinterSettings::try_from(PrinterConfig {
        kind,
        connection: ConnectionKind::Cups,
        queue: queue.to_owned(),
        lp_command,
        ..escpos_config()
    })
    .unwrap()
}

#[cfg(unix)]
#[test]
fn cups_raw_queue_gets_escpos_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let lp = fake_lp(dir.path(), "exit 0");
    let settings = cups_settings(lp, PrinterKind::Escpos, "POS80");
    let model = paid_model(SHORT_LINK);

    print_receipt_blocking(&settings, &model).unwrap();

    let args = fs::read_to_string(dir.path().join("args.txt")).unwrap();
    assert_eq!(args.trim(), "-d POS80 -o raw");
    let expected = encode_receipt(&model, &escpos_options(&settings)).unwrap();
    assert_eq!(fs::read(dir.path().join("job.bin")).unwrap(), expected);
}

#[cfg(unix)]
#[test]
fn cups_pdf_printer_gets_a_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let lp = fake_lp(dir.path(), "exit 0");
    let settings = cups_settings(lp, PrinterKind::Pdf, "Office");

    print_receipt_blocking(&settings, &paid_model(SHORT_LINK)).unwrap();

    let args = fs::read_to_string(dir.path().join("args.txt")).unwrap();
    assert_eq!(args.trim(), "-d Office");
    let job = fs::read(dir.path().join("job.bin")).unwrap();
    assert!(job.starts_with(b"%PDF-"), "not a PDF");
}

#[cfg(unix)]
#[test]
fn lp_error_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let lp = fake_lp(
        dir.path(),
        "echo 'lp: The printer or class does not exist.' >&2\nexit 1",
    );
    let settings = cups_settings(lp, PrinterKind::Escpos, "Missing");

    let err = print_receipt_blocking(&settings, &paid_model(SHORT_LINK)).unwrap_err();

    assert!(matches!(err, PrintError::LpFailed { .. }), "{err:?}");
    assert!(err.to_string().contains("does not exist"), "{err}");
}

#[cfg(unix)]
#[test]
fn lp_that_hangs_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let lp = fake_lp(dir.path(), "sleep 5");
    let settings = cups_settings(lp, PrinterKind::Escpos, "POS80");

    let started = Instant::now();
    let err = print_receipt_blocking(&settings, &paid_model(SHORT_LINK)).unwrap_err();

    assert_fails_fast(started);
    assert!(matches!(err, PrintError::LpTimeout { .. }), "{err:?}");
}

#[test]
fn missing_lp_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-lp").display().to_string();
    let settings = PrinterSettings::try_from(PrinterConfig {
        kind: PrinterKind::Escpos,
        connection: ConnectionKind::Cups,
        queue: "POS80".to_owned(),
        lp_command: missing.clone(),
        ..escpos_config()
    })
    .unwrap();

    let err = print_receipt_blocking(&settings, &paid_model(SHORT_LINK)).unwrap_err();

    assert!(matches!(err, PrintError::LpSpawn { .. }), "{err:?}");
    assert!(err.to_string().contains(&missing), "{err}");
}

#[test]
fn unconfigured_printer_is_reported() {
    let err =
        print_receipt_blocking(&PrinterSettings::default(), &paid_model(SHORT_LINK)).unwrap_err();
    assert!(matches!(err, PrintError::NotConfigured), "{err:?}");
    assert!(err.to_string().starts_with("未配置打印机"), "{err}");
}
