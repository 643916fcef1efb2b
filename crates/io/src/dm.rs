//! Gatan DigitalMicrograph `.dm3` and `.dm4` files: the tag tree, and the
//! spectra in it — single spectra (EELS, EDS, CL) and the pixels of
//! spectrum images and line scans, each with its calibrated axis (origin,
//! scale, unit) and the signal type.
//!
//! Layout (public descriptions of the format, as used by rosettasciio and
//! others): a header (version 3 or 4, root length, byte order of the data:
//! 1 = little-endian), then a tree of tag groups and data tags. Tag headers
//! are big-endian; DM4 widens counts and lengths to 64 bits and gives each
//! tag its size. A data tag holds `%%%%`, an info array (the encoded type:
//! simple numbers, strings, structs and arrays of them) and the values, in
//! the header's byte order. Images are under `ImageList`, each with
//! `ImageData` (`Data`, `Dimensions`, `Calibrations/Dimension`) and
//! `ImageTags` (`Meta Data/Signal`, ...). A calibrated axis value is
//! (index − origin) × scale.
//!
//! Every count and length is checked against the bytes that remain; the tree
//! depth is limited; a truncated or corrupted file is an error with its byte
//! offset.

use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

use crate::error::{Error, Result, bin_err};

const MAX_DEPTH: usize = 64;

/// A decoded value of a data tag.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number (every simple type widened to f64).
    Number(f64),
    /// Text (arrays of 16-bit characters, or DM strings).
    Text(String),
    /// An array of simple numbers: element type code, byte offset of the
    /// first element in the file, element count (decoded on demand).
    Array {
        /// DM type code of the elements (2 i16, 3 i32, 4 u16, 5 u32, 6 f32,
        /// 7 f64, 8 bool, 9 i8, 10 u8, 11 i64, 12 u64).
        ty: u32,
        /// Byte offset of the first element.
        offset: usize,
        /// Number of elements.
        count: usize,
    },
    /// A struct of numbers.
    Struct(Vec<f64>),
    /// Something not decoded (arrays of structs, ...), with its size in bytes.
    Other(usize),
}

/// A node of the tag tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Tag {
    /// A group of named (or unnamed) tags, in file order.
    Group(Vec<(String, Tag)>),
    /// A data tag.
    Data(Value),
}

impl Tag {
    /// The child with this label.
    pub fn get(&self, label: &str) -> Option<&Tag> {
        match self {
            Tag::Group(v) => v.iter().find(|(l, _)| l == label).map(|(_, t)| t),
            Tag::Data(_) => None,
        }
    }

    /// The child at a `/`-separated path.
    pub fn path(&self, path: &str) -> Option<&Tag> {
        path.split('/').try_fold(self, |t, p| t.get(p))
    }

    /// The children of a group.
    pub fn children(&self) -> &[(String, Tag)] {
        match self {
            Tag::Group(v) => v,
            Tag::Data(_) => &[],
        }
    }

    /// A number, if this is one.
    pub fn number(&self) -> Option<f64> {
        match self {
            Tag::Data(Value::Number(x)) => Some(*x),
            _ => None,
        }
    }

    /// Text, if this is text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Tag::Data(Value::Text(s)) => Some(s),
            _ => None,
        }
    }
}

/// A parsed DM file: version, the data's byte order and the tag tree.
#[derive(Debug, Clone, PartialEq)]
pub struct DmFile {
    /// 3 or 4.
    pub version: u32,
    /// Whether the data are little-endian.
    pub little_endian: bool,
    /// The root group.
    pub root: Tag,
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
    v4: bool,
    le: bool,
    source: &'a str,
}

fn simple_size(ty: u32) -> Option<usize> {
    Some(match ty {
        8..=10 => 1,
        2 | 4 => 2,
        3 | 5 | 6 => 4,
        7 | 11 | 12 => 8,
        _ => return None,
    })
}

impl<'a> Reader<'a> {
    fn err(&self, at: usize, m: impl Into<String>) -> Error {
        bin_err(self.source, at, m)
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| {
                self.err(
                    self.pos,
                    format!("the file ends here, {n} more bytes were expected (truncated?)"),
                )
            })?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn be_u16(&mut self) -> Result<u16> {
        let s = self.take(2)?;
        Ok(u16::from_be_bytes([s[0], s[1]]))
    }
    fn be_u32(&mut self) -> Result<u32> {
        let s = self.take(4)?;
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn be_u64(&mut self) -> Result<u64> {
        let s = self.take(8)?;
        Ok(u64::from_be_bytes([
            s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7],
        ]))
    }
    /// A count: 32 bits in DM3, 64 in DM4, checked against the bytes left.
    fn count(&mut self, what: &str) -> Result<usize> {
        let at = self.pos;
        let n = if self.v4 {
            self.be_u64()?
        } else {
            u64::from(self.be_u32()?)
        };
        let left = (self.b.len() - self.pos) as u64;
        if n > left {
            return Err(self.err(
                at,
                format!("{what} is {n}, more than the {left} bytes that remain"),
            ));
        }
        Ok(n as usize)
    }

    fn group(&mut self, depth: usize) -> Result<Tag> {
        if depth > MAX_DEPTH {
            return Err(self.err(self.pos, "tag groups nested too deeply"));
        }
        let _sorted = self.u8()?;
        let _open = self.u8()?;
        let n = self.count("the number of tags")?;
        let mut out = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            let at = self.pos;
            let kind = self.u8()?;
            if kind == 0 {
                break; // end of file marker
            }
            let len = self.be_u16()? as usize;
            let label = String::from_utf8_lossy(self.take(len)?).into_owned();
            if self.v4 {
                let _size = self.be_u64()?;
            }
            let tag = match kind {
                20 => self.group(depth + 1)?,
                21 => Tag::Data(self.data()?),
                k => {
                    return Err(self.err(
                        at,
                        format!("tag type {k} (expected 20 for a group or 21 for data)"),
                    ));
                }
            };
            out.push((label, tag));
        }
        Ok(Tag::Group(out))
    }

    fn number_at(&self, ty: u32, o: usize) -> Option<f64> {
        let s = self.b.get(o..o + simple_size(ty)?)?;
        let le = self.le;
        macro_rules! get {
            ($t:ty, $n:expr) => {{
                let mut a = [0u8; $n];
                a.copy_from_slice(s);
                if le {
                    <$t>::from_le_bytes(a)
                } else {
                    <$t>::from_be_bytes(a)
                }
            }};
        }
        Some(match ty {
            2 => f64::from(get!(i16, 2)),
            3 => f64::from(get!(i32, 4)),
            4 => f64::from(get!(u16, 2)),
            5 => f64::from(get!(u32, 4)),
            6 => f64::from(get!(f32, 4)),
            7 => get!(f64, 8),
            8 | 10 => f64::from(s[0]),
            9 => f64::from(s[0] as i8),
            11 => get!(i64, 8) as f64,
            12 => get!(u64, 8) as f64,
            _ => return None,
        })
    }

    fn data(&mut self) -> Result<Value> {
        let at = self.pos;
        if self.take(4)? != b"%%%%" {
            return Err(self.err(at, "a data tag without its %%%% mark"));
        }
        let n = self.count("the length of a type description")?;
        if n == 0 || n > 1_000_000 {
            return Err(self.err(at, format!("a type description of {n} entries")));
        }
        let mut info = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            info.push(if self.v4 {
                self.be_u64()?
            } else {
                u64::from(self.be_u32()?)
            });
        }
        let bad = |r: &Self| {
            r.err(
                at,
                format!(
                    "a type description this reader does not know: {:?}",
                    &info[..info.len().min(8)]
                ),
            )
        };
        let ty = info[0] as u32;
        if let Some(sz) = simple_size(ty) {
            let o = self.pos;
            self.take(sz)?;
            return Ok(Value::Number(self.number_at(ty, o).unwrap_or(f64::NAN)));
        }
        match ty {
            18 => {
                // a string: info[1] is its length in bytes
                let len = *info.get(1).ok_or_else(|| bad(self))? as usize;
                let s = self.take(len)?;
                Ok(Value::Text(String::from_utf8_lossy(s).into_owned()))
            }
            15 => {
                // struct: name length, field count, then (name length, type) pairs
                let nf = *info.get(2).ok_or_else(|| bad(self))? as usize;
                let mut vals = Vec::with_capacity(nf.min(64));
                for k in 0..nf {
                    let fty = *info.get(4 + 2 * k).ok_or_else(|| bad(self))? as u32;
                    let sz = simple_size(fty).ok_or_else(|| bad(self))?;
                    let o = self.pos;
                    self.take(sz)?;
                    vals.push(self.number_at(fty, o).unwrap_or(f64::NAN));
                }
                Ok(Value::Struct(vals))
            }
            20 => {
                let ety = *info.get(1).ok_or_else(|| bad(self))? as u32;
                let count = *info.last().ok_or_else(|| bad(self))? as usize;
                let esize = if let Some(s) = simple_size(ety) {
                    s
                } else if ety == 15 {
                    // array of structs: info[2] name length, info[3] fields, pairs, count
                    let nf = *info.get(3).ok_or_else(|| bad(self))? as usize;
                    let mut s = 0usize;
                    for k in 0..nf {
                        let fty = *info.get(5 + 2 * k).ok_or_else(|| bad(self))? as u32;
                        s += simple_size(fty).ok_or_else(|| bad(self))?;
                    }
                    s
                } else {
                    return Err(bad(self));
                };
                let bytes = count.checked_mul(esize).ok_or_else(|| bad(self))?;
                let o = self.pos;
                self.take(bytes).map_err(|_| {
                    self.err(o, format!("an array of {count} elements of {esize} bytes runs past the end of the file (truncated?)"))
                })?;
                if ety == 4 && count <= 4096 {
                    // arrays of 16-bit characters are DM's strings
                    let units: Vec<u16> = (0..count)
                        .map(|k| self.number_at(4, o + 2 * k).unwrap_or(0.0) as u16)
                        .collect();
                    return Ok(Value::Text(String::from_utf16_lossy(&units)));
                }
                if ety == 15 {
                    return Ok(Value::Other(bytes));
                }
                Ok(Value::Array {
                    ty: ety,
                    offset: o,
                    count,
                })
            }
            _ => Err(bad(self)),
        }
    }
}

/// Parses a DM3/DM4 file's header and tag tree.
pub fn parse_dm(b: &[u8], source: &str) -> Result<DmFile> {
    let mut r = Reader {
        b,
        pos: 0,
        v4: false,
        le: true,
        source,
    };
    let version = r.be_u32()?;
    if version != 3 && version != 4 {
        return Err(bin_err(
            source,
            0,
            format!("DigitalMicrograph version {version} (3 and 4 are read)"),
        ));
    }
    r.v4 = version == 4;
    if r.v4 {
        r.be_u64()?;
    } else {
        r.be_u32()?;
    }
    let order = r.be_u32()?;
    if order > 1 {
        return Err(bin_err(
            source,
            r.pos - 4,
            format!("byte-order flag {order} (expected 0 or 1)"),
        ));
    }
    r.le = order == 1;
    let root = r.group(0)?;
    Ok(DmFile {
        version,
        little_endian: r.le,
        root,
    })
}

impl DmFile {
    /// The values of a numeric array tag (as f64), or an error naming it.
    fn array(&self, b: &[u8], t: &Tag, what: &str, source: &str) -> Result<Vec<f64>> {
        let Tag::Data(Value::Array { ty, offset, count }) = t else {
            return Err(Error::WrongKind {
                source_name: source.into(),
                message: format!("{what} is not a numeric array"),
            });
        };
        let r = Reader {
            b,
            pos: 0,
            v4: self.version == 4,
            le: self.little_endian,
            source,
        };
        let sz = simple_size(*ty).unwrap_or(1);
        (0..*count)
            .map(|k| {
                r.number_at(*ty, offset + k * sz).ok_or_else(|| {
                    bin_err(
                        source,
                        offset + k * sz,
                        format!("{what}: element {k} cannot be read"),
                    )
                })
            })
            .collect()
    }
}

/// Whether a calibration unit is an energy (the spectral axis of EELS/EDS).
fn is_energy_unit(unit: &str) -> bool {
    matches!(unit.trim(), "eV" | "keV")
}

/// The spectra of a DM file: every image whose signal axis can be
/// identified (the one dimension calibrated in eV or keV, or the only
/// dimension; CL spectra in nm when 1-D). A spectrum image or line scan
/// gives one spectrum per pixel, named `TITLE (x, y)`. Thumbnails and
/// images without a spectral axis are skipped; none at all is an error.
pub fn read_dm_spectra(b: &[u8], source: &str) -> Result<Vec<Spectrum>> {
    let f = parse_dm(b, source)?;
    let Some(list) = f.root.get("ImageList") else {
        return Err(Error::WrongKind {
            source_name: source.into(),
            message: "a DigitalMicrograph file without an ImageList".into(),
        });
    };
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (k, (_, img)) in list.children().iter().enumerate() {
        let Some(data) = img.path("ImageData/Data") else {
            continue;
        };
        let dims: Vec<usize> = img
            .path("ImageData/Dimensions")
            .map(|d| {
                d.children()
                    .iter()
                    .filter_map(|(_, t)| t.number())
                    .map(|x| x as usize)
                    .collect()
            })
            .unwrap_or_default();
        let cal: Vec<(f64, f64, String)> = img
            .path("ImageData/Calibrations/Dimension")
            .map(|d| {
                d.children()
                    .iter()
                    .map(|(_, c)| {
                        (
                            c.get("Origin").and_then(Tag::number).unwrap_or(0.0),
                            c.get("Scale").and_then(Tag::number).unwrap_or(1.0),
                            c.get("Units").and_then(Tag::text).unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let title = img
            .get("Name")
            .and_then(Tag::text)
            .unwrap_or("")
            .to_string();
        let signal = img
            .path("ImageTags/Meta Data/Signal")
            .and_then(Tag::text)
            .unwrap_or("")
            .to_string();
        // the spectral axis: the only dimension, or the one in eV/keV
        let energy: Vec<usize> = (0..dims.len())
            .filter(|&d| cal.get(d).is_some_and(|c| is_energy_unit(&c.2)))
            .collect();
        let axis = match (dims.len(), energy.as_slice()) {
            (1, _) => 0,
            (_, [d]) => *d,
            _ => {
                skipped.push(format!(
                    "image {k} ({title:?}, dimensions {dims:?}): no single energy axis"
                ));
                continue;
            }
        };
        let n_total: usize = dims.iter().product();
        let values = f.array(b, data, "ImageData/Data", source)?;
        if values.len() != n_total || n_total == 0 {
            return Err(Error::WrongKind {
                source_name: source.into(),
                message: format!("image {k}: {} values for dimensions {dims:?}", values.len()),
            });
        }
        let (origin, scale, unit) = cal.get(axis).cloned().unwrap_or((0.0, 1.0, String::new()));
        let n = dims[axis];
        let x: std::sync::Arc<[f64]> = (0..n).map(|i| (i as f64 - origin) * scale).collect();
        // strides: dimension 0 varies fastest
        let mut stride = vec![1usize; dims.len()];
        for d in 1..dims.len() {
            stride[d] = stride[d - 1] * dims[d - 1];
        }
        let others: Vec<usize> = (0..dims.len()).filter(|&d| d != axis).collect();
        let pixels: usize = others.iter().map(|&d| dims[d]).product();
        let technique = match signal.as_str() {
            "EELS" => Technique::Eels,
            s if s.starts_with("EDS") || s.starts_with("X-ray") => Technique::Eds,
            _ => Technique::Other,
        };
        let x_quantity = match (technique, unit.as_str()) {
            (Technique::Eels, _) => XQuantity::EnergyLoss,
            (_, "eV" | "keV") => XQuantity::Energy,
            _ => XQuantity::Other,
        };
        // (ny, nx) of the pixel grid: the first non-energy dimension is x,
        // the others (rows, then any further dimension) fold into y
        let image_shape = {
            let nx = others.first().map_or(1, |&d| dims[d]);
            format!("{},{nx}", pixels / nx.max(1))
        };
        for p in 0..pixels {
            // the pixel's coordinates along the other dimensions
            let mut rem = p;
            let mut base = 0usize;
            let mut coords = Vec::with_capacity(others.len());
            for &d in &others {
                let c = rem % dims[d];
                rem /= dims[d];
                base += c * stride[d];
                coords.push(c);
            }
            let y: Vec<f64> = (0..n).map(|i| values[base + i * stride[axis]]).collect();
            let name = if pixels > 1 {
                format!(
                    "{title} ({})",
                    coords
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                title.clone()
            };
            let mut extra = std::collections::BTreeMap::new();
            extra.insert("signal".into(), signal.clone());
            extra.insert("dimensions".into(), format!("{dims:?}"));
            if pixels > 1 {
                extra.insert("pixel".into(), format!("{coords:?}"));
                extra.insert("image_shape".into(), image_shape.clone());
            }
            let s = Spectrum::with_shared_x(x.clone(), y).map_err(|e| Error::WrongKind {
                source_name: source.into(),
                message: format!("image {k} ({title:?}): {e}"),
            })?;
            out.push(s.with_meta(Metadata {
                name,
                technique,
                x_quantity,
                x_unit: unit.clone(),
                y_unit: String::new(),
                counts: false,
                photon_energy: None,
                source: Some(source.to_string()),
                block: Some(format!("image {k}")),
                extra,
            }));
        }
    }
    if out.is_empty() {
        return Err(Error::WrongKind {
            source_name: source.into(),
            message: format!(
                "a DigitalMicrograph file without a spectrum{}",
                if skipped.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", skipped.join("; "))
                }
            ),
        });
    }
    Ok(out)
}
