/// What the app does about an error of the chain's link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The link is down or the database busy: try again later, selling goes on.
    Transient,
    /// Wrong address, password, certificate or database: a person must change the
    /// settings; nothing is sent until then.
    Settings,
    /// The chain refused this till's records (a gap, a broken chain, another
    /// installation under the same till id): the head office must look; nothing more is
    /// sent until it is cleared.
    Refused,
}

#[derive(Debug, thiserror::Error)]
pub enum CentralError {
    #[error("{0}")]
    BadAddress(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("{0}")]
    Certificate(String),
    #[error("{0}")]
    Login(String),
    #[error("{0}")]
    NotTheChain(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    BadInput(String),
    #[error("the chain's database: {0}")]
    Database(String),
}

impl CentralError {
    pub fn class(&self) -> ErrorClass {
        match self {
            CentralError::Unreachable(_) | CentralError::Database(_) => ErrorClass::Transient,
            CentralError::Refused(_) => ErrorClass::Refused,
            _ => ErrorClass::Settings,
        }
    }

    /// An error met while connecting, in the words of the person setting it up.
    pub(crate) fn from_connect(e: tokio_postgres::Error) -> CentralError {
        if let Some(db) = e.as_db_error() {
            return match db.code().code() {
                "28P01" | "28000" => CentralError::Login("the chain's database refused the till's role or password".into()),
                "3D000" => CentralError::NotTheChain("the chain's database named in the address does not exist".into()),
                "53300" => CentralError::Unreachable("the chain's database has too many connections: tried again later".into()),
                _ => CentralError::Database(db.message().to_string()),
            };
        }
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        let lower = text.to_lowercase();
        if lower.contains("certificate") || lower.contains("tls") || lower.contains("ssl") {
            if lower.contains("server does not support tls") || lower.contains("server does not support ssl") {
                return CentralError::Certificate("the chain's database does not offer TLS: Airtill sends nothing over a plain connection".into());
            }
            return CentralError::Certificate("the chain's database did not show a certificate this till trusts (check the address's host name and the certificate file)".into());
        }
        if lower.contains("password") || lower.contains("authentication") {
            return CentralError::Login("the chain's database refused the till's role or password".into());
        }
        CentralError::Unreachable("the chain's database cannot be reached (the link may be down, or the host or port is wrong)".into())
    }

    /// An error of a query on an open connection.
    pub(crate) fn from_query(e: tokio_postgres::Error) -> CentralError {
        if let Some(db) = e.as_db_error() {
            let code = db.code().code();
            return match code {
                "AT001" | "AT002" => CentralError::Refused(db.message().trim_start_matches("airtill chain: ").to_string()),
                "AT003" => CentralError::NotTheChain("this database role belongs to no till of the chain".into()),
                "42501" => CentralError::Refused(format!("the chain's database refused: {}", db.message())),
                "42P01" | "42883" => CentralError::NotTheChain("this database holds no Airtill chain (it was never set up, or it is another program's)".into()),
                "28P01" | "28000" => CentralError::Login("the chain's database refused the till's role or password".into()),
                c if c.starts_with("08") || c.starts_with("57P") || c == "53300" || c == "40001" || c == "40P01" => CentralError::Unreachable(format!("the chain's database: {}", db.message())),
                _ => CentralError::Database(db.message().to_string()),
            };
        }
        if e.is_closed() {
            return CentralError::Unreachable("the link to the chain's database was lost".into());
        }
        CentralError::Unreachable(format!("the link to the chain's database: {e}"))
    }
}
