//! The mutation fuzzer (see `crate::fuzzing`) on MX's answer and notification readers.

use super::*;

const SEEDS: &[&str] = &[
    "outcome=success\noutcomeReasonId=1000\ncreditId=MX0000001\n",
    "outcome=rejected\noutcomeReasonId=3037\noutcomeReasonText=Missing amount\n",
    "<credit><outcome>success</outcome><outcomeReasonId>1000</outcomeReasonId><creditId>MX0000001</creditId></credit>",
    "balance=1000000\ncurrency=GBP\n",
    "creditId=MX0000001&creditState=submitted&msisdn=447700900008&network=TESTNETWORK&billingType=prepay&amount=5000&currency=GBP&requirefulfilmentUrl=no",
    "creditId=MX0000001&creditState=failure&msisdn=447700900004&network=TESTNETWORK&amount=5000&currency=GBP&requirefulfilmentUrl=no&reason=Network%20rejected",
];

const INTERESTING: &[&[u8]] = &[b"=", b"&", b"%", b"%zz", b"\n", b"-1", b"99999999999999999999", b"creditState=", b"<", b"&amp;", b"\xff"];

#[test]
fn mx_answer_and_notification_readers_survive_mutated_bodies() {
    crate::fuzzing::run("mx answer", SEEDS, INTERESTING, |body, status| {
        for f in [ResponseFormat::Plain, ResponseFormat::Xml] {
            let _ = read_credit(status, body, f);
            let _ = read_balance(status, body, f);
        }
        if let Ok(q) = std::str::from_utf8(body) {
            if let Ok(n) = Notification::from_query(q) {
                assert!(!n.credit_id.is_empty());
            }
        }
    });
}
