//! The sandbox's own rules, over real HTTP with raw requests (no client types).

use airtill_sandbox::{SmartcallSandbox, TRAINING_SMARTLOAD_ID};
use serde_json::{json, Value};

async fn login(base: &str) -> String {
    let r = reqwest::Client::new().post(format!("{base}/auth")).basic_auth("training", Some("training")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["accessToken"].as_str().unwrap().to_string()
}

fn body(cref: &str, recipient: &str, product: i64, amount: i64) -> Value {
    json!({"smartloadId": TRAINING_SMARTLOAD_ID, "clientReference": cref, "smsRecipientMsisdn": recipient,
           "deviceId": "27831234567", "productId": product, "amount": amount, "pinless": false, "sendSms": true})
}

/// The id of the MTN R12 voucher with the SMS, read from the catalog as served.
async fn mtn_r12(base: &str, token: &str) -> i64 {
    let v: Value = reqwest::Client::new().get(format!("{base}/smartload/networks")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    v["networks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| n["productTypes"].as_array().unwrap())
        .flat_map(|t| t["products"].as_array().unwrap())
        .find(|p| p["name"] == "MTN Airtime R12" && p["smsIndicator"] == true)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn post(base: &str, token: &str, v: &Value) -> (u16, Value) {
    let r = reqwest::Client::new().post(format!("{base}/smartload/recharges")).bearer_auth(token).json(v).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn recharge_rules_on_the_wire() {
    let sb = SmartcallSandbox::start().await.unwrap();
    let base = sb.base_url();
    let token = login(&base).await;
    let product = mtn_r12(&base, &token).await;

    let (status, v) = post(&base, &token, &body("c1", "0831234567", product, 12)).await;
    assert_eq!((status, v["code"].as_i64()), (400, Some(1007)), "the SMS recipient must be in 27 form: {v}");

    let mut wrong_name = body("c1", "27831234567", product, 12);
    wrong_name["clientRef"] = json!("x");
    let (status, v) = post(&base, &token, &wrong_name).await;
    assert_eq!((status, v["code"].as_i64()), (400, Some(1007)), "an unknown field is refused: {v}");

    let (status, v) = post(&base, &token, &body("c1", "27831234567", product, 12)).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["responseCode"], "SUCCESS");
    let pin = v["recharge"]["voucherPin"].as_str().unwrap();
    assert!(pin.ends_with(' '), "PINs come right-padded");

    let (status, v) = post(&base, &token, &body("c1", "27831234567", product, 12)).await;
    assert_eq!((status, v["code"].as_i64()), (400, Some(1001)), "{v}");
    let (status, v) = post(&base, &token, &body("c2", "27831234567", product, 12)).await;
    assert_eq!((status, v["code"].as_i64()), (400, Some(16)), "same number and amount within 5 minutes: {v}");
    assert_eq!(sb.ledger().len(), 1);
}

#[tokio::test]
async fn a_post_without_json_content_type_gets_the_html_415_page() {
    let sb = SmartcallSandbox::start().await.unwrap();
    let base = sb.base_url();
    let token = login(&base).await;
    let r = reqwest::Client::new().post(format!("{base}/smartload/recharges")).bearer_auth(&token).body("{}").send().await.unwrap();
    assert_eq!(r.status(), 415);
    assert!(r.text().await.unwrap().contains("<html"));
}

#[tokio::test]
async fn the_catalog_etag_answers_304() {
    let sb = SmartcallSandbox::start().await.unwrap();
    let base = sb.base_url();
    let token = login(&base).await;
    let http = reqwest::Client::new();
    let r = http.get(format!("{base}/smartload/networks")).bearer_auth(&token).send().await.unwrap();
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let r = http.get(format!("{base}/smartload/networks")).bearer_auth(&token).header("If-None-Match", &tag).send().await.unwrap();
    assert_eq!(r.status(), 304);
    assert!(r.bytes().await.unwrap().is_empty());
}
