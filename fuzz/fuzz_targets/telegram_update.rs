//! A Telegram Bot API update (from getUpdates or a webhook): any bytes give events, something
//! ignored, or an error — never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steward_adapters::telegram::protocol::{Identity, parse};
use steward_domain::AccountId;

fuzz_target!(|data: &[u8]| {
    let me = Identity {
        account: AccountId("777".into()),
        username: Some("StewardBot".into()),
    };
    if let Ok(update) = serde_json::from_slice::<serde_json::Value>(data)
        && let Ok(read) = parse(&update, &me)
    {
        for event in read.events {
            let _ = event.validate();
        }
    }
});
