//! OneBot v11: the protocol that QQ implementations (NapCat, Lagrange.OneBot,
//! LLOneBot) and several WeChat bridges speak: the translation both ways (payloads to events,
//! `protocol::parse`; actions to API calls, `protocol::call`; the two message forms with their
//! escaping, `cq`) and one WebSocket connection's work (`connection`), which the web server's
//! reverse-WebSocket endpoint runs, `forward` for Steward connecting out, and `http` for HTTP POST
//! mode's calls.

pub mod connection;
pub mod cq;
pub mod forward;
pub mod http;
pub mod protocol;

pub use protocol::{Call, Incoming, PayloadError, call, parse};
