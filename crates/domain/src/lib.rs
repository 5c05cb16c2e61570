//! Airtill's domain types. Pure data and rules: no I/O, no provider, no database.
//!
//! Money is always integer minor units plus a currency ([`money::Money`]); provider
//! amounts are parsed exactly ([`money::parse_decimal`]), never through `f64`.

pub mod clock;
pub mod money;
pub mod movement;
pub mod network;
pub mod phone;
pub mod reference;
pub mod sale;
pub mod voucher;

pub use clock::{Clock, ManualClock, SystemClock};
pub use money::{Currency, Money, Money4, MoneyError};
pub use movement::{PaymentState, StockOrderState};
pub use network::Network;
pub use phone::{Msisdn, PhoneError};
pub use reference::ClientReference;
pub use sale::SaleState;
