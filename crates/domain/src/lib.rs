//! Steward's vocabulary: the platforms it lives on, the groups and members it sees, the events that
//! arrive from a platform and the actions that go back to one.
//!
//! Every other crate speaks these types. They hold no IO and know nothing of a platform's wire
//! format: an adapter turns its JSON into an [`Event`] and an [`ActionRequest`] into its JSON.

mod action;
mod event;
mod ids;
mod operator;

pub use action::{Action, ActionRequest, OutSegment};
pub use event::{
    Event, EventKind, InvalidEvent, LeaveReason, MAX_ID_LEN, MAX_NAME_LEN, MAX_SEGMENTS,
    MAX_TEXT_LEN, MemberProfile, MemberRole, Segment,
};
pub use ids::{AccountId, ChatId, GroupKey, MessageId, Platform, UnknownPlatform, UserId};
pub use operator::{OperatorRole, UnknownRole};

/// Compares secrets (tokens, signatures) without stopping at the first difference.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// For the parsers' tests in every crate: a cheap, deterministic cousin of `fuzz/`.
#[doc(hidden)]
pub mod testing {
    /// Hands every truncation of `sample` and 5,000 byte mutations of it to `check`, which must
    /// not panic.
    pub fn mangled(sample: &str, check: impl Fn(&str)) {
        for (cut, _) in sample.char_indices() {
            check(&sample[..cut]);
        }
        let interesting = b"\"{}[]:,0-9e\\ \x00\xff\xe5-";
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5_000 {
            let mut bytes = sample.as_bytes().to_vec();
            for _ in 0..1 + next() % 4 {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = interesting[(next() % interesting.len() as u64) as usize];
            }
            check(&String::from_utf8_lossy(&bytes));
        }
    }
}
