//! The XPath 1.0 grammar as XLSForms write it: `${name}` references, `.` and `..`, paths
//! (`/data/group/q`, `instance('list')/root/item[name = ${q}]/label`), predicates, unions,
//! every operator, prefixed function names (`jr:choice-name`). Errors carry the character.

use std::fmt;

/// A parse error: what was wrong, at which character (1-based) of the expression.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("caractère {position} : {message}")]
pub struct ParseError {
    pub position: usize,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Union,
}

impl BinaryOp {
    fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "div",
            BinaryOp::Mod => "mod",
            BinaryOp::Union => "|",
        }
    }

    fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq | BinaryOp::Ne => 3,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 6,
            BinaryOp::Union => 8,
        }
    }
}

/// One step of a location path.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `.`
    Current,
    /// `..`
    Parent,
    /// A name test (`item`, `jr:x`, `*`), with an optional axis (`child::`, `@`).
    Name {
        axis: Option<String>,
        name: String,
        predicates: Vec<Expr>,
    },
    /// `node()`, `text()`
    NodeType(String),
    /// `//` between steps.
    Descendants,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Number(f64),
    Literal(String),
    /// `${name}`, with the character where it starts.
    Ref {
        name: String,
        at: usize,
    },
    /// A location path, absolute (`/data/q`) or relative (`.`, `../q`, `item/name`).
    Path {
        absolute: bool,
        steps: Vec<Step>,
    },
    /// A primary expression followed by predicates and/or a path (`instance('x')/root/item`).
    Filter {
        base: Box<Expr>,
        predicates: Vec<Expr>,
        steps: Vec<Step>,
    },
    Call {
        name: String,
        args: Vec<Expr>,
        at: usize,
    },
    Neg(Box<Expr>),
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `$variable` (rare in XLSForms, kept for completeness).
    Variable(String),
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(f64),
    Literal(String),
    Ref(String),
    Variable(String),
    Name(String),
    Op(&'static str),
    At,
    Slash,
    DoubleSlash,
    Dot,
    DotDot,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Pipe,
    Star,
    Axis,
}

struct Lexed {
    token: Token,
    /// 1-based character position.
    at: usize,
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn lex(source: &str) -> Result<Vec<Lexed>, ParseError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens: Vec<Lexed> = Vec::new();
    let mut i = 0;
    let error = |at: usize, message: String| ParseError {
        position: at + 1,
        message,
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let push = |token: Token, tokens: &mut Vec<Lexed>| {
            tokens.push(Lexed {
                token,
                at: start + 1,
            })
        };
        match c {
            c if c.is_whitespace() => {
                i += 1;
            }
            '$' if chars.get(i + 1) == Some(&'{') => {
                let close = chars[i + 2..]
                    .iter()
                    .position(|&c| c == '}')
                    .ok_or_else(|| error(start, "« ${ » sans « } » fermante".into()))?;
                let name: String = chars[i + 2..i + 2 + close].iter().collect();
                let name = name.trim().to_owned();
                if name.is_empty() || !name.chars().all(|c| is_name_char(c) || c == ':') {
                    return Err(error(
                        start,
                        format!("nom de question invalide « ${{{name}}} »"),
                    ));
                }
                push(Token::Ref(name), &mut tokens);
                i += close + 3;
            }
            '$' => {
                let mut j = i + 1;
                while j < chars.len() && is_name_char(chars[j]) {
                    j += 1;
                }
                if j == i + 1 {
                    return Err(error(start, "« $ » isolé : attendu ${nom}".into()));
                }
                push(
                    Token::Variable(chars[i + 1..j].iter().collect()),
                    &mut tokens,
                );
                i = j;
            }
            '\'' | '"' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&q| q == c)
                    .ok_or_else(|| error(start, format!("chaîne ouverte par {c} jamais fermée")))?;
                push(
                    Token::Literal(chars[i + 1..i + 1 + close].iter().collect()),
                    &mut tokens,
                );
                i += close + 2;
            }
            c if c.is_ascii_digit()
                || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) =>
            {
                let mut j = i;
                while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                    j += 1;
                }
                let text: String = chars[i..j].iter().collect();
                let value = text
                    .parse::<f64>()
                    .map_err(|_| error(start, format!("nombre mal écrit « {text} »")))?;
                push(Token::Number(value), &mut tokens);
                i = j;
            }
            '.' if chars.get(i + 1) == Some(&'.') => {
                push(Token::DotDot, &mut tokens);
                i += 2;
            }
            '.' => {
                push(Token::Dot, &mut tokens);
                i += 1;
            }
            '/' if chars.get(i + 1) == Some(&'/') => {
                push(Token::DoubleSlash, &mut tokens);
                i += 2;
            }
            '/' => {
                push(Token::Slash, &mut tokens);
                i += 1;
            }
            '(' | ')' | '[' | ']' | ',' | '|' | '@' | '+' | '-' | '=' => {
                let token = match c {
                    '(' => Token::LParen,
                    ')' => Token::RParen,
                    '[' => Token::LBracket,
                    ']' => Token::RBracket,
                    ',' => Token::Comma,
                    '|' => Token::Pipe,
                    '@' => Token::At,
                    '+' => Token::Op("+"),
                    '-' => Token::Op("-"),
                    _ => Token::Op("="),
                };
                push(token, &mut tokens);
                i += 1;
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                push(Token::Op("!="), &mut tokens);
                i += 2;
            }
            '<' | '>' => {
                let with_eq = chars.get(i + 1) == Some(&'=');
                let op = match (c, with_eq) {
                    ('<', true) => "<=",
                    ('<', false) => "<",
                    (_, true) => ">=",
                    _ => ">",
                };
                push(Token::Op(op), &mut tokens);
                i += if with_eq { 2 } else { 1 };
            }
            '*' => {
                push(Token::Star, &mut tokens);
                i += 1;
            }
            ':' if chars.get(i + 1) == Some(&':') => {
                push(Token::Axis, &mut tokens);
                i += 2;
            }
            c if is_name_start(c) => {
                let mut j = i;
                while j < chars.len() && is_name_char(chars[j]) {
                    j += 1;
                }
                // A prefixed name (`jr:choice-name`), but not an axis (`child::`).
                if chars.get(j) == Some(&':')
                    && chars.get(j + 1) != Some(&':')
                    && chars
                        .get(j + 1)
                        .is_some_and(|&c| is_name_start(c) || c == '*')
                {
                    j += 1;
                    while j < chars.len() && (is_name_char(chars[j]) || chars[j] == '*') {
                        j += 1;
                    }
                }
                let mut name: String = chars[i..j].iter().collect();
                // A trailing '.' belongs to the next token (`a.`) only in odd input; keep XPath's rule.
                while name.ends_with('.') && name.len() > 1 {
                    name.pop();
                    j -= 1;
                }
                push(Token::Name(name), &mut tokens);
                i = j;
            }
            other => return Err(error(start, format!("caractère inattendu « {other} »"))),
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Lexed>,
    next: usize,
    end: usize,
    depth: usize,
}

/// Deeper nesting and longer expressions than any form needs; the limits keep hostile input
/// from exhausting the stack of the parser, the printer or the evaluator.
const MAX_DEPTH: usize = 200;
const MAX_TOKENS: usize = 4_000;

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|t| &t.token)
    }

    fn peek_at(&self, offset: usize) -> Option<&Token> {
        self.tokens.get(self.next + offset).map(|t| &t.token)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |t| t.at)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            position: self.position(),
            message: message.into(),
        })
    }

    fn advance(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.next).map(|t| t.token.clone());
        self.next += 1;
        token
    }

    fn expect(&mut self, expected: Token, what: &str) -> Result<(), ParseError> {
        if self.peek() == Some(&expected) {
            self.next += 1;
            Ok(())
        } else {
            self.error(format!("attendu {what}"))
        }
    }

    /// The binary operator at the cursor, if the next token is one.
    fn binary_op(&self) -> Option<BinaryOp> {
        Some(match self.peek()? {
            Token::Op("=") => BinaryOp::Eq,
            Token::Op("!=") => BinaryOp::Ne,
            Token::Op("<") => BinaryOp::Lt,
            Token::Op("<=") => BinaryOp::Le,
            Token::Op(">") => BinaryOp::Gt,
            Token::Op(">=") => BinaryOp::Ge,
            Token::Op("+") => BinaryOp::Add,
            Token::Op("-") => BinaryOp::Sub,
            Token::Star => BinaryOp::Mul,
            Token::Pipe => BinaryOp::Union,
            Token::Name(n) if n == "or" => BinaryOp::Or,
            Token::Name(n) if n == "and" => BinaryOp::And,
            Token::Name(n) if n == "div" => BinaryOp::Div,
            Token::Name(n) if n == "mod" => BinaryOp::Mod,
            _ => return None,
        })
    }

    fn expression(&mut self, min_precedence: u8) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(format!(
                "expression imbriquée sur plus de {MAX_DEPTH} niveaux"
            ));
        }
        let result = self.binary(min_precedence);
        self.depth -= 1;
        result
    }

    fn binary(&mut self, min_precedence: u8) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        while let Some(op) = self.binary_op() {
            let precedence = op.precedence();
            if precedence < min_precedence {
                break;
            }
            self.next += 1;
            let right = self.expression(precedence + 1)?;
            left = Expr::Binary {
                op,
                left: Box::new(left),
                right: Box::new(right),
            };
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        let mut negations = 0;
        while self.peek() == Some(&Token::Op("-")) {
            self.next += 1;
            negations += 1;
        }
        if negations > 0 {
            // Unary minus binds tighter than every binary operator but the union. `--x` is the
            // number of x: two negations say it, however many were written.
            let operand = Expr::Neg(Box::new(self.path_expression()?));
            return Ok(if negations % 2 == 0 {
                Expr::Neg(Box::new(operand))
            } else {
                operand
            });
        }
        self.path_expression()
    }

    fn path_expression(&mut self) -> Result<Expr, ParseError> {
        match self.peek() {
            None => self.error("expression incomplète"),
            Some(Token::Slash) | Some(Token::DoubleSlash) => {
                let absolute_only = self.peek() == Some(&Token::Slash)
                    && !matches!(
                        self.peek_at(1),
                        Some(Token::Name(_) | Token::Dot | Token::DotDot | Token::Star | Token::At)
                    );
                let mut steps = Vec::new();
                if self.advance() == Some(Token::DoubleSlash) {
                    steps.push(Step::Descendants);
                }
                if !absolute_only {
                    self.relative_steps(&mut steps)?;
                }
                Ok(Expr::Path {
                    absolute: true,
                    steps,
                })
            }
            Some(Token::Dot | Token::DotDot | Token::At | Token::Star) => {
                let mut steps = Vec::new();
                self.relative_steps(&mut steps)?;
                Ok(Expr::Path {
                    absolute: false,
                    steps,
                })
            }
            Some(Token::Name(name))
                if self.peek_at(1) != Some(&Token::LParen)
                    || matches!(name.as_str(), "node" | "text" | "comment") =>
            {
                let mut steps = Vec::new();
                self.relative_steps(&mut steps)?;
                Ok(Expr::Path {
                    absolute: false,
                    steps,
                })
            }
            _ => {
                let base = self.primary()?;
                let mut predicates = Vec::new();
                while self.peek() == Some(&Token::LBracket) {
                    predicates.push(self.predicate()?);
                }
                let mut steps = Vec::new();
                if matches!(self.peek(), Some(Token::Slash | Token::DoubleSlash)) {
                    if self.advance() == Some(Token::DoubleSlash) {
                        steps.push(Step::Descendants);
                    }
                    self.relative_steps(&mut steps)?;
                }
                if predicates.is_empty() && steps.is_empty() {
                    Ok(base)
                } else {
                    Ok(Expr::Filter {
                        base: Box::new(base),
                        predicates,
                        steps,
                    })
                }
            }
        }
    }

    fn predicate(&mut self) -> Result<Expr, ParseError> {
        self.expect(Token::LBracket, "« [ »")?;
        let inner = self.expression(0)?;
        self.expect(Token::RBracket, "« ] » pour fermer le prédicat")?;
        Ok(inner)
    }

    fn relative_steps(&mut self, steps: &mut Vec<Step>) -> Result<(), ParseError> {
        loop {
            steps.push(self.step()?);
            match self.peek() {
                Some(Token::Slash) => {
                    self.next += 1;
                }
                Some(Token::DoubleSlash) => {
                    self.next += 1;
                    steps.push(Step::Descendants);
                }
                _ => return Ok(()),
            }
        }
    }

    fn step(&mut self) -> Result<Step, ParseError> {
        match self.advance() {
            Some(Token::Dot) => Ok(Step::Current),
            Some(Token::DotDot) => Ok(Step::Parent),
            Some(Token::At) => {
                let name = match self.advance() {
                    Some(Token::Name(n)) => n,
                    Some(Token::Star) => "*".into(),
                    _ => {
                        self.next -= 1;
                        return self.error("attendu un nom d'attribut après « @ »");
                    }
                };
                let predicates = self.predicates()?;
                Ok(Step::Name {
                    axis: Some("attribute".into()),
                    name,
                    predicates,
                })
            }
            Some(Token::Star) => {
                let predicates = self.predicates()?;
                Ok(Step::Name {
                    axis: None,
                    name: "*".into(),
                    predicates,
                })
            }
            Some(Token::Name(name)) => {
                if self.peek() == Some(&Token::Axis) {
                    self.next += 1;
                    let test = match self.advance() {
                        Some(Token::Name(n)) => n,
                        Some(Token::Star) => "*".into(),
                        _ => {
                            self.next -= 1;
                            return self.error(format!("attendu un nom après « {name}:: »"));
                        }
                    };
                    let predicates = self.predicates()?;
                    return Ok(Step::Name {
                        axis: Some(name),
                        name: test,
                        predicates,
                    });
                }
                if self.peek() == Some(&Token::LParen) {
                    self.next += 1;
                    self.expect(Token::RParen, "« ) » après le test de nœud")?;
                    return Ok(Step::NodeType(name));
                }
                let predicates = self.predicates()?;
                Ok(Step::Name {
                    axis: None,
                    name,
                    predicates,
                })
            }
            _ => {
                self.next = self.next.saturating_sub(1);
                self.error("attendu une étape de chemin (nom, « . » ou « .. »)")
            }
        }
    }

    fn predicates(&mut self) -> Result<Vec<Expr>, ParseError> {
        let mut predicates = Vec::new();
        while self.peek() == Some(&Token::LBracket) {
            predicates.push(self.predicate()?);
        }
        Ok(predicates)
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let at = self.position();
        match self.advance() {
            Some(Token::Number(n)) => Ok(Expr::Number(n)),
            Some(Token::Literal(s)) => Ok(Expr::Literal(s)),
            Some(Token::Ref(name)) => Ok(Expr::Ref { name, at }),
            Some(Token::Variable(name)) => Ok(Expr::Variable(name)),
            Some(Token::LParen) => {
                let inner = self.expression(0)?;
                self.expect(Token::RParen, "« ) » fermante")?;
                Ok(inner)
            }
            Some(Token::Name(name)) => {
                self.expect(Token::LParen, "« ( » après le nom de fonction")?;
                let mut args = Vec::new();
                if self.peek() != Some(&Token::RParen) {
                    loop {
                        args.push(self.expression(0)?);
                        match self.peek() {
                            Some(Token::Comma) => self.next += 1,
                            Some(Token::RParen) => break,
                            _ => {
                                return self.error(format!(
                                    "attendu « , » ou « ) » dans l'appel de {name}()"
                                ));
                            }
                        }
                    }
                }
                self.expect(Token::RParen, "« ) »")?;
                Ok(Expr::Call { name, args, at })
            }
            _ => {
                self.next = self.next.saturating_sub(1);
                self.error("attendu une valeur, une référence ${…}, une fonction ou « ( »")
            }
        }
    }
}

/// Parses an XLSForm expression.
pub fn parse(source: &str) -> Result<Expr, ParseError> {
    let tokens = lex(source)?;
    let end = source.chars().count() + 1;
    if let Some(token) = tokens.get(MAX_TOKENS) {
        return Err(ParseError {
            position: token.at,
            message: format!("expression trop longue (plus de {MAX_TOKENS} éléments)"),
        });
    }
    if tokens.is_empty() {
        return Err(ParseError {
            position: 1,
            message: "expression vide".into(),
        });
    }
    let mut parser = Parser {
        tokens,
        next: 0,
        end,
        depth: 0,
    };
    let expr = parser.expression(0)?;
    if parser.peek().is_some() {
        return parser.error("texte en trop après l'expression (opérateur manquant ?)");
    }
    Ok(expr)
}

fn write_steps(f: &mut fmt::Formatter<'_>, steps: &[Step]) -> fmt::Result {
    let mut first = true;
    for step in steps {
        if let Step::Descendants = step {
            f.write_str("//")?;
            first = true;
            continue;
        }
        if !first {
            f.write_str("/")?;
        }
        first = false;
        match step {
            Step::Current => f.write_str(".")?,
            Step::Parent => f.write_str("..")?,
            Step::NodeType(t) => write!(f, "{t}()")?,
            Step::Name {
                axis,
                name,
                predicates,
            } => {
                match axis.as_deref() {
                    Some("attribute") => f.write_str("@")?,
                    Some(axis) => write!(f, "{axis}::")?,
                    None => {}
                }
                f.write_str(name)?;
                for p in predicates {
                    write!(f, "[{p}]")?;
                }
            }
            Step::Descendants => {}
        }
    }
    Ok(())
}

/// Writes the expression back, fully parenthesised: parsing the output gives the same tree.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Number(n) => write!(f, "{n}"),
            Expr::Literal(s) if s.contains('\'') => write!(f, "\"{s}\""),
            Expr::Literal(s) => write!(f, "'{s}'"),
            Expr::Ref { name, .. } => write!(f, "${{{name}}}"),
            Expr::Variable(name) => write!(f, "${name}"),
            Expr::Path { absolute, steps } => {
                if *absolute && !matches!(steps.first(), Some(Step::Descendants)) {
                    f.write_str("/")?;
                }
                write_steps(f, steps)
            }
            Expr::Filter {
                base,
                predicates,
                steps,
            } => {
                write!(f, "({base})")?;
                for p in predicates {
                    write!(f, "[{p}]")?;
                }
                if !steps.is_empty() {
                    if !matches!(steps.first(), Some(Step::Descendants)) {
                        f.write_str("/")?;
                    }
                    write_steps(f, steps)?;
                }
                Ok(())
            }
            Expr::Call { name, args, .. } => {
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            Expr::Neg(inner) => write!(f, "-({inner})"),
            Expr::Binary { op, left, right } => write!(f, "({left} {} {right})", op.symbol()),
        }
    }
}

/// Every `${name}` the expression refers to, in order of appearance.
pub fn references(expr: &Expr) -> Vec<(&str, usize)> {
    fn walk<'a>(e: &'a Expr, out: &mut Vec<(&'a str, usize)>) {
        match e {
            Expr::Ref { name, at } => out.push((name, *at)),
            Expr::Call { args, .. } => args.iter().for_each(|a| walk(a, out)),
            Expr::Neg(inner) => walk(inner, out),
            Expr::Binary { left, right, .. } => {
                walk(left, out);
                walk(right, out);
            }
            Expr::Filter {
                base,
                predicates,
                steps,
            } => {
                walk(base, out);
                predicates.iter().for_each(|p| walk(p, out));
                steps_walk(steps, out);
            }
            Expr::Path { steps, .. } => steps_walk(steps, out),
            Expr::Number(_) | Expr::Literal(_) | Expr::Variable(_) => {}
        }
    }
    fn steps_walk<'a>(steps: &'a [Step], out: &mut Vec<(&'a str, usize)>) {
        for step in steps {
            if let Step::Name { predicates, .. } = step {
                predicates.iter().for_each(|p| walk(p, out));
            }
        }
    }
    let mut out = Vec::new();
    walk(expr, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses, prints, parses the print: both trees print alike (positions aside).
    fn round_trip(source: &str) -> String {
        let expr = parse(source).unwrap_or_else(|e| panic!("{source}: {e}"));
        let printed = expr.to_string();
        let again = parse(&printed).unwrap_or_else(|e| panic!("{printed}: {e}"));
        assert_eq!(again.to_string(), printed, "{source}");
        printed
    }

    #[test]
    fn precedence_follows_xpath() {
        assert_eq!(round_trip("1 + 2 * 3"), "(1 + (2 * 3))");
        assert_eq!(
            round_trip("${a} > 3 and ${b} = 'x' or not(${c})"),
            "(((${a} > 3) and (${b} = 'x')) or not(${c}))"
        );
        assert_eq!(round_trip("10 div 2 mod 3"), "((10 div 2) mod 3)");
        assert_eq!(round_trip("-${x} + 1"), "(-(${x}) + 1)");
        assert_eq!(round_trip("1 - 2 - 3"), "((1 - 2) - 3)");
    }

    #[test]
    fn xlsform_idioms_parse() {
        for source in [
            ".",
            ". >= 0 and . <= 120",
            "selected(${q}, 'other')",
            "count-selected(${livelihoods}) <= 3",
            "jr:choice-name(${district}, '${district}')",
            "if(${age} < 18, 'enfant', 'adulte')",
            "regex(., '^[0-9]{8}$')",
            "indexed-repeat(${name}, ${members}, 1)",
            "instance('districts')/root/item[name = ${district}]/label",
            "../age",
            "/data/group/q",
            "count(/data/roster)",
            "sum(${hh_member_income})",
            "string-length(.) > 0",
            "decimal-date-time(${end}) - decimal-date-time(${start})",
            "once(concat('id-', uuid()))",
            "${a}!=${b}",
            "position(..) = 1",
            "today() - ${dob} >= 6570",
            "true()",
            "'l\"apostrophe'",
            "a-b",
            "filter = ${x} and other_col != 'z'",
            "(1)[1]",
            "//item",
            "child::item[@lang='fr']",
        ] {
            round_trip(source);
        }
    }

    #[test]
    fn errors_name_the_character() {
        let err = parse("${a} > ").unwrap_err();
        assert_eq!(err.position, 8, "{err}");
        let err = parse("selected(${a}, 'x'").unwrap_err();
        assert_eq!(err.position, 19);
        let err = parse("${a} = 'oui").unwrap_err();
        assert_eq!(err.position, 8);
        assert!(err.message.contains("jamais fermée"));
        let err = parse("${a}} + 1").unwrap_err();
        assert_eq!(err.position, 5);
        let err = parse("${a} 3").unwrap_err();
        assert_eq!(err.position, 6);
        assert!(parse("").is_err());
        assert!(parse("${}").is_err());
    }

    #[test]
    fn references_are_listed_with_their_position() {
        let expr = parse("${a} + count(${b}[. > ${c}])").unwrap();
        let refs = references(&expr);
        assert_eq!(refs, vec![("a", 1), ("b", 14), ("c", 23)]);
    }
}
