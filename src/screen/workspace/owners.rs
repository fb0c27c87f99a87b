//! Who owns a record: the organisation's members (from the server, when
//! online), looked up by id, searched by name or login for the owner
//! picker, and the list's owner filter. A disabled member still owns their
//! records; they show greyed, ready to be reassigned.

use std::sync::Arc;

use relay_protocol::api::OrgMember;

use crate::fl;
use crate::screen::settings::organisation::people::fold;

/// The members, shared by the lists and the forms.
pub type Members = Arc<Vec<OrgMember>>;

pub fn find<'a>(members: &'a [OrgMember], id: &str) -> Option<&'a OrgMember> {
    members.iter().find(|m| m.id.to_string() == id)
}

/// The first `n` active members whose name or login holds `query`.
pub fn search<'a>(members: &'a [OrgMember], query: &str, n: usize) -> Vec<&'a OrgMember> {
    let query = fold(query.trim());
    if query.is_empty() {
        return Vec::new();
    }
    members
        .iter()
        .filter(|m| m.active)
        .filter(|m| fold(&m.display_name).contains(&query) || fold(&m.login).contains(&query))
        .take(n)
        .collect()
}

/// Whose records the list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerFilter {
    Anyone,
    Me,
    Person(String),
}

/// A filter choice as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerChoice {
    pub filter: OwnerFilter,
    pub label: String,
}

impl std::fmt::Display for OwnerChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// Anyone, me, then every member by name (a disabled one marked so).
pub fn choices(members: &[OrgMember], me: Option<&str>) -> Vec<OwnerChoice> {
    let mut out = vec![
        OwnerChoice {
            filter: OwnerFilter::Anyone,
            label: fl!("owner-anyone"),
        },
        OwnerChoice {
            filter: OwnerFilter::Me,
            label: fl!("owner-me"),
        },
    ];
    out.extend(
        members
            .iter()
            .filter(|m| Some(m.id.to_string().as_str()) != me)
            .map(|m| OwnerChoice {
                filter: OwnerFilter::Person(m.id.to_string()),
                label: label(m),
            }),
    );
    out
}

/// The member's name, with "(disabled)" for one who can't sign in.
pub fn label(m: &OrgMember) -> String {
    if m.active {
        m.display_name.clone()
    } else {
        fl!("owner-disabled", name = m.display_name.clone())
    }
}
