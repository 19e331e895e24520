//! The expression language of XLSForm logic (`relevant`, `constraint`, `calculation`,
//! `choice_filter`, `repeat_count`…): a parser for the XPath 1.0 grammar with XLSForm's
//! `${name}` references, and an evaluator with XPath's conversions and ODK's functions.

mod eval;
mod parse;

pub use eval::{
    Context, EvalError, Value, civil_from_days, days_from_civil, evaluate, iso_to_days,
    number_to_text, text_to_number,
};
pub use parse::{BinaryOp, Expr, ParseError, Step, parse, references};
