//! Text as spammers write it: normalisation that undoes the usual disguises (full-width digits,
//! zero-width characters, combining marks, look-alike letters, `点` for a dot) and detectors for
//! contact details and links that report what they found and why. Knows nothing of platforms or
//! of the pipeline: a moderation feature calls it.

mod chain;
mod classifier;
mod contacts;
mod keywords;
mod labelled;
mod normalize;
mod qr;
mod traditional;

pub use chain::{Analysis, Detector, LinkPolicy, TextChain, Verdict, host_of};
pub use classifier::{Classifier, ModelError, Training, features, fine_tune, train};
pub use labelled::{LabelError, parse_labelled, plain_lines};
pub use qr::{MAX_CODES as MAX_QR_CODES, QrError, decode_qr};

pub use contacts::{Contact, ContactKind, find_contacts};
pub use keywords::{KeywordList, STARTER_KEYWORDS};
pub use normalize::normalize;
