//! Helpers of the interphase-io tests: the shared real files (skipped when
//! ../shared is absent) and a builder of BioLogic .mpr files that follows the
//! layout described in src/mpr.rs.

use std::path::PathBuf;

/// `../shared/real-files/<rel>` when present; otherwise prints why the
/// caller skips and returns `None` (a fresh clone has no ../shared).
#[allow(dead_code)]
pub fn real(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/real-files")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "skipping: {} not found (../shared is not part of a fresh clone)",
            p.display()
        );
        None
    }
}

/// `../shared/data/eis/<name>` when present.
#[allow(dead_code)]
pub fn shared_eis(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/eis")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found", p.display());
        None
    }
}

/// A module: the header of EC-Lab ≥ 11.50 (`new`) or the older one.
fn module(out: &mut Vec<u8>, short: &str, version: u32, data: &[u8], new: bool) {
    out.extend_from_slice(b"MODULE");
    let mut s = short.as_bytes().to_vec();
    s.resize(10, b' ');
    out.extend_from_slice(&s);
    let mut l = short.as_bytes().to_vec();
    l.resize(25, b' ');
    out.extend_from_slice(&l);
    if new {
        out.extend_from_slice(&u32::MAX.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&11u32.to_le_bytes());
    } else {
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&version.to_le_bytes());
    }
    out.extend_from_slice(b"12/04/26");
    out.extend_from_slice(data);
}

/// A value of a column for the builder.
#[allow(dead_code)]
#[derive(Clone)]
pub enum V {
    F4(f32),
    F8(f64),
    U2(u16),
    U1(u8),
}

/// A `.mpr` file: technique byte, column IDs, records (one `V` per stored
/// field: flags share one byte), in the ≥ 11.50 layout (`new`) or the
/// version-3 one.
#[allow(dead_code)]
pub fn mpr(technique: u8, ids: &[u16], records: &[Vec<V>], new: bool) -> Vec<u8> {
    let mut out = b"BIO-LOGIC MODULAR FILE\x1a".to_vec();
    out.resize(48, b' ');
    out.extend_from_slice(&[0; 4]);
    let mut set = vec![technique, 0, 8, b'K', 3, 0, 0];
    set.push(5);
    set.extend_from_slice(b"hello");
    set.resize(600, 0);
    module(&mut out, "VMP Set", 0, &set, new);
    let mut d = (records.len() as u32).to_le_bytes().to_vec();
    d.push(ids.len() as u8);
    let start = if new {
        d.push(0);
        for id in ids {
            d.extend_from_slice(&id.to_le_bytes());
        }
        d.resize(1006, 0);
        d.push(1);
        1007
    } else {
        for id in ids {
            d.extend_from_slice(&id.to_le_bytes());
        }
        d.resize(405, 0);
        d.push(1);
        406
    };
    assert_eq!(d.len(), start);
    for r in records {
        for v in r {
            match v {
                V::F4(x) => d.extend_from_slice(&x.to_le_bytes()),
                V::F8(x) => d.extend_from_slice(&x.to_le_bytes()),
                V::U2(x) => d.extend_from_slice(&x.to_le_bytes()),
                V::U1(x) => d.push(*x),
            }
        }
    }
    module(&mut out, "VMP data", if new { 0 } else { 3 }, &d, new);
    module(&mut out, "VMP LOG", 0, &[0u8; 100], new);
    out
}

/// A PEIS `.mpr` with two cycles of three frequencies and one frequency-0
/// record: columns flags(1,3), freq(32), Re(37), −Im(38), |Z|(36),
/// phase(35), time(4), cycle(24), I Range(39).
#[allow(dead_code)]
pub fn peis_mpr(new: bool) -> Vec<u8> {
    let ids = [1u16, 3, 32, 37, 38, 36, 35, 4, 24, 39];
    let mut recs = Vec::new();
    let mut t = 0.0;
    for cycle in [1.0f64, 2.0] {
        for (k, f) in [1e5f32, 1e3, 10.0].into_iter().enumerate() {
            let re = 10.0 + 5.0 * k as f32 + cycle as f32;
            let mim = 2.0 + 3.0 * k as f32;
            let m = re.hypot(mim);
            let ph = (-mim).atan2(re).to_degrees();
            t += 1.5;
            recs.push(vec![
                V::U1(1),
                V::F4(f),
                V::F4(re),
                V::F4(mim),
                V::F4(m),
                V::F4(ph),
                V::F8(t),
                V::F8(cycle),
                V::U2(5),
            ]);
        }
    }
    // a record of another technique in the sequence: frequency 0
    recs.push(vec![
        V::U1(2),
        V::F4(0.0),
        V::F4(0.0),
        V::F4(0.0),
        V::F4(0.0),
        V::F4(0.0),
        V::F8(t + 1.0),
        V::F8(2.0),
        V::U2(5),
    ]);
    mpr(0x1D, &ids, &recs, new)
}

/// A DM tag tree for the builder.
#[allow(dead_code)]
pub enum DmTag {
    Group(Vec<(&'static str, DmTag)>),
    /// f64 number (type 7)
    F64(f64),
    /// u32 number (type 5)
    U32(u32),
    /// text: array of u16 (type 20 of 4)
    Text(&'static str),
    /// array of f32 (type 20 of 6)
    F32s(Vec<f32>),
}

fn dm_count(out: &mut Vec<u8>, v4: bool, n: u64) {
    if v4 {
        out.extend_from_slice(&n.to_be_bytes());
    } else {
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

fn dm_tag(out: &mut Vec<u8>, v4: bool, label: &str, t: &DmTag) {
    let mut body = Vec::new();
    match t {
        DmTag::Group(children) => {
            body.extend_from_slice(&[0, 1]);
            dm_count(&mut body, v4, children.len() as u64);
            for (l, c) in children {
                dm_tag(&mut body, v4, l, c);
            }
        }
        _ => {
            body.extend_from_slice(b"%%%%");
            let (info, data): (Vec<u64>, Vec<u8>) = match t {
                DmTag::F64(x) => (vec![7], x.to_le_bytes().to_vec()),
                DmTag::U32(x) => (vec![5], x.to_le_bytes().to_vec()),
                DmTag::Text(s) => {
                    let u: Vec<u16> = s.encode_utf16().collect();
                    (
                        vec![20, 4, u.len() as u64],
                        u.iter().flat_map(|c| c.to_le_bytes()).collect(),
                    )
                }
                DmTag::F32s(v) => (
                    vec![20, 6, v.len() as u64],
                    v.iter().flat_map(|c| c.to_le_bytes()).collect(),
                ),
                DmTag::Group(_) => unreachable!(),
            };
            dm_count(&mut body, v4, info.len() as u64);
            for i in info {
                dm_count(&mut body, v4, i);
            }
            body.extend_from_slice(&data);
        }
    }
    out.push(if matches!(t, DmTag::Group(_)) { 20 } else { 21 });
    out.extend_from_slice(&(label.len() as u16).to_be_bytes());
    out.extend_from_slice(label.as_bytes());
    if v4 {
        out.extend_from_slice(&(body.len() as u64).to_be_bytes());
    }
    out.extend_from_slice(&body);
}

/// A DM3 (`v4 = false`) or DM4 file with one image: data (dimension 0
/// fastest), dimensions and calibrations (origin, scale, unit), a name and
/// a signal type.
#[allow(dead_code)]
pub fn dm(
    v4: bool,
    dims: &[u32],
    cal: &[(f64, f64, &'static str)],
    data: Vec<f32>,
    name: &'static str,
    signal: &'static str,
) -> Vec<u8> {
    let image = DmTag::Group(vec![
        (
            "ImageData",
            DmTag::Group(vec![
                (
                    "Calibrations",
                    DmTag::Group(vec![(
                        "Dimension",
                        DmTag::Group(
                            cal.iter()
                                .map(|&(o, s, u)| {
                                    (
                                        "",
                                        DmTag::Group(vec![
                                            ("Origin", DmTag::F64(o)),
                                            ("Scale", DmTag::F64(s)),
                                            ("Units", DmTag::Text(u)),
                                        ]),
                                    )
                                })
                                .collect(),
                        ),
                    )]),
                ),
                ("Data", DmTag::F32s(data)),
                ("DataType", DmTag::U32(2)),
                (
                    "Dimensions",
                    DmTag::Group(dims.iter().map(|&d| ("", DmTag::U32(d))).collect()),
                ),
            ]),
        ),
        (
            "ImageTags",
            DmTag::Group(vec![(
                "Meta Data",
                DmTag::Group(vec![("Signal", DmTag::Text(signal))]),
            )]),
        ),
        ("Name", DmTag::Text(name)),
    ]);
    let root = DmTag::Group(vec![("ImageList", DmTag::Group(vec![("", image)]))]);
    let mut body = Vec::new();
    // the root group's body without a tag header
    if let DmTag::Group(children) = &root {
        body.extend_from_slice(&[0, 1]);
        dm_count(&mut body, v4, children.len() as u64);
        for (l, c) in children {
            dm_tag(&mut body, v4, l, c);
        }
    }
    let mut out = Vec::new();
    out.extend_from_slice(&(if v4 { 4u32 } else { 3 }).to_be_bytes());
    dm_count(&mut out, v4, body.len() as u64);
    out.extend_from_slice(&1u32.to_be_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(&[0; 8]);
    out
}

/// An Igor binary wave, version 5, little-endian: `y` as f64 on
/// x = `x0` + i·`dx`, with a note; the header checksum is filled in.
#[allow(dead_code)]
pub fn ibw(y: &[f64], x0: f64, dx: f64, name: &str, note: &str) -> Vec<u8> {
    let mut b = vec![0u8; 64 + 320];
    let put = |b: &mut Vec<u8>, o: usize, v: &[u8]| b[o..o + v.len()].copy_from_slice(v);
    put(&mut b, 0, &5i16.to_le_bytes());
    put(&mut b, 4, &((320 + 8 * y.len()) as i32).to_le_bytes());
    put(&mut b, 12, &(note.len() as i32).to_le_bytes());
    put(&mut b, 64 + 12, &(y.len() as i32).to_le_bytes());
    put(&mut b, 64 + 16, &4i16.to_le_bytes());
    put(&mut b, 64 + 28, name.as_bytes());
    put(&mut b, 64 + 68, &(y.len() as i32).to_le_bytes());
    put(&mut b, 64 + 84, &dx.to_le_bytes());
    put(&mut b, 64 + 116, &x0.to_le_bytes());
    let sum = (0..192).fold(0i16, |s, k| {
        s.wrapping_add(i16::from_le_bytes([b[2 * k], b[2 * k + 1]]))
    });
    put(&mut b, 2, &(0i16.wrapping_sub(sum)).to_le_bytes());
    for v in y {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(note.as_bytes());
    b
}

/// A Bruker RAW version 3 (`RAW1.01`) file with one range.
#[allow(dead_code)]
pub fn bruker_raw3(start: f64, step: f64, counts: &[f32]) -> Vec<u8> {
    let mut b = vec![0u8; 712 + 304];
    b[..7].copy_from_slice(b"RAW1.01");
    b[12..16].copy_from_slice(&1u32.to_le_bytes());
    b[608..610].copy_from_slice(b"Cu");
    b[624..632].copy_from_slice(&1.5406f64.to_le_bytes());
    let r = 712;
    b[r..r + 4].copy_from_slice(&304u32.to_le_bytes());
    b[r + 4..r + 8].copy_from_slice(&(counts.len() as u32).to_le_bytes());
    b[r + 16..r + 24].copy_from_slice(&start.to_le_bytes());
    b[r + 176..r + 184].copy_from_slice(&step.to_le_bytes());
    for c in counts {
        b.extend_from_slice(&c.to_le_bytes());
    }
    b
}

/// A Bruker RAW version 4 (`RAW4.00`) file: one VarInfo segment, then one
/// locked-coupled range.
#[allow(dead_code)]
pub fn bruker_raw4(start: f64, step: f64, counts: &[f32]) -> Vec<u8> {
    let mut b = vec![0u8; 61];
    b[..7].copy_from_slice(b"RAW4.00");
    // VarInfo segment: type 10, 48 bytes, tag at +12, value at +36
    let mut seg = vec![0u8; 48];
    seg[..4].copy_from_slice(&10u32.to_le_bytes());
    seg[4..8].copy_from_slice(&48u32.to_le_bytes());
    seg[12..18].copy_from_slice(b"SAMPLE");
    seg[36..40].copy_from_slice(b"LLTO");
    b.extend_from_slice(&seg);
    let mut r = vec![0u8; 160];
    r[32..46].copy_from_slice(b"Locked Coupled");
    r[72..80].copy_from_slice(&start.to_le_bytes());
    r[80..88].copy_from_slice(&step.to_le_bytes());
    r[88..92].copy_from_slice(&(counts.len() as u32).to_le_bytes());
    r[136..140].copy_from_slice(&4u32.to_le_bytes());
    b.extend_from_slice(&r);
    for c in counts {
        b.extend_from_slice(&c.to_le_bytes());
    }
    b
}

/// A file of ../shared/data/spectra, or `None` (with a message) when that
/// folder is absent, as in a user's fresh clone.
#[allow(dead_code)]
pub fn shared(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/spectra")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "skipping: {} not found (../shared/data is not part of a fresh clone)",
            p.display()
        );
        None
    }
}

/// A zip file of stored (uncompressed) entries.
#[allow(dead_code)]
pub fn zip_stored(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let off = out.len() as u32;
        out.extend_from_slice(&[0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&[0; 4]); // crc (not checked)
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(&[0x50, 0x4b, 0x01, 0x02, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&[0; 4]);
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&off.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0]);
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}
