//! The sandbox uses the domain's clock, so a test can drive the client and the
//! sandbox from one [`ManualClock`].

pub use airtill_domain::clock::{Clock, ManualClock, SystemClock};
