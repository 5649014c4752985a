//! Screenshots: is a capture a picture, or one colour (a window grabbed
//! before it was painted, or the wrong window)?

use std::collections::HashSet;
use std::path::Path;

/// The number of distinct colours in the PNG at `path` (any bit depth or
/// colour type; palette and low-bit images are expanded first).
pub fn png_colours(path: &Path) -> usize {
    let fail = |e: &dyn std::fmt::Display| -> ! { panic!("cannot read the PNG {}: {e}", path.display()) };
    let file = std::fs::File::open(path).unwrap_or_else(|e| fail(&e));
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap_or_else(|e| fail(&e));
    let mut pixels = vec![0; reader.output_buffer_size().unwrap_or_else(|| fail(&"too large"))];
    let frame = reader.next_frame(&mut pixels).unwrap_or_else(|e| fail(&e));
    let (colour, depth) = reader.output_color_type();
    let bytes_per_pixel = colour.samples() * if depth == png::BitDepth::Sixteen { 2 } else { 1 };
    pixels[..frame.buffer_size()].chunks_exact(bytes_per_pixel).collect::<HashSet<_>>().len()
}

#[cfg(test)]
mod tests {
    use super::png_colours;

    fn write_png(path: &std::path::Path, width: u32, rgb: &[u8]) {
        let file = std::fs::File::create(path).unwrap();
        let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, (rgb.len() / 3) as u32 / width);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header().unwrap().write_image_data(rgb).unwrap();
    }

    #[test]
    fn a_one_colour_capture_is_told_from_a_picture() {
        let dir = crate::data_dir();
        let blank = dir.path().join("blank.png");
        write_png(&blank, 4, &[0; 4 * 3 * 3]);
        assert_eq!(png_colours(&blank), 1);
        let picture = dir.path().join("picture.png");
        let mut rgb = vec![255; 4 * 3 * 3];
        rgb[..3].copy_from_slice(&[10, 20, 30]);
        write_png(&picture, 4, &rgb);
        assert_eq!(png_colours(&picture), 2);
    }

    /// The README's composer.png as it was committed (1-bit, all black).
    #[test]
    fn a_bilevel_black_image_has_one_colour() {
        let composer = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/composer-black-1bit.png");
        assert_eq!(png_colours(&composer), 1);
    }
}
