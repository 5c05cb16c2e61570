//! MX shapes no public page shows (providers.md §4, **[convention]**), in one place:
//! the plain answer's `key=value` lines, the XML answer's `<credit>` element with the
//! same names as children, the balance answer, and these reason ids.

/// `outcomeReasonId` for a refused login (our convention).
pub const REASON_BAD_LOGIN: i64 = 3001;
/// `outcomeReasonId` when the account's pre-paid funds are too low (our convention).
pub const REASON_NO_FUNDS: i64 = 3040;
/// `outcomeReasonId` for a number the gateway will not credit (our convention).
pub const REASON_BAD_MSISDN: i64 = 3010;
/// Missing amount and missing currency are from MX's pages.
pub const REASON_MISSING_AMOUNT: i64 = 3037;
pub const REASON_MISSING_CURRENCY: i64 = 3038;

/// Refusals that need the manager (the account), not the cashier.
pub fn is_account_refusal(reason_id: i64) -> bool {
    matches!(reason_id, REASON_BAD_LOGIN | REASON_NO_FUNDS)
}
