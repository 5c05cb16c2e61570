//! The mutation fuzzer (see `crate::fuzzing`) on every reader of AAT's answers and
//! call-backs, seeded with the spec's samples.

use super::client::fuzz_entry;

const SEEDS: &[&str] = &[
    r#"<NetworkInfo xmlns="https://mobilerechargeapi.gsm.co.za/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"> <Id>2</Id> <Name>MTN</Name> </NetworkInfo>"#,
    r#"<NetworkInfo> <Id>0</Id> <Error>invalid msisdn. </Error> </NetworkInfo>"#,
    r#"<ArrayOfNetworkInfo> <NetworkInfo> <Id>1</Id> <Name>Vodacom</Name> </NetworkInfo> <NetworkInfo> <Id>2</Id> <Name>MTN</Name> </NetworkInfo> </ArrayOfNetworkInfo>"#,
    r#"<ArrayOfVoucherTypeInfo> <VoucherTypeInfo> <Id>13</Id> <NetworkId>2</NetworkId> <Name>Airtime Voucher</Name> <FixedAmount>false</FixedAmount> </VoucherTypeInfo> </ArrayOfVoucherTypeInfo>"#,
    r#"<ArrayOfVoucherDetails> <VoucherDetails> <Id>121</Id> <Name>MTN R2.00 voucher</Name> <Description>MTN R2.00 voucher</Description> <MaxAmount>2.00</MaxAmount> <MinAmount>2.00</MinAmount> <PinnedVoucher>true</PinnedVoucher> </VoucherDetails> </ArrayOfVoucherDetails>"#,
    r#"<ArrayOfVoucherDetails> <VoucherDetails> <Id>0</Id> <MaxAmount>0</MaxAmount> <MinAmount>0</MinAmount> <PinnedVoucher>false</PinnedVoucher> <Error>no Voucher found. </Error> </VoucherDetails> </ArrayOfVoucherDetails>"#,
    r#"<RechargeInfo> <VoucherPin>0000000011180837</VoucherPin> <OrderRef>98187964</OrderRef> <TicketNumber>SAWPK7G7HN6D </TicketNumber> <BoxNumber>13004934</BoxNumber> <BatchNumber>130049348</BatchNumber> <TransactionError>false</TransactionError> </RechargeInfo>"#,
    r#"<RechargeInfo> <TransactionError>true</TransactionError> <Error>invalid amount. Amount needs to be between R2 and R5 (Max Recharge Amount Set: R5)</Error> </RechargeInfo>"#,
    r#"<RechargeInfo> <TransactionError>true</TransactionError> <Error>insufficient credit to complete the transaction. Current credit - R1</Error> </RechargeInfo>"#,
    r#"<UserCredit> <Id>1</Id> <Name>Test</Name> <RemainingCredit>22</RemainingCredit> </UserCredit>"#,
    r#"<TransactionVoucherInfo> <MSISDN>27810236221</MSISDN> <Amount>5</Amount> <VoucherType>66</VoucherType> <VoucherPin>000004989989 </VoucherPin> <TicketNumber>13138475906 </TicketNumber> <OrderRef>98187965</OrderRef> <BoxNumber>5007364</BoxNumber> <BatchNumber>50134643</BatchNumber> <ExpiryDate>0001-01-01T00:00:00</ExpiryDate> <Status>OK</Status> </TransactionVoucherInfo>"#,
    r#"<TotalTransaction> <Start>2016-01-01T00:00:00</Start> <End>2016-01-06T00:00:00</End> <Transactions>0</Transactions> </TotalTransaction>"#,
    r#"<UserStatus> <Environment>testing</Environment> <Enabled>true</Enabled> </UserStatus>"#,
    "System.InvalidOperationException: Missing parameter: clientRef.",
    r#"{"TransactionId":1,"ClientRef":"a","OrderRef":"98187964","MSISDN":"27810236221","Amount":5.00,"VoucherType":"66","Description":"x","Network":"MTN","Success":true,"FailReason":null}"#,
];

const INTERESTING: &[&[u8]] =
    &[b"&amp;", b"&#0;", b"&#xFFFFFF;", b"<![CDATA[", b"]]>", b"</", b"/>", b"<a:", b"-1", b"1e309", b"99999999999999999999", b"0.001", b"true", b"\xff\xfe", b"<!--", b"<?xml version=\"1.0\"?>"];

#[test]
fn aat_answer_readers_survive_mutated_bodies() {
    crate::fuzzing::run("aat answer", SEEDS, INTERESTING, fuzz_entry);
}
