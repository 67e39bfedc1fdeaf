//! QR codes in images: the ad that is only a picture of a WeChat or group QR code. An adapter that
//! fetches a message's image calls [`decode_qr`] and puts what the codes say into the event
//! (`Segment::Image::qr`), where the detectors read it like text.
//!
//! PNG and JPEG, the formats chat platforms send. Images are hostile input: the size is bounded
//! before anything is decoded, and a broken file is an error, never a panic.

use std::io::Cursor;

/// The largest image decoded, in pixels per side (a phone screenshot is under 3,000).
const MAX_SIDE: u32 = 4_096;
/// The QR search runs on the image scaled down to this many pixels a side at most: a code that
/// is readable at all is readable at this size, and the search's cost grows fast with size on
/// crafted images (thousands of finder patterns).
const SEARCH_SIDE: usize = 640;
/// How long the search may take before the image is given up on.
const DEADLINE: std::time::Duration = std::time::Duration::from_secs(2);
/// Codes reported from one image at most (as many as an event may carry).
pub const MAX_CODES: usize = 8;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QrError {
    #[error("not a PNG or JPEG image")]
    Format,
    #[error("image of {0}×{1} pixels is larger than {MAX_SIDE}×{MAX_SIDE}")]
    TooLarge(u32, u32),
    #[error("broken image: {0}")]
    Broken(String),
    #[error("the image took too long to search for QR codes")]
    TooSlow,
}

/// What every QR code in the image says (empty when there is none).
pub fn decode_qr(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    decode_qr_holding(bytes, ())
}

/// [`decode_qr`], with `held` kept until the search itself ends, which may be after the answer
/// gave up on it: a permit held this way bounds the searches running, not only those awaited.
pub fn decode_qr_holding<T: Send + 'static>(bytes: &[u8], held: T) -> Result<Vec<String>, QrError> {
    let (width, height, luma) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_luma(bytes)?
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        jpeg_luma(bytes)?
    } else {
        return Err(QrError::Format);
    };
    let (width, height, luma) = shrink(width, height, luma);
    // The search runs on a thread of its own, with a deadline, and a panic in it is an error:
    // the image is hostile input and the decoder a dependency.
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("steward-qr".into())
        .spawn(move || {
            let found = std::panic::catch_unwind(move || search(width, height, &luma));
            let _ = sender.send(found);
            drop(held);
        })
        .map_err(|err| QrError::Broken(err.to_string()))?;
    match receiver.recv_timeout(DEADLINE) {
        Ok(Ok(codes)) => Ok(codes),
        Ok(Err(_)) => Err(QrError::Broken("the decoder failed".into())),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(QrError::TooSlow),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            Err(QrError::Broken("the decoder failed".into()))
        }
    }
}

fn search(width: usize, height: usize, luma: &[u8]) -> Vec<String> {
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| luma[y * width + x]);
    image
        .detect_grids()
        .into_iter()
        .filter_map(|grid| {
            // Bytes that are not UTF-8 (GBK text, say) are kept, with replacement characters.
            let mut bytes = Vec::new();
            grid.decode_to(&mut bytes).ok()?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        })
        .take(MAX_CODES)
        .collect()
}

/// Scales the image down by a whole factor (averaging blocks) until it fits [`SEARCH_SIDE`].
fn shrink(width: usize, height: usize, luma: Vec<u8>) -> (usize, usize, Vec<u8>) {
    let factor = width.max(height).div_ceil(SEARCH_SIDE);
    if factor <= 1 {
        return (width, height, luma);
    }
    let (small_width, small_height) = (width / factor, height / factor);
    let mut small = Vec::with_capacity(small_width * small_height);
    for y in 0..small_height {
        for x in 0..small_width {
            let mut sum = 0u32;
            for dy in 0..factor {
                let row = (y * factor + dy) * width + x * factor;
                sum += luma[row..row + factor]
                    .iter()
                    .map(|v| u32::from(*v))
                    .sum::<u32>();
            }
            small.push((sum / (factor * factor) as u32) as u8);
        }
    }
    (small_width, small_height, small)
}

fn check_size(width: u32, height: u32) -> Result<(), QrError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(QrError::TooLarge(width, height));
    }
    Ok(())
}

fn png_luma(bytes: &[u8]) -> Result<(usize, usize, Vec<u8>), QrError> {
    let broken = |err: png::DecodingError| QrError::Broken(err.to_string());
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    // Palettes and 16-bit samples become plain 8-bit channels.
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let header = decoder.read_header_info().map_err(broken)?;
    check_size(header.width, header.height)?;
    let mut reader = decoder.read_info().map_err(broken)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| QrError::Broken("no size".into()))?;
    let mut buffer = vec![0; size];
    let frame = reader.next_frame(&mut buffer).map_err(broken)?;
    let (width, height) = (frame.width as usize, frame.height as usize);
    let channels = frame.color_type.samples();
    let luma = buffer[..frame.buffer_size()]
        .chunks_exact(channels)
        .map(|pixel| match pixel {
            [gray] => *gray,
            // Transparent pixels are paper, not ink: composite on white.
            [gray, alpha] => on_white(*gray, *alpha),
            [r, g, b] => luma_of(*r, *g, *b),
            [r, g, b, alpha] => on_white(luma_of(*r, *g, *b), *alpha),
            _ => 255,
        })
        .take(width * height)
        .collect::<Vec<u8>>();
    if luma.len() != width * height {
        return Err(QrError::Broken("short image data".into()));
    }
    Ok((width, height, luma))
}

fn jpeg_luma(bytes: &[u8]) -> Result<(usize, usize, Vec<u8>), QrError> {
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .set_max_width(MAX_SIDE as usize)
        .set_max_height(MAX_SIDE as usize)
        .jpeg_set_out_colorspace(ColorSpace::Luma);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let luma = decoder
        .decode()
        .map_err(|err| QrError::Broken(format!("{err:?}")))?;
    let (width, height) = decoder
        .dimensions()
        .ok_or_else(|| QrError::Broken("no size".into()))?;
    if luma.len() != width * height {
        return Err(QrError::Broken("short image data".into()));
    }
    Ok((width, height, luma))
}

fn on_white(luma: u8, alpha: u8) -> u8 {
    ((u32::from(luma) * u32::from(alpha) + 255 * (255 - u32::from(alpha))) / 255) as u8
}

fn luma_of(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::qr_png;

    #[test]
    fn reads_the_code_in_grey_and_colour_images() {
        for color in [
            png::ColorType::Grayscale,
            png::ColorType::Rgba,
            png::ColorType::GrayscaleAlpha,
        ] {
            let image = qr_png("https://qm.qq.com/q/AbCdEf", 4, color);
            assert_eq!(decode_qr(&image).unwrap(), ["https://qm.qq.com/q/AbCdEf"]);
        }
        let wechat = qr_png("加微信 wxid_spam2026", 3, png::ColorType::Grayscale);
        assert_eq!(decode_qr(&wechat).unwrap(), ["加微信 wxid_spam2026"]);
    }

    #[test]
    fn reads_the_code_in_a_jpeg_photo() {
        // Made by the team for this test (Python `qrcode` + Pillow, JPEG quality 80).
        let photo = include_bytes!("../tests-data/qr.jpg");
        assert_eq!(decode_qr(photo).unwrap(), ["https://t.me/+JoinSpam2026"]);
    }

    #[test]
    fn a_large_screenshot_is_searched_scaled_down() {
        // 40 pixels a module: over a thousand pixels a side, searched at a third of that.
        let image = qr_png("https://qm.qq.com/q/Big", 40, png::ColorType::Grayscale);
        assert_eq!(decode_qr(&image).unwrap(), ["https://qm.qq.com/q/Big"]);
    }

    #[test]
    fn a_wall_of_finder_patterns_is_given_up_on_in_time() {
        // Thousands of QR corner marks and no code: the decoder tries every triple.
        let (module, side) = (2, 1280);
        let mut luma = vec![255u8; side * side];
        for top in (0..side - 16).step_by(16) {
            for left in (0..side - 16).step_by(16) {
                for y in 0..7 {
                    for x in 0..7 {
                        let ring = x == 0 || y == 0 || x == 6 || y == 6;
                        let core = (2..=4).contains(&x) && (2..=4).contains(&y);
                        if ring || core {
                            for dy in 0..module {
                                for dx in 0..module {
                                    luma[(top + y * module + dy) * side + left + x * module + dx] =
                                        0;
                                }
                            }
                        }
                    }
                }
            }
        }
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&luma).unwrap();
        writer.finish().unwrap();
        let started = std::time::Instant::now();
        let result = decode_qr(&bytes);
        assert!(started.elapsed() < DEADLINE * 2, "{:?}", started.elapsed());
        assert!(
            matches!(&result, Err(QrError::TooSlow)) || result.as_ref().is_ok_and(Vec::is_empty),
            "{result:?}"
        );
    }

    #[test]
    fn a_picture_without_a_code_says_nothing() {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, 64, 64);
        encoder.set_color(png::ColorType::Grayscale);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[200u8; 64 * 64]).unwrap();
        writer.finish().unwrap();
        assert_eq!(decode_qr(&bytes).unwrap(), Vec::<String>::new());
    }

    /// A cheap, deterministic cousin of `fuzz/` (target `qr_image`): truncations and byte
    /// mutations of real images never panic and never outlast the deadline much.
    #[test]
    fn mutated_images_are_answered_without_panics() {
        let png = qr_png("https://qm.qq.com/q/Mutant", 3, png::ColorType::Rgba);
        let jpeg = include_bytes!("../tests-data/qr.jpg").to_vec();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for original in [png, jpeg] {
            for round in 0..150 {
                let mut bytes = original.clone();
                if round % 3 == 0 {
                    bytes.truncate((next() as usize) % bytes.len());
                } else {
                    for _ in 0..1 + round % 8 {
                        let at = (next() as usize) % bytes.len();
                        bytes[at] = next() as u8;
                    }
                }
                let started = std::time::Instant::now();
                let _ = decode_qr(&bytes);
                assert!(started.elapsed() < DEADLINE * 2, "round {round}");
            }
        }
    }

    #[test]
    fn hostile_files_are_errors_not_panics() {
        assert_eq!(decode_qr(b"GIF89a...."), Err(QrError::Format));
        let image = qr_png("x", 4, png::ColorType::Grayscale);
        assert!(matches!(
            decode_qr(&image[..image.len() / 2]),
            Err(QrError::Broken(_))
        ));
        assert!(matches!(
            decode_qr(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Err(QrError::Broken(_))
        ));
        // A header that claims a huge image is refused before any pixel is decoded.
        let mut huge = image.clone();
        huge[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        let refused = decode_qr(&huge);
        assert!(
            matches!(refused, Err(QrError::TooLarge(..) | QrError::Broken(_))),
            "{refused:?}"
        );
    }
}
