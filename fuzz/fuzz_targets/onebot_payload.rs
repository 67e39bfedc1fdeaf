//! A OneBot v11 payload (what an implementation pushes over its WebSocket or HTTP POST): any
//! bytes give an event that validates, something ignored, or an error — never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steward_adapters::onebot::{Incoming, parse};

fuzz_target!(|data: &[u8]| {
    if let Ok(payload) = serde_json::from_slice::<serde_json::Value>(data)
        && let Ok(Incoming::Event(event)) = parse(&payload)
    {
        let _ = event.validate();
        let _ = event.dedup_key();
    }
});
