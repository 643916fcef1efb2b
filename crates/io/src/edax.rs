//! EDAX/AMETEK `.spc` EDS spectra (TEAM/Genesis): 4096 channels of
//! little-endian 32-bit counts at byte 3840; the energy axis from
//! `startEnergy` (keV, byte 448) and `evPerChan` (byte 384); live time
//! (byte 456), beam voltage (byte 532) and the identified elements (count at
//! byte 638, atomic numbers from byte 640) as metadata. Offsets from the
//! public description of the `.spc` header used by rosettasciio's EDAX
//! reader.

use std::collections::BTreeMap;

use interphase_spectra::spectrum::{Metadata, Spectrum, Technique, XQuantity};

use crate::error::{Error, Result, bin_err};

const DATA: usize = 3840;
const CHANNELS: usize = 4096;

/// Reads the spectrum of an EDAX `.spc` file.
pub fn read_spc(b: &[u8], source: &str) -> Result<Vec<Spectrum>> {
    if b.len() < DATA + 4 * CHANNELS {
        return Err(bin_err(
            source,
            b.len(),
            format!(
                "an EDAX .spc file holds {} bytes of header and counts; this one ends at {} (truncated?)",
                DATA + 4 * CHANNELS,
                b.len()
            ),
        ));
    }
    let f32_at = |o: usize| f64::from(f32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]));
    let i32_at = |o: usize| i32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    let ev_per_chan = i32_at(384);
    if !(1..=1000).contains(&ev_per_chan) {
        return Err(bin_err(
            source,
            384,
            format!("{ev_per_chan} eV a channel is not plausible (not an EDAX .spc file?)"),
        ));
    }
    let start = f32_at(448);
    if !start.is_finite() || start.abs() > 100.0 {
        return Err(bin_err(
            source,
            448,
            format!("a start energy of {start} keV is not plausible"),
        ));
    }
    let step = f64::from(ev_per_chan) / 1000.0;
    let x: Vec<f64> = (0..CHANNELS).map(|i| start + step * i as f64).collect();
    let y: Vec<f64> = (0..CHANNELS)
        .map(|i| f64::from(i32_at(DATA + 4 * i)))
        .collect();
    let mut extra = BTreeMap::new();
    extra.insert("live time (s)".to_string(), f32_at(456).to_string());
    extra.insert("beam voltage (kV)".to_string(), f32_at(532).to_string());
    let n_el = usize::try_from(i16::from_le_bytes([b[638], b[639]]))
        .unwrap_or(0)
        .min(48);
    let elements: Vec<String> = (0..n_el)
        .map(|k| u16::from_le_bytes([b[640 + 2 * k], b[641 + 2 * k]]).to_string())
        .collect();
    if !elements.is_empty() {
        extra.insert("elements (Z)".to_string(), elements.join(","));
    }
    let s = Spectrum::new(x, y).map_err(|e| Error::WrongKind {
        source_name: source.into(),
        message: e.to_string(),
    })?;
    Ok(vec![s.with_meta(Metadata {
        name: "EDS spectrum".into(),
        technique: Technique::Eds,
        x_quantity: XQuantity::Energy,
        x_unit: "keV".into(),
        y_unit: "counts".into(),
        counts: true,
        photon_energy: None,
        source: Some(source.to_string()),
        block: None,
        extra,
    })])
}
