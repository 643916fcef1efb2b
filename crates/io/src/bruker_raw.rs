//! Bruker/Siemens DIFFRAC `.raw` binaries: version 1 (`RAW `), version 2
//! (`RAW2`), version 3
//! (`RAW1.01`, DIFFRAC plus) and version 4 (`RAW4.00`, DIFFRAC.SUITE). Each
//! range is a spectrum on a 2θ axis (start + i·step, degrees) with its
//! counts (float32); wavelengths, dates and per-range settings are kept as
//! metadata.
//!
//! Layouts from Bruker's DIFFRAC plus XCH manual (appendix A) as transcribed
//! by the xylib project: version 3 has a 712-byte file header (range count at
//! byte 12, anode and Kα wavelengths from byte 608), then per range a
//! 304-byte header (steps at +4, start 2θ at +16, step size at +176,
//! supplementary header size at +256) and the counts. Version 4 has a 61-byte
//! header, typed metadata segments, and per range a 160-byte header (scan
//! type at +32, start at +72, step at +80, steps at +88, datum size at +136,
//! extra header size at +140). Version 2 has its range count at byte 4 and
//! ranges from byte 256 (header length and steps, step at +12, start at +16,
//! float32 values after the header).

use std::collections::BTreeMap;

use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

use crate::error::{Error, Result, bin_err};

struct Cur<'a> {
    b: &'a [u8],
    source: &'a str,
}

impl Cur<'_> {
    fn get(&self, o: usize, n: usize) -> Result<&[u8]> {
        self.b.get(o..o.saturating_add(n)).ok_or_else(|| {
            bin_err(
                self.source,
                o,
                format!("the file ends here, {n} bytes were expected (truncated?)"),
            )
        })
    }
    fn u32(&self, o: usize) -> Result<u32> {
        let s = self.get(o, 4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn f32(&self, o: usize) -> Result<f64> {
        let s = self.get(o, 4)?;
        Ok(f64::from(f32::from_le_bytes([s[0], s[1], s[2], s[3]])))
    }
    fn f64(&self, o: usize) -> Result<f64> {
        let s = self.get(o, 8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Ok(f64::from_le_bytes(a))
    }
    fn text(&self, o: usize, n: usize) -> Result<String> {
        Ok(String::from_utf8_lossy(self.get(o, n)?)
            .trim_end_matches(['\0', ' '])
            .to_string())
    }
    /// `steps` float32 counts from `o`, checked against the file's length.
    fn counts(&self, o: usize, steps: usize) -> Result<Vec<f64>> {
        let s = self.get(
            o,
            steps
                .checked_mul(4)
                .ok_or_else(|| bin_err(self.source, o, "absurd step count"))?,
        )?;
        Ok(s.chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect())
    }
}

fn range(
    source: &str,
    k: usize,
    start: f64,
    step: f64,
    y: Vec<f64>,
    extra: BTreeMap<String, String>,
) -> Result<Spectrum> {
    let x: Vec<f64> = (0..y.len()).map(|i| start + step * i as f64).collect();
    let s = Spectrum::new(x, y).map_err(|e| Error::WrongKind {
        source_name: source.to_string(),
        message: format!("range {}: {e}", k + 1),
    })?;
    Ok(s.with_meta(Metadata {
        name: format!("range {}", k + 1),
        technique: Technique::Xrd,
        x_quantity: XQuantity::TwoTheta,
        x_unit: "deg".into(),
        y_unit: "counts".into(),
        counts: true,
        photon_energy: None,
        source: Some(source.to_string()),
        block: None,
        extra,
    }))
}

/// Reads every range of a Bruker `.raw` file.
pub fn read_bruker_raw(b: &[u8], source: &str) -> Result<Vec<Spectrum>> {
    let c = Cur { b, source };
    if b.starts_with(b"RAW1.01") {
        v3(&c)
    } else if b.starts_with(b"RAW4.00") {
        v4(&c)
    } else if b.starts_with(b"RAW ") {
        v1(&c)
    } else if b.starts_with(b"RAW2") {
        v2(&c)
    } else {
        Err(bin_err(
            source,
            0,
            "not a Bruker .raw file (no RAW signature)",
        ))
    }
}

fn v1(c: &Cur) -> Result<Vec<Spectrum>> {
    let mut out = Vec::new();
    let mut o = 4usize;
    loop {
        let mut steps = c.u32(o)? as usize;
        // later ranges may repeat "RAW "
        if !out.is_empty() && c.get(o, 4)? == b"RAW " {
            o += 4;
            steps = c.u32(o)? as usize;
        }
        let step = c.f32(o + 8)?;
        let start = c.f32(o + 20)?;
        let mut extra = BTreeMap::new();
        extra.insert("SAMPLE_NAME".into(), c.text(o + 36, 32)?);
        extra.insert("K_ALPHA1".into(), c.f32(o + 68)?.to_string());
        extra.insert("K_ALPHA2".into(), c.f32(o + 72)?.to_string());
        let following = c.u32(o + 148)?;
        let y = c.counts(o + 152, steps)?;
        o += 152 + 4 * steps;
        out.push(range(c.source, out.len(), start, step, y, extra)?);
        if following == 0 || o >= c.b.len() {
            break;
        }
    }
    Ok(out)
}

fn v2(c: &Cur) -> Result<Vec<Spectrum>> {
    let s = c.get(4, 2)?;
    let ranges = u16::from_le_bytes([s[0], s[1]]) as usize;
    let mut file = BTreeMap::new();
    file.insert("DATE_TIME_MEASURE".to_string(), c.text(168, 20)?);
    file.insert("ANODE".to_string(), c.text(188, 2)?);
    file.insert("LAMBDA1".to_string(), c.f32(190)?.to_string());
    file.insert("LAMBDA2".to_string(), c.f32(194)?.to_string());
    let mut out = Vec::with_capacity(ranges.min(1024));
    let mut o = 256usize;
    for k in 0..ranges {
        let h = c.get(o, 4)?;
        let hl = u16::from_le_bytes([h[0], h[1]]) as usize;
        let steps = u16::from_le_bytes([h[2], h[3]]) as usize;
        if hl <= 48 {
            return Err(bin_err(
                c.source,
                o,
                format!(
                    "range {}: header length {hl} (more than 48 expected)",
                    k + 1
                ),
            ));
        }
        let mut extra = file.clone();
        extra.insert("SEC_PER_STEP".into(), c.f32(o + 8)?.to_string());
        let step = c.f32(o + 12)?;
        let start = c.f32(o + 16)?;
        let y = c.counts(o + hl, steps)?;
        o += hl + 4 * steps;
        out.push(range(c.source, k, start, step, y, extra)?);
    }
    if out.is_empty() {
        return Err(bin_err(c.source, 4, "the file holds no range"));
    }
    Ok(out)
}

fn v3(c: &Cur) -> Result<Vec<Spectrum>> {
    let ranges = c.u32(12)? as usize;
    let mut file = BTreeMap::new();
    file.insert("MEASURE_DATE".to_string(), c.text(16, 10)?);
    file.insert("MEASURE_TIME".to_string(), c.text(26, 10)?);
    file.insert("SAMPLE_ID".to_string(), c.text(326, 60)?);
    file.insert("ANODE_MATERIAL".to_string(), c.text(608, 4)?);
    file.insert("ALPHA1".to_string(), c.f64(624)?.to_string());
    file.insert("ALPHA2".to_string(), c.f64(632)?.to_string());
    file.insert("ALPHA_RATIO".to_string(), c.f64(648)?.to_string());
    if ranges > c.b.len() / 304 {
        return Err(bin_err(
            c.source,
            12,
            format!("{ranges} ranges cannot fit in {} bytes", c.b.len()),
        ));
    }
    let mut out = Vec::with_capacity(ranges);
    let mut o = 712usize;
    for k in 0..ranges {
        let hl = c.u32(o)? as usize;
        if hl != 304 {
            return Err(bin_err(
                c.source,
                o,
                format!("range {}: header length {hl} (304 expected)", k + 1),
            ));
        }
        let steps = c.u32(o + 4)? as usize;
        let start = c.f64(o + 16)?;
        let step = c.f64(o + 176)?;
        let supplementary = c.u32(o + 256)? as usize;
        let mut extra = file.clone();
        extra.insert("START_THETA".into(), c.f64(o + 8)?.to_string());
        extra.insert("TIME_PER_STEP".into(), c.f32(o + 192)?.to_string());
        extra.insert("USED_LAMBDA".into(), c.f64(o + 240)?.to_string());
        let data = o
            .checked_add(304 + supplementary)
            .ok_or_else(|| bin_err(c.source, o + 256, "absurd supplementary header size"))?;
        let y = c.counts(data, steps)?;
        o = data + 4 * steps;
        out.push(range(c.source, k, start, step, y, extra)?);
    }
    if out.is_empty() {
        return Err(bin_err(c.source, 12, "the file holds no range"));
    }
    Ok(out)
}

fn v4(c: &Cur) -> Result<Vec<Spectrum>> {
    let mut file = BTreeMap::new();
    file.insert("MEASURE_DATE".to_string(), c.text(12, 12)?);
    file.insert("MEASURE_TIME".to_string(), c.text(24, 10)?);
    let mut o = 61usize;
    // global metadata segments until a range (type 0 or 160)
    let mut ty = c.u32(o)?;
    while ty != 0 && ty != 160 {
        let len = c.u32(o + 4)? as usize;
        if len < 8 {
            return Err(bin_err(
                c.source,
                o + 4,
                format!("a metadata segment of {len} bytes"),
            ));
        }
        if ty == 10 && len >= 36 {
            let tag = c.text(o + 12, 24)?;
            let v = c.text(o + 36, len - 36)?;
            if !tag.is_empty() {
                file.insert(tag, v);
            }
        } else if ty == 30 && len >= 120 {
            file.insert("ALPHA1".into(), c.f64(o + 80)?.to_string());
            file.insert("ALPHA2".into(), c.f64(o + 88)?.to_string());
            file.insert("ANODE_MATERIAL".into(), c.text(o + 116, 4)?);
        }
        o = o
            .checked_add(len)
            .ok_or_else(|| bin_err(c.source, o, "absurd segment length"))?;
        ty = c.u32(o)?;
    }
    let mut out = Vec::new();
    loop {
        let scan = c.text(o + 32, 24)?;
        let start = c.f64(o + 72)?;
        let step = c.f64(o + 80)?;
        let steps = c.u32(o + 88)? as usize;
        let datum = c.u32(o + 136)? as usize;
        let extra_hdr = c.u32(o + 140)? as usize;
        let data = o
            .checked_add(160 + extra_hdr)
            .ok_or_else(|| bin_err(c.source, o + 140, "absurd range header size"))?;
        if datum != 4 {
            return Err(bin_err(
                c.source,
                o + 136,
                format!("range {}: {datum}-byte data (4 expected)", out.len() + 1),
            ));
        }
        let y = c.counts(data, steps)?;
        let mut extra = file.clone();
        extra.insert("SCAN_TYPE".into(), scan.clone());
        o = data + 4 * steps;
        if scan == "Locked Coupled" || scan == "Unlocked Coupled" {
            out.push(range(c.source, out.len(), start, step, y, extra)?);
        }
        if o + 4 > c.b.len() {
            break;
        }
        ty = c.u32(o)?;
        if ty != 0 && ty != 160 {
            break;
        }
    }
    if out.is_empty() {
        return Err(bin_err(
            c.source,
            61,
            "no coupled 2θ scan range in the file",
        ));
    }
    Ok(out)
}
