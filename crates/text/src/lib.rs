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
pub use classifier::{
    Classifier, MARK_MARGIN, MARK_STEP, ModelError, Script, Training, features, fine_tune, train,
};
pub use labelled::{LabelError, parse_labelled, plain_lines};
pub use qr::{MAX_CODES as MAX_QR_CODES, QrError, decode_qr, decode_qr_holding};

pub use contacts::{Contact, ContactKind, find_contacts, find_written_contacts};
pub use keywords::{KeywordList, STARTER_KEYWORDS};
pub use normalize::{case_and_width_folded, normalize};

/// Helpers for tests, here and in other crates (feature `testing`).
#[cfg(any(test, feature = "testing"))]
#[allow(clippy::unwrap_used)] // a test helper: a failure here is a broken test
pub mod testing {
    pub use png::ColorType;

    /// A QR code for `content` as a PNG: black modules on white, `scale` pixels each.
    pub fn qr_png(content: &str, scale: usize, color: png::ColorType) -> Vec<u8> {
        let code = qrcode::QrCode::new(content.as_bytes()).unwrap();
        let width = code.width();
        let colors = code.to_colors();
        let quiet = 4;
        let side = (width + 2 * quiet) * scale;
        let mut luma = vec![255u8; side * side];
        for y in 0..width {
            for x in 0..width {
                if colors[y * width + x] == qrcode::Color::Dark {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            luma[((y + quiet) * scale + dy) * side + (x + quiet) * scale + dx] = 0;
                        }
                    }
                }
            }
        }
        let pixels: Vec<u8> = match color {
            png::ColorType::Rgba => luma.iter().flat_map(|v| [*v, *v, *v, 255]).collect(),
            // Dark modules on a transparent background, stored as (0, 0, 0, 0).
            png::ColorType::GrayscaleAlpha => luma
                .iter()
                .flat_map(|v| if *v == 0 { [0, 255] } else { [0, 0] })
                .collect(),
            _ => luma,
        };
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, side as u32, side as u32);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&pixels).unwrap();
        writer.finish().unwrap();
        bytes
    }
}
