//! Any text as an XLSForm expression (relevant, constraint, calculate, an indicator's
//! expression): parsed or refused at a character, and what parses evaluates without a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sigida_xlsform::xpath::{Context, Value, evaluate, parse};

struct Answers;
impl Context for Answers {
    fn reference(&self, name: &str) -> Option<Value> {
        Some(if name.len() % 2 == 0 {
            Value::Text("3".into())
        } else {
            Value::Nodes(vec!["1".into(), "a b".into()])
        })
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(expr) = parse(text) {
        let _ = evaluate(&expr, &Answers);
    }
});
