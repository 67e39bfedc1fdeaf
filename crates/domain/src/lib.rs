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
