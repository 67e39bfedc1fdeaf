//! A Matrix room event (a /sync timeline's): any bytes give an event, nothing, or an error —
//! never a panic, also after the room learned from the same bytes as state.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steward_adapters::matrix::protocol::{Room, timeline_event};
use steward_domain::{AccountId, ChatId};

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = serde_json::from_slice::<serde_json::Value>(data) {
        let mut room = Room::default();
        room.learn(&event);
        let me = AccountId("@bot:hs".into());
        if let Ok(Some(read)) = timeline_event(&me, &ChatId("!r:hs".into()), &room, &event) {
            let _ = read.validate();
        }
    }
});
