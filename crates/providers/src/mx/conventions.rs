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

/// What a rejection (HTTP 403, `outcome=rejected`: nothing was credited) is about,
/// read conservatively: only a reason known to be the customer's is told to the cashier
/// as the customer's; a text that reads as the account's login or funds is the
/// account's, whatever its id; every other reason, known or not, goes to the manager
/// with MX's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// The number cannot be credited: the customer's.
    Customer,
    /// The account: its login, its pre-paid funds or its limits.
    Account,
    /// The request was incomplete or malformed (3000–3043 missing parameters): ours.
    Request,
    /// A reason Airtill has not been told of.
    Unknown,
}

/// Words in a reason's text that make it the account's business.
const ACCOUNT_WORDS: [&str; 10] = ["auth", "password", "username", "login", "credential", "permitted", "fund", "balance", "credit limit", "suspend"];

pub fn rejection(reason_id: i64, text: &str) -> Rejection {
    let t = text.to_ascii_lowercase();
    if is_account_refusal(reason_id) || ACCOUNT_WORDS.iter().any(|w| t.contains(w)) {
        return Rejection::Account;
    }
    match reason_id {
        REASON_BAD_MSISDN => Rejection::Customer,
        REASON_MISSING_AMOUNT | REASON_MISSING_CURRENCY | 3035 | 3039 | 3041 => Rejection::Request,
        _ => Rejection::Unknown,
    }
}
