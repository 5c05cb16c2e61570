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

async fn send(base: &str, token: &str, method: reqwest::Method, path: &str, v: Option<&Value>) -> (u16, Value) {
    let mut r = reqwest::Client::new().request(method, format!("{base}{path}")).bearer_auth(token);
    if let Some(v) = v {
        r = r.json(v);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_batch_over_one_hundred_is_refused_by_the_service_too() {
    let sb = SmartcallSandbox::start().await.unwrap();
    let base = sb.base_url();
    let token = login(&base).await;
    let product = mtn_r12(&base, &token).await;
    let many: Vec<Value> = (0..101).map(|i| body(&format!("b{i}"), "27831234567", product, 12)).collect();
    let (status, v) = send(&base, &token, reqwest::Method::POST, "/smartload/recharges/batch", Some(&json!({ "recharges": many }))).await;
    assert_eq!((status, v["responseCode"].as_str()), (200, Some("BATCH_LIMIT_EXCEEDED")));
    let (status, v) = send(&base, &token, reqwest::Method::POST, "/smartload/recharges/batch", Some(&json!({ "recharge": [] }))).await;
    assert_eq!((status, v["code"].as_i64()), (400, Some(1007)), "a misspelt field is refused: {v}");
    assert!(sb.ledger().is_empty());
}

#[tokio::test]
async fn every_post_refuses_unknown_fields() {
    let sb = SmartcallSandbox::start().await.unwrap();
    let base = sb.base_url();
    let token = login(&base).await;
    for path in [
        "/smartload/fundstransfer",
        "/smartload/cashup",
        "/smartload/vouchers/orders",
        "/payments/easypay",
        "/payments/dstv",
        "/smartrica/registrations",
        "/smartrica/changeownership",
        "/smartrica/agents",
    ] {
        let (status, v) = send(&base, &token, reqwest::Method::POST, path, Some(&json!({"smartloadID": TRAINING_SMARTLOAD_ID}))).await;
        assert_eq!((status, v["code"].as_i64()), (400, Some(1007)), "{path}: {v}");
    }
}

#[tokio::test]
async fn the_service_rejects_a_bad_id_number_after_processing() {
    use airtill_sandbox::TRAINING_RICA_AGENT;
    let clock = airtill_sandbox::ManualClock::new(1_795_420_800_000);
    let sb = SmartcallSandbox::start_with_clock(std::sync::Arc::new(clock.clone())).await.unwrap();
    let base = sb.base_url();
    let token = login(&base).await;
    let reg = json!({"agentId": TRAINING_RICA_AGENT, "msisdn": "27831234567", "iccid": "8927000012345678901", "firstName": "A", "surname": "B",
        "idType": "RSA_ID", "idNumber": "8001015009088", "nationality": "ZA", "alternativeContactNumber": "27721234567",
        "residentialAddress": {"line1": "1 Main", "suburb": "X", "city": "Y", "postalCode": "1804"}});
    let (status, v) = send(&base, &token, reqwest::Method::POST, "/smartrica/registrations", Some(&reg)).await;
    assert_eq!(status, 200, "{v}");
    let id = v["registrationId"].as_str().unwrap().to_string();
    let (_, s) = send(&base, &token, reqwest::Method::GET, &format!("/smartrica/registrations/{id}"), None).await;
    assert_eq!(s["status"], "PENDING");
    clock.advance_ms(10 * 60 * 1000);
    let (_, s) = send(&base, &token, reqwest::Method::GET, &format!("/smartrica/registrations/{id}"), None).await;
    assert_eq!((s["status"].as_str(), s["reason"].as_str()), (Some("REJECTED"), Some("ID number failed Home Affairs validation")));
    let mut passport = reg.clone();
    passport["idType"] = json!("PASSPORT");
    passport["passportExpiry"] = json!("2027-01-01");
    let (status, v) = send(&base, &token, reqwest::Method::POST, "/smartrica/registrations", Some(&passport)).await;
    assert_eq!((status, v["code"].as_i64()), (400, Some(1007)), "a passport expiring within 3 months: {v}");
    let mut no_alt = reg.clone();
    no_alt["alternativeContactNumber"] = json!("");
    let (status, _) = send(&base, &token, reqwest::Method::POST, "/smartrica/registrations", Some(&no_alt)).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_dropped_connection_still_records_the_sale() {
    let sb = SmartcallSandbox::start().await.unwrap();
    let base = sb.base_url();
    let token = login(&base).await;
    let product = mtn_r12(&base, &token).await;
    sb.inject_next_sale(airtill_sandbox::Fault::DropAfterRecord);
    let r = reqwest::Client::new().post(format!("{base}/smartload/recharges")).bearer_auth(&token).json(&body("drop", "27831234567", product, 12)).send().await;
    let broken = match r {
        Err(_) => true,
        Ok(resp) => resp.bytes().await.is_err(),
    };
    assert!(broken, "the answer never arrives whole");
    assert_eq!(sb.ledger().len(), 1);
}

/// The raw text of the answer to a GET.
async fn get_text(base: &str, token: &str, path: &str) -> String {
    reqwest::Client::new().get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn amounts_have_four_decimals_and_twins_share_their_id() {
    let sb = SmartcallSandbox::start().await.unwrap();
    let base = sb.base_url();
    let token = login(&base).await;
    let v: Value = serde_json::from_str(&get_text(&base, &token, "/smartload/networks").await).unwrap();
    let products: Vec<&Value> = v["networks"].as_array().unwrap().iter().flat_map(|n| n["productTypes"].as_array().unwrap()).flat_map(|t| t["products"].as_array().unwrap()).collect();
    let twins = products.iter().filter(|p| p["name"] == "MTN Airtime R12").collect::<Vec<_>>();
    assert_eq!(twins.len(), 2);
    assert_eq!(twins[0]["id"], twins[1]["id"], "one id for both smsIndicator entries");
    assert_ne!(twins[0]["smsIndicator"], twins[1]["smsIndicator"]);
    // Vodacom airtime without the SMS at 5.5%: R15 costs R14.175, so the wallet has three decimals.
    let airtime = products.iter().find(|p| p["name"] == "Vodacom Airtime" && p["smsIndicator"] == false).unwrap()["id"].as_i64().unwrap();
    let mut b = body("d1", "27821234567", airtime, 15);
    b["deviceId"] = json!("27821234567");
    b["pinless"] = json!(true);
    b["sendSms"] = json!(false);
    let r = reqwest::Client::new().post(format!("{base}/smartload/recharges")).bearer_auth(&token).json(&b).send().await.unwrap().text().await.unwrap();
    assert!(r.contains("\"balance\":99985.8250"), "{r}");
    assert!(r.contains("\"dealerDiscount\":\"5.5\""), "{r}");
    let bal = get_text(&base, &token, &format!("/smartload/balance/{TRAINING_SMARTLOAD_ID}")).await;
    assert!(bal.contains("\"balance\":99985.8250"), "{bal}");
    let cashup = get_text(&base, &token, &format!("/smartload/cashup/{TRAINING_SMARTLOAD_ID}")).await;
    assert!(cashup.contains("\"netAmount\":-14.1750") && cashup.contains("\"profit\":0.8250"), "{cashup}");
    assert_eq!(sb.wallet_e4(TRAINING_SMARTLOAD_ID), Some(999_858_250));
}

#[tokio::test]
async fn ideamart_charges_rupees_only() {
    let sb = airtill_sandbox::IdeamartSandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let ask = |currency: Option<&str>| {
        let mut v = json!({"applicationId": "APP_000001", "password": "training", "subscriberId": "tel:94776351232"});
        if let Some(c) = currency {
            v["currency"] = json!(c);
        }
        let url = format!("{}/balance/query", sb.base_url());
        let http = http.clone();
        async move { http.post(url).json(&v).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(ask(None).await["statusCode"], "S1000");
    assert_eq!(ask(Some("LKR")).await["statusCode"], "S1000");
    for other in ["ZAR", "USD", "lkr", ""] {
        assert_eq!(ask(Some(other)).await["statusCode"], "E1336", "{other}");
    }
    let debit = json!({"applicationId": "APP_000001", "password": "training", "externalTrxId": "x1", "subscriberId": "tel:94776351232",
                       "paymentInstrument": "MobileAccount", "currency": "ZAR", "amount": "12"});
    let v: Value = http.post(format!("{}/direct/debit", sb.base_url())).json(&debit).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["statusCode"], "E1336");
    assert!(sb.ledger().iter().all(|e| e.status != "S1000"), "nothing taken in rand");
}

/// The id of the Eskom electricity product (with or without the SMS), as served.
async fn eskom(base: &str, token: &str, sms: bool) -> i64 {
    let v: Value = reqwest::Client::new().get(format!("{base}/smartload/networks")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    v["networks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["description"].as_str().is_some_and(|d| d.contains("Eskom")))
        .flat_map(|n| n["productTypes"].as_array().unwrap())
        .flat_map(|t| t["products"].as_array().unwrap())
        .find(|p| p["smsIndicator"] == sms)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn transaction(base: &str, token: &str, cref: &str) -> Value {
    let r = reqwest::Client::new().get(format!("{base}/smartload/recharges/{TRAINING_SMARTLOAD_ID}/{cref}")).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    v["transaction"].clone()
}

/// Electricity is never synchronous (spec, "Synchronous recharge request"): both
/// recharge endpoints answer a submission without the token; Transaction Query gives
/// the token with the final state, and on a meter registered for free basic
/// electricity the month's free-basic token (`additionalVoucherPin`) with the first.
#[tokio::test]
async fn electricity_tokens_come_by_transaction_query_with_the_free_basic_token() {
    let sb = SmartcallSandbox::start().await.unwrap();
    let base = sb.base_url();
    let token = login(&base).await;
    let free_basic = airtill_sandbox::TRAINING_FREE_BASIC_METER;
    let mut sent = Vec::new();
    for (i, (path, meter, amount)) in [("/smartload/v2/recharges", free_basic, 5000), ("/smartload/recharges", free_basic, 6000), ("/smartload/recharges", "01234567890", 5000)].into_iter().enumerate()
    {
        let cref = format!("power-{i}");
        let product = eskom(&base, &token, false).await;
        let req = json!({"smartloadId": TRAINING_SMARTLOAD_ID, "clientReference": cref, "smsRecipientMsisdn": TRAINING_SMARTLOAD_ID,
                         "deviceId": meter, "productId": product, "amount": amount / 100, "pinless": false, "sendSms": false});
        let r = reqwest::Client::new().post(format!("{base}{path}")).bearer_auth(&token).json(&req).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["recharge"]["voucherPin"].as_str().map(str::trim), Some(""), "{path} answered with a token: {v}");
        let t = transaction(&base, &token, &cref).await;
        assert_eq!(t["statusId"], "REQUESTED", "{t}");
        assert!(t["voucherPin"].is_null(), "{t}");
        sent.push(cref);
    }
    sb.set_queue_delay_ms(0);
    let mut free = Vec::new();
    for cref in &sent {
        let t = transaction(&base, &token, cref).await;
        assert_eq!(t["statusId"], "SUCESSFUL", "{t}");
        assert_eq!(t["voucherPin"].as_str().unwrap().trim().len(), 20, "{t}");
        free.push(t["additionalVoucherPin"].as_str().map(|p| p.trim().to_string()));
    }
    assert!(free[0].as_ref().is_some_and(|p| p.len() == 20), "the month's first token on a free-basic meter: {free:?}");
    assert_eq!(free[1], None, "once a month: {free:?}");
    assert_eq!(free[2], None, "a meter not registered: {free:?}");
}
