//! Client references: ours, unique per provider call (UUID v4), made before the call.

use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(type = "string")]
pub struct ClientReference(String);

impl ClientReference {
    /// A fresh random reference (UUID v4, 36 characters).
    pub fn new() -> ClientReference {
        ClientReference(uuid::Uuid::new_v4().to_string())
    }
    /// A reference read back from storage.
    pub fn from_stored(s: impl Into<String>) -> ClientReference {
        ClientReference(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ClientReference {
    fn default() -> Self {
        ClientReference::new()
    }
}

impl fmt::Display for ClientReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn references_are_unique_uuids() {
        let refs: HashSet<String> = (0..10_000).map(|_| ClientReference::new().to_string()).collect();
        assert_eq!(refs.len(), 10_000);
        for r in refs.iter().take(5) {
            let u = uuid::Uuid::parse_str(r).unwrap();
            assert_eq!(u.get_version_num(), 4);
        }
    }
}
