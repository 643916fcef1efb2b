//! Text helpers shared by the readers: decoding, lines, fields, numbers.

/// Text from bytes: UTF-16 with its byte-order mark (PalmSens and other
/// Windows exporters; see [`utf16`]), UTF-8 (a byte-order mark is dropped),
/// or Latin-1 when the bytes are not valid UTF-8 (EC-Lab, Gamry and many
/// vendors write `µ`, `°` and `²` as single bytes).
pub fn decode(bytes: &[u8]) -> String {
    if let Some(t) = utf16(bytes) {
        return t;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// The text of UTF-16 bytes that start with a byte-order mark (`FF FE`
/// little-endian, `FE FF` big-endian), without the mark; `None` when there is
/// no mark or the result does not look like text (a lone surrogate, or fewer
/// than 90 % printable ASCII or whitespace characters among the first 4096),
/// so that a binary file that happens to start with those bytes stays binary.
pub fn utf16(bytes: &[u8]) -> Option<String> {
    let le = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return None,
    };
    let units = bytes[2..].chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    let text: String = char::decode_utf16(units)
        .collect::<std::result::Result<String, _>>()
        .ok()?;
    let head = text.chars().take(4096);
    let (mut n, mut plain) = (0usize, 0usize);
    for c in head {
        n += 1;
        if c.is_ascii_graphic() || matches!(c, ' ' | '\t' | '\n' | '\r') || c == '\u{feff}' {
            plain += 1;
        }
    }
    (n > 0 && plain * 10 >= n * 9).then_some(text)
}

/// Lines with their 1-based numbers, `\r` dropped.
pub(crate) fn lines(text: &str) -> Vec<(usize, &str)> {
    split_ascii(text.trim_start_matches('\u{feff}'), b'\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect()
}

/// `s.split(d)` for an ASCII `d`: the same pieces, found by a byte search
/// (`str::split` with a `char` compares each match with `memcmp`, a third
/// of a reader's time on short lines). Cutting at an ASCII byte always
/// lands on a character boundary.
pub(crate) fn split_ascii(s: &str, d: u8) -> impl Iterator<Item = &str> + Clone {
    debug_assert!(d.is_ascii());
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|b| b == d) {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// The field delimiter of a data line: tab, then `;`, then `,`, else blanks.
pub(crate) fn delimiter_of(line: &str) -> char {
    // one pass over the bytes (a tab anywhere wins)
    let (mut semicolon, mut comma) = (false, false);
    for b in line.bytes() {
        match b {
            b'\t' => return '\t',
            b';' => semicolon = true,
            b',' => comma = true,
            _ => {}
        }
    }
    if semicolon {
        ';'
    } else if comma {
        ','
    } else {
        ' '
    }
}

/// Fields of a line split at `delim` (`' '`: runs of blanks); a trailing
/// delimiter does not make an empty last field.
pub(crate) fn fields(line: &str, delim: char) -> Vec<&str> {
    let line = line.trim();
    let mut f: Vec<&str> = if delim == ' ' {
        line.split_whitespace().collect()
    } else {
        match u8::try_from(delim) {
            Ok(b) if b.is_ascii() => split_ascii(line, b).map(str::trim).collect(),
            // a user's non-ASCII delimiter
            _ => line.split(delim).map(str::trim).collect(),
        }
    };
    if f.len() > 1 && f.last().is_some_and(|s| s.is_empty()) {
        f.pop();
    }
    f
}

/// A finite number; with `decimal_comma` a field such as `100078,1` (a comma
/// and no point) reads as 100078.1.
pub(crate) fn number(field: &str, decimal_comma: bool) -> Option<f64> {
    let f = field.trim().trim_matches('"');
    let v = match f.parse::<f64>() {
        Ok(v) => Some(v),
        Err(_) if decimal_comma && f.contains(',') && !f.contains('.') => {
            f.replacen(',', ".", 1).parse::<f64>().ok()
        }
        Err(_) => None,
    }?;
    v.is_finite().then_some(v)
}

/// Whether every field of the line is a number (and there are at least `min`).
pub(crate) fn numeric_row(line: &str, min: usize) -> bool {
    let t = line.trim();
    if t.is_empty() {
        return false;
    }
    let d = delimiter_of(t);
    // count the fields first, without allocating (most lines a reader
    // scans have too few: a two-column spectrum tried as impedance)
    let count = if d == ' ' {
        t.split_whitespace().count()
    } else {
        // a trailing delimiter does not make an empty last field (`fields`)
        // (t is trimmed, so its last field is empty only after a final
        // `;` or `,`)
        let n = split_ascii(t, d as u8).count();
        if n > 1 && t.ends_with(d) { n - 1 } else { n }
    };
    if count < min {
        return false;
    }
    let f = fields(t, d);
    f.len() >= min && f.iter().all(|x| number(x, d != ',').is_some())
}

/// Column names of a header line: split at `delim`, or, for a header with no
/// delimiter in a table whose rows have one (ZPlot/Autolab: a quoted,
/// blank-aligned header over comma-separated rows), at runs of two or more
/// blanks. Surrounding double quotes are dropped.
pub(crate) fn header_names(line: &str, delim: char) -> Vec<String> {
    let t = line.trim().trim_matches('"').trim();
    let parts: Vec<&str> = if delim != ' ' && t.contains(delim) {
        fields(t, delim)
    } else if t.contains("  ") {
        t.split("  ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    } else {
        fields(t, if delim == ' ' { ' ' } else { delim })
    };
    parts
        .into_iter()
        .map(|s| s.trim().trim_matches('"').trim().to_string())
        .collect()
}

/// The columns of tab-separated rows under a header of `names`: every row
/// must have one field per name; decimal commas are read when
/// `decimal_comma`. Errors name the line and the column.
pub(crate) fn tab_columns(
    rows: &[(usize, &str)],
    names: &[String],
    decimal_comma: bool,
    source: &str,
) -> crate::Result<Vec<Vec<f64>>> {
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for &(ln, l) in rows {
        if l.trim().is_empty() {
            continue;
        }
        let f = fields(l, '\t');
        if f.len() != names.len() {
            return Err(crate::error::parse_err(
                source,
                ln,
                format!(
                    "{} fields, the header names {} columns",
                    f.len(),
                    names.len()
                ),
            ));
        }
        for (c, v) in f.iter().enumerate() {
            columns[c].push(number(v, decimal_comma).ok_or_else(|| {
                crate::error::parse_err(
                    source,
                    ln,
                    format!(
                        "column {} ({:?}): expected a number, found {v:?}",
                        c + 1,
                        names[c]
                    ),
                )
            })?);
        }
    }
    Ok(columns)
}

/// A file's stem, for naming its records (the whole name when it has none).
pub(crate) fn stem(source: &str) -> String {
    std::path::Path::new(source)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(source)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_fields() {
        assert_eq!(number("1e3", false), Some(1000.0));
        assert_eq!(number("100078,1", true), Some(100078.1));
        assert_eq!(number("100078,1", false), None);
        assert_eq!(number("1,000.5", true), None);
        assert_eq!(number("nan", true), None);
        assert_eq!(fields("1\t2\t3\t", '\t'), vec!["1", "2", "3"]);
        assert_eq!(fields("  1  2 3 ", ' '), vec!["1", "2", "3"]);
        assert!(numeric_row("1;2,5;3", 3));
        assert!(!numeric_row("f;re;im", 3));
        assert_eq!(
            header_names("\"  Freq (Hz)    Ampl   Z'(a)    Z''(b)\"", ','),
            vec!["Freq (Hz)", "Ampl", "Z'(a)", "Z''(b)"]
        );
        // trailing delimiters and blanks: the field count before parsing
        // agrees with `fields`
        assert!(numeric_row("1;2;3;", 3));
        assert!(!numeric_row("1;2;", 3));
        assert!(numeric_row("1,2,3, ", 3));
        assert!(numeric_row("1\t2\t3\t", 3));
        assert!(!numeric_row("1\t2\t", 3));
        assert!(!numeric_row("1;;3", 3));
        // a non-ASCII delimiter (a user's choice) splits at that character
        // only, not at a byte that its low bits resemble
        assert_eq!(fields("1¦2¦3", '¦'), vec!["1", "2", "3"]);
        assert_eq!(fields("1\u{a6}2", '\u{1a6}'), vec!["1\u{a6}2"]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// `split_ascii` gives exactly `str::split`'s pieces, multi-byte
        /// characters and empty pieces included.
        #[test]
        fn split_ascii_is_str_split(s in "[a,;\t\né€ 1.]{0,30}", d in proptest::sample::select(vec![b',', b';', b'\t', b'\n', b' '])) {
            let ours: Vec<&str> = split_ascii(&s, d).collect();
            let std: Vec<&str> = s.split(d as char).collect();
            proptest::prop_assert_eq!(ours, std);
        }

        /// `delimiter_of` is its definition: tab, then `;`, then `,`, else blank.
        #[test]
        fn delimiter_of_is_its_definition(s in "[a,;\t é1.]{0,20}") {
            let plain = if s.contains('\t') {
                '\t'
            } else if s.contains(';') {
                ';'
            } else if s.contains(',') {
                ','
            } else {
                ' '
            };
            proptest::prop_assert_eq!(delimiter_of(&s), plain);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// `numeric_row` counts fields before it splits and parses: the
        /// answer is the plain definition's on any line of numbers, blanks
        /// and delimiters.
        #[test]
        fn numeric_row_is_its_definition(line in "[0-9. ;,\t-]{0,24}", min in 0usize..5) {
            let t = line.trim();
            let plain = !t.is_empty() && {
                let d = delimiter_of(t);
                let f = fields(t, d);
                f.len() >= min && f.iter().all(|x| number(x, d != ',').is_some())
            };
            proptest::prop_assert_eq!(numeric_row(&line, min), plain);
        }
    }
}
