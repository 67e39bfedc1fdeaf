//! Steward's own event JSON (what `steward ingest` reads and adapters will hand over): any bytes
//! give an event that validates or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use steward_domain::Event;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(event) = Event::from_json(text)
    {
        assert!(event.validate().is_ok());
        let _ = event.dedup_key();
        let _ = event.plain_text();
    }
});
