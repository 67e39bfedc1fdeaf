//! Text as spammers write it: normalisation that undoes the usual disguises (full-width digits,
//! zero-width characters, combining marks, look-alike letters, `点` for a dot) and detectors for
//! contact details and links that report what they found and why. Knows nothing of platforms or
//! of the pipeline: a moderation feature calls it.

mod contacts;
mod keywords;
mod normalize;

pub use contacts::{Contact, ContactKind, find_contacts};
pub use keywords::KeywordList;
pub use normalize::normalize;
