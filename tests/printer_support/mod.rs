//! Test support for the printer tests: an ESC/POS decoder written from the command reference
//! (independent of the encoder under test), a QR reader for raster images, and a virtual
//! network printer on 127.0.0.1 that records what it receives.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use chrono::DateTime;
use wxpay_pos::money::Fen;
use wxpay_pos::receipt::{PaymentState, ReceiptLine, ReceiptModel};

/// One decoded ESC/POS command or run of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Initialize,
    ChineseModeOn,
    Justify(u8),
    Bold(bool),
    CharacterSize(u8),
    /// Text up to a line feed, decoded from GB18030 (the decoder fails on invalid bytes).
    Line(String),
    QrModel(u8, u8),
    QrModuleSize(u8),
    QrErrorCorrection(u8),
    /// The data of a store command, and the `pL pH` length field it carried.
    QrStore {
        data: Vec<u8>,
        length_field: usize,
    },
    QrPrint,
    Raster(RasterImage),
    FeedAndCut(u8),
    FeedLines(u8),
    OpenCashDrawer {
        pin: u8,
        on: u8,
        off: u8,
    },
    StatusRequest(u8),
}

/// A `GS v 0` image: `width_bytes` × 8 dots wide, leftmost dot in the high bit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RasterImage {
    pub width_bytes: usize,
    pub height_dots: usize,
    pub rows: Vec<u8>,
}

impl RasterImage {
    pub fn is_black(&self, x: usize, y: usize) -> bool {
        let byte = self.rows[y * self.width_bytes + x / 8];
        byte & (0x80 >> (x % 8)) != 0
    }

    /// Decodes the QR code in the image, with a white border added around it.
    pub fn decode_qr(&self) -> String {
        let width = self.width_bytes * 8;
        let border = 16;
        let grey = |x: usize, y: usize| {
            let inside =
                x >= border && y >= border && x - border < width && y - border < self.height_dots;
            if inside && self.is_black(x - border, y - border) {
                0
            } else {
                255
            }
        };
        decode_qr_grey(width + 2 * border, self.height_dots + 2 * border, grey)
    }
}

/// Decodes the single QR code in a greyscale image given pixel by pixel.
pub fn decode_qr_grey(width: usize, height: usize, pixel: impl Fn(usize, usize) -> u8) -> String {
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, pixel);
    let grids = image.detect_grids();
    assert_eq!(
        grids.len(),
        1,
        "expected one QR code, found {}",
        grids.len()
    );
    let (_meta, content) = grids[0].decode().expect("QR code does not decode");
    content
}

/// Decodes an ESC/POS job. Panics on a byte sequence that is not one of the commands this
/// crate is expected to send, so a stray command fails the test.
pub fn decode(job: &[u8]) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut text = Vec::new();
    let mut i = 0;
    while i < job.len() {
        let byte = job[i];
        let rest = &job[i..];
        let taken = match byte {
            0x0A => {
                commands.push(Command::Line(decode_gb18030(&text)));
                text.clear();
                1
            }
            0x1B | 0x1D | 0x1C | 0x10 => {
                assert!(
                    text.is_empty(),
                    "command inside a line at byte {i}: {text:?}"
                );
                let (command, len) = decode_command(rest, i);
                commands.push(command);
                len
            }
            0x20..=0x7E | 0x80..=0xFF => {
                text.push(byte);
                1
            }
            other => panic!("unexpected control byte {other:#04x} at {i}"),
        };
        i += taken;
    }
    assert!(text.is_empty(), "job ends inside a line: {text:?}");
    commands
}

fn decode_gb18030(bytes: &[u8]) -> String {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    assert!(!had_errors, "invalid GB18030: {bytes:02x?}");
    text.into_owned()
}

fn decode_command(rest: &[u8], at: usize) -> (Command, usize) {
    let arg = |index: usize| -> u8 {
        *rest
            .get(index)
            .unwrap_or_else(|| panic!("command at {at} is cut short: {rest:02x?}"))
    };
    match (rest[0], arg(1)) {
        (0x1B, b'@') => (Command::Initialize, 2),
        (0x1C, b'&') => (Command::ChineseModeOn, 2),
        (0x1B, b'a') => (Command::Justify(arg(2)), 3),
        (0x1B, b'E') => (Command::Bold(arg(2) == 1), 3),
        (0x1D, b'!') => (Command::CharacterSize(arg(2)), 3),
        (0x1B, b'd') => (Command::FeedLines(arg(2)), 3),
        (0x1D, b'V') => {
            assert_eq!(arg(2), 66, "only GS V 66 n (feed and cut) is expected");
            (Command::FeedAndCut(arg(3)), 4)
        }
        (0x1B, b'p') => (
            Command::OpenCashDrawer {
                pin: arg(2),
                on: arg(3),
                off: arg(4),
            },
            5,
        ),
        (0x10, 0x04) => (Command::StatusRequest(arg(2)), 3),
        (0x1D, b'(') => decode_qr_command(rest, at),
        (0x1D, b'v') => decode_raster(rest, at),
        (first, second) => panic!("unknown command {first:#04x} {second:#04x} at {at}"),
    }
}

/// Decodes `GS ( k pL pH cn fn ...`, whose length field counts the bytes after `pH`.
fn decode_qr_command(rest: &[u8], at: usize) -> (Command, usize) {
    assert_eq!(rest[2], b'k', "only GS ( k is expected at {at}");
    let length_field = rest[3] as usize + 256 * rest[4] as usize;
    let body = &rest[5..5 + length_field];
    assert_eq!(body[0], 49, "QR symbol type cn must be 49 at {at}");
    let command = match body[1] {
        65 => Command::QrModel(body[2], body[3]),
        67 => Command::QrModuleSize(body[2]),
        69 => Command::QrErrorCorrection(body[2]),
        80 => {
            assert_eq!(body[2], 48, "store m must be 48");
            Command::QrStore {
                data: body[3..].to_vec(),
                length_field,
            }
        }
        81 => Command::QrPrint,
        other => panic!("unknown QR function {other} at {at}"),
    };
    (command, 5 + length_field)
}

/// Decodes `GS v 0 m xL xH yL yH d...`.
fn decode_raster(rest: &[u8], at: usize) -> (Command, usize) {
    assert_eq!(rest[2], b'0', "only GS v 0 is expected at {at}");
    assert_eq!(rest[3], 0, "normal density expected at {at}");
    let width_bytes = rest[4] as usize + 256 * rest[5] as usize;
    let height_dots = rest[6] as usize + 256 * rest[7] as usize;
    let len = width_bytes * height_dots;
    let rows = rest[8..8 + len].to_vec();
    (
        Command::Raster(RasterImage {
            width_bytes,
            height_dots,
            rows,
        }),
        8 + len,
    )
}

/// A printed line with the modes in force when it was printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedLine {
    pub text: String,
    pub bold: bool,
    pub size: u8,
    pub justify: u8,
}

/// Returns the printed lines with their modes, in order.
pub fn printed_lines(commands: &[Command]) -> Vec<PrintedLine> {
    let (mut bold, mut size, mut justify) = (false, 0, 0);
    let mut lines = Vec::new();
    for command in commands {
        match command {
            Command::Initialize => (bold, size, justify) = (false, 0, 0),
            Command::Bold(on) => bold = *on,
            Command::CharacterSize(n) => size = *n,
            Command::Justify(n) => justify = *n,
            Command::Line(text) => lines.push(PrintedLine {
                text: text.clone(),
                bold,
                size,
                justify,
            }),
            _ => {}
        }
    }
    lines
}

/// Returns the print columns of decoded text: one per ASCII character, two per other.
pub fn columns(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Returns the QR payloads stored with `GS ( k`.
pub fn stored_qr_payloads(commands: &[Command]) -> Vec<String> {
    commands
        .iter()
        .filter_map(|command| match command {
            Command::QrStore { data, .. } => Some(String::from_utf8(data.clone()).unwrap()),
            _ => None,
        })
        .collect()
}

/// Returns the raster images.
pub fn raster_images(commands: &[Command]) -> Vec<RasterImage> {
    commands
        .iter()
        .filter_map(|command| match command {
            Command::Raster(image) => Some(image.clone()),
            _ => None,
        })
        .collect()
}

/// Builds a paid receipt with Chinese text, several lines and a discount.
pub fn paid_model(qr_payload: &str) -> ReceiptModel {
    ReceiptModel {
        merchant_name: "老王便利店".to_owned(),
        terminal_id: "POS01".to_owned(),
        time: DateTime::parse_from_rfc3339("2024-05-01T06:03:07Z").unwrap(),
        lines: vec![
            ReceiptLine {
                name: "拿铁咖啡 大杯".to_owned(),
                quantity: 2,
                amount: Fen(3000),
            },
            ReceiptLine {
                name: "牛角面包".to_owned(),
                quantity: 1,
                amount: Fen(990),
            },
        ],
        discount: Fen(2000),
        total: Fen(1990),
        payment: PaymentState::Paid {
            transaction_id: "4200001234202405011234567890".to_owned(),
        },
        out_trade_no: "20240501140307001".to_owned(),
        qr_payload: qr_payload.to_owned(),
        footer: "谢谢惠顾 Thank you".to_owned(),
        demo_mode: false,
    }
}

/// Builds the checkout slip of the same order, awaiting payment until 16:03:07 Beijing time.
pub fn slip_model(qr_payload: &str) -> ReceiptModel {
    ReceiptModel {
        payment: PaymentState::AwaitingPayment {
            expires_at: DateTime::parse_from_rfc3339("2024-05-01T08:03:07Z").unwrap(),
        },
        ..paid_model(qr_payload)
    }
}

/// Builds an ASCII payload of exactly `len` bytes, shaped like a payment link.
pub fn payload_of_len(len: usize) -> String {
    let prefix = "weixin://wxpay/bizpayurl?pr=";
    let mut payload = prefix.to_owned();
    let alphabet = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut index = 0;
    while payload.len() < len {
        payload.push(alphabet[index % alphabet.len()] as char);
        index += 7;
    }
    payload
}

/// How the virtual printer behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Reads everything and replies to status requests with `status` (0x12 is online).
    Normal { status: u8, offline_cause: u8 },
    /// Accepts the connection and never reads or replies.
    NeverReads,
    /// Replies to the first status request, reads `after_bytes` more bytes, then closes.
    DisconnectsAfter { after_bytes: usize },
}

/// The online reply to `DLE EOT 1`.
pub const ONLINE: u8 = 0x12;

/// A network printer on 127.0.0.1 for one connection. `finish` returns what it received.
pub struct VirtualPrinter {
    pub address: SocketAddr,
    received: mpsc::Receiver<Vec<u8>>,
}

impl VirtualPrinter {
    pub fn start(behaviour: Behaviour) -> VirtualPrinter {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let (sender, received) = mpsc::channel();
        thread::spawn(move || {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let bytes = serve(stream, behaviour);
            let _ = sender.send(bytes);
        });
        VirtualPrinter { address, received }
    }

    /// Waits up to 10 s for the connection to end and returns the bytes received.
    pub fn finish(self) -> Vec<u8> {
        self.received
            .recv_timeout(Duration::from_secs(10))
            .expect("virtual printer got no complete job")
    }
}

fn serve(mut stream: TcpStream, behaviour: Behaviour) -> Vec<u8> {
    let mut received = Vec::new();
    match behaviour {
        Behaviour::NeverReads => {
            // Hold the connection open, unread, until the client gives up and closes it.
            thread::sleep(Duration::from_secs(8));
            received
        }
        Behaviour::Normal {
            status,
            offline_cause,
        } => {
            let mut buffer = [0u8; 8192];
            loop {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => return received,
                    Ok(n) => {
                        let start = received.len();
                        received.extend_from_slice(&buffer[..n]);
                        answer_status_requests(
                            &mut stream,
                            &received,
                            start,
                            status,
                            offline_cause,
                        );
                    }
                }
            }
        }
        Behaviour::DisconnectsAfter { after_bytes } => {
            let mut request = [0u8; 3];
            stream.read_exact(&mut request).unwrap();
            stream.write_all(&[ONLINE]).unwrap();
            let mut job = vec![0u8; after_bytes];
            let _ = stream.read_exact(&mut job);
            received.extend_from_slice(&request);
            received.extend_from_slice(&job);
            received
        }
    }
}

/// Replies to each `DLE EOT n` whose last byte arrived at or after `start`, as a printer does
/// on receipt (real-time commands are not queued behind the print buffer).
fn answer_status_requests(
    stream: &mut TcpStream,
    received: &[u8],
    start: usize,
    status: u8,
    offline_cause: u8,
) {
    let first = start.saturating_sub(2);
    for end in (first + 2)..received.len() {
        if received[end - 2] == 0x10 && received[end - 1] == 0x04 {
            let reply = match received[end] {
                1 => status,
                _ => offline_cause,
            };
            let _ = stream.write_all(&[reply]);
        }
    }
}
