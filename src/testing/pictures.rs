//! Pictures for tests, made here, and the multipart forms that upload them.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage};

fn pattern(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x * 7 % 256) as u8,
            (y * 5 % 256) as u8,
            ((x + y) % 256) as u8,
        ])
    }))
}

/// A `w` × `h` picture in `format`.
pub fn encoded(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    pattern(w, h).write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// A `w` × `h` PNG.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    encoded(w, h, ImageFormat::Png)
}

/// A `w` × `h` JPEG carrying an EXIF block (orientation 6: turn right to show it; and
/// `marker` as a GPS-like note a photo would carry).
pub fn jpeg_with_exif(w: u32, h: u32, marker: &str) -> Vec<u8> {
    let jpeg = encoded(w, h, ImageFormat::Jpeg);
    // TIFF, big-endian: one IFD entry, Orientation (0x0112) SHORT 6; then the marker.
    let mut tiff: Vec<u8> =
        b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec();
    tiff.extend_from_slice(marker.as_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let len = (app1.len() + 2) as u16;
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A small PNG whose header declares `w` × `h` pixels (a decompression bomb's shape:
/// a few bytes that would unpack to gigabytes).
pub fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    let mut png = png(1, 1);
    // IHDR's data starts at 16 (signature 8, length 4, type 4).
    png[16..20].copy_from_slice(&w.to_be_bytes());
    png[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// A two-frame animated GIF.
pub fn animated_gif() -> Vec<u8> {
    use image::{Delay, Frame, codecs::gif::GifEncoder};
    let mut out = Vec::new();
    {
        let mut enc = GifEncoder::new(&mut out);
        for shade in [0u8, 255] {
            let buf = image::RgbaImage::from_pixel(8, 8, image::Rgba([shade, 0, 0, 255]));
            enc.encode_frame(Frame::from_parts(
                buf,
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            ))
            .expect("frame");
        }
    }
    out
}

/// A `multipart/form-data` body of `parts` (name, file name for a file, bytes) and its
/// content type.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = format!("cohort-test-{}", crate::domain::random_hex(8));
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
