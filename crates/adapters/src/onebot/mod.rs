//! OneBot v11 (issue 6, begun): the protocol that QQ implementations (NapCat, Lagrange.OneBot,
//! LLOneBot) and several WeChat bridges speak. So far the translation both ways, without a
//! transport: payloads to events (`protocol::parse`), actions to API calls (`protocol::call`),
//! and the two message forms with their escaping (`cq`). The reverse and forward WebSocket and
//! HTTP transports come next.

pub mod cq;
pub mod protocol;

pub use protocol::{Call, Incoming, PayloadError, call, parse};
