//! A report body — the HTML the report fragments write, a known and well-formed subset — read
//! back as the blocks a page is made of: headings, paragraphs, lists, tables, figures (their
//! SVG kept whole), key-figure cards, definition pairs. Forms and the HTML table of contents
//! are left out: a printed report has no forms and gets its own contents page.

/// A stretch of text in one weight.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub text: String,
    pub bold: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TableCell {
    pub runs: Vec<Run>,
    pub header: bool,
    pub numeric: bool,
    /// A severity class (`sev-3`, `sev-na`): the heat map's colour.
    pub shade: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub caption: Vec<Run>,
    pub head: Vec<Vec<TableCell>>,
    pub body: Vec<Vec<TableCell>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Heading {
        level: u8,
        text: String,
    },
    Paragraph {
        runs: Vec<Run>,
        note: bool,
    },
    List {
        ordered: bool,
        items: Vec<Vec<Run>>,
    },
    Table(Table),
    Figure {
        svg: Option<String>,
        caption: Vec<Run>,
    },
    /// Key figures: (value, label).
    Cards(Vec<(String, String)>),
    /// A definition list: (term, description).
    Pairs(Vec<(String, String)>),
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Element {
        tag: String,
        class: String,
        children: Vec<Node>,
    },
    Text(String),
    /// An `<svg>` element, whole.
    Svg(String),
}

const VOID: [&str; 8] = ["br", "meta", "link", "input", "hr", "img", "col", "source"];
const SKIPPED: [&str; 7] = [
    "form", "button", "select", "script", "style", "head", "textarea",
];

fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let entity = &rest[at..];
        let Some(end) = entity.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &entity[1..];
            continue;
        };
        let name = &entity[1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => name
                .strip_prefix("#x")
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &entity[end + 1..];
            }
            None => {
                out.push('&');
                rest = &entity[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value of attribute `name` in a start tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let pattern = format!(" {name}=\"");
    let start = tag.find(&pattern)? + pattern.len();
    let end = tag[start..].find('"')? + start;
    Some(decode(&tag[start..end]))
}

fn parse(html: &str) -> Vec<Node> {
    // Open elements: (tag, class, children).
    let mut stack: Vec<(String, String, Vec<Node>)> = vec![(String::new(), String::new(), vec![])];
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |e| &comment[e + 3..]);
        } else if rest.starts_with("<!") {
            rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
        } else if let Some(closing) = rest.strip_prefix("</") {
            let end = closing.find('>').unwrap_or(closing.len());
            let name = closing[..end].trim().to_ascii_lowercase();
            rest = closing.get(end + 1..).unwrap_or("");
            if stack.iter().skip(1).any(|(tag, _, _)| *tag == name) {
                while let Some((tag, class, children)) = stack.pop() {
                    let element = Node::Element {
                        tag: tag.clone(),
                        class,
                        children,
                    };
                    if let Some(parent) = stack.last_mut() {
                        parent.2.push(element);
                    }
                    if tag == name {
                        break;
                    }
                }
            }
        } else if rest.starts_with("<svg") {
            let end = rest
                .find("</svg>")
                .map_or(rest.len(), |e| e + "</svg>".len());
            if let Some(parent) = stack.last_mut() {
                parent.2.push(Node::Svg(rest[..end].to_owned()));
            }
            rest = &rest[end..];
        } else if rest.starts_with('<') {
            let end = rest.find('>').unwrap_or(rest.len());
            let tag_text = &rest[1..end];
            rest = rest.get(end + 1..).unwrap_or("");
            let name: String = tag_text
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let class = attribute(tag_text, "class").unwrap_or_default();
            if VOID.contains(&name.as_str()) || tag_text.ends_with('/') {
                if let Some(parent) = stack.last_mut() {
                    parent.2.push(Node::Element {
                        tag: name,
                        class,
                        children: Vec::new(),
                    });
                }
            } else if name == "style" || name == "script" || name == "textarea" {
                // Their content is not text of the document.
                let close = format!("</{name}>");
                rest = rest.find(&close).map_or("", |e| &rest[e + close.len()..]);
            } else {
                stack.push((name, class, Vec::new()));
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            if let Some(parent) = stack.last_mut() {
                parent.2.push(Node::Text(decode(&rest[..end])));
            }
            rest = &rest[end..];
        }
    }
    while stack.len() > 1 {
        if let Some((tag, class, children)) = stack.pop()
            && let Some(parent) = stack.last_mut()
        {
            parent.2.push(Node::Element {
                tag,
                class,
                children,
            });
        }
    }
    stack
        .pop()
        .map(|(_, _, children)| children)
        .unwrap_or_default()
}

/// The text of nodes as runs: bold inside `strong`, `b`, `th` and headings; `br` a new line.
fn runs(nodes: &[Node], bold: bool, out: &mut Vec<Run>) {
    for node in nodes {
        match node {
            Node::Text(text) => push_text(out, text, bold),
            Node::Svg(_) => {}
            Node::Element { tag, children, .. } => {
                if SKIPPED.contains(&tag.as_str()) {
                    continue;
                }
                match tag.as_str() {
                    "br" => push_text(out, "\n", bold),
                    "strong" | "b" | "th" | "h1" | "h2" | "h3" | "h4" => runs(children, true, out),
                    "sup" => runs(children, bold, out),
                    // Blocks inside inline content (a list in a cell): their text on its line.
                    "p" | "li" | "div" | "ul" | "ol" | "dd" | "dt" => {
                        if out.last().is_some_and(|r| !r.text.ends_with('\n')) {
                            push_text(out, "\n", bold);
                        }
                        runs(children, bold, out);
                    }
                    _ => runs(children, bold, out),
                }
            }
        }
    }
}

fn push_text(out: &mut Vec<Run>, text: &str, bold: bool) {
    match out.last_mut() {
        Some(last) if last.bold == bold => last.text.push_str(text),
        _ => out.push(Run {
            text: text.to_owned(),
            bold,
        }),
    }
}

fn text_of(nodes: &[Node]) -> String {
    let mut out = Vec::new();
    runs(nodes, false, &mut out);
    let text: String = out.into_iter().map(|r| r.text).collect();
    collapse(&text)
}

/// Whitespace as a browser shows it: runs of spaces and line ends are one space; no-break
/// spaces (French thousands and punctuation) stay as they are.
fn collapse(text: &str) -> String {
    text.split(|c: char| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn clean(runs_in: Vec<Run>) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for run in runs_in {
        // Keep forced line breaks; collapse the rest of the whitespace.
        let lines: Vec<String> = run
            .text
            .split('\n')
            .map(|l| {
                let mut c = collapse(l);
                // A space alone between two inline elements still separates their words.
                if c.is_empty() && !l.is_empty() {
                    return " ".to_owned();
                }
                if l.starts_with(|c: char| c.is_ascii_whitespace()) && !c.is_empty() {
                    c.insert(0, ' ');
                }
                if l.ends_with(|c: char| c.is_ascii_whitespace()) && !c.is_empty() {
                    c.push(' ');
                }
                c
            })
            .collect();
        let mut text = lines.join("\n");
        // As a browser does, two spaces that meet across elements show as one.
        if text.starts_with(' ') && out.last().is_none_or(|r| r.text.ends_with([' ', '\n'])) {
            text.remove(0);
        }
        if !text.is_empty() {
            push_text(&mut out, &text, run.bold);
        }
    }
    if let Some(first) = out.first_mut() {
        first.text = first
            .text
            .trim_start_matches(|c: char| c.is_ascii_whitespace())
            .to_owned();
    }
    if let Some(last) = out.last_mut() {
        last.text = last
            .text
            .trim_end_matches(|c: char| c.is_ascii_whitespace())
            .to_owned();
    }
    out.retain(|r| !r.text.is_empty());
    out
}

fn element_runs(children: &[Node], bold: bool) -> Vec<Run> {
    let mut out = Vec::new();
    runs(children, bold, &mut out);
    clean(out)
}

fn cells(row: &[Node]) -> Vec<TableCell> {
    row.iter()
        .filter_map(|node| match node {
            Node::Element {
                tag,
                class,
                children,
            } if tag == "td" || tag == "th" => Some(TableCell {
                runs: element_runs(children, tag == "th"),
                header: tag == "th",
                numeric: class.split(' ').any(|c| c == "num"),
                shade: class
                    .split(' ')
                    .find(|c| c.starts_with("sev-"))
                    .map(str::to_owned),
            }),
            _ => None,
        })
        .collect()
}

fn table(children: &[Node]) -> Table {
    let mut t = Table {
        caption: Vec::new(),
        head: Vec::new(),
        body: Vec::new(),
    };
    fn rows(nodes: &[Node], into: &mut Vec<Vec<TableCell>>) {
        for node in nodes {
            if let Node::Element { tag, children, .. } = node
                && tag == "tr"
            {
                into.push(cells(children));
            }
        }
    }
    for node in children {
        if let Node::Element { tag, children, .. } = node {
            match tag.as_str() {
                "caption" => t.caption = element_runs(children, false),
                "thead" => rows(children, &mut t.head),
                "tbody" | "tfoot" => rows(children, &mut t.body),
                "tr" => t.body.push(cells(children)),
                _ => {}
            }
        }
    }
    t
}

fn walk(nodes: &[Node], out: &mut Vec<Block>) {
    // Loose inline content between blocks becomes a paragraph.
    let mut loose: Vec<Node> = Vec::new();
    let flush = |loose: &mut Vec<Node>, out: &mut Vec<Block>| {
        let runs = element_runs(loose, false);
        if !runs.is_empty() {
            out.push(Block::Paragraph { runs, note: false });
        }
        loose.clear();
    };
    for node in nodes {
        let Node::Element {
            tag,
            class,
            children,
        } = node
        else {
            if let Node::Svg(svg) = node {
                flush(&mut loose, out);
                out.push(Block::Figure {
                    svg: Some(svg.clone()),
                    caption: Vec::new(),
                });
            } else {
                loose.push(node.clone());
            }
            continue;
        };
        let classes: Vec<&str> = class.split(' ').collect();
        match tag.as_str() {
            t if SKIPPED.contains(&t) => {}
            "nav" => {}
            "h1" | "h2" | "h3" | "h4" | "h5" => {
                flush(&mut loose, out);
                out.push(Block::Heading {
                    level: tag[1..].parse().unwrap_or(4),
                    text: text_of(children),
                });
            }
            "p" | "figcaption" | "summary" => {
                flush(&mut loose, out);
                let runs = element_runs(children, false);
                if !runs.is_empty() {
                    out.push(Block::Paragraph {
                        runs,
                        note: classes.contains(&"note") || tag == "figcaption",
                    });
                }
            }
            "ul" | "ol" => {
                flush(&mut loose, out);
                let items: Vec<Vec<Run>> = children
                    .iter()
                    .filter_map(|li| match li {
                        Node::Element { tag, children, .. } if tag == "li" => {
                            Some(element_runs(children, false))
                        }
                        _ => None,
                    })
                    .filter(|runs| !runs.is_empty())
                    .collect();
                if !items.is_empty() {
                    out.push(Block::List {
                        ordered: tag == "ol",
                        items,
                    });
                }
            }
            "table" => {
                flush(&mut loose, out);
                out.push(Block::Table(table(children)));
            }
            "figure" => {
                flush(&mut loose, out);
                let svg = children.iter().find_map(|c| match c {
                    Node::Svg(svg) => Some(svg.clone()),
                    _ => None,
                });
                let caption = children
                    .iter()
                    .find_map(|c| match c {
                        Node::Element { tag, children, .. } if tag == "figcaption" => {
                            Some(element_runs(children, false))
                        }
                        _ => None,
                    })
                    .unwrap_or_default();
                if svg.is_some() {
                    out.push(Block::Figure { svg, caption });
                } else {
                    walk(children, out);
                }
            }
            "div" if classes.contains(&"cards") => {
                flush(&mut loose, out);
                let cards = children
                    .iter()
                    .filter_map(|card| match card {
                        Node::Element { children, .. } => {
                            let mut figure = String::new();
                            let mut label = String::new();
                            for part in children {
                                if let Node::Element {
                                    class, children, ..
                                } = part
                                {
                                    if class.contains("figure") {
                                        figure = text_of(children);
                                    } else {
                                        label = text_of(children);
                                    }
                                }
                            }
                            Some((figure, label))
                        }
                        _ => None,
                    })
                    .collect();
                out.push(Block::Cards(cards));
            }
            "dl" => {
                flush(&mut loose, out);
                let mut pairs = Vec::new();
                let mut term = String::new();
                for item in children {
                    if let Node::Element { tag, children, .. } = item {
                        match tag.as_str() {
                            "dt" => term = text_of(children),
                            "dd" => pairs.push((std::mem::take(&mut term), text_of(children))),
                            _ => {}
                        }
                    }
                }
                out.push(Block::Pairs(pairs));
            }
            "div" | "section" | "article" | "main" | "header" | "footer" | "body" | "html"
            | "details" | "aside" => {
                flush(&mut loose, out);
                walk(children, out);
            }
            _ => loose.push(node.clone()),
        }
    }
    flush(&mut loose, out);
}

/// The blocks of a report body.
pub fn blocks(html: &str) -> Vec<Block> {
    let mut out = Vec::new();
    walk(&parse(html), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_reads_back_as_blocks() {
        let html = "<h2 id=\"x\">1. Flux &amp; routes</h2><p class=\"note\">Source : <strong>DTM</strong><br>ligne 2</p>\
                    <div class=\"cards\"><div class=\"card\"><span class=\"figure\">1&#8239;234</span><span class=\"label\">Voyageurs</span></div></div>\
                    <figure class=\"chart\"><svg viewBox=\"0 0 10 10\"><text>a &lt; b</text></svg><figcaption>Légende</figcaption></figure>\
                    <div class=\"table-wrap\"><table><caption>Tableau</caption><thead><tr><th scope=\"col\">A</th><th class=\"num\">B</th></tr></thead>\
                    <tbody><tr><th scope=\"row\">x</th><td class=\"num\">3</td><td class=\"sev-3\"><strong>3</strong></td></tr></tbody></table></div>\
                    <form><button>Enregistrer</button></form><ul><li>un</li><li>deux</li></ul>";
        let b = blocks(html);
        assert_eq!(
            b[0],
            Block::Heading {
                level: 2,
                text: "1. Flux & routes".into()
            }
        );
        assert_eq!(
            b[1],
            Block::Paragraph {
                runs: vec![
                    Run {
                        text: "Source : ".into(),
                        bold: false
                    },
                    Run {
                        text: "DTM".into(),
                        bold: true
                    },
                    Run {
                        text: "\nligne 2".into(),
                        bold: false
                    },
                ],
                note: true
            }
        );
        assert_eq!(
            b[2],
            Block::Cards(vec![("1\u{202f}234".into(), "Voyageurs".into())])
        );
        let Block::Figure { svg, caption } = &b[3] else {
            panic!("{:?}", b[3])
        };
        assert!(svg.as_deref().unwrap().contains("a &lt; b"), "kept whole");
        assert_eq!(caption[0].text, "Légende");
        let Block::Table(t) = &b[4] else {
            panic!("{:?}", b[4])
        };
        assert_eq!(t.caption[0].text, "Tableau");
        assert!(t.head[0][1].numeric && t.head[0][0].header);
        assert_eq!(t.body[0][2].shade.as_deref(), Some("sev-3"));
        assert_eq!(
            b[5],
            Block::List {
                ordered: false,
                items: vec![
                    vec![Run {
                        text: "un".into(),
                        bold: false
                    }],
                    vec![Run {
                        text: "deux".into(),
                        bold: false
                    }]
                ]
            },
            "the form is left out"
        );
    }

    #[test]
    fn a_space_between_two_elements_separates_their_words() {
        let b = blocks(
            "<p><span class=\"tag\">Modifiée</span> <strong>Audiences</strong>  <em>x</em></p>",
        );
        let Block::Paragraph { runs, .. } = &b[0] else {
            panic!("{:?}", b[0])
        };
        let text: String = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(text, "Modifiée Audiences x");
    }
}
