//! Smartcall wire types, field for field as recorded (camelCase JSON).

use crate::decimal::{hundredths, opt_hundredths, opt_ten_thousandths, serialize_opt_e4, serialize_rand, ten_thousandths};
use serde::{Deserialize, Serialize};

/// `POST /auth` answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthResponse {
    pub response_description: Option<String>,
    pub access_token: Option<String>,
    pub token_type: Option<String>,
    /// Epoch milliseconds.
    pub expires_at: Option<i64>,
    pub scope: Option<String>,
}

/// `GET /auth/token` answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenQuery {
    pub available_tokens: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Pong {
    pub response: String,
}

/// `GET /smartload/balance/{smartloadId}`.
#[derive(Debug, Clone, Deserialize)]
pub struct BalanceResponse {
    /// Ten-thousandths of a rand: Smartcall keeps the wallet to four decimals.
    #[serde(deserialize_with = "ten_thousandths")]
    pub balance: i64,
}

/// `GET /smartload/networks`.
#[derive(Debug, Clone, Deserialize)]
pub struct NetworksResponse {
    pub networks: Vec<Network>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Network {
    pub id: i64,
    pub description: String,
    #[serde(default)]
    pub product_types: Vec<ProductType>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ProductType {
    pub id: i64,
    /// Two characters, space padded, sometimes null.
    pub code: Option<String>,
    pub description: String,
    #[serde(default)]
    pub fixed_amount: bool,
    #[serde(default)]
    pub products: Vec<Product>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub type_code: Option<String>,
    /// Cents (Rand on the wire, both ways: the cached catalog is written back in the
    /// provider's own units).
    #[serde(deserialize_with = "hundredths", serialize_with = "serialize_rand")]
    pub min_amount: i64,
    /// Cents.
    #[serde(deserialize_with = "hundredths", serialize_with = "serialize_rand")]
    pub max_amount: i64,
    /// Ten-thousandths of a percent, as the wire carries it: 5.5000 → 55 000.
    #[serde(default, deserialize_with = "opt_ten_thousandths", serialize_with = "serialize_opt_e4")]
    pub discount_percentage: Option<i64>,
    /// Cents; 99999.99 means "any amount between min and max".
    #[serde(deserialize_with = "hundredths", serialize_with = "serialize_rand")]
    pub retail_value: i64,
    #[serde(default)]
    pub pin_indicator: bool,
    #[serde(default)]
    pub sms_indicator: bool,
}

/// `retailValue` that means "any amount between min and max".
pub const ANY_AMOUNT: i64 = 9_999_999;

impl Product {
    pub fn is_any_amount(&self) -> bool {
        self.retail_value == ANY_AMOUNT
    }
}

/// `POST /smartload/recharges` body, in the recorded field order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RechargeRequest {
    pub smartload_id: String,
    pub client_reference: String,
    pub sms_recipient_msisdn: String,
    /// The phone number, or the meter number for electricity.
    pub device_id: String,
    pub product_id: i64,
    /// Cents on our side; Rand as a JSON number on the wire.
    #[serde(serialize_with = "serialize_rand")]
    pub amount: i64,
    pub pinless: bool,
    pub send_sms: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_provider_identifier: Option<String>,
}

/// The `recharge` object of a recharge answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recharge {
    /// Wallet balance after the recharge, ten-thousandths of a rand.
    #[serde(default, deserialize_with = "opt_ten_thousandths")]
    pub balance: Option<i64>,
    /// The Smartload reference: the key for reconciliation.
    pub order_reference_id: i64,
    #[serde(default, deserialize_with = "trimmed")]
    pub ticket_number: Option<String>,
    #[serde(default, deserialize_with = "trimmed")]
    pub box_number: Option<String>,
    #[serde(default, deserialize_with = "trimmed")]
    pub batch_number: Option<String>,
    #[serde(default, deserialize_with = "trimmed")]
    pub voucher_pin: Option<String>,
    /// Epoch ms.
    #[serde(default)]
    pub expiry_date: Option<i64>,
    /// Cents: what the customer pays.
    #[serde(default, deserialize_with = "opt_hundredths")]
    pub retail_price: Option<i64>,
    /// Ten-thousandths of a percent: the discount this sale was charged at.
    #[serde(default, deserialize_with = "opt_ten_thousandths")]
    pub dealer_discount: Option<i64>,
}

/// `GET /smartload/recharges/{smartloadId}/{clientReference}` → `transaction`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    pub description: Option<String>,
    pub network: Option<String>,
    pub recipient_msisdn: Option<String>,
    pub status_date: Option<i64>,
    /// The Smartload reference, as a string here.
    pub reference: Option<String>,
    /// Cents: what the customer paid.
    #[serde(default, deserialize_with = "opt_hundredths")]
    pub amount: Option<i64>,
    /// Ten-thousandths of a percent (`"5.50%"` → 55 000).
    #[serde(default, deserialize_with = "opt_ten_thousandths")]
    pub discount: Option<i64>,
    /// Ten-thousandths of a rand: what the wallet paid (`"R14.175"`).
    #[serde(default, deserialize_with = "opt_ten_thousandths")]
    pub cost: Option<i64>,
    pub status: Option<String>,
    pub status_id: Option<String>,
    #[serde(default, deserialize_with = "trimmed")]
    pub ticket_number: Option<String>,
    #[serde(default, deserialize_with = "trimmed")]
    pub voucher_pin: Option<String>,
    #[serde(default, deserialize_with = "trimmed")]
    pub additional_voucher_pin: Option<String>,
    #[serde(default, deserialize_with = "trimmed")]
    pub box_number: Option<String>,
    #[serde(default, deserialize_with = "trimmed")]
    pub batch_number: Option<String>,
    #[serde(default)]
    pub expiry_date: Option<i64>,
}

/// A transaction's state as the enquiry reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionStatus {
    Requested,
    Pending,
    Successful,
    Failed,
    Cancelled,
}

impl Transaction {
    /// Reads `statusId`: names (the real service spells `SUCESSFUL`) or table 4's 1..5.
    pub fn status(&self) -> Option<TransactionStatus> {
        let id = self.status_id.as_deref()?.trim().to_ascii_uppercase();
        Some(match id.as_str() {
            "REQUESTED" | "1" => TransactionStatus::Requested,
            "PENDING" | "2" => TransactionStatus::Pending,
            "SUCESSFUL" | "SUCCESSFUL" | "SUCCESS" | "3" => TransactionStatus::Successful,
            "FAILED" | "4" => TransactionStatus::Failed,
            "CANCELLED" | "CANCELED" | "5" => TransactionStatus::Cancelled,
            _ => return None,
        })
    }
}

/// `GET /smartload/registered/{msisdn}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Registered {
    pub registered: bool,
}

/// `GET /smartload/products/{productId}`: the product and its other-`smsIndicator` twin.
#[derive(Debug, Clone, Deserialize)]
pub struct ProductsResponse {
    pub products: Vec<Product>,
}

/// A synchronous (`v2`) recharge that succeeded: its final state is known.
#[derive(Debug, Clone)]
pub struct SyncRecharge {
    pub recharge: Recharge,
    /// The network's own answer (`"00 Recharge completed successfully"`), if given.
    pub status_message: Option<String>,
}

/// One recharge of a batch, as it came back.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub client_reference: String,
    pub result: Result<Recharge, super::SmartcallError>,
}

/// A batch recharge's answer: `SUCCESS`, `PART_SUCCESS` or `FAILURE`, and one item per
/// recharge sent.
#[derive(Debug, Clone)]
pub struct BatchResult {
    pub response_code: String,
    pub items: Vec<BatchItem>,
}

/// Which recharge to cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelBy {
    ClientReference(String),
    SmartloadReference(i64),
}

/// A prevend's verdict (`responseCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrevendVerdict {
    /// `SUCCESS`: the recharge will go through.
    WillSucceed,
    /// `APP_ERROR`: the recharge will not go through.
    WillFail,
    /// `SYS_ERROR`: an infrastructure fault; try later.
    SystemFault,
    /// `INV_REQUEST`: the prevend request itself was wrong.
    InvalidRequest,
}

/// A prevend's answer: the verdict and the network's unfiltered message.
#[derive(Debug, Clone)]
pub struct PrevendAnswer {
    pub verdict: PrevendVerdict,
    pub message: String,
}

/// What a prevend is for: only pinless Vodacom and MTN products and electricity may be
/// prevended (spec 8j and FAQ 2), checked before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrevendKind {
    PinlessVodacom,
    PinlessMtn,
    Electricity,
}

impl PrevendKind {
    /// The kind for a product of `network` (its catalog description), or why it cannot
    /// be prevended.
    pub fn for_product(network: &str, product: &Product) -> Result<PrevendKind, String> {
        let n = network.trim().to_ascii_lowercase();
        let electricity = n.starts_with("electricity") || product.type_code.as_deref() == Some(super::conventions::TYPE_ELECTRICITY);
        if electricity {
            return Ok(PrevendKind::Electricity);
        }
        if product.pin_indicator {
            return Err("Only pinless recharges can be checked in advance; vouchers cannot.".into());
        }
        match n.as_str() {
            "vodacom" => Ok(PrevendKind::PinlessVodacom),
            "mtn" => Ok(PrevendKind::PinlessMtn),
            _ => Err(format!("{} does not offer an advance check; only Vodacom, MTN and electricity do.", network.trim())),
        }
    }
}

/// `POST /smartload/fundstransfer`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FundsTransferRequest {
    pub source_smartload_id: String,
    pub recipient_smartload_id: String,
    /// Cents here; Rand as a JSON number on the wire.
    #[serde(serialize_with = "serialize_rand")]
    pub amount: i64,
    pub send_sms: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FundsTransferResponse {
    /// The source wallet after the transfer, ten-thousandths of a rand.
    #[serde(deserialize_with = "ten_thousandths")]
    pub current_dealer_balance: i64,
}

/// `POST /smartload/vouchers/orders` **[convention]**.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VoucherOrderRequest {
    pub smartload_id: String,
    pub client_reference: String,
    pub product_id: i64,
    pub quantity: i64,
}

/// A batch voucher order: how to fetch and open its file **[convention]**.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct VoucherOrder {
    pub order_id: i64,
    pub file_name: String,
    /// The zip's password. Never log it.
    pub password: String,
    pub quantity: i64,
    /// The order's total, cents.
    #[serde(deserialize_with = "hundredths")]
    pub amount: i64,
}

impl std::fmt::Display for VoucherOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "order {} ({} vouchers, file {})", self.order_id, self.quantity, self.file_name)
    }
}

/// One voucher from an order file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderedVoucher {
    pub ticket_number: String,
    pub voucher_pin: String,
    /// Cents.
    pub amount: i64,
    /// `YYYY-MM-DD`.
    pub expiry_date: chrono::NaiveDate,
    pub box_number: String,
    pub batch_number: String,
}

/// `GET /smartload/cashup/{smartloadId}` and `POST /smartload/cashup`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cashup {
    #[serde(default)]
    pub cashup_response_items: Vec<CashupItem>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CashupItem {
    /// `Opening Balance`, `Closing Balance`, `Recharges`, `Deposits`, `Total Profit`.
    pub group_description: String,
    /// `CELLC`, `MTN`, `VOD`, `Telkom Mobile`, `Electricity-Eskom`, `Credit`, ...
    pub item_description: Option<String>,
    #[serde(default)]
    pub item_count: Option<i64>,
    /// Ten-thousandths of a rand (Smartcall keeps four decimals); recharges are
    /// negative. `amount` is the retail value, `netAmount` what the wallet paid.
    #[serde(default, deserialize_with = "opt_ten_thousandths")]
    pub amount: Option<i64>,
    #[serde(default, deserialize_with = "opt_ten_thousandths")]
    pub net_amount: Option<i64>,
    #[serde(default, deserialize_with = "opt_ten_thousandths")]
    pub profit: Option<i64>,
}

impl Cashup {
    /// The items of one group.
    pub fn group<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a CashupItem> + 'a {
        self.cashup_response_items.iter().filter(move |i| i.group_description.eq_ignore_ascii_case(name))
    }
}

/// `POST /smartload/cashup`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CashupPeriodRequest {
    pub smartload_id: String,
    /// `2018-01-01`
    pub start_date: String,
    pub end_date: String,
}

/// `GET /utilities/simnetwork/{msisdn}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimNetwork {
    pub msisdn: String,
    #[serde(default)]
    pub query_date: Option<String>,
    #[serde(default)]
    pub ported: bool,
    pub network: String,
}

/// `GET /utilities/health`: `{"vodacom":"UP","mtn":"UP",...}`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct NetworkHealth(pub std::collections::BTreeMap<String, String>);

impl NetworkHealth {
    /// `Some(true)` when the named network (`vodacom`, `mtn`, `cellc`, `telkom`,
    /// `virgin`) is up, `None` when it is not listed.
    pub fn is_up(&self, key: &str) -> Option<bool> {
        self.0.get(key).map(|s| s.trim().eq_ignore_ascii_case("UP"))
    }

    /// The health key for a catalog network description.
    pub fn key_for(network: &str) -> Option<&'static str> {
        let n = network.to_ascii_lowercase();
        if n.starts_with("vodacom") {
            Some("vodacom")
        } else if n.starts_with("mtn") {
            Some("mtn")
        } else if n.starts_with("cell") {
            Some("cellc")
        } else if n.starts_with("telkom") {
            Some("telkom")
        } else if n.starts_with("virgin") {
            Some("virgin")
        } else {
            None
        }
    }
}

/// Trims right-padded strings; empty becomes `None`.
pub(crate) fn trimmed<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s: Option<String> = Deserialize::deserialize(d)?;
    Ok(s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recharge_request_has_the_recorded_shape() {
        let r = RechargeRequest {
            smartload_id: "27813272161".into(),
            client_reference: "9194e809-7cce-4395-b782-5fd4045ce29d".into(),
            sms_recipient_msisdn: "27831234567".into(),
            device_id: "27831234567".into(),
            product_id: 22,
            amount: 10_000,
            pinless: true,
            send_sms: true,
            sms_provider_identifier: None,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"smartloadId":"27813272161","clientReference":"9194e809-7cce-4395-b782-5fd4045ce29d","smsRecipientMsisdn":"27831234567","deviceId":"27831234567","productId":22,"amount":100,"pinless":true,"sendSms":true}"#
        );
    }

    #[test]
    fn reads_the_recorded_recharge_and_transaction() {
        let r: Recharge = serde_json::from_str(
            r#"{"balance":99574.75,"orderReferenceId":130078272,"ticketNumber":"","boxNumber":"","batchNumber":"","voucherPin":"","expiryDate":null,"retailPrice":"450.00","dealerDiscount":"5.5"}"#,
        )
        .unwrap();
        assert_eq!(r.balance, Some(995_747_500));
        assert_eq!(r.order_reference_id, 130_078_272);
        assert_eq!(r.voucher_pin, None);
        assert_eq!(r.retail_price, Some(45_000));
        assert_eq!(r.dealer_discount, Some(55_000));
        let t: Transaction = serde_json::from_str(r#"{"description":"Order","network":"2000 SMS-R450","recipientMsisdn":"27831234567","statusDate":1519580942863,"reference":"130078272","amount":"R450.00","discount":"5.50%","cost":"R425.25","status":"Recharge Pending","statusId":"PENDING","ticketNumber":null,"voucherPin":null,"additionalVoucherPin":null,"boxNumber":null,"batchNumber":null,"expiryDate":null}"#).unwrap();
        assert_eq!(t.status(), Some(TransactionStatus::Pending));
        assert_eq!((t.amount, t.discount, t.cost), (Some(45_000), Some(55_000), Some(4_252_500)));
    }

    #[test]
    fn pins_come_trimmed_and_the_misspelt_status_is_success() {
        let t: Transaction = serde_json::from_str(r#"{"statusId":"SUCESSFUL","voucherPin":"123456789012    ","ticketNumber":"0000123   "}"#).unwrap();
        assert_eq!(t.status(), Some(TransactionStatus::Successful));
        assert_eq!(t.voucher_pin.as_deref(), Some("123456789012"));
        assert_eq!(t.ticket_number.as_deref(), Some("0000123"));
        let t: Transaction = serde_json::from_str(r#"{"statusId":"3"}"#).unwrap();
        assert_eq!(t.status(), Some(TransactionStatus::Successful));
    }

    #[test]
    fn a_product_written_back_reads_the_same() {
        let p: Product = serde_json::from_str(
            r#"{"id":62,"name":"MTN Airtime R12","typeCode":"V ","minAmount":12.0000,"maxAmount":12.0000,"discountPercentage":5.5000,"retailValue":12.0000,"pinIndicator":true,"smsIndicator":true}"#,
        )
        .unwrap();
        let again: Product = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(again, p);
        assert_eq!(again.retail_value, 1200);
        assert_eq!(again.discount_percentage, Some(55_000));
    }

    #[test]
    fn reads_the_recorded_product() {
        let p: Product = serde_json::from_str(r#"{"id":62,"name":"Vodacom Airtime","description":"Vodacom Airtime","typeCode":"A ","minAmount":2.0000,"maxAmount":1000.0000,"discountPercentage":5.5000,"retailValue":99999.9900,"pinIndicator":false,"smsIndicator":false}"#).unwrap();
        assert!(p.is_any_amount());
        assert_eq!((p.min_amount, p.max_amount, p.discount_percentage), (200, 100_000, Some(55_000)));
    }

    #[test]
    fn wallets_costs_and_cashups_are_read_to_four_decimals() {
        // A 5.5% discount on R15 costs R14.175: the wallet, the cost and the cashup
        // carry three or four decimals (providers.md).
        let b: BalanceResponse = serde_json::from_str(r#"{"error":null,"responseCode":"SUCCESS","balance":99973.475}"#).unwrap();
        assert_eq!(b.balance, 999_734_750);
        let r: Recharge = serde_json::from_str(r#"{"balance":99985.825,"orderReferenceId":1,"dealerDiscount":"5.125"}"#).unwrap();
        assert_eq!((r.balance, r.dealer_discount), (Some(999_858_250), Some(51_250)));
        let t: Transaction = serde_json::from_str(r#"{"amount":"R15.00","discount":"5.50%","cost":"R14.175","statusId":"SUCESSFUL"}"#).unwrap();
        assert_eq!(t.cost, Some(141_750));
        let c: Cashup =
            serde_json::from_str(r#"{"cashupResponseItems":[{"groupDescription":"Recharges","itemDescription":"MTN","itemCount":1,"amount":-15.0000,"netAmount":-14.1750,"profit":0.825}]}"#).unwrap();
        let i = &c.cashup_response_items[0];
        assert_eq!((i.amount, i.net_amount, i.profit), (Some(-150_000), Some(-141_750), Some(8_250)));
        let f: FundsTransferResponse = serde_json::from_str(r#"{"currentDealerBalance":90000.0025}"#).unwrap();
        assert_eq!(f.current_dealer_balance, 900_000_025);
        // A fifth decimal cannot be held exactly: an error, never a rounding.
        assert!(serde_json::from_str::<BalanceResponse>(r#"{"balance":99973.47512}"#).is_err());
    }
}
