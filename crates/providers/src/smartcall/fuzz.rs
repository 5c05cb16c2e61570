//! A bounded mutation fuzzer for everything that reads Smartcall's answers: the
//! three error envelopes, every answer type, the synchronous and batch readers, money
//! in all its written forms. Seeds are the wire samples of `shared/providers.md`;
//! each round flips, inserts, deletes, duplicates and splices bytes, and feeds the
//! result to every reader with statuses 200, 400 and 500. A panic fails the test.
//!
//! `make test` runs it for 2 s; `AIRTILL_FUZZ_SECS=600 cargo test --workspace -p
//! airtill-providers fuzz -- --nocapture` runs longer (`AIRTILL_FUZZ_SEED` varies it).

use super::client::fuzz_entry;

const SEEDS: &[&str] = &[
    r#"{"accessToken":"4f0c0ad2-31bd-4bd5-a6d1-1fd0a4a7d5c5","expiresAt":1795392000000}"#,
    r#"{"balance":99574.75}"#,
    r#"{"error":null,"responseCode":null,"recharge":{"balance":99574.7500,"orderReferenceId":130078272,"ticketNumber":"0012345678 ","boxNumber":null,"batchNumber":null,"voucherPin":"1234567890123456 ","expiryDate":1826928000000,"retailPrice":12.00,"dealerDiscount":6.00}}"#,
    r#"{"error":{"code":16,"message":"A trx with the same Cell no + amount was done in the last 5 minutes."},"responseCode":"APP_ERROR","recharge":null}"#,
    r#"{"code":1001,"message":"Duplicate recharge"}"#,
    r#"{"responseCode":"APP_ERROR","message":"will fail","code":"7"}"#,
    r#"{"transaction":{"description":"MTN Airtime R12","network":"MTN","recipientMsisdn":"27831234567","statusDate":1795392000000,"reference":"130078272","amount":12.0000,"discount":0.7200,"cost":11.2800,"status":"SUCESSFUL","statusId":"3","ticketNumber":"0012345678","voucherPin":"1234567890123456","expiryDate":1826928000000}}"#,
    r#"{"statusCode":0,"statusMessage":"Successful","recharge":{"orderReferenceId":130078273,"balance":"R450.00"}}"#,
    r#"{"statusCode":3,"statusMessage":"VDC0001 Timeout - query the recharge","recharge":null}"#,
    r#"{"responseCode":"PART_SUCCESS","results":[{"clientReference":"a","recharge":{"orderReferenceId":1}},{"clientReference":"b","error":{"code":6,"message":"Invalid recharge Cell No provided"}}]}"#,
    r#"{"error":null,"responseCode":null,"cashupResponseItems":[{"groupDescription":"Opening Balance","itemDescription":null,"itemCount":null,"amount":1000.0000,"netAmount":1000.0000,"profit":null},{"groupDescription":"Recharges","itemDescription":"MTN","itemCount":3,"amount":-55.0000,"netAmount":-52.2500,"profit":2.7500}]}"#,
    r#"{"networks":[{"id":2,"description":"MTN ","productTypes":[{"id":2,"code":"A ","displayName":"Airtime","description":"Airtime Vouchers","products":[{"id":176,"name":"MTN Airtime R12","description":"R12","minAmount":12.00,"maxAmount":12.00,"retailValue":12.00,"pinIndicator":true,"smsIndicator":true,"discountPercentage":"5.50%"}]}]}]}"#,
    r#"{"MTN":"UP","VOD":"DOWN","CELLC":"UP"}"#,
    r#"{"order":{"orderId":77,"fileName":"order-77-1.zip","password":"ABCdef234","quantity":10,"amount":120.0000}}"#,
    "<html><body>502 Bad Gateway</body></html>",
    "",
];

const INTERESTING: &[&[u8]] = &[b"null", b"-1", b"1e309", b"99999999999999999999", b"\"\"", b"{}", b"[]", b"0.001", b"\"R-0.5\"", b"\"5.5.5%\"", b"\xff\xfe", b"\\u0000", b"true"];

#[test]
fn smartcall_answer_readers_survive_mutated_bodies() {
    crate::fuzzing::run("smartcall answer", SEEDS, INTERESTING, fuzz_entry);
}
