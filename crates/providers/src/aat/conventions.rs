//! AAT shapes that no public source shows: the project's convention (providers.md §2,
//! marked **[convention]**), kept here so one edit corrects them.

/// `Status` of `GetTransactionInfo` for a sale still on its way (`OK` is in the spec).
pub const STATUS_PENDING: &str = "PENDING";
/// `Status` of `GetTransactionInfo` for a sale the network refused.
pub const STATUS_FAILED: &str = "FAILED";
