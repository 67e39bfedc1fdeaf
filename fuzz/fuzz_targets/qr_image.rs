//! Any bytes as an image: `decode_qr` answers codes or an error, never panics or hangs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = steward_text::decode_qr(data);
});
