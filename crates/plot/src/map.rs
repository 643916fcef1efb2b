//! Colour maps of per-pixel quantities (spectrum-image maps: t/λ, Ti³⁺
//! fraction, atomic ratios and their standard errors).
//!
//! The pixels are drawn as one embedded PNG image (written here, uncompressed:
//! no image library), so a 256 × 256 map stays a few hundred kB of SVG rather
//! than 65 536 rectangles; browsers, evcxr and SVG converters show it with
//! sharp pixel edges (`image-rendering: pixelated`). The colours follow
//! matplotlib's *viridis* (perceptually uniform, colour-blind safe), linear
//! from the smallest to the largest finite value, with a colour bar;
//! pixels without a value (NaN, ±∞: failed fits) are grey and counted under
//! the bar. Row 0 is at the top, as in an image.

use plotters::prelude::*;

use crate::{Error, Figure, Result, axis, data_err, draw_err};

/// Most pixels a map may have (2048 × 2048).
pub const MAX_MAP_PIXELS: usize = 2048 * 2048;

/// Grey of pixels without a value.
const NO_VALUE: [u8; 3] = [200, 200, 200];

/// matplotlib's viridis at 0, 1/8, …, 1 (interpolated linearly between).
const VIRIDIS: [[u8; 3]; 9] = [
    [0x44, 0x01, 0x54],
    [0x48, 0x28, 0x78],
    [0x3e, 0x49, 0x89],
    [0x31, 0x68, 0x8e],
    [0x26, 0x82, 0x8e],
    [0x1f, 0x9e, 0x89],
    [0x35, 0xb7, 0x79],
    [0x6e, 0xce, 0x58],
    [0xfd, 0xe7, 0x25],
];

/// The viridis colour of `t` ∈ [0, 1] (clamped).
fn viridis(t: f64) -> [u8; 3] {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let s = t * (VIRIDIS.len() - 1) as f64;
    let i = (s.floor() as usize).min(VIRIDIS.len() - 2);
    let f = s - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |k: usize| (f64::from(a[k]) + f * (f64::from(b[k]) - f64::from(a[k]))).round() as u8;
    [mix(0), mix(1), mix(2)]
}

/// A colour map of `values` (row-major, x fastest) on a `shape` = (ny, nx)
/// pixel grid, titled `title`, with a colour bar labelled `label` (the
/// quantity and its unit, e.g. `"t/λ"` or `"Ti³⁺ fraction"`).
///
/// Errors when the shape is empty or does not match the values, when there
/// are more than [`MAX_MAP_PIXELS`], or when no value is finite.
///
/// ```
/// // a 2 × 3 map with one failed pixel (NaN: drawn grey and counted)
/// let fig = interphase_plot::heatmap("t/λ", "t/λ", (2, 3), &[0.2, 0.3, 0.4, 0.5, f64::NAN, 0.7])?;
/// assert!(fig.svg().contains("data:image/png;base64,"));
/// assert!(fig.svg().contains("no value: 1 pixel"));
/// # Ok::<(), interphase_plot::Error>(())
/// ```
pub fn heatmap(title: &str, label: &str, shape: (usize, usize), values: &[f64]) -> Result<Figure> {
    let (ny, nx) = shape;
    if ny == 0 || nx == 0 {
        return Err(data_err(title, format!("empty map shape ({ny}, {nx})")));
    }
    let n = ny
        .checked_mul(nx)
        .filter(|&n| n <= MAX_MAP_PIXELS)
        .ok_or_else(|| {
            data_err(
                title,
                format!("{ny} × {nx} pixels: more than {MAX_MAP_PIXELS}"),
            )
        })?;
    if values.len() != n {
        return Err(data_err(
            title,
            format!("{} values for a {ny} × {nx} map ({n} pixels)", values.len()),
        ));
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in values.iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return Err(data_err(title, "no finite value in the map"));
    }
    let missing = values.iter().filter(|v| !v.is_finite()).count();
    let span = hi - lo;
    let scale = |v: f64| if span > 0.0 { (v - lo) / span } else { 0.5 };
    let mut rgb = Vec::with_capacity(3 * n);
    for &v in values {
        rgb.extend_from_slice(&if v.is_finite() {
            viridis(scale(v))
        } else {
            NO_VALUE
        });
    }
    let image = png_data_uri(nx, ny, &rgb);

    // square pixels: the plot area fits 540 × 400 units
    let px = (540.0 / nx as f64).min(400.0 / ny as f64);
    let (pw, ph) = (
        (px * nx as f64).round().max(1.0) as u32,
        (px * ny as f64).round().max(1.0) as u32,
    );
    let (left, right, top, bottom) = (64u32, 140u32, 44u32, 48u32);
    let height = (ph + top + bottom).max(260);
    let width = pw + left + right;
    let extra = height - ph - top - bottom;
    let mut svg = String::new();
    let (x0, y0, x1, y1);
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        root.draw(&Text::new(
            title.to_string(),
            (12, 10),
            ("sans-serif", 18).into_font(),
        ))
        .map_err(draw_err)?;
        let area = root.margin(top + extra / 2, bottom + extra - extra / 2, left, right);
        let (xs, ys) = area.get_pixel_range();
        (x0, x1, y0, y1) = (xs.start, xs.end, ys.start, ys.end);
        // axes: pixel indices at pixel centres, row 0 at the top
        let font = ("sans-serif", 13).into_font();
        let axis = BLACK.stroke_width(1);
        root.draw(&Rectangle::new([(x0 - 1, y0 - 1), (x1, y1)], axis))
            .map_err(draw_err)?;
        let x_at = |i: f64| x0 as f64 + (i + 0.5) * f64::from(pw) / nx as f64;
        let y_at = |j: f64| y0 as f64 + (j + 0.5) * f64::from(ph) / ny as f64;
        for i in index_ticks(nx) {
            let x = x_at(i as f64).round() as i32;
            root.draw(&PathElement::new(vec![(x, y1), (x, y1 + 5)], axis))
                .map_err(draw_err)?;
            root.draw(&Text::new(
                i.to_string(),
                (x - 4 * i.to_string().len() as i32, y1 + 8),
                font.clone(),
            ))
            .map_err(draw_err)?;
        }
        for j in index_ticks(ny) {
            let y = y_at(j as f64).round() as i32;
            root.draw(&PathElement::new(vec![(x0 - 6, y), (x0 - 1, y)], axis))
                .map_err(draw_err)?;
            root.draw(&Text::new(
                j.to_string(),
                (x0 - 12 - 7 * j.to_string().len() as i32, y - 7),
                font.clone(),
            ))
            .map_err(draw_err)?;
        }
        root.draw(&Text::new(
            "x (pixel)",
            ((x0 + x1) / 2 - 28, y1 + 26),
            ("sans-serif", 14).into_font(),
        ))
        .map_err(draw_err)?;
        root.draw(&Text::new(
            "y (pixel)",
            (8, (y0 + y1) / 2 + 28),
            ("sans-serif", 14)
                .into_font()
                .transform(FontTransform::Rotate270),
        ))
        .map_err(draw_err)?;

        // the colour bar: 128 bands from lo (bottom) to hi (top)
        let (bx0, bx1) = (x1 + 24, x1 + 42);
        let (by0, by1) = (y0.max(top as i32), y1.min(height as i32 - bottom as i32));
        let (by0, by1) = if by1 - by0 < 160 {
            let mid = (y0 + y1) / 2;
            (mid - 80, mid + 80)
        } else {
            (by0, by1)
        };
        let bands = 128;
        for b in 0..bands {
            let t = (b as f64 + 0.5) / bands as f64;
            let ya = by1 - ((b + 1) * (by1 - by0)) / bands;
            let yb = by1 - (b * (by1 - by0)) / bands;
            let [r, g, bl] = viridis(t);
            root.draw(&Rectangle::new(
                [(bx0, ya), (bx1, yb)],
                RGBColor(r, g, bl).filled(),
            ))
            .map_err(draw_err)?;
        }
        root.draw(&Rectangle::new([(bx0, by0), (bx1, by1)], axis))
            .map_err(draw_err)?;
        let ticks = axis::linear(lo, hi, 5);
        for v in ticks.positions() {
            let y = by1 as f64 - scale(v) * f64::from((by1 - by0) as u32);
            let y = y.round() as i32;
            root.draw(&PathElement::new(vec![(bx1, y), (bx1 + 5, y)], axis))
                .map_err(draw_err)?;
            root.draw(&Text::new(ticks.label(v), (bx1 + 8, y - 7), font.clone()))
                .map_err(draw_err)?;
        }
        root.draw(&Text::new(
            label.to_string(),
            (bx0 - 6, by0 - 20),
            ("sans-serif", 13).into_font(),
        ))
        .map_err(draw_err)?;
        if missing > 0 {
            let s = if missing == 1 { "" } else { "s" };
            root.draw(&Text::new(
                format!("no value: {missing} pixel{s}"),
                (bx0 - 6, by1 + 10),
                ("sans-serif", 12).into_font(),
            ))
            .map_err(draw_err)?;
            root.draw(&Rectangle::new(
                [(bx0 - 6, by1 + 26), (bx0 + 6, by1 + 38)],
                RGBColor(NO_VALUE[0], NO_VALUE[1], NO_VALUE[2]).filled(),
            ))
            .map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    let tag = format!(
        "<image x=\"{x0}\" y=\"{y0}\" width=\"{}\" height=\"{}\" preserveAspectRatio=\"none\" \
         style=\"image-rendering:pixelated\" href=\"{image}\"/>\n",
        x1 - x0,
        y1 - y0
    );
    let at = svg
        .rfind("</svg>")
        .ok_or_else(|| Error::Draw("the SVG backend wrote no closing tag".into()))?;
    svg.insert_str(at, &tag);
    Ok(Figure {
        title: title.to_string(),
        svg,
        caption: String::new(),
    })
}

/// About six integer tick positions in 0..n (pixel indices).
fn index_ticks(n: usize) -> Vec<usize> {
    if n <= 6 {
        return (0..n).collect();
    }
    let raw = (n - 1) as f64 / 5.0;
    let step = axis::nice_step(raw).max(1.0) as usize;
    (0..n).step_by(step).collect()
}

/// An RGB image (rows top to bottom, 3 bytes per pixel) as a `data:` URI of a
/// PNG with stored (uncompressed) deflate blocks (RFC 1950/1951, PNG spec §11).
fn png_data_uri(w: usize, h: usize, rgb: &[u8]) -> String {
    let mut raw = Vec::with_capacity(h * (3 * w + 1));
    for row in rgb.chunks_exact(3 * w) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut z = vec![0x78, 0x01];
    let mut blocks = raw.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        z.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(b) = blocks.next() {
        z.push(u8::from(blocks.peek().is_none()));
        let len = b.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(b);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(w as u32).to_be_bytes());
    ihdr.extend_from_slice(&(h as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter set, no interlace
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    format!("data:image/png;base64,{}", base64(&png))
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut c = Crc32::new();
    c.update(kind);
    c.update(data);
    out.extend_from_slice(&c.finish().to_be_bytes());
}

/// CRC-32 (ISO 3309, the PNG and zlib polynomial 0xEDB88320, reflected).
struct Crc32(u32);

impl Crc32 {
    fn new() -> Self {
        Crc32(0xffff_ffff)
    }
    fn update(&mut self, data: &[u8]) {
        for &b in data {
            let mut c = (self.0 ^ u32::from(b)) & 0xff;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            self.0 = (self.0 >> 8) ^ c;
        }
    }
    fn finish(&self) -> u32 {
        self.0 ^ 0xffff_ffff
    }
}

/// Adler-32 (RFC 1950 §8).
fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    (b << 16) | a
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        s.push(A[(n >> 18) as usize & 63] as char);
        s.push(A[(n >> 12) as usize & 63] as char);
        s.push(if c.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        s.push(if c.len() > 2 {
            A[n as usize & 63] as char
        } else {
            '='
        });
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_their_published_check_values() {
        // CRC-32 check value of "123456789" (the catalogue of parametrised CRC
        // algorithms, CRC-32/ISO-HDLC): 0xCBF43926
        let mut c = Crc32::new();
        c.update(b"123456789");
        assert_eq!(c.finish(), 0xcbf4_3926);
        // Adler-32 of "Wikipedia" (RFC 1950's algorithm; the worked example
        // on its Wikipedia page): 0x11E60398
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
        // RFC 4648 §10 test vectors
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn png_has_valid_structure_and_the_pixels() {
        // a 2 × 1 image: red, blue
        let uri = png_data_uri(2, 1, &[255, 0, 0, 0, 0, 255]);
        let b64 = uri.strip_prefix("data:image/png;base64,").unwrap();
        // decode base64 by hand
        let val = |c: u8| {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                .iter()
                .position(|&a| a == c)
                .unwrap() as u32
        };
        let mut bytes = Vec::new();
        for q in b64.as_bytes().chunks(4) {
            let pad = q.iter().filter(|&&c| c == b'=').count();
            let n = q
                .iter()
                .map(|&c| if c == b'=' { 0 } else { val(c) })
                .fold(0u32, |n, v| (n << 6) | v);
            let three = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.extend_from_slice(&three[..3 - pad]);
        }
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        // walk the chunks, checking each CRC
        let mut at = 8;
        let mut kinds = Vec::new();
        let mut idat = Vec::new();
        while at < bytes.len() {
            let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
            let kind = &bytes[at + 4..at + 8];
            let data = &bytes[at + 8..at + 8 + len];
            let crc = u32::from_be_bytes(bytes[at + 8 + len..at + 12 + len].try_into().unwrap());
            let mut c = Crc32::new();
            c.update(kind);
            c.update(data);
            assert_eq!(c.finish(), crc);
            if kind == b"IDAT" {
                idat = data.to_vec();
            }
            kinds.push(String::from_utf8(kind.to_vec()).unwrap());
            at += 12 + len;
        }
        assert_eq!(kinds, ["IHDR", "IDAT", "IEND"]);
        // zlib header, one final stored block of 7 bytes: filter 0 + 2 RGB pixels
        assert_eq!(&idat[..3], &[0x78, 0x01, 0x01]);
        assert_eq!(&idat[3..7], &[7, 0, 0xf8, 0xff]);
        assert_eq!(&idat[7..14], &[0, 255, 0, 0, 0, 0, 255]);
    }

    #[test]
    fn viridis_ends_and_ticks() {
        assert_eq!(viridis(0.0), VIRIDIS[0]);
        assert_eq!(viridis(1.0), VIRIDIS[8]);
        assert_eq!(viridis(2.0), VIRIDIS[8]);
        assert_eq!(index_ticks(4), [0, 1, 2, 3]);
        assert_eq!(index_ticks(128), [0, 50, 100]);
    }

    #[test]
    #[ignore = "writes /tmp/heatmap.svg to look at"]
    fn write_example() {
        let (ny, nx) = (40, 64);
        let v: Vec<f64> = (0..ny * nx)
            .map(|p| {
                let (y, x) = ((p / nx) as f64, (p % nx) as f64);
                if p == 700 {
                    f64::NAN
                } else {
                    0.05 + 0.55 * (-x / 12.0).exp() + 0.002 * y
                }
            })
            .collect();
        let f = heatmap("Ti³⁺ fraction", "Ti³⁺ / Ti", (ny, nx), &v).unwrap();
        f.save("/tmp/heatmap.svg").unwrap();
    }

    #[test]
    fn bad_maps_are_refused() {
        assert!(heatmap("m", "v", (0, 3), &[]).is_err());
        assert!(heatmap("m", "v", (2, 2), &[1.0; 3]).is_err());
        assert!(heatmap("m", "v", (1, 2), &[f64::NAN; 2]).is_err());
        assert!(heatmap("m", "v", (usize::MAX, 2), &[1.0]).is_err());
        // a flat map is drawn (one tick)
        let f = heatmap("m", "v", (1, 2), &[3.0, 3.0]).unwrap();
        assert!(f.svg().contains("\n3\n</text>"));
    }
}
