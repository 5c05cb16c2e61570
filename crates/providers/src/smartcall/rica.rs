//! SmartRica (spec §9): registrations, change of ownership, agents. Paths and the
//! change-of-ownership request are **[seen]**; the other bodies are **[convention]**.
//! Every request is checked here before anything is sent: the spec's rules (a
//! passport valid for 3 more months, an alternative contact number, images of at
//! most 300 KB) and the shape of numbers.

use super::conventions::RICA_IMAGE_MAX_BYTES;
use airtill_domain::Msisdn;
use base64::Engine as _;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdType {
    #[serde(rename = "RSA_ID")]
    RsaId,
    #[serde(rename = "PASSPORT")]
    Passport,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub line1: String,
    pub suburb: String,
    pub city: String,
    pub postal_code: String,
}

impl Address {
    fn check(&self) -> Result<(), String> {
        if [&self.line1, &self.suburb, &self.city].iter().any(|s| s.trim().is_empty()) {
            return Err("The residential address needs a street line, a suburb and a city.".into());
        }
        if !(self.postal_code.len() == 4 && self.postal_code.bytes().all(|b| b.is_ascii_digit())) {
            return Err("A South African postal code has 4 digits.".into());
        }
        Ok(())
    }
}

/// An identity document: a South African ID, or a passport with its expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdDetails {
    pub id_type: IdType,
    pub id_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passport_expiry: Option<NaiveDate>,
    pub nationality: String,
}

impl IdDetails {
    /// Spec 9b: a passport must carry an expiry at least 3 months after `today`.
    pub fn check(&self, today: NaiveDate) -> Result<(), String> {
        match self.id_type {
            IdType::RsaId => {
                if !sa_id_number_valid(&self.id_number) {
                    return Err("That is not a valid South African ID number (13 digits with a correct check digit).".into());
                }
            }
            IdType::Passport => {
                let n = self.id_number.trim();
                if n.len() < 6 || n.len() > 20 || !n.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err("A passport number has 6 to 20 letters and digits.".into());
                }
                let Some(expiry) = self.passport_expiry else {
                    return Err("A passport registration needs the passport's expiry date.".into());
                };
                let limit = today.checked_add_months(Months::new(3)).unwrap_or(today);
                if expiry < limit {
                    return Err(format!("The passport must be valid for at least 3 more months (until {limit} or later); it expires on {expiry}."));
                }
                if self.nationality.trim().is_empty() {
                    return Err("A passport registration needs the holder's nationality.".into());
                }
            }
        }
        Ok(())
    }
}

fn id_details(id_type: IdType, id_number: &str, passport_expiry: Option<NaiveDate>, nationality: &str) -> IdDetails {
    IdDetails { id_type, id_number: id_number.to_string(), passport_expiry, nationality: nationality.to_string() }
}

/// The 13-digit South African ID number with its Luhn check digit.
pub fn sa_id_number_valid(id: &str) -> bool {
    if id.len() != 13 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = id
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn check_name(what: &str, s: &str) -> Result<(), String> {
    if s.trim().is_empty() || s.len() > 60 {
        return Err(format!("The {what} is required (at most 60 characters)."));
    }
    Ok(())
}

fn check_msisdn(what: &str, s: &str) -> Result<(), String> {
    Msisdn::parse(s).map(|_| ()).map_err(|e| format!("The {what}: {e}"))
}

/// `POST /smartrica/registrations` **[convention]** body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RicaRegistration {
    pub agent_id: String,
    pub msisdn: String,
    pub iccid: String,
    pub first_name: String,
    pub surname: String,
    pub id_type: IdType,
    pub id_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passport_expiry: Option<NaiveDate>,
    pub nationality: String,
    pub alternative_contact_number: String,
    pub residential_address: Address,
}

impl RicaRegistration {
    /// The spec's rules and the shape of every field, checked before sending.
    pub fn check(&self, today: NaiveDate) -> Result<(), String> {
        check_msisdn("agent's number", &self.agent_id)?;
        check_msisdn("SIM's number", &self.msisdn)?;
        if !((19..=20).contains(&self.iccid.len()) && self.iccid.bytes().all(|b| b.is_ascii_digit())) {
            return Err("The SIM's ICCID (serial number) has 19 or 20 digits.".into());
        }
        check_name("first name", &self.first_name)?;
        check_name("surname", &self.surname)?;
        id_details(self.id_type, &self.id_number, self.passport_expiry, &self.nationality).check(today)?;
        if self.alternative_contact_number.trim().is_empty() {
            return Err("An alternative contact number for the SIM's user is required.".into());
        }
        check_msisdn("alternative contact number", &self.alternative_contact_number)?;
        let same = Msisdn::parse(&self.alternative_contact_number).ok() == Msisdn::parse(&self.msisdn).ok();
        if same {
            return Err("The alternative contact number must be a different number from the SIM being registered.".into());
        }
        self.residential_address.check()
    }
}

/// `POST /smartrica/changeownership`, fields as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeOwnership {
    pub agent_id: String,
    pub first_name: String,
    pub surname: String,
    pub id_details: IdDetails,
    /// `INDIVIDUAL` or `BUSINESS` **[convention]**.
    pub registration_type: String,
    /// The SIM's number.
    pub subscriber_id: String,
    pub last4_iccid: String,
    pub residential_address: Address,
    pub previous_id_number: String,
    pub previous_id_type: IdType,
    pub network: String,
    pub business_owner_id_details: Option<IdDetails>,
}

impl ChangeOwnership {
    pub fn check(&self, today: NaiveDate) -> Result<(), String> {
        check_msisdn("agent's number", &self.agent_id)?;
        check_msisdn("SIM's number", &self.subscriber_id)?;
        check_name("first name", &self.first_name)?;
        check_name("surname", &self.surname)?;
        self.id_details.check(today)?;
        if !(self.last4_iccid.len() == 4 && self.last4_iccid.bytes().all(|b| b.is_ascii_digit())) {
            return Err("Type the last 4 digits of the SIM's ICCID (serial number).".into());
        }
        match self.registration_type.as_str() {
            "INDIVIDUAL" => {}
            "BUSINESS" => match &self.business_owner_id_details {
                Some(b) => b.check(today)?,
                None => return Err("A business registration needs the business owner's ID details.".into()),
            },
            _ => return Err("The registration type is INDIVIDUAL or BUSINESS.".into()),
        }
        if self.previous_id_number.trim().is_empty() {
            return Err("The previous owner's ID number is required.".into());
        }
        if self.network.trim().is_empty() {
            return Err("The SIM's network is required.".into());
        }
        self.residential_address.check()
    }
}

/// `POST /smartrica/agents` **[convention]**: a new RICA agent with three images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentRegistration {
    pub msisdn: String,
    pub first_name: String,
    pub surname: String,
    pub id_type: IdType,
    pub id_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passport_expiry: Option<NaiveDate>,
    pub nationality: String,
    pub residential_address: Address,
    /// Base64 JPEG or PNG, at most 300 KB.
    pub id_image: String,
    pub face_image: String,
    pub proof_of_address_image: String,
}

impl AgentRegistration {
    pub fn check(&self, today: NaiveDate) -> Result<(), String> {
        check_msisdn("agent's number", &self.msisdn)?;
        check_name("first name", &self.first_name)?;
        check_name("surname", &self.surname)?;
        id_details(self.id_type, &self.id_number, self.passport_expiry, &self.nationality).check(today)?;
        self.residential_address.check()?;
        for (what, img) in [("ID document", &self.id_image), ("face", &self.face_image), ("proof of address", &self.proof_of_address_image)] {
            check_image(what, img)?;
        }
        Ok(())
    }
}

/// A base64 JPEG or PNG of at most 300 KB.
pub fn check_image(what: &str, b64: &str) -> Result<(), String> {
    if b64.trim().is_empty() {
        return Err(format!("The {what} image is required."));
    }
    // A cheap bound before decoding: base64 is 4 characters per 3 bytes.
    if b64.len() > RICA_IMAGE_MAX_BYTES / 3 * 4 + 8 {
        return Err(format!("The {what} image is larger than 300 KB. Take a smaller photo."));
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64.trim()).map_err(|_| format!("The {what} image could not be read (it is not base64)."))?;
    if bytes.len() > RICA_IMAGE_MAX_BYTES {
        return Err(format!("The {what} image is larger than 300 KB. Take a smaller photo."));
    }
    let jpeg = bytes.starts_with(&[0xFF, 0xD8, 0xFF]);
    let png = bytes.starts_with(b"\x89PNG\r\n\x1a\n");
    if !(jpeg || png) {
        return Err(format!("The {what} image must be a JPEG or PNG photo."));
    }
    Ok(())
}

/// The answer to a submission: the registration's id.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RicaSubmitted {
    pub registration_id: String,
}

/// `GET /smartrica/registrations/{registrationId}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RicaStatus {
    pub registration_id: String,
    #[serde(default)]
    pub msisdn: Option<String>,
    /// `PENDING`, `REGISTERED`, `REJECTED`.
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
}

/// `GET /smartrica/agents/{msisdn}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RicaAgent {
    pub agent: bool,
    pub enabled: bool,
    pub under_master_dealer: bool,
}

/// `GET /smartrica/agents/registrations/{registrationId}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentRegistrationStatus {
    /// `PENDING`, `APPROVED`, `FAILED`.
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn registration() -> RicaRegistration {
        RicaRegistration {
            agent_id: "27821234567".into(),
            msisdn: "27831234567".into(),
            iccid: "8927000012345678901".into(),
            first_name: "Sipho".into(),
            surname: "Dlamini".into(),
            id_type: IdType::RsaId,
            id_number: "8001015009087".into(),
            passport_expiry: None,
            nationality: "ZA".into(),
            alternative_contact_number: "0721234567".into(),
            residential_address: Address { line1: "12 Main Rd".into(), suburb: "Soweto".into(), city: "Johannesburg".into(), postal_code: "1804".into() },
        }
    }

    #[test]
    fn sa_id_numbers_need_their_check_digit() {
        assert!(sa_id_number_valid("8001015009087"));
        assert!(!sa_id_number_valid("8001015009088"));
        assert!(!sa_id_number_valid("800101500908"));
    }

    #[test]
    fn a_passport_must_be_valid_for_three_more_months() {
        let today = day("2026-11-23");
        let mut r = registration();
        r.id_type = IdType::Passport;
        r.id_number = "A1234567".into();
        r.nationality = "ZW".into();
        assert!(r.check(today).unwrap_err().contains("expiry"));
        r.passport_expiry = Some(day("2027-02-22"));
        assert!(r.check(today).unwrap_err().contains("3 more months"));
        r.passport_expiry = Some(day("2027-02-23"));
        assert_eq!(r.check(today), Ok(()));
    }

    #[test]
    fn an_alternative_contact_number_is_required_and_different() {
        let today = day("2026-11-23");
        let mut r = registration();
        assert_eq!(r.check(today), Ok(()));
        r.alternative_contact_number = String::new();
        assert!(r.check(today).unwrap_err().contains("alternative contact"));
        r.alternative_contact_number = "0831234567".into();
        assert!(r.check(today).unwrap_err().contains("different"));
    }

    #[test]
    fn agent_images_are_checked_for_size_and_kind() {
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
        jpeg.resize(1000, 0);
        assert_eq!(check_image("face", &b64(&jpeg)), Ok(()));
        jpeg.resize(RICA_IMAGE_MAX_BYTES + 1, 0);
        assert!(check_image("face", &b64(&jpeg)).unwrap_err().contains("300 KB"));
        assert!(check_image("face", &b64(b"GIF89a....")).unwrap_err().contains("JPEG or PNG"));
        assert!(check_image("face", "not base64!").is_err());
    }
}
