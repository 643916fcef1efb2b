//! A line cursor with 1-based line numbers, for the line-oriented readers.

use crate::error::{Error, Result};

/// A line cursor with 1-based line numbers for error messages.
pub(crate) struct Cursor<'a> {
    lines: Vec<&'a str>,
    pos: usize,
    source: &'a str,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str, source: &'a str) -> Self {
        let lines = crate::text::split_ascii(text.trim_start_matches('\u{feff}'), b'\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        Self {
            lines,
            pos: 0,
            source,
        }
    }

    /// 1-based number of the line last read.
    pub(crate) fn line(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.lines.len() - self.pos
    }

    pub(crate) fn error(&self, line: usize, message: impl Into<String>) -> Error {
        Error::Parse {
            source_name: self.source.to_string(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn next(&mut self, what: &str) -> Result<&'a str> {
        match self.lines.get(self.pos) {
            Some(l) => {
                self.pos += 1;
                Ok(l)
            }
            None => Err(self.error(
                self.pos + 1,
                format!("unexpected end of file: expected {what}"),
            )),
        }
    }

    pub(crate) fn float(&mut self, what: &str) -> Result<f64> {
        let l = self.next(what)?.trim();
        match l.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.error(
                self.pos,
                format!("expected {what} (a finite number), found {l:?}"),
            )),
        }
    }

    /// A non-negative integer count no larger than `max_per_line` × the lines
    /// that remain (so that nothing is reserved for data that is not there).
    pub(crate) fn count(&mut self, what: &str, lines_per_item: usize) -> Result<usize> {
        let l = self.next(what)?.trim();
        let v: f64 = l.parse().map_err(|_| {
            self.error(
                self.pos,
                format!("expected {what} (an integer), found {l:?}"),
            )
        })?;
        if !(v >= 0.0 && v.fract() == 0.0) {
            return Err(self.error(
                self.pos,
                format!("expected {what} (an integer ≥ 0), found {l:?}"),
            ));
        }
        let room = self.remaining() / lines_per_item.max(1);
        if v > room as f64 {
            return Err(self.error(
                self.pos,
                format!("{what} is {v}, but only {} lines follow", self.remaining()),
            ));
        }
        Ok(v as usize)
    }

    pub(crate) fn skip(&mut self, n: usize, what: &str) -> Result<()> {
        for _ in 0..n {
            self.next(what)?;
        }
        Ok(())
    }
}
