//! The Smartcall shapes that no recording shows, chosen by this project
//! (providers.md marks them **[convention]**). Correct them here, in one place; the
//! sandbox keeps its own copy of each, written independently, so a change on one side
//! alone fails a test.

/// Product type codes the training catalog uses for kinds the recordings do not name.
/// Real codes are two characters, space padded, sometimes null: treat them as data.
pub const TYPE_AIRTIME: &str = "A ";
pub const TYPE_VOUCHER: &str = "V ";
pub const TYPE_DATA: &str = "D ";
pub const TYPE_SMS: &str = "S ";
pub const TYPE_ELECTRICITY: &str = "E ";
/// Bill payment products (EasyPay), sold through `/payments`, not `/smartload/recharges`.
pub const TYPE_PAYMENT: &str = "P ";

/// `GET /smartload/recharges/{smartloadId}/reference/{orderReferenceId}`
pub fn transaction_by_smartload_ref_path(smartload_id: &str, order_reference_id: i64) -> String {
    format!("/smartload/recharges/{smartload_id}/reference/{order_reference_id}")
}

/// `DELETE /smartload/recharges/{smartloadId}/reference/{orderReferenceId}`
pub fn cancel_by_smartload_ref_path(smartload_id: &str, order_reference_id: i64) -> String {
    transaction_by_smartload_ref_path(smartload_id, order_reference_id)
}

/// `POST`, body `{"recharges":[RechargeRequest...]}`.
pub const BATCH_RECHARGE_PATH: &str = "/smartload/recharges/batch";
/// The most recharges one batch may carry (spec table 1, `BATCH_LIMIT_EXCEEDED`).
pub const BATCH_LIMIT: usize = 100;

/// `POST`, body `{"smartloadId","clientReference","productId","quantity"}`.
pub const VOUCHER_ORDERS_PATH: &str = "/smartload/vouchers/orders";

/// `GET`: the order's password-protected zip.
pub fn order_file_path(smartload_id: &str, order_id: i64) -> String {
    format!("/smartload/vouchers/orders/{smartload_id}/{order_id}/file")
}

/// `POST`: the same vouchers in a new file with a new password.
pub fn recreate_order_file_path(smartload_id: &str, order_id: i64) -> String {
    format!("/smartload/vouchers/orders/{smartload_id}/{order_id}/recreate")
}

/// The one CSV inside an order file has this header line.
pub const ORDER_FILE_HEADER: &str = "ticketNumber,voucherPin,amount,expiryDate,boxNumber,batchNumber";

/// A recharge refused because the mobile network is down comes back as
/// `{"error":{"code":2,"message":"<Network> network is down"},"responseCode":"SYS_ERROR",...}`:
/// the message ends with this.
pub const NETWORK_DOWN_SUFFIX: &str = "network is down";

/// The synchronous recharge (`POST /smartload/v2/recharges`) answers in the async
/// envelope with `statusCode` and `statusMessage` beside `recharge`; on failure
/// `error` is the nested `{code,message}` and `recharge` is null. `statusMessage`
/// starts with the network's own code: `"1812 Subscriber not RICA'd"`.
pub const SYNC_RECHARGE_PATH: &str = "/smartload/v2/recharges";

/// A prevend's client reference must be reused by its recharge within this time, or
/// the recharge is refused with code 17 (the prevend has expired).
pub const PREVEND_VALID_FOR_MS: i64 = 10 * 60 * 1000;

/// RICA paths.
pub const RICA_REGISTRATIONS_PATH: &str = "/smartrica/registrations";
pub const RICA_AGENTS_PATH: &str = "/smartrica/agents";
pub const RICA_CHANGE_OWNERSHIP_PATH: &str = "/smartrica/changeownership";

/// The largest image (decoded bytes) a RICA agent registration may carry.
pub const RICA_IMAGE_MAX_BYTES: usize = 300 * 1024;
