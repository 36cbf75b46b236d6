//! What an uploaded or fetched file is, read from its bytes (never from its name or the
//! type its sender claimed), and the files kept of it: every image decoded and re-encoded
//! (which leaves EXIF, GPS, comments and anything hidden after the image data behind), at a
//! display size and a thumbnail; a PDF kept as it came, served only as a download.
//!
//! Refused: anything else (HTML, SVG, scripts, archives), an image whose header declares more
//! pixels than allowed (checked before decoding, so a small file that unpacks to gigabytes —
//! a decompression bomb — is refused unread), animated images, files that do not decode.

use std::io::Cursor;

use image::{AnimationDecoder, DynamicImage, ImageDecoder, ImageFormat, ImageReader};

/// The limits a file is processed under (from `[media]`).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest file, bytes.
    pub max_bytes: u64,
    /// Most pixels (width × height) of an image.
    pub max_pixels: u64,
    /// Longest side of the display size.
    pub display: u32,
    /// Longest side of the thumbnail.
    pub thumbnail: u32,
    /// Whether PDF documents are taken.
    pub pdf: bool,
}

/// A file as it is kept.
#[derive(Debug)]
pub enum Processed {
    /// An image, re-encoded.
    Image(Image),
    /// A document, as it came.
    Document {
        /// The bytes.
        bytes: Vec<u8>,
        /// Its content type.
        content_type: &'static str,
        /// Its extension.
        ext: &'static str,
    },
}

/// An image re-encoded at its display size, with its thumbnail.
#[derive(Debug)]
pub struct Image {
    /// The display size's bytes.
    pub display: Vec<u8>,
    /// The thumbnail's bytes.
    pub thumbnail: Vec<u8>,
    /// `image/jpeg` or `image/png`.
    pub content_type: &'static str,
    /// `jpg` or `png`.
    pub ext: &'static str,
    /// The display size's width and height.
    pub width: u32,
    /// See `width`.
    pub height: u32,
}

/// Why a file was not taken (said to the person who sent it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Over the size limit.
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
    /// Not a picture (JPEG, PNG, GIF, WebP) nor an allowed document.
    #[error("{0}")]
    NotTaken(String),
    /// More pixels than allowed.
    #[error("the picture has {pixels} pixels ({width} × {height}); at most {max} are taken")]
    TooManyPixels {
        /// Width × height.
        pixels: u64,
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// The limit.
        max: u64,
    },
    /// An animation.
    #[error("animated pictures are not taken; upload a still picture")]
    Animated,
    /// It does not decode.
    #[error("the picture could not be read: {0}")]
    Corrupt(String),
}

/// The picture formats taken, from their magic bytes.
fn image_format(bytes: &[u8]) -> Option<ImageFormat> {
    match image::guess_format(bytes).ok()? {
        f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::Gif | ImageFormat::WebP) => {
            Some(f)
        }
        _ => None,
    }
}

/// Whether `bytes` start as a PDF file does.
fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-")
}

/// Reads `bytes` and makes the files kept of it. CPU-bound: run it off the async threads.
pub fn process(bytes: &[u8], limits: &Limits) -> Result<Processed, Refusal> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(Refusal::TooLarge(limits.max_bytes));
    }
    if let Some(format) = image_format(bytes) {
        return image(bytes, format, limits).map(Processed::Image);
    }
    if is_pdf(bytes) {
        if !limits.pdf {
            return Err(Refusal::NotTaken(
                "documents are not taken here; upload a picture (JPEG, PNG, GIF or WebP)".into(),
            ));
        }
        return Ok(Processed::Document {
            bytes: bytes.to_vec(),
            content_type: "application/pdf",
            ext: "pdf",
        });
    }
    Err(Refusal::NotTaken(if limits.pdf {
        "not a picture (JPEG, PNG, GIF or WebP) or a PDF document".into()
    } else {
        "not a picture (JPEG, PNG, GIF or WebP)".into()
    }))
}

fn corrupt(e: impl std::fmt::Display) -> Refusal {
    Refusal::Corrupt(e.to_string())
}

/// Whether the picture is an animation (GIF with a second frame, APNG, animated WebP).
fn animated(bytes: &[u8], format: ImageFormat) -> Result<bool, Refusal> {
    Ok(match format {
        ImageFormat::Gif => {
            image::codecs::gif::GifDecoder::new(Cursor::new(bytes))
                .map_err(corrupt)?
                .into_frames()
                .take(2)
                .count()
                > 1
        }
        ImageFormat::Png => image::codecs::png::PngDecoder::new(Cursor::new(bytes))
            .map_err(corrupt)?
            .is_apng()
            .map_err(corrupt)?,
        ImageFormat::WebP => image::codecs::webp::WebPDecoder::new(Cursor::new(bytes))
            .map_err(corrupt)?
            .has_animation(),
        _ => false,
    })
}

fn image(bytes: &[u8], format: ImageFormat, limits: &Limits) -> Result<Image, Refusal> {
    // The header's dimensions first: nothing is decoded for a picture over the limit.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(corrupt)?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(Refusal::TooManyPixels {
            pixels,
            width,
            height,
            max: limits.max_pixels,
        });
    }
    if animated(bytes, format)? {
        return Err(Refusal::Animated);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decode_limits = image::Limits::default();
    decode_limits.max_image_width = Some(width);
    decode_limits.max_image_height = Some(height);
    // RGBA at 16 bits per channel, and room for the decoder's own buffers.
    decode_limits.max_alloc = Some(pixels.saturating_mul(8).saturating_add(64 << 20));
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let orientation = decoder.orientation().map_err(corrupt)?;
    let img = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    // The decoded picture is the one large buffer: it is scaled down first (a square box, so
    // the orientation can wait), dropped, and only the small copies are turned.
    let mut display = match scaled(&img, limits.display)? {
        Some(smaller) => {
            drop(img);
            smaller
        }
        None => img,
    };
    let mut thumbnail = match scaled(&display, limits.thumbnail)? {
        Some(smaller) => smaller,
        None => display.clone(),
    };
    // The EXIF orientation is applied to the pixels, as the EXIF itself is not kept.
    display.apply_orientation(orientation);
    thumbnail.apply_orientation(orientation);
    let opaque = !display.color().has_alpha() || is_opaque(&display);
    // Photographs (JPEG, or anything without transparency that came as one) stay JPEG;
    // everything else becomes PNG, which keeps transparency and sharp edges.
    let jpeg = format == ImageFormat::Jpeg || (format == ImageFormat::WebP && opaque);
    let (content_type, ext) = if jpeg {
        ("image/jpeg", "jpg")
    } else {
        ("image/png", "png")
    };
    Ok(Image {
        width: display.width(),
        height: display.height(),
        display: encode(&display, jpeg)?,
        thumbnail: encode(&thumbnail, jpeg)?,
        content_type,
        ext,
    })
}

/// Whether every pixel of an image with an alpha channel is opaque.
fn is_opaque(img: &DynamicImage) -> bool {
    img.to_rgba8().pixels().all(|p| p.0[3] == u8::MAX)
}

/// The image scaled down to fit `side` × `side`, or `None` when it already fits (never
/// scaled up). A Catmull-Rom convolution (`fast_image_resize`), whose working copy is the
/// new width × the old height at the picture's own depth; a picture with an alpha channel
/// also gets a premultiplied copy of its own size (so transparent edges keep no fringe),
/// within the pixel limit checked before decoding.
fn scaled(img: &DynamicImage, side: u32) -> Result<Option<DynamicImage>, Refusal> {
    let (w, h) = (img.width(), img.height());
    let long = w.max(h);
    if long <= side {
        return Ok(None);
    }
    let ratio = f64::from(side) / f64::from(long);
    let fit = |n: u32| ((f64::from(n) * ratio).round() as u32).clamp(1, side);
    // Pixel layouts the resizer does not take (none of the decoders here make them) go to RGBA.
    let converted;
    let src = if fast_image_resize::IntoImageView::pixel_type(img).is_some() {
        img
    } else {
        converted = DynamicImage::ImageRgba8(img.to_rgba8());
        &converted
    };
    let mut dst = DynamicImage::new(fit(w), fit(h), src.color());
    fast_image_resize::Resizer::new()
        .resize(
            src,
            &mut dst,
            &fast_image_resize::ResizeOptions::new().resize_alg(
                fast_image_resize::ResizeAlg::Convolution(
                    fast_image_resize::FilterType::CatmullRom,
                ),
            ),
        )
        .map_err(corrupt)?;
    Ok(Some(dst))
}

fn encode(img: &DynamicImage, jpeg: bool) -> Result<Vec<u8>, Refusal> {
    let mut out = Cursor::new(Vec::new());
    if jpeg {
        let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
        rgb.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, 85,
        ))
        .map_err(corrupt)?;
    } else {
        img.write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
            .map_err(corrupt)?;
    }
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_bytes: 1 << 20,
            max_pixels: 1_000_000,
            display: 200,
            thumbnail: 50,
            pdf: true,
        }
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 7])
        }));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_picture_is_scaled_and_thumbnailed() {
        let Processed::Image(img) = process(&png(400, 100), &limits()).unwrap() else {
            panic!("not an image")
        };
        assert_eq!(
            (img.width, img.height, img.content_type),
            (200, 50, "image/png")
        );
        let thumb = image::load_from_memory(&img.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (50, 13));
    }

    #[test]
    fn a_turned_photo_is_scaled_then_turned() {
        // 400 × 100 with EXIF orientation 6: shown as 100 × 400, scaled to fit 200 × 200.
        let photo = crate::testing::pictures::jpeg_with_exif(400, 100, "GPS 51.5N");
        let Processed::Image(img) = process(&photo, &limits()).unwrap() else {
            panic!("not an image")
        };
        assert_eq!(
            (img.width, img.height, img.content_type),
            (50, 200, "image/jpeg")
        );
        let thumb = image::load_from_memory(&img.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (13, 50));
    }

    #[test]
    fn transparency_is_kept_through_scaling() {
        let img = DynamicImage::ImageRgba8(image::RgbaImage::from_fn(400, 400, |x, _| {
            image::Rgba([200, 10, 10, if x < 200 { 0 } else { 255 }])
        }));
        let mut png = Cursor::new(Vec::new());
        img.write_to(&mut png, ImageFormat::Png).unwrap();
        let Processed::Image(out) = process(png.get_ref(), &limits()).unwrap() else {
            panic!("not an image")
        };
        assert_eq!(out.content_type, "image/png");
        let shown = image::load_from_memory(&out.display).unwrap().to_rgba8();
        assert_eq!(shown.dimensions(), (200, 200));
        assert_eq!(shown.get_pixel(10, 100).0[3], 0);
        assert_eq!(shown.get_pixel(190, 100).0, [200, 10, 10, 255]);
    }

    #[test]
    fn what_is_not_a_picture_is_refused() {
        let html = b"<!doctype html><script>alert(1)</script>";
        assert!(matches!(
            process(html, &limits()),
            Err(Refusal::NotTaken(_))
        ));
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert!(matches!(process(svg, &limits()), Err(Refusal::NotTaken(_))));
        let mut no_pdf = limits();
        no_pdf.pdf = false;
        assert!(matches!(
            process(b"%PDF-1.7\n", &no_pdf),
            Err(Refusal::NotTaken(_))
        ));
        assert!(matches!(
            process(b"%PDF-1.7\n", &limits()),
            Ok(Processed::Document { .. })
        ));
        let mut truncated = png(10, 10);
        truncated.truncate(truncated.len() / 2);
        assert!(matches!(
            process(&truncated, &limits()),
            Err(Refusal::Corrupt(_))
        ));
    }

    #[test]
    fn a_picture_over_the_pixel_limit_is_refused_unread() {
        assert!(matches!(
            process(&png(2000, 600), &limits()),
            Err(Refusal::TooManyPixels {
                pixels: 1_200_000,
                ..
            })
        ));
    }
}
