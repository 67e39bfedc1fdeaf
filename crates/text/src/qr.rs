//! QR codes in images: the ad that is only a picture of a WeChat or group QR code. An adapter that
//! fetches a message's image calls [`decode_qr`] and puts what the codes say into the event
//! (`Segment::Image::qr`), where the detectors read it like text.
//!
//! PNG and JPEG, the formats chat platforms send. Images are hostile input: the size is bounded
//! before anything is decoded, and a broken file is an error, never a panic.

use std::io::Cursor;

/// The largest image decoded, in pixels per side (a phone screenshot is under 3,000).
const MAX_SIDE: u32 = 4_096;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QrError {
    #[error("not a PNG or JPEG image")]
    Format,
    #[error("image of {0}×{1} pixels is larger than {MAX_SIDE}×{MAX_SIDE}")]
    TooLarge(u32, u32),
    #[error("broken image: {0}")]
    Broken(String),
}

/// What every QR code in the image says (empty when there is none).
pub fn decode_qr(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    let (width, height, luma) = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_luma(bytes)?
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        jpeg_luma(bytes)?
    } else {
        return Err(QrError::Format);
    };
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| luma[y * width + x]);
    Ok(image
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, content)| content))
        .collect())
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
            [gray] | [gray, _] => *gray,
            [r, g, b] | [r, g, b, _] => luma_of(*r, *g, *b),
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

fn luma_of(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A QR code for `content` as a PNG: black modules on white, `scale` pixels each.
    fn qr_png(content: &str, scale: usize, color: png::ColorType) -> Vec<u8> {
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

    #[test]
    fn reads_the_code_in_grey_and_colour_images() {
        for color in [png::ColorType::Grayscale, png::ColorType::Rgba] {
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
    fn a_picture_without_a_code_says_nothing() {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, 64, 64);
        encoder.set_color(png::ColorType::Grayscale);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[200u8; 64 * 64]).unwrap();
        writer.finish().unwrap();
        assert_eq!(decode_qr(&bytes).unwrap(), Vec::<String>::new());
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
