//! The mutation fuzzer (see `crate::fuzzing`) on Ideamart's answer readers.

use airtill_domain::Currency;

const SEEDS: &[&str] = &[
    r#"{"chargeableBalance":"300.0","statusCode":"S1000","statusDetail":"Success","accountStatus":"Active","accountType":"Pre Paid"}"#,
    r#"{"statusCode":"S1000","timeStamp":"2012-07-30T12:48:10-0400","shortDescription":"short Description","statusDetail":"Success","externalTrxId":"12345678901234567890123456789012","longDescription":"Long Description","internalTrxId":"321"}"#,
    r#"{"statusCode":"E1379","statusDetail":"transaction has already completed","externalTrxId":"12345678901234567890123456789012"}"#,
    r#"{"statusCode":"E1378","statusDetail":"Insufficient balance"}"#,
];

const INTERESTING: &[&[u8]] = &[b"null", b"-1", b"1e309", b"\"\"", b"{}", b"[]", b"0.001", b"\"S1000\"", b"\"E1379\"", b"\xff", b"\\u0000", b"true"];

#[test]
fn ideamart_answer_readers_survive_mutated_bodies() {
    crate::fuzzing::run("ideamart answer", SEEDS, INTERESTING, |body, status| {
        let _ = super::read_balance(status, body, Currency::LKR);
        let _ = super::read_debit(status, body, "12345678901234567890123456789012");
    });
}
