//! Linear tie expressions: `a * NAME + b` in any arrangement of numbers, one
//! parameter name, `+ - * /` and parentheses, reduced to (factor, offset).

use crate::error::{Error, Result};

/// A linear form `factor · NAME + offset` (factor 0: a constant).
#[derive(Debug, Clone, Copy)]
struct Lin {
    factor: f64,
    offset: f64,
}

/// Parses `expr`, which must mention exactly one of `names` (the longest name
/// found wins, so `Ti4+.sigma` is not read as `Ti4` plus something), into
/// `(reference, factor, offset)`.
pub(crate) fn parse_tie(expr: &str, names: &[String], what: &str) -> Result<(String, f64, f64)> {
    let err = |m: String| Error::Invalid(format!("{what}: tie `{expr}`: {m}"));
    let found = names
        .iter()
        .filter_map(|n| expr.find(n.as_str()).map(|pos| (pos, n)))
        .max_by_key(|(_, n)| n.len());
    let Some((pos, name)) = found else {
        return Err(err(
            "names no parameter of the model (names are `<peak>.<param>` or `bg.<param>`)".into(),
        ));
    };
    let rest = format!("{} @ {}", &expr[..pos], &expr[pos + name.len()..]);
    let tokens = tokenize(&rest).map_err(err)?;
    let mut p = Parser { t: &tokens, i: 0 };
    let lin = p.expr().map_err(err)?;
    if p.i != tokens.len() {
        return Err(err(format!("unexpected `{}`", tokens[p.i].show())));
    }
    if lin.factor == 0.0 || !lin.factor.is_finite() || !lin.offset.is_finite() {
        return Err(err(
            "is not a linear function of the parameter with a non-zero factor".into(),
        ));
    }
    Ok((name.clone(), lin.factor, lin.offset))
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Var,
    Op(char),
}

impl Tok {
    fn show(&self) -> String {
        match self {
            Tok::Num(v) => v.to_string(),
            Tok::Var => "<parameter>".into(),
            Tok::Op(c) => c.to_string(),
        }
    }
}

fn tokenize(s: &str) -> std::result::Result<Vec<Tok>, String> {
    let b: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '@' {
            if out.contains(&Tok::Var) {
                return Err("mentions a parameter twice".into());
            }
            out.push(Tok::Var);
            i += 1;
        } else if "+-*/()".contains(c) {
            out.push(Tok::Op(c));
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_digit()
                    || b[i] == '.'
                    || b[i] == 'e'
                    || b[i] == 'E'
                    || ((b[i] == '+' || b[i] == '-') && matches!(b[i - 1], 'e' | 'E')))
            {
                i += 1;
            }
            let text: String = b[start..i].iter().collect();
            let v: f64 = text.parse().map_err(|_| format!("bad number `{text}`"))?;
            out.push(Tok::Num(v));
        } else {
            let text: String = b[i..].iter().take_while(|c| !c.is_whitespace()).collect();
            return Err(format!(
                "unexpected `{text}` (a tie is a number, `+ - * /` and one parameter name)"
            ));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    t: &'a [Tok],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }

    fn expr(&mut self) -> std::result::Result<Lin, String> {
        let mut a = self.term()?;
        while let Some(Tok::Op(c @ ('+' | '-'))) = self.peek().cloned() {
            self.i += 1;
            let b = self.term()?;
            let s = if c == '+' { 1.0 } else { -1.0 };
            a = Lin {
                factor: a.factor + s * b.factor,
                offset: a.offset + s * b.offset,
            };
        }
        Ok(a)
    }

    fn term(&mut self) -> std::result::Result<Lin, String> {
        let mut a = self.unary()?;
        while let Some(Tok::Op(c @ ('*' | '/'))) = self.peek().cloned() {
            self.i += 1;
            let b = self.unary()?;
            a = if c == '*' {
                if a.factor != 0.0 && b.factor != 0.0 {
                    return Err("the parameter may not be multiplied by itself".into());
                }
                if a.factor == 0.0 {
                    Lin {
                        factor: a.offset * b.factor,
                        offset: a.offset * b.offset,
                    }
                } else {
                    Lin {
                        factor: a.factor * b.offset,
                        offset: a.offset * b.offset,
                    }
                }
            } else {
                if b.factor != 0.0 {
                    return Err("cannot divide by the parameter".into());
                }
                if b.offset == 0.0 {
                    return Err("division by zero".into());
                }
                Lin {
                    factor: a.factor / b.offset,
                    offset: a.offset / b.offset,
                }
            };
        }
        Ok(a)
    }

    fn unary(&mut self) -> std::result::Result<Lin, String> {
        match self.peek().cloned() {
            Some(Tok::Op('-')) => {
                self.i += 1;
                let a = self.unary()?;
                Ok(Lin {
                    factor: -a.factor,
                    offset: -a.offset,
                })
            }
            Some(Tok::Op('+')) => {
                self.i += 1;
                self.unary()
            }
            Some(Tok::Num(v)) => {
                self.i += 1;
                Ok(Lin {
                    factor: 0.0,
                    offset: v,
                })
            }
            Some(Tok::Var) => {
                self.i += 1;
                Ok(Lin {
                    factor: 1.0,
                    offset: 0.0,
                })
            }
            Some(Tok::Op('(')) => {
                self.i += 1;
                let a = self.expr()?;
                if self.peek() != Some(&Tok::Op(')')) {
                    return Err("missing `)`".into());
                }
                self.i += 1;
                Ok(a)
            }
            Some(t) => Err(format!("unexpected `{}`", t.show())),
            None => Err("ends early".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["Ti4+.sigma", "Ti4+.center", "Ti4", "bg.c0"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn linear_forms() {
        let n = names();
        let cases = [
            ("Ti4+.sigma", "Ti4+.sigma", 1.0, 0.0),
            ("1.5 * Ti4+.sigma", "Ti4+.sigma", 1.5, 0.0),
            ("Ti4+.center - 1.45", "Ti4+.center", 1.0, -1.45),
            ("0.5*Ti4+.sigma + 2", "Ti4+.sigma", 0.5, 2.0),
            ("(Ti4+.center + 1) / 2", "Ti4+.center", 0.5, 0.5),
            ("-Ti4+.center", "Ti4+.center", -1.0, 0.0),
            ("2 - 1e-1*Ti4+.center", "Ti4+.center", -0.1, 2.0),
        ];
        for (e, r, f, o) in cases {
            let (rr, ff, oo) = parse_tie(e, &n, "t").unwrap();
            assert_eq!(rr, r, "{e}");
            assert!(
                (ff - f).abs() < 1e-15 && (oo - o).abs() < 1e-15,
                "{e}: {ff} {oo}"
            );
        }
    }

    #[test]
    fn bad_expressions() {
        let n = names();
        for e in [
            "Ti5+.sigma",
            "Ti4+.sigma * Ti4+.sigma",
            "Ti4+.sigma / 0",
            "1 / Ti4+.sigma",
            "Ti4+.sigma +",
            "0 * Ti4+.sigma",
            "Ti4+.sigma ^ 2",
            "(Ti4+.sigma",
            "sqrt(Ti4+.sigma)",
        ] {
            let err = parse_tie(e, &n, "t").unwrap_err().to_string();
            assert!(err.contains("tie"), "{e}: {err}");
        }
    }
}
