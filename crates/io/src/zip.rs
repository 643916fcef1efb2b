//! A minimal zip reader for instrument containers (Rigaku `.rasx`): the
//! central directory, stored and deflated entries. Every offset and size is
//! checked against the file; an entry inflates to at most 64 MiB and at most
//! 1000 times its compressed size (no zip bombs).
//!
//! Layout: PKWARE's APPNOTE.TXT (end-of-central-directory record, central
//! directory headers, local file headers).

use crate::error::{Result, bin_err};

/// The largest entry inflated, bytes.
const MAX_ENTRY: usize = 64 * 1024 * 1024;

/// One entry of the central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The entry's path inside the container.
    pub name: String,
    method: u16,
    compressed: usize,
    size: usize,
    local: usize,
}

fn u16_at(b: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(o..o + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], o: usize) -> Option<usize> {
    Some(u32::from_le_bytes(b.get(o..o + 4)?.try_into().ok()?) as usize)
}

/// The entries of a zip file.
pub fn entries(b: &[u8], source: &str) -> Result<Vec<Entry>> {
    let from = b.len().saturating_sub(22 + 65535);
    let eocd = (from..b.len().saturating_sub(21))
        .rev()
        .find(|&o| b[o..o + 4] == [0x50, 0x4b, 0x05, 0x06])
        .ok_or_else(|| {
            bin_err(
                source,
                b.len(),
                "no zip end-of-central-directory record (truncated?)",
            )
        })?;
    let n = u16_at(b, eocd + 10).unwrap_or(0) as usize;
    let mut o = u32_at(b, eocd + 16)
        .ok_or_else(|| bin_err(source, eocd + 16, "truncated zip directory record"))?;
    let mut out = Vec::with_capacity(n.min(1024));
    for k in 0..n {
        if b.get(o..o + 4) != Some(&[0x50, 0x4b, 0x01, 0x02][..]) {
            return Err(bin_err(
                source,
                o,
                format!("zip central directory entry {} is missing", k + 1),
            ));
        }
        let bad = || bin_err(source, o, "a truncated zip central directory entry");
        let method = u16_at(b, o + 10).ok_or_else(bad)?;
        let compressed = u32_at(b, o + 20).ok_or_else(bad)?;
        let size = u32_at(b, o + 24).ok_or_else(bad)?;
        let nl = u16_at(b, o + 28).ok_or_else(bad)? as usize;
        let el = u16_at(b, o + 30).ok_or_else(bad)? as usize;
        let cl = u16_at(b, o + 32).ok_or_else(bad)? as usize;
        let local = u32_at(b, o + 42).ok_or_else(bad)?;
        let name = b.get(o + 46..o + 46 + nl).ok_or_else(bad)?;
        out.push(Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            method,
            compressed,
            size,
            local,
        });
        o += 46 + nl + el + cl;
    }
    Ok(out)
}

/// The bytes of an entry, inflated.
pub fn read(b: &[u8], e: &Entry, source: &str) -> Result<Vec<u8>> {
    let o = e.local;
    if b.get(o..o + 4) != Some(&[0x50, 0x4b, 0x03, 0x04][..]) {
        return Err(bin_err(
            source,
            o,
            format!("zip entry {:?}: no local header", e.name),
        ));
    }
    let nl = u16_at(b, o + 26).unwrap_or(0) as usize;
    let el = u16_at(b, o + 28).unwrap_or(0) as usize;
    let start = o + 30 + nl + el;
    let data = b
        .get(start..start.saturating_add(e.compressed))
        .ok_or_else(|| {
            bin_err(
                source,
                start,
                format!(
                    "zip entry {:?} runs past the end of the file (truncated?)",
                    e.name
                ),
            )
        })?;
    let limit = MAX_ENTRY.min(e.compressed.saturating_mul(1000).max(1024));
    if e.size > limit {
        return Err(bin_err(
            source,
            o,
            format!(
                "zip entry {:?} claims {} bytes, more than the {limit}-byte limit",
                e.name, e.size
            ),
        ));
    }
    match e.method {
        0 => Ok(data.to_vec()),
        8 => miniz_oxide::inflate::decompress_to_vec_with_limit(data, limit).map_err(|err| {
            bin_err(
                source,
                start,
                format!("zip entry {:?} does not inflate: {err:?}", e.name),
            )
        }),
        m => Err(bin_err(
            source,
            o,
            format!(
                "zip entry {:?}: compression method {m} (stored and deflate are read)",
                e.name
            ),
        )),
    }
}
