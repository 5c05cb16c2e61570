//! The chain's books in PostgreSQL.
//!
//! Every till stays the authority for its own sales and keeps selling without the
//! link; what it records goes up as *events* (its outbox, in its own gapless order,
//! each chained to the one before by SHA-256), inserted idempotently and checked whole
//! by the database itself. Current sale state is derived from the events, forward
//! only. Each till logs in with a role of its own that can insert only its own rows.
//!
//! This crate never touches a till's SQLite: the app reads the outbox and hands the
//! rows over as [`Record`]s.

pub mod admin;
mod error;
mod link;
pub mod reports;

pub use error::{CentralError, ErrorClass};
pub use link::{Head, Hello, Record, TillLink};

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub type Result<T> = std::result::Result<T, CentralError>;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// Where the chain's database is and how to log in to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `postgres://ROLE@HOST:PORT/DATABASE` (no password in it).
    pub url: String,
    pub password: String,
    /// A PEM file of the certificate authorities to trust (a managed database's bundle);
    /// without it, the system's own.
    pub ca_file: Option<PathBuf>,
}

/// How long a connection may take to be made.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The parsed address: a `postgres://` URL with a user, a host and a database, never a
/// password (the password is sealed apart) and never TLS turned off.
pub fn parse_url(url: &str) -> Result<tokio_postgres::Config> {
    let url = url.trim();
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(CentralError::BadAddress("the chain's address starts with postgres:// (for example postgres://till_rosebank_1@db.example.co.za:5432/airtill)".into()));
    }
    let cfg: tokio_postgres::Config = url.parse().map_err(|_| CentralError::BadAddress("the chain's address is not a PostgreSQL address (postgres://ROLE@HOST:PORT/DATABASE)".into()))?;
    if cfg.get_password().is_some() {
        return Err(CentralError::BadAddress("the chain's address must not carry the password: it is kept sealed with the till's credentials".into()));
    }
    if cfg.get_user().is_none_or(str::is_empty) {
        return Err(CentralError::BadAddress("the chain's address names no database role (postgres://ROLE@HOST/DATABASE)".into()));
    }
    if cfg.get_dbname().is_none_or(str::is_empty) {
        return Err(CentralError::BadAddress("the chain's address names no database (postgres://ROLE@HOST/DATABASE)".into()));
    }
    let tcp_host = cfg.get_hosts().iter().any(|h| matches!(h, tokio_postgres::config::Host::Tcp(_)));
    if !tcp_host {
        return Err(CentralError::BadAddress("the chain's address names no host".into()));
    }
    if cfg.get_ssl_mode() == tokio_postgres::config::SslMode::Disable {
        return Err(CentralError::BadAddress("the chain's books are reached over TLS only: remove sslmode=disable".into()));
    }
    Ok(cfg)
}

fn tls(ca_file: Option<&std::path::Path>) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| CentralError::BadAddress(format!("the certificate file {} cannot be read: {e}", path.display())))?;
            let mut found = 0;
            for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
                let cert = cert.map_err(|_| CentralError::BadAddress(format!("{} is not a PEM certificate file", path.display())))?;
                roots.add(cert).map_err(|_| CentralError::BadAddress(format!("{} holds a certificate that cannot be used", path.display())))?;
                found += 1;
            }
            if found == 0 {
                return Err(CentralError::BadAddress(format!("{} holds no certificate", path.display())));
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| CentralError::Database(format!("TLS cannot be set up: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// Connects over TLS (required, the server's certificate verified against `ca_file` or
/// the system's authorities, and its name against the host's). The connection's task
/// runs on the current runtime until the client is dropped.
pub async fn connect(target: &Target) -> Result<tokio_postgres::Client> {
    let mut cfg = parse_url(&target.url)?;
    cfg.password(target.password.as_bytes());
    cfg.ssl_mode(tokio_postgres::config::SslMode::Require);
    cfg.connect_timeout(CONNECT_TIMEOUT);
    cfg.application_name("airtill");
    let tls = tls(target.ca_file.as_deref())?;
    let connecting = cfg.connect(tls);
    let (client, connection) = match tokio::time::timeout(CONNECT_TIMEOUT + Duration::from_secs(2), connecting).await {
        Ok(r) => r.map_err(CentralError::from_connect)?,
        Err(_) => return Err(CentralError::Unreachable("the chain's database did not answer in time".into())),
    };
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("the chain's connection ended: {e}");
        }
    });
    Ok(client)
}

/// The schema versions this build knows, oldest first.
pub fn known_versions() -> Vec<i64> {
    embedded::migrations::runner().get_migrations().iter().map(|m| m.version() as i64).collect()
}
