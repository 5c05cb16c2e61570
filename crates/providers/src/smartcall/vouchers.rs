//! Batch voucher order files: an AES-encrypted zip with one CSV
//! (`ticketNumber,voucherPin,amount,expiryDate,boxNumber,batchNumber`) **[convention]**.

use super::conventions::ORDER_FILE_HEADER;
use super::{OrderedVoucher, SmartcallError};
use airtill_domain::money::parse_decimal;
use std::io::{Cursor, Read};

/// The most a single order file may unpack to; a larger one is refused, not read.
const MAX_UNPACKED: u64 = 32 * 1024 * 1024;

/// Opens an order file with its password and reads every voucher in it.
pub fn read_order_file(zip_bytes: &[u8], password: &str) -> Result<Vec<OrderedVoucher>, SmartcallError> {
    let bad = |m: String| SmartcallError::OrderFile(m);
    let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes)).map_err(|e| bad(format!("not a zip file ({e})")))?;
    if archive.len() != 1 {
        return Err(bad(format!("expected one file inside, found {}", archive.len())));
    }
    let mut file = archive.by_index_decrypt(0, password.as_bytes()).map_err(|e| bad(format!("the password did not open it ({e})")))?;
    if file.size() > MAX_UNPACKED {
        return Err(bad("the file inside is too large".into()));
    }
    let mut text = String::new();
    file.by_ref().take(MAX_UNPACKED).read_to_string(&mut text).map_err(|e| bad(format!("the file inside could not be read ({e})")))?;
    parse_order_csv(&text)
}

/// Reads the CSV of an order file.
pub fn parse_order_csv(text: &str) -> Result<Vec<OrderedVoucher>, SmartcallError> {
    let bad = |line: usize, m: &str| SmartcallError::OrderFile(format!("line {line}: {m}"));
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim().trim_start_matches('\u{feff}') == ORDER_FILE_HEADER => {}
        _ => return Err(SmartcallError::OrderFile(format!("the first line is not `{ORDER_FILE_HEADER}`"))),
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if cols.len() != 6 {
            return Err(bad(n, "expected 6 columns"));
        }
        if cols[1].is_empty() || !cols[1].bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(n, "the voucher PIN is not a number"));
        }
        let amount = parse_decimal(cols[2], 2).map_err(|e| bad(n, &format!("amount: {e}")))?;
        let expiry_date = chrono::NaiveDate::parse_from_str(cols[3], "%Y-%m-%d").map_err(|_| bad(n, "the expiry date is not YYYY-MM-DD"))?;
        out.push(OrderedVoucher { ticket_number: cols[0].to_string(), voucher_pin: cols[1].to_string(), amount, expiry_date, box_number: cols[4].to_string(), batch_number: cols[5].to_string() });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_order_csv_and_refuses_bad_lines() {
        let csv = format!("{ORDER_FILE_HEADER}\n0000000001,123456789012,12.00,2027-11-23,B1,BATCH7\n\n");
        let v = parse_order_csv(&csv).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!((v[0].amount, v[0].voucher_pin.as_str()), (1200, "123456789012"));
        assert!(parse_order_csv("a,b\n").is_err());
        assert!(parse_order_csv(&format!("{ORDER_FILE_HEADER}\n1,12x,12.00,2027-11-23,B,C\n")).is_err());
        assert!(parse_order_csv(&format!("{ORDER_FILE_HEADER}\n1,12,12.005,2027-11-23,B,C\n")).is_err());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(matches!(read_order_file(b"PK\x03\x04garbage", "pw"), Err(SmartcallError::OrderFile(_))));
        assert!(matches!(read_order_file(b"", "pw"), Err(SmartcallError::OrderFile(_))));
    }
}
