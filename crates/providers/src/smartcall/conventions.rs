//! The Smartcall shapes that no recording shows, chosen by this project
//! (providers.md marks them **[convention]**). Correct them here, in one place.

/// Product type codes the training catalog uses for kinds the recordings do not name.
/// Real codes are two characters, space padded, sometimes null: treat them as data.
pub const TYPE_AIRTIME: &str = "A ";
pub const TYPE_VOUCHER: &str = "V ";
pub const TYPE_DATA: &str = "D ";
pub const TYPE_SMS: &str = "S ";
pub const TYPE_ELECTRICITY: &str = "E ";

/// `GET /smartload/recharges/{smartloadId}/reference/{orderReferenceId}`
pub fn transaction_by_smartload_ref_path(smartload_id: &str, order_reference_id: i64) -> String {
    format!("/smartload/recharges/{smartload_id}/reference/{order_reference_id}")
}
