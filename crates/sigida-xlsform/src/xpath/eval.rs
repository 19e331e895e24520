//! Evaluation of XLSForm expressions against one submission, with the conversions of XPath 1.0
//! and the date arithmetic of ODK (a date is the number of days since 1970-01-01).

use super::parse::{BinaryOp, Expr, Step};

/// A value during evaluation. Node-sets are the string values of the nodes (a question in a
/// repeat gives one string per instance).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Number(f64),
    Text(String),
    Bool(bool),
    Nodes(Vec<String>),
}

/// Why an expression could not be evaluated.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EvalError {
    #[error("caractère {at} : fonction inconnue {name}()")]
    UnknownFunction { name: String, at: usize },
    #[error("caractère {at} : {name}() attend {expected} argument(s), en reçoit {got}")]
    Arity {
        name: String,
        at: usize,
        expected: &'static str,
        got: usize,
    },
    #[error("caractère {at} : question inconnue ${{{name}}}")]
    UnknownReference { name: String, at: usize },
    #[error("caractère {at} : expression régulière invalide « {pattern} »")]
    Regex { pattern: String, at: usize },
    #[error("{0} n'est pas pris en charge hors d'un formulaire en cours de saisie")]
    Unsupported(String),
}

/// What an expression can see of its submission.
pub trait Context {
    /// The value of `${name}` (a node-set when the question is inside a repeat and the
    /// expression outside it), or `None` when the form has no such question.
    fn reference(&self, name: &str) -> Option<Value>;
    /// The value of `.`: the question the expression belongs to.
    fn current(&self) -> Value {
        Value::Text(String::new())
    }
    /// `position()`: the 1-based index of the current repeat instance.
    fn position(&self) -> Option<usize> {
        None
    }
    /// The label of option `value` of the question `question` (for `jr:choice-name`).
    fn choice_label(&self, _question: &str, _value: &str) -> Option<String> {
        None
    }
    /// Today and now, as days since 1970-01-01 (fractional for `now()`).
    fn now_days(&self) -> f64 {
        0.0
    }
}

impl Value {
    pub fn to_number(&self) -> f64 {
        match self {
            Value::Number(n) => *n,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Text(s) => text_to_number(s),
            Value::Nodes(nodes) => nodes.first().map_or(f64::NAN, |s| text_to_number(s)),
        }
    }

    pub fn to_text(&self) -> String {
        match self {
            Value::Number(n) => number_to_text(*n),
            Value::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
            Value::Text(s) => s.clone(),
            Value::Nodes(nodes) => nodes.first().cloned().unwrap_or_default(),
        }
    }

    pub fn to_bool(&self) -> bool {
        match self {
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::Bool(b) => *b,
            Value::Text(s) => !s.is_empty(),
            Value::Nodes(nodes) => !nodes.is_empty(),
        }
    }
}

/// XPath's number(): decimal text, or an ISO date/date-time as days since 1970-01-01.
pub fn text_to_number(text: &str) -> f64 {
    let t = text.trim();
    if t.is_empty() {
        return f64::NAN;
    }
    if let Ok(n) = t.parse::<f64>()
        && !t.contains(['e', 'E', 'i', 'I', 'n', 'N'])
    {
        return n;
    }
    iso_to_days(t).unwrap_or(f64::NAN)
}

/// `2026-03-14` or `2026-03-14T10:30:00(.sss)(Z|±hh:mm)` as days since 1970-01-01.
pub fn iso_to_days(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i64 = text.get(0..4)?.parse().ok()?;
    let month: i64 = text.get(5..7)?.parse().ok()?;
    let day: i64 = text.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day) as f64;
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(days);
    }
    let rest = rest.strip_prefix(['T', ' '])?;
    let hour: f64 = rest.get(0..2)?.parse().ok()?;
    let minute: f64 = rest.get(3..5)?.parse().ok()?;
    let mut seconds = 0.0;
    let mut tail = rest.get(5..).unwrap_or("");
    if let Some(after) = tail.strip_prefix(':') {
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        seconds = after[..end].parse().ok()?;
        tail = &after[end..];
    }
    let offset_minutes = match tail {
        "" | "Z" => 0.0,
        zone => {
            let sign = if zone.starts_with('-') { -1.0 } else { 1.0 };
            let hh: f64 = zone.get(1..3)?.parse().ok()?;
            let mm: f64 = zone.get(zone.len().checked_sub(2)?..)?.parse().ok()?;
            sign * (hh * 60.0 + mm)
        }
    };
    Some(days + (hour * 3600.0 + minute * 60.0 + seconds - offset_minutes * 60.0) / 86_400.0)
}

/// Days from 1970-01-01 to a civil date (H. Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// XPath's string() of a number: integers without a decimal point, `NaN`, `Infinity`.
pub fn number_to_text(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn compare(op: BinaryOp, left: &Value, right: &Value) -> bool {
    use Value::*;
    match (left, right) {
        (Nodes(a), Nodes(b)) => a.iter().any(|x| {
            b.iter()
                .any(|y| compare(op, &Text(x.clone()), &Text(y.clone())))
        }),
        (Nodes(a), other) => a.iter().any(|x| compare(op, &Text(x.clone()), other)),
        (other, Nodes(b)) => b.iter().any(|y| compare(op, other, &Text(y.clone()))),
        _ => match op {
            BinaryOp::Eq | BinaryOp::Ne => {
                let equal = match (left, right) {
                    (Bool(_), _) | (_, Bool(_)) => left.to_bool() == right.to_bool(),
                    (Number(_), _) | (_, Number(_)) => left.to_number() == right.to_number(),
                    _ => left.to_text() == right.to_text(),
                };
                equal == (op == BinaryOp::Eq)
            }
            _ => {
                let (a, b) = (left.to_number(), right.to_number());
                match op {
                    BinaryOp::Lt => a < b,
                    BinaryOp::Le => a <= b,
                    BinaryOp::Gt => a > b,
                    _ => a >= b,
                }
            }
        },
    }
}

fn selected_items(value: &Value) -> Vec<String> {
    value
        .to_text()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn arity(
    name: &str,
    at: usize,
    args: &[Expr],
    range: std::ops::RangeInclusive<usize>,
    expected: &'static str,
) -> Result<(), EvalError> {
    if range.contains(&args.len()) {
        Ok(())
    } else {
        Err(EvalError::Arity {
            name: name.to_owned(),
            at,
            expected,
            got: args.len(),
        })
    }
}

/// `regex(text, pattern)`: true when the pattern matches anywhere in the text, as JavaRosa's
/// `find()` does. Compiled patterns are kept per thread: a check runs over every row.
fn regex_match(pattern: &str, text: &str, at: usize) -> Result<bool, EvalError> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static COMPILED: RefCell<HashMap<String, Option<regex_lite::Regex>>> = RefCell::new(HashMap::new());
    }
    COMPILED.with(|cache| {
        let mut cache = cache.borrow_mut();
        let compiled = cache
            .entry(pattern.to_owned())
            .or_insert_with(|| regex_lite::Regex::new(pattern).ok());
        compiled
            .as_ref()
            .map(|re| re.is_match(text))
            .ok_or_else(|| EvalError::Regex {
                pattern: pattern.to_owned(),
                at,
            })
    })
}

fn format_days(days: f64) -> String {
    let (y, m, d) = civil_from_days(days.floor() as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

pub fn evaluate(expr: &Expr, ctx: &dyn Context) -> Result<Value, EvalError> {
    Ok(match expr {
        Expr::Number(n) => Value::Number(*n),
        Expr::Literal(s) => Value::Text(s.clone()),
        Expr::Ref { name, at } => {
            ctx.reference(name)
                .ok_or_else(|| EvalError::UnknownReference {
                    name: name.clone(),
                    at: *at,
                })?
        }
        Expr::Variable(name) => return Err(EvalError::Unsupported(format!("la variable ${name}"))),
        Expr::Path { absolute, steps } => path(*absolute, steps, ctx)?,
        Expr::Filter {
            base,
            predicates,
            steps,
        } => {
            if !steps.is_empty() {
                return Err(EvalError::Unsupported(format!("le chemin {expr}")));
            }
            let base = evaluate(base, ctx)?;
            let mut nodes = match base {
                Value::Nodes(n) => n,
                other => vec![other.to_text()],
            };
            for predicate in predicates {
                // Only positional predicates make sense without a document: `${q}[2]`.
                let index = evaluate(predicate, ctx)?.to_number();
                nodes = if index.fract() == 0.0 && index >= 1.0 {
                    nodes.get(index as usize - 1).cloned().into_iter().collect()
                } else {
                    return Err(EvalError::Unsupported(format!("le prédicat [{predicate}]")));
                };
            }
            Value::Nodes(nodes)
        }
        Expr::Neg(inner) => Value::Number(-evaluate(inner, ctx)?.to_number()),
        Expr::Binary { op, left, right } => {
            match op {
                BinaryOp::Or => {
                    return Ok(Value::Bool(
                        evaluate(left, ctx)?.to_bool() || evaluate(right, ctx)?.to_bool(),
                    ));
                }
                BinaryOp::And => {
                    return Ok(Value::Bool(
                        evaluate(left, ctx)?.to_bool() && evaluate(right, ctx)?.to_bool(),
                    ));
                }
                _ => {}
            }
            let (l, r) = (evaluate(left, ctx)?, evaluate(right, ctx)?);
            match op {
                BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge => Value::Bool(compare(*op, &l, &r)),
                BinaryOp::Add => Value::Number(l.to_number() + r.to_number()),
                BinaryOp::Sub => Value::Number(l.to_number() - r.to_number()),
                BinaryOp::Mul => Value::Number(l.to_number() * r.to_number()),
                BinaryOp::Div => Value::Number(l.to_number() / r.to_number()),
                BinaryOp::Mod => Value::Number(l.to_number() % r.to_number()),
                BinaryOp::Union => {
                    let mut nodes = match l {
                        Value::Nodes(n) => n,
                        other => vec![other.to_text()],
                    };
                    match r {
                        Value::Nodes(n) => nodes.extend(n),
                        other => nodes.push(other.to_text()),
                    }
                    Value::Nodes(nodes)
                }
                BinaryOp::Or | BinaryOp::And => unreachable!("handled above"),
            }
        }
        Expr::Call { name, args, at } => call(name, args, *at, ctx)?,
    })
}

fn path(absolute: bool, steps: &[Step], ctx: &dyn Context) -> Result<Value, EvalError> {
    match steps {
        [Step::Current] if !absolute => Ok(ctx.current()),
        // `../q`, `/data/group/q`: a question found by its name, as ODK resolves it in a flat form.
        [
            ..,
            Step::Name {
                axis: None,
                name,
                predicates,
            },
        ] if predicates.is_empty() && name != "*" => ctx
            .reference(name)
            .ok_or_else(|| EvalError::Unsupported(format!("le chemin vers « {name} »"))),
        _ => Err(EvalError::Unsupported("ce chemin XPath".into())),
    }
}

fn call(name: &str, args: &[Expr], at: usize, ctx: &dyn Context) -> Result<Value, EvalError> {
    let arg = |i: usize| evaluate(&args[i], ctx);
    // XPath's optional argument of number(), string() and the like: the context node.
    let arg_or_current = || {
        if args.is_empty() {
            Ok(ctx.current())
        } else {
            arg(0)
        }
    };
    let local = name.strip_prefix("jr:").unwrap_or(name);
    Ok(match local {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "not" => {
            arity(name, at, args, 1..=1, "1")?;
            Value::Bool(!arg(0)?.to_bool())
        }
        "boolean" => {
            arity(name, at, args, 1..=1, "1")?;
            Value::Bool(arg(0)?.to_bool())
        }
        "boolean-from-string" => {
            arity(name, at, args, 1..=1, "1")?;
            let t = arg(0)?.to_text();
            Value::Bool(t == "true" || t == "1")
        }
        "number" => {
            arity(name, at, args, 0..=1, "0 ou 1")?;
            Value::Number(arg_or_current()?.to_number())
        }
        "string" => {
            arity(name, at, args, 0..=1, "0 ou 1")?;
            Value::Text(arg_or_current()?.to_text())
        }
        "int" => {
            arity(name, at, args, 1..=1, "1")?;
            Value::Number(arg(0)?.to_number().trunc())
        }
        "round" => {
            arity(name, at, args, 1..=2, "1 ou 2")?;
            let value = arg(0)?.to_number();
            let places = if args.len() == 2 {
                arg(1)?.to_number()
            } else {
                0.0
            };
            let factor = 10f64.powf(places);
            // XPath rounds halves towards positive infinity.
            Value::Number((value * factor + 0.5).floor() / factor)
        }
        "floor" | "ceiling" | "abs" | "sqrt" | "exp" | "log" | "log10" | "exp10" => {
            arity(name, at, args, 1..=1, "1")?;
            let x = arg(0)?.to_number();
            Value::Number(match local {
                "floor" => x.floor(),
                "ceiling" => x.ceil(),
                "abs" => x.abs(),
                "sqrt" => x.sqrt(),
                "exp" => x.exp(),
                "log" => x.ln(),
                "log10" => x.log10(),
                _ => 10f64.powf(x),
            })
        }
        "pow" => {
            arity(name, at, args, 2..=2, "2")?;
            Value::Number(arg(0)?.to_number().powf(arg(1)?.to_number()))
        }
        "pi" => Value::Number(std::f64::consts::PI),
        "concat" => {
            let mut out = String::new();
            for i in 0..args.len() {
                match arg(i)? {
                    Value::Nodes(nodes) => out.push_str(&nodes.concat()),
                    other => out.push_str(&other.to_text()),
                }
            }
            Value::Text(out)
        }
        "join" => {
            arity(name, at, args, 1..=usize::MAX, "au moins 1")?;
            let separator = arg(0)?.to_text();
            let mut parts = Vec::new();
            for i in 1..args.len() {
                match arg(i)? {
                    Value::Nodes(nodes) => parts.extend(nodes),
                    other => parts.push(other.to_text()),
                }
            }
            Value::Text(parts.join(&separator))
        }
        "string-length" => {
            arity(name, at, args, 0..=1, "0 ou 1")?;
            let text = arg_or_current()?.to_text();
            Value::Number(text.chars().count() as f64)
        }
        "normalize-space" => {
            arity(name, at, args, 0..=1, "0 ou 1")?;
            let text = arg_or_current()?.to_text();
            Value::Text(text.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        "contains" | "starts-with" | "ends-with" | "substring-before" | "substring-after" => {
            arity(name, at, args, 2..=2, "2")?;
            let (a, b) = (arg(0)?.to_text(), arg(1)?.to_text());
            match local {
                "contains" => Value::Bool(a.contains(&b)),
                "starts-with" => Value::Bool(a.starts_with(&b)),
                "ends-with" => Value::Bool(a.ends_with(&b)),
                "substring-before" => {
                    Value::Text(a.find(&b).map(|i| a[..i].to_owned()).unwrap_or_default())
                }
                _ => Value::Text(
                    a.find(&b)
                        .map(|i| a[i + b.len()..].to_owned())
                        .unwrap_or_default(),
                ),
            }
        }
        "substr" | "substring" => {
            arity(name, at, args, 2..=3, "2 ou 3")?;
            let text: Vec<char> = arg(0)?.to_text().chars().collect();
            let (start, end) = if local == "substr" {
                // ODK's substr(s, start, end): 0-based, end exclusive.
                let start = arg(1)?.to_number().max(0.0) as usize;
                let end = if args.len() == 3 {
                    arg(2)?.to_number().max(0.0) as usize
                } else {
                    text.len()
                };
                (start, end)
            } else {
                // XPath's substring(s, start, length): 1-based, rounded.
                let start = arg(1)?.to_number().round();
                let end = if args.len() == 3 {
                    start + arg(2)?.to_number().round()
                } else {
                    f64::INFINITY
                };
                (
                    (start.max(1.0) - 1.0) as usize,
                    if end.is_finite() {
                        (end.max(1.0) - 1.0) as usize
                    } else {
                        text.len()
                    },
                )
            };
            let end = end.min(text.len());
            Value::Text(if start < end {
                text[start..end].iter().collect()
            } else {
                String::new()
            })
        }
        "translate" => {
            arity(name, at, args, 3..=3, "3")?;
            let (text, from, to) = (arg(0)?.to_text(), arg(1)?.to_text(), arg(2)?.to_text());
            let from: Vec<char> = from.chars().collect();
            let to: Vec<char> = to.chars().collect();
            Value::Text(
                text.chars()
                    .filter_map(|c| match from.iter().position(|&f| f == c) {
                        Some(i) => to.get(i).copied(),
                        None => Some(c),
                    })
                    .collect(),
            )
        }
        "selected" => {
            arity(name, at, args, 2..=2, "2")?;
            let wanted = arg(1)?.to_text();
            Value::Bool(selected_items(&arg(0)?).iter().any(|s| *s == wanted.trim()))
        }
        "count-selected" => {
            arity(name, at, args, 1..=1, "1")?;
            Value::Number(selected_items(&arg(0)?).len() as f64)
        }
        "selected-at" => {
            arity(name, at, args, 2..=2, "2")?;
            let index = arg(1)?.to_number();
            let items = selected_items(&arg(0)?);
            Value::Text(if index >= 0.0 {
                items.get(index as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            })
        }
        "choice-name" => {
            arity(name, at, args, 2..=2, "2")?;
            let value = arg(0)?.to_text();
            // The second argument names the question: '${q}' written as a string, or a path.
            let question = match &args[1] {
                Expr::Literal(s) => s
                    .trim_start_matches("${")
                    .trim_end_matches('}')
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_owned(),
                other => other
                    .to_string()
                    .trim_start_matches("${")
                    .trim_end_matches('}')
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_owned(),
            };
            Value::Text(ctx.choice_label(&question, &value).unwrap_or_default())
        }
        "if" => {
            arity(name, at, args, 3..=3, "3")?;
            if arg(0)?.to_bool() { arg(1)? } else { arg(2)? }
        }
        "coalesce" => {
            arity(name, at, args, 2..=2, "2")?;
            let first = arg(0)?;
            if first.to_text().is_empty() {
                arg(1)?
            } else {
                first
            }
        }
        "once" => {
            // Outside data entry the stored value is final; evaluating gives the value it would take.
            arity(name, at, args, 1..=1, "1")?;
            let current = ctx.current();
            if current.to_text().is_empty() {
                arg(0)?
            } else {
                current
            }
        }
        "regex" => {
            arity(name, at, args, 2..=2, "2")?;
            let (text, pattern) = (arg(0)?.to_text(), arg(1)?.to_text());
            Value::Bool(regex_match(&pattern, &text, at)?)
        }
        "today" => Value::Text(format_days(ctx.now_days())),
        "now" => {
            let now = ctx.now_days();
            let seconds = ((now - now.floor()) * 86_400.0).round() as i64;
            Value::Text(format!(
                "{}T{:02}:{:02}:{:02}Z",
                format_days(now),
                seconds / 3600,
                seconds / 60 % 60,
                seconds % 60
            ))
        }
        "date" | "date-time" => {
            arity(name, at, args, 1..=1, "1")?;
            let value = arg(0)?;
            let days = match &value {
                Value::Number(n) => *n,
                other => other.to_number(),
            };
            if days.is_nan() {
                Value::Text(String::new())
            } else if local == "date" {
                Value::Text(format_days(days))
            } else {
                Value::Number(days)
            }
        }
        "decimal-date-time" | "decimal-date" => {
            arity(name, at, args, 1..=1, "1")?;
            Value::Number(arg(0)?.to_number())
        }
        "count" => {
            arity(name, at, args, 1..=1, "1")?;
            Value::Number(match arg(0)? {
                Value::Nodes(nodes) => nodes.len() as f64,
                Value::Text(t) if t.is_empty() => 0.0,
                _ => 1.0,
            })
        }
        "count-non-empty" => {
            arity(name, at, args, 1..=1, "1")?;
            Value::Number(match arg(0)? {
                Value::Nodes(nodes) => nodes.iter().filter(|n| !n.is_empty()).count() as f64,
                other => f64::from(u8::from(!other.to_text().is_empty())),
            })
        }
        "sum" | "min" | "max" => {
            arity(name, at, args, 1..=usize::MAX, "au moins 1")?;
            let mut numbers = Vec::new();
            for i in 0..args.len() {
                match arg(i)? {
                    Value::Nodes(nodes) => numbers.extend(nodes.iter().map(|n| text_to_number(n))),
                    other => numbers.push(other.to_number()),
                }
            }
            Value::Number(match local {
                "sum" => numbers.iter().sum(),
                "min" => numbers
                    .iter()
                    .copied()
                    .fold(f64::NAN, |a, b| if a.is_nan() || b < a { b } else { a }),
                _ => numbers
                    .iter()
                    .copied()
                    .fold(f64::NAN, |a, b| if a.is_nan() || b > a { b } else { a }),
            })
        }
        "position" => Value::Number(ctx.position().map_or(f64::NAN, |p| p as f64)),
        "indexed-repeat" => {
            arity(name, at, args, 3..=usize::MAX, "3 ou plus")?;
            let index = arg(2)?.to_number();
            let values = match arg(0)? {
                Value::Nodes(nodes) => nodes,
                other => vec![other.to_text()],
            };
            Value::Text(if index >= 1.0 {
                values.get(index as usize - 1).cloned().unwrap_or_default()
            } else {
                String::new()
            })
        }
        "uuid" | "random" | "pulldata" | "instance" | "digest" | "base64-decode" | "area"
        | "distance" => {
            return Err(EvalError::Unsupported(format!("{name}()")));
        }
        _ => {
            return Err(EvalError::UnknownFunction {
                name: name.to_owned(),
                at,
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::super::parse;
    use super::*;

    struct Submission {
        values: HashMap<&'static str, Value>,
        current: &'static str,
    }

    impl Context for Submission {
        fn reference(&self, name: &str) -> Option<Value> {
            self.values.get(name).cloned()
        }
        fn current(&self) -> Value {
            Value::Text(self.current.into())
        }
        fn position(&self) -> Option<usize> {
            Some(2)
        }
        fn choice_label(&self, question: &str, value: &str) -> Option<String> {
            (question == "district" && value == "ml0701").then(|| "Gao".to_owned())
        }
        fn now_days(&self) -> f64 {
            days_from_civil(2026, 3, 14) as f64 + 0.5
        }
    }

    fn submission() -> Submission {
        let text = |s: &str| Value::Text(s.into());
        Submission {
            values: HashMap::from([
                ("age", text("34")),
                ("empty", text("")),
                ("livelihoods", text("farming trade remittances")),
                ("district", text("ml0701")),
                ("dob", text("2000-03-14")),
                ("start", text("2026-03-14T08:00:00.000+00:00")),
                ("end", text("2026-03-14T08:45:00.000+00:00")),
                (
                    "member_age",
                    Value::Nodes(vec!["34".into(), "8".into(), "61".into()]),
                ),
                (
                    "member_name",
                    Value::Nodes(vec!["Awa".into(), "Issa".into()]),
                ),
                ("phone", text("76 12 34 56")),
            ]),
            current: "12",
        }
    }

    fn eval(source: &str) -> Value {
        evaluate(&parse(source).unwrap(), &submission()).unwrap_or_else(|e| panic!("{source}: {e}"))
    }

    #[test]
    fn logic_of_real_forms() {
        let cases: &[(&str, Value)] = &[
            (". >= 0 and . <= 120", Value::Bool(true)),
            ("${age} >= 18", Value::Bool(true)),
            ("${empty} = ''", Value::Bool(true)),
            ("${empty} > 0", Value::Bool(false)),
            ("selected(${livelihoods}, 'trade')", Value::Bool(true)),
            ("selected(${livelihoods}, 'fishing')", Value::Bool(false)),
            ("count-selected(${livelihoods})", Value::Number(3.0)),
            (
                "selected-at(${livelihoods}, 1)",
                Value::Text("trade".into()),
            ),
            (
                "jr:choice-name(${district}, '${district}')",
                Value::Text("Gao".into()),
            ),
            ("string-length(${phone})", Value::Number(11.0)),
            ("regex(${phone}, '^[0-9 ]{11}$')", Value::Bool(true)),
            ("regex(${phone}, '^[0-9]{8}$')", Value::Bool(false)),
            (
                "if(${age} < 18, 'enfant', 'adulte')",
                Value::Text("adulte".into()),
            ),
            ("coalesce(${empty}, 'vide')", Value::Text("vide".into())),
            ("concat('a', ${age}, 'b')", Value::Text("a34b".into())),
            ("today()", Value::Text("2026-03-14".into())),
            ("now()", Value::Text("2026-03-14T12:00:00Z".into())),
            ("int((today() - ${dob}) div 365.25)", Value::Number(25.0)),
            ("today() - ${dob}", Value::Number(9496.0)),
            (
                "round((decimal-date-time(${end}) - decimal-date-time(${start})) * 1440)",
                Value::Number(45.0),
            ),
            ("int(-3.7)", Value::Number(-3.0)),
            ("number('x')", Value::Number(f64::NAN)),
            ("round(2.5)", Value::Number(3.0)),
            ("round(2.71828, 2)", Value::Number(2.72)),
            ("sum(${member_age})", Value::Number(103.0)),
            ("count(${member_age})", Value::Number(3.0)),
            ("max(${member_age})", Value::Number(61.0)),
            ("${member_age} > 60", Value::Bool(true)),
            ("position(..)", Value::Number(2.0)),
            (
                "indexed-repeat(${member_name}, ${member_name}, 2)",
                Value::Text("Issa".into()),
            ),
            ("once(${age})", Value::Text("12".into())),
            ("not(${empty})", Value::Bool(true)),
            ("10 mod 3", Value::Number(1.0)),
            ("7 div 2", Value::Number(3.5)),
            ("'1' = 1", Value::Bool(true)),
            ("../age", Value::Text("34".into())),
        ];
        for (source, expected) in cases {
            let got = eval(source);
            match (&got, expected) {
                (Value::Number(a), Value::Number(b)) if a.is_nan() && b.is_nan() => {}
                (Value::Number(a), Value::Number(b)) => {
                    assert!((a - b).abs() < 1e-9, "{source}: {a} ≠ {b}")
                }
                _ => assert_eq!(&got, expected, "{source}"),
            }
        }
    }

    #[test]
    fn errors_say_what_and_where() {
        let ctx = submission();
        let err = evaluate(&parse("${age} + ${nope}").unwrap(), &ctx).unwrap_err();
        assert_eq!(
            err,
            EvalError::UnknownReference {
                name: "nope".into(),
                at: 10
            }
        );
        let err = evaluate(&parse("frobnicate(1)").unwrap(), &ctx).unwrap_err();
        assert!(matches!(err, EvalError::UnknownFunction { at: 1, .. }));
        let err = evaluate(&parse("selected(${age})").unwrap(), &ctx).unwrap_err();
        assert!(err.to_string().contains("attend 2"), "{err}");
        let err = evaluate(&parse("regex(., '(')").unwrap(), &ctx).unwrap_err();
        assert!(matches!(err, EvalError::Regex { .. }));
    }

    #[test]
    fn dates_are_days_since_1970() {
        assert_eq!(iso_to_days("1970-01-02"), Some(1.0));
        assert_eq!(
            iso_to_days("2026-03-14T12:00:00Z").map(|d| d.fract()),
            Some(0.5)
        );
        assert_eq!(
            iso_to_days("2026-03-14T13:00:00+01:00").map(|d| d.fract()),
            Some(0.5)
        );
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(iso_to_days("14/03/2026"), None);
    }
}
