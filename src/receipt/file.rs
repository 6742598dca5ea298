//! Writing a receipt PDF to disk atomically: a temporary file in the target folder, flushed
//! to disk and then renamed, so a reader sees either no receipt or a complete one.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process;
use std::time::{SystemTime, UNIX_EPOCH};

use super::model::{PaperWidth, ReceiptModel};
use super::{ReceiptData, ReceiptError, render_model_pdf};

/// Longest `out_trade_no` that WeChat Pay accepts.
const MAX_OUT_TRADE_NO_LEN: usize = 32;

/// Renders the receipt of `data` and writes it to `<dir>/receipt-<out_trade_no>.pdf`, as
/// [`write_model_pdf`] does for the [`ReceiptModel`] made from `data`.
pub fn write_receipt_pdf(data: &ReceiptData, dir: &Path) -> Result<PathBuf, ReceiptError> {
    write_model_pdf(&ReceiptModel::from(data), dir)
}

/// Renders `model` for 80 mm paper and writes it to `<dir>/receipt-<out_trade_no>.pdf` (a
/// paid receipt) or `<dir>/slip-<out_trade_no>.pdf` (a checkout slip), replacing an older file
/// of the same name. Creates `dir` and its parents if missing.
///
/// The PDF goes to a temporary file in `dir` first, is flushed with `fsync` and then renamed
/// over the final name, so a partial file never appears under that name. On any error the
/// temporary file is removed if the folder allows it. `out_trade_no` must be 1 to 32 ASCII
/// letters, digits, `-` or `_`, so that it is a safe file name on every platform.
pub fn write_model_pdf(model: &ReceiptModel, dir: &Path) -> Result<PathBuf, ReceiptError> {
    validate_out_trade_no(&model.out_trade_no)?;
    let bytes = render_model_pdf(model, PaperWidth::Mm80)?;

    fs::create_dir_all(dir).map_err(|source| ReceiptError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;

    let final_path = dir.join(pdf_file_name(model));
    let temp_path = dir.join(temp_file_name(&model.out_trade_no));
    if let Err(source) = write_and_rename(&bytes, &temp_path, &final_path) {
        // The write error is the one to report. A removal that fails as well (the temp file
        // was never created, or the folder rejects all changes) is not worth a second error.
        let _ = fs::remove_file(&temp_path);
        return Err(ReceiptError::Write {
            path: final_path,
            source,
        });
    }
    sync_dir(dir);
    Ok(final_path)
}

/// Returns the file name [`write_model_pdf`] gives `model`'s PDF.
pub fn pdf_file_name(model: &ReceiptModel) -> String {
    let prefix = if model.is_paid() { "receipt" } else { "slip" };
    format!("{prefix}-{}.pdf", model.out_trade_no)
}

/// Rejects an `out_trade_no` that is empty, too long or not a plain file name part.
fn validate_out_trade_no(out_trade_no: &str) -> Result<(), ReceiptError> {
    let valid_chars = out_trade_no
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if out_trade_no.is_empty() || out_trade_no.len() > MAX_OUT_TRADE_NO_LEN || !valid_chars {
        return Err(ReceiptError::InvalidOutTradeNo {
            out_trade_no: out_trade_no.to_owned(),
        });
    }
    Ok(())
}

/// Builds a hidden temp file name from the process id and the clock, so that two writers do
/// not share a temp file.
fn temp_file_name(out_trade_no: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    format!(".receipt-{out_trade_no}.{}-{nanos}.pdf.tmp", process::id())
}

fn write_and_rename(bytes: &[u8], temp_path: &Path, final_path: &Path) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp_path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(temp_path, final_path)
}

/// Flushes the folder entry of the renamed file, so the rename survives a power cut.
///
/// The receipt is complete and in place before this runs, so a failure is logged and not
/// returned. Windows cannot open a folder as a file, and there this does nothing.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(err) = fs::File::open(dir).and_then(|folder| folder.sync_all()) {
        tracing::warn!(path = %dir.display(), error = %err, "failed to fsync the receipt folder");
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_trade_no_with_path_characters_is_rejected() {
        for bad in ["", "../etc", "a/b", "a\\b", "订单1", "a b", &"9".repeat(33)] {
            assert!(
                matches!(
                    validate_out_trade_no(bad),
                    Err(ReceiptError::InvalidOutTradeNo { .. })
                ),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn out_trade_no_of_protocol_characters_is_accepted() {
        for good in ["20240501140307001", "POS-1_a", &"9".repeat(32)] {
            assert!(
                validate_out_trade_no(good).is_ok(),
                "{good:?} should be accepted"
            );
        }
    }
}
