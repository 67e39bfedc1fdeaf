//! The people who run Steward from the console, and what each may do.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An operator's role. Each one may do everything the ones after it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OperatorRole {
    /// Everything, including managing operators.
    Owner,
    /// Configures and acts on the groups assigned to them.
    Operator,
    /// Reads dashboards.
    Viewer,
}

impl OperatorRole {
    pub const ALL: [OperatorRole; 3] = [
        OperatorRole::Owner,
        OperatorRole::Operator,
        OperatorRole::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OperatorRole::Owner => "owner",
            OperatorRole::Operator => "operator",
            OperatorRole::Viewer => "viewer",
        }
    }

    /// Whether this role may do what `needed` may.
    pub fn at_least(self, needed: OperatorRole) -> bool {
        self <= needed
    }
}

impl fmt::Display for OperatorRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}` (expected owner, operator or viewer)")]
pub struct UnknownRole(pub String);

impl FromStr for OperatorRole {
    type Err = UnknownRole;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        OperatorRole::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| UnknownRole(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::OperatorRole::{Operator, Owner, Viewer};

    #[test]
    fn an_owner_may_do_what_an_operator_may_but_not_the_reverse() {
        assert!(Owner.at_least(Operator) && Owner.at_least(Viewer) && Operator.at_least(Viewer));
        assert!(!Viewer.at_least(Operator) && !Operator.at_least(Owner));
        assert_eq!("viewer".parse(), Ok(Viewer));
        assert!("admin".parse::<super::OperatorRole>().is_err());
    }
}
