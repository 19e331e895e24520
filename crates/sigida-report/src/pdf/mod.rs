//! Reports as PDF, typeset by Sigida with krilla: a title page, a table of contents with page
//! numbers (and the PDF's bookmarks), each part on a new page, a running header and "page n of
//! N" footer, French typography (no line break before « : ; ! ? » » or after « « »), tables that
//! break across pages with their header repeated, the SVG charts drawn as vectors, and the
//! DejaVu Sans fonts embedded (Latin with every French accent, and Arabic).
//!
//! The body is the same HTML the report file carries ([`blocks`] reads it back), so the PDF and
//! the HTML never say different things.

pub mod blocks;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla_svg::{SurfaceExt, SvgSettings};

use crate::Tr;
use blocks::{Block, Run, Table, TableCell};

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const LEFT: f32 = 56.0;
const RIGHT: f32 = PAGE_W - 56.0;
const WIDTH: f32 = RIGHT - LEFT;
const TOP: f32 = 72.0;
const BOTTOM: f32 = PAGE_H - 62.0;

type Colour = (u8, u8, u8);
const INK: Colour = (29, 36, 43);
const MUTED: Colour = (84, 96, 108);
const BRAND: Colour = (8, 61, 66);
const ACCENT: Colour = (27, 107, 95);
const RULE: Colour = (210, 216, 222);
const HEAD_FILL: Colour = (232, 238, 243);
const ZEBRA: Colour = (247, 249, 251);

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("police intégrée illisible")]
    Font,
    #[error("écriture du PDF : {0}")]
    Write(String),
}

/// What the title page and the running header say.
pub struct Meta {
    pub title: String,
    pub subtitle: String,
    /// "Généré par Sigida le …".
    pub generated: String,
    /// The synthetic-data warning, when the data are.
    pub synthetic: Option<String>,
    /// Each part (`h2`) starts a page: a long report's parts do; a short synthesis's do not.
    pub part_per_page: bool,
}

struct Fonts {
    regular: Font,
    bold: Font,
    faces: [rustybuzz::Face<'static>; 2],
    /// Advance widths at size 1, by text: regular, then bold. Looked up by `&str`, so a
    /// word measured again (most are, many times) costs no allocation.
    cache: [RefCell<HashMap<String, f32>>; 2],
}

impl Fonts {
    fn load() -> Result<Fonts, PdfError> {
        let face = |data: &'static [u8]| rustybuzz::Face::from_slice(data, 0).ok_or(PdfError::Font);
        Ok(Fonts {
            regular: Font::new(REGULAR.into(), 0).ok_or(PdfError::Font)?,
            bold: Font::new(BOLD.into(), 0).ok_or(PdfError::Font)?,
            faces: [face(REGULAR)?, face(BOLD)?],
            cache: [RefCell::new(HashMap::new()), RefCell::new(HashMap::new())],
        })
    }

    fn width(&self, text: &str, bold: bool, size: f32) -> f32 {
        let cache = &self.cache[usize::from(bold)];
        if let Some(w) = cache.borrow().get(text) {
            return w * size;
        }
        let face = &self.faces[usize::from(bold)];
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(face, &[], buffer);
        let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
        let w = units as f32 / f32::from(face.units_per_em() as u16);
        cache.borrow_mut().insert(text.to_owned(), w);
        w * size
    }

    /// `runs` broken into lines of at most `width` points, greedily, words never split
    /// unless longer than a line.
    fn lines(&self, runs: &[Run], size: f32, width: f32) -> Vec<Line> {
        let spaces = [self.width(" ", false, size), self.width(" ", true, size)];
        let mut lines: Vec<Line> = vec![Vec::new()];
        let mut x = 0.0f32;
        for group in groups(runs) {
            if group.forced_break {
                lines.push(Vec::new());
                x = 0.0;
                continue;
            }
            let widths: Vec<f32> = group
                .parts
                .iter()
                .map(|(t, b)| self.width(t, *b, size))
                .collect();
            let total: f32 = widths.iter().sum();
            let space = spaces[usize::from(group.parts.first().is_some_and(|(_, b)| *b))];
            let gap = if group.space_before && x > 0.0 {
                space
            } else {
                0.0
            };
            if x > 0.0 && x + gap + total > width {
                lines.push(Vec::new());
                x = 0.0;
            }
            let gap = if x > 0.0 && group.space_before {
                space
            } else {
                0.0
            };
            x += gap;
            for ((text, bold), w) in group.parts.into_iter().zip(widths) {
                if w > width {
                    // Longer than the line: cut where it fills it.
                    let mut piece = String::new();
                    for c in text.chars() {
                        piece.push(c);
                        if x + self.width(&piece, bold, size) > width && piece.len() > 1 {
                            piece.pop();
                            let done = std::mem::take(&mut piece);
                            if let Some(line) = lines.last_mut() {
                                line.push((x, done, bold));
                            }
                            lines.push(Vec::new());
                            x = 0.0;
                            piece.push(c);
                        }
                    }
                    let w = self.width(&piece, bold, size);
                    if let Some(line) = lines.last_mut() {
                        line.push((x, piece, bold));
                    }
                    x += w;
                    continue;
                }
                if let Some(line) = lines.last_mut() {
                    line.push((x, text, bold));
                }
                x += w;
            }
        }
        // One draw per stretch of the same weight.
        lines
            .into_iter()
            .map(|line| {
                let mut merged: Line = Vec::new();
                // Where the previous piece ends as it was placed: a gap before the next piece
                // is a space. (Measuring the merged text instead drifts on long lines, since
                // its spaces are not exactly the gaps laid out.)
                let mut end = 0.0f32;
                for (x, text, bold) in line {
                    let piece_end = x + self.width(&text, bold, size);
                    match merged.last_mut() {
                        Some((_, t, b)) if *b == bold => {
                            if x - end > 0.1 {
                                t.push(' ');
                            }
                            t.push_str(&text);
                        }
                        _ => merged.push((x, text, bold)),
                    }
                    end = piece_end;
                }
                merged
            })
            .collect()
    }

    fn font(&self, bold: bool) -> Font {
        if bold {
            self.bold.clone()
        } else {
            self.regular.clone()
        }
    }
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        colour: Colour,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Colour,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        colour: Colour,
    },
    Svg {
        index: usize,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

/// A piece of a line that cannot be broken: words glued by French typography.
struct Group {
    parts: Vec<(String, bool)>,
    space_before: bool,
    forced_break: bool,
}

/// A laid-out line: segments with their x offset from the line's start.
type Line = Vec<(f32, String, bool)>;

struct Heading {
    level: u8,
    text: String,
    page: usize,
    y: f32,
}

struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
    svgs: Vec<usvg::Tree>,
    svg_options: usvg::Options<'static>,
    headings: Vec<Heading>,
    part_per_page: bool,
}

/// Words that French typography keeps on the line of the word before (or, for «, after).
fn glued_before(word: &str) -> bool {
    matches!(word, ":" | ";" | "!" | "?" | "»" | "%" | "‰")
}

fn groups(runs: &[Run]) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    let mut glue_next = false;
    // A run that ends with a space parts its last word from the next run's first.
    let mut space_pending = false;
    for run in runs {
        for (i, line) in run.text.split('\n').enumerate() {
            if i > 0 {
                out.push(Group {
                    parts: Vec::new(),
                    space_before: false,
                    forced_break: true,
                });
                space_pending = false;
            }
            let mut space_before = line.starts_with(' ') || space_pending;
            space_pending = false;
            for word in line.split(' ') {
                if word.is_empty() {
                    space_before = true;
                    continue;
                }
                let attach = glue_next || glued_before(word);
                match out.last_mut() {
                    Some(last) if attach && !last.forced_break && !last.parts.is_empty() => {
                        let text = if space_before {
                            format!(" {word}")
                        } else {
                            word.to_owned()
                        };
                        last.parts.push((text, run.bold));
                    }
                    _ => out.push(Group {
                        parts: vec![(word.to_owned(), run.bold)],
                        space_before,
                        forced_break: false,
                    }),
                }
                glue_next = word == "«";
                space_before = true;
            }
            if line.ends_with(' ') {
                // The next run starts after a space.
                glue_next = false;
                space_pending = true;
            }
        }
    }
    out
}

impl<'f> Layout<'f> {
    fn new(fonts: &'f Fonts, part_per_page: bool) -> Layout<'f> {
        let mut db = usvg::fontdb::Database::new();
        // The embedded fonts shared, not copied for every document.
        for font in [REGULAR, BOLD] {
            db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(font)));
        }
        // Charts may ask for a generic family: every one is DejaVu Sans here.
        db.set_sans_serif_family("DejaVu Sans");
        db.set_serif_family("DejaVu Sans");
        db.set_monospace_family("DejaVu Sans");
        let svg_options = usvg::Options {
            fontdb: Arc::new(db),
            font_family: "DejaVu Sans".into(),
            ..Default::default()
        };
        Layout {
            fonts,
            pages: vec![Vec::new()],
            y: TOP,
            svgs: Vec::new(),
            svg_options,
            headings: Vec::new(),
            part_per_page,
        }
    }

    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` still fits.
    fn need(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn draw_lines(&mut self, lines: &[Line], x: f32, size: f32, colour: Colour, leading: f32) {
        for line in lines {
            self.need(leading);
            let baseline = self.y + size;
            for (dx, text, bold) in line {
                let op = Op::Text {
                    x: x + dx,
                    y: baseline,
                    size,
                    bold: *bold,
                    colour,
                    text: text.clone(),
                };
                self.page().push(op);
            }
            self.y += leading;
        }
    }

    fn paragraph(&mut self, runs: &[Run], size: f32, colour: Colour, indent: f32) {
        let lines = self.fonts.lines(runs, size, WIDTH - indent);
        self.draw_lines(&lines, LEFT + indent, size, colour, size * 1.4);
    }

    fn heading(&mut self, level: u8, text: &str) {
        let (size, before, colour) = match level {
            1 | 2 => (15.0, 0.0, BRAND),
            3 => (12.0, 10.0, BRAND),
            _ => (10.0, 6.0, INK),
        };
        if level <= 2 && self.part_per_page && self.y > TOP {
            self.new_page();
        } else {
            if level <= 2 {
                self.y += 14.0;
            }
            self.y += before;
            // A heading is never the last line of a page: it keeps a table's first rows.
            self.need(size * 1.4 + 90.0);
        }
        let page = self.pages.len() - 1;
        self.headings.push(Heading {
            level,
            text: text.to_owned(),
            page,
            y: self.y,
        });
        let runs = [Run {
            text: text.to_owned(),
            bold: true,
        }];
        let lines = self.fonts.lines(&runs, size, WIDTH);
        self.draw_lines(&lines, LEFT, size, colour, size * 1.3);
        if level <= 2 {
            let y = self.y + 2.0;
            self.page().push(Op::Line {
                x1: LEFT,
                y1: y,
                x2: RIGHT,
                y2: y,
                width: 0.8,
                colour: RULE,
            });
            self.y += 10.0;
        } else {
            self.y += 3.0;
        }
    }

    fn list(&mut self, ordered: bool, items: &[Vec<Run>]) {
        for (i, item) in items.iter().enumerate() {
            let marker = if ordered {
                format!("{}.", i + 1)
            } else {
                "•".to_owned()
            };
            let lines = self.fonts.lines(item, 9.0, WIDTH - 16.0);
            self.need(9.0 * 1.4);
            let baseline = self.y + 9.0;
            self.page().push(Op::Text {
                x: LEFT + 2.0,
                y: baseline,
                size: 9.0,
                bold: false,
                colour: ACCENT,
                text: marker,
            });
            self.draw_lines(&lines, LEFT + 16.0, 9.0, INK, 9.0 * 1.4);
            self.y += 2.0;
        }
        self.y += 4.0;
    }

    fn cards(&mut self, cards: &[(String, String)]) {
        let per_row = 3;
        let gap = 8.0;
        let w = (WIDTH - gap * (per_row as f32 - 1.0)) / per_row as f32;
        let h = 44.0;
        for row in cards.chunks(per_row) {
            self.need(h + gap);
            for (i, (figure, label)) in row.iter().enumerate() {
                let x = LEFT + i as f32 * (w + gap);
                let y = self.y;
                self.page().push(Op::Rect {
                    x,
                    y,
                    w,
                    h,
                    fill: ZEBRA,
                });
                self.page().push(Op::Rect {
                    x,
                    y,
                    w: 3.0,
                    h,
                    fill: ACCENT,
                });
                self.page().push(Op::Text {
                    x: x + 10.0,
                    y: y + 20.0,
                    size: 14.0,
                    bold: true,
                    colour: BRAND,
                    text: figure.clone(),
                });
                self.page().push(Op::Text {
                    x: x + 10.0,
                    y: y + 35.0,
                    size: 7.5,
                    bold: false,
                    colour: MUTED,
                    text: label.clone(),
                });
            }
            self.y += h + gap;
        }
        self.y += 2.0;
    }

    fn pairs(&mut self, pairs: &[(String, String)]) {
        // The terms' column as wide as the longest term, within reason; a longer one wraps.
        let column = pairs
            .iter()
            .map(|(t, _)| self.fonts.width(t, false, 9.0))
            .fold(60.0f32, f32::max)
            .min(170.0)
            + 12.0;
        for (term, description) in pairs {
            let term_lines = self.fonts.lines(
                &[Run {
                    text: term.clone(),
                    bold: false,
                }],
                9.0,
                column - 12.0,
            );
            let description_lines = self.fonts.lines(
                &[Run {
                    text: description.clone(),
                    bold: false,
                }],
                9.0,
                WIDTH - column,
            );
            let rows = term_lines.len().max(description_lines.len()).max(1);
            self.need(13.0 * rows as f32);
            let top = self.y;
            for (i, line) in term_lines.iter().enumerate() {
                for (dx, text, _) in line {
                    self.page().push(Op::Text {
                        x: LEFT + dx,
                        y: top + 9.0 + 13.0 * i as f32,
                        size: 9.0,
                        bold: false,
                        colour: MUTED,
                        text: text.clone(),
                    });
                }
            }
            for (i, line) in description_lines.iter().enumerate() {
                for (dx, text, _) in line {
                    self.page().push(Op::Text {
                        x: LEFT + column + dx,
                        y: top + 9.0 + 13.0 * i as f32,
                        size: 9.0,
                        bold: false,
                        colour: INK,
                        text: text.clone(),
                    });
                }
            }
            self.y = top + 13.0 * rows as f32;
        }
        self.y += 6.0;
    }

    fn figure(&mut self, svg: &str, caption: &[Run]) {
        let Ok(tree) = usvg::Tree::from_str(svg, &self.svg_options) else {
            return;
        };
        let size = tree.size();
        // SVG pixels at 0.75 pt each, as a browser prints them; never wider than the text.
        let mut w = (size.width() * 0.75).min(WIDTH);
        let mut h = size.height() * w / size.width();
        let room = BOTTOM - TOP - 40.0;
        if h > room {
            w *= room / h;
            h = room;
        }
        self.need(h + 24.0);
        let index = self.svgs.len();
        self.svgs.push(tree);
        let x = LEFT + (WIDTH - w) / 2.0;
        let y = self.y;
        self.page().push(Op::Svg { index, x, y, w, h });
        self.y += h + 4.0;
        if !caption.is_empty() {
            self.paragraph(caption, 7.5, MUTED, 0.0);
        }
        self.y += 8.0;
    }

    fn table(&mut self, t: &Table) {
        const SIZE: f32 = 7.5;
        const PAD: f32 = 3.0;
        let columns = t
            .head
            .iter()
            .chain(&t.body)
            .map(Vec::len)
            .max()
            .unwrap_or(0);
        if columns == 0 {
            return;
        }
        // Each column: its longest unbreakable word, and its widest cell on one line.
        let mut least = vec![8.0f32; columns];
        let mut natural = vec![8.0f32; columns];
        for row in t.head.iter().chain(&t.body) {
            for (c, cell) in row.iter().enumerate() {
                for group in groups(&cell.runs) {
                    let w: f32 = group
                        .parts
                        .iter()
                        .map(|(text, bold)| self.fonts.width(text, *bold || cell.header, SIZE))
                        .sum();
                    least[c] = least[c].max(w.min(WIDTH * 0.4));
                }
                let one_line: f32 = cell
                    .runs
                    .iter()
                    .map(|r| self.fonts.width(&r.text, r.bold || cell.header, SIZE))
                    .sum();
                natural[c] = natural[c].max(one_line.min(WIDTH));
            }
        }
        let inner = WIDTH - 2.0 * PAD * columns as f32;
        let least_sum: f32 = least.iter().sum();
        let natural_sum: f32 = natural.iter().sum();
        let widths: Vec<f32> = if natural_sum <= inner {
            natural
                .iter()
                .map(|n| n + (inner - natural_sum) * n / natural_sum)
                .collect()
        } else if least_sum >= inner {
            least.iter().map(|l| l * inner / least_sum).collect()
        } else {
            let spare = inner - least_sum;
            let wanted: f32 = natural.iter().zip(&least).map(|(n, l)| n - l).sum();
            least
                .iter()
                .zip(&natural)
                .map(|(l, n)| l + spare * (n - l) / wanted.max(0.001))
                .collect()
        };
        let leading = SIZE * 1.35;
        let laid = |row: &[TableCell]| -> (Vec<Vec<Line>>, f32) {
            let cells: Vec<Vec<Line>> = row
                .iter()
                .enumerate()
                .map(|(c, cell)| {
                    let runs: Vec<Run> = cell
                        .runs
                        .iter()
                        .map(|r| Run {
                            text: r.text.clone(),
                            bold: r.bold || cell.header,
                        })
                        .collect();
                    self.fonts
                        .lines(&runs, SIZE, widths.get(c).copied().unwrap_or(40.0))
                })
                .collect();
            let height =
                cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * leading + 2.0 * PAD;
            (cells, height)
        };
        let head: Vec<(Vec<Vec<Line>>, f32)> = t.head.iter().map(|r| laid(r)).collect();
        let body: Vec<(Vec<Vec<Line>>, f32)> = t.body.iter().map(|r| laid(r)).collect();
        let head_height: f32 = head.iter().map(|(_, h)| h).sum();
        if !t.caption.is_empty() {
            let caption_lines = self.fonts.lines(&t.caption, 8.0, WIDTH);
            self.need(
                caption_lines.len() as f32 * 11.0 + head_height + body.first().map_or(0.0, |b| b.1),
            );
            let bold: Vec<Line> = caption_lines
                .into_iter()
                .map(|l| l.into_iter().map(|(x, t, _)| (x, t, true)).collect())
                .collect();
            self.draw_lines(&bold, LEFT, 8.0, BRAND, 11.0);
            self.y += 2.0;
        } else {
            self.need(head_height + body.first().map_or(0.0, |b| b.1));
        }
        let draw_row = |layout: &mut Layout<'_>,
                        cells: &[Vec<Line>],
                        source: &[TableCell],
                        height: f32,
                        fill: Option<Colour>| {
            let top = layout.y;
            if let Some(fill) = fill {
                layout.page().push(Op::Rect {
                    x: LEFT,
                    y: top,
                    w: WIDTH,
                    h: height,
                    fill,
                });
            }
            let mut x = LEFT;
            for (c, lines) in cells.iter().enumerate() {
                let w = widths.get(c).copied().unwrap_or(40.0);
                let cell = &source[c];
                let mut colour = INK;
                if let Some(shade) = cell.shade.as_deref().and_then(severity_fill) {
                    layout.page().push(Op::Rect {
                        x,
                        y: top,
                        w: w + 2.0 * PAD,
                        h: height,
                        fill: shade.0,
                    });
                    colour = shade.1;
                }
                for (i, line) in lines.iter().enumerate() {
                    let line_width = line
                        .last()
                        .map_or(0.0, |(dx, t, b)| dx + layout.fonts.width(t, *b, SIZE));
                    let shift = if cell.numeric || cell.shade.is_some() {
                        if cell.shade.is_some() {
                            (w - line_width) / 2.0
                        } else {
                            w - line_width
                        }
                    } else {
                        0.0
                    };
                    for (dx, text, bold) in line {
                        layout.page().push(Op::Text {
                            x: x + PAD + shift + dx,
                            y: top + PAD + SIZE + i as f32 * leading,
                            size: SIZE,
                            bold: *bold,
                            colour,
                            text: text.clone(),
                        });
                    }
                }
                x += w + 2.0 * PAD;
            }
            layout.page().push(Op::Line {
                x1: LEFT,
                y1: top + height,
                x2: RIGHT,
                y2: top + height,
                width: 0.4,
                colour: RULE,
            });
            layout.y += height;
        };
        let draw_head = |layout: &mut Layout<'_>| {
            for ((cells, height), source) in head.iter().zip(&t.head) {
                draw_row(layout, cells, source, *height, Some(HEAD_FILL));
            }
        };
        draw_head(self);
        for (i, ((cells, height), source)) in body.iter().zip(&t.body).enumerate() {
            if self.y + height > BOTTOM {
                self.new_page();
                draw_head(self);
            }
            let fill = (i % 2 == 1).then_some(ZEBRA);
            draw_row(self, cells, source, *height, fill);
        }
        self.y += 10.0;
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading { level, text } => self.heading(*level, text),
            Block::Paragraph { runs, note } => {
                let (size, colour) = if *note { (7.5, MUTED) } else { (9.0, INK) };
                self.paragraph(runs, size, colour, 0.0);
                self.y += 5.0;
            }
            Block::List { ordered, items } => self.list(*ordered, items),
            Block::Table(t) => self.table(t),
            Block::Figure {
                svg: Some(svg),
                caption,
            } => self.figure(svg, caption),
            Block::Figure { svg: None, caption } => self.paragraph(caption, 7.5, MUTED, 0.0),
            Block::Cards(cards) => self.cards(cards),
            Block::Pairs(pairs) => self.pairs(pairs),
        }
    }
}

/// The heat map's colours (background, text), from the table the stylesheet is written from.
fn severity_fill(class: &str) -> Option<(Colour, Colour)> {
    crate::html::SEVERITY_COLOURS
        .iter()
        .find(|(c, _, _)| *c == class)
        .map(|(_, background, text)| (*background, *text))
}

fn fill(colour: Colour) -> Fill {
    Fill {
        paint: rgb::Color::new(colour.0, colour.1, colour.2).into(),
        opacity: NormalizedF32::ONE,
        ..Default::default()
    }
}

/// Lays out the contents page: entries with leaders and page numbers (`offset` added to the
/// body's page indices).
fn contents(fonts: &Fonts, tr: Tr, headings: &[Heading], offset: usize) -> Vec<Vec<Op>> {
    let mut pages: Vec<Vec<Op>> = vec![Vec::new()];
    let mut y = TOP;
    let push = |pages: &mut Vec<Vec<Op>>, op: Op| {
        if let Some(p) = pages.last_mut() {
            p.push(op);
        }
    };
    push(
        &mut pages,
        Op::Text {
            x: LEFT,
            y: y + 15.0,
            size: 15.0,
            bold: true,
            colour: BRAND,
            text: tr.t("report.contents").to_owned(),
        },
    );
    y += 34.0;
    for h in headings.iter().filter(|h| h.level <= 3) {
        let (size, bold, indent) = if h.level <= 2 {
            (10.0, true, 0.0)
        } else {
            (8.5, false, 14.0)
        };
        let step = if h.level <= 2 { 18.0 } else { 13.0 };
        if y + step > BOTTOM {
            pages.push(Vec::new());
            y = TOP;
        }
        let number = (h.page + offset + 1).to_string();
        let number_w = fonts.width(&number, bold, size);
        let mut text = h.text.clone();
        let room = WIDTH - indent - number_w - 20.0;
        if fonts.width(&text, bold, size) > room {
            while fonts.width(&format!("{text}…"), bold, size) > room && text.chars().count() > 4
            {
                text.pop();
            }
            text.push('…');
        }
        let text_w = fonts.width(&text, bold, size);
        let baseline = y + size;
        push(
            &mut pages,
            Op::Text {
                x: LEFT + indent,
                y: baseline,
                size,
                bold,
                colour: INK,
                text,
            },
        );
        // Dotted leaders between the title and its page number.
        let unit = fonts.width(". ", false, size);
        let start = LEFT + indent + text_w + 6.0;
        let end = RIGHT - number_w - 6.0;
        if end > start {
            let count = ((end - start) / unit) as usize;
            push(
                &mut pages,
                Op::Text {
                    x: start,
                    y: baseline,
                    size,
                    bold: false,
                    colour: RULE,
                    text: ". ".repeat(count).trim_end().to_owned(),
                },
            );
        }
        push(
            &mut pages,
            Op::Text {
                x: RIGHT - number_w,
                y: baseline,
                size,
                bold,
                colour: INK,
                text: number,
            },
        );
        y += step;
    }
    pages
}

fn title_page(fonts: &Fonts, tr: Tr, meta: &Meta) -> Vec<Op> {
    let mut ops = vec![Op::Rect {
        x: 0.0,
        y: 0.0,
        w: PAGE_W,
        h: 300.0,
        fill: BRAND,
    }];
    ops.push(Op::Text {
        x: LEFT,
        y: 90.0,
        size: 11.0,
        bold: true,
        colour: (200, 225, 222),
        text: tr.t("app.name").to_owned(),
    });
    let mut y = 170.0;
    for (i, part) in meta.title.split(" — ").enumerate() {
        ops.push(Op::Text {
            x: LEFT,
            y,
            size: if i == 0 { 26.0 } else { 20.0 },
            bold: true,
            colour: (255, 255, 255),
            text: part.to_owned(),
        });
        y += 34.0;
    }
    // The subtitle may be long: wrapped as a paragraph would be.
    let subtitle = [Run {
        text: meta.subtitle.clone(),
        bold: false,
    }];
    let mut y = 340.0;
    for line in fonts.lines(&subtitle, 11.0, WIDTH) {
        for (dx, text, bold) in line {
            ops.push(Op::Text {
                x: LEFT + dx,
                y,
                size: 11.0,
                bold,
                colour: INK,
                text,
            });
        }
        y += 15.0;
    }
    ops.push(Op::Text {
        x: LEFT,
        y: y + 8.0,
        size: 9.0,
        bold: false,
        colour: MUTED,
        text: meta.generated.clone(),
    });
    if let Some(warning) = &meta.synthetic {
        ops.push(Op::Rect {
            x: LEFT,
            y: 700.0,
            w: WIDTH,
            h: 34.0,
            fill: (255, 243, 205),
        });
        ops.push(Op::Text {
            x: LEFT + 10.0,
            y: 721.0,
            size: 9.0,
            bold: true,
            colour: (102, 77, 3),
            text: warning.clone(),
        });
    }
    ops
}

fn emit(
    surface: &mut krilla::surface::Surface<'_>,
    fonts: &Fonts,
    svgs: &[usvg::Tree],
    ops: &[Op],
) {
    for op in ops {
        match op {
            Op::Text {
                x,
                y,
                size,
                bold,
                colour,
                text,
            } => {
                surface.set_fill(Some(fill(*colour)));
                surface.draw_text(
                    Point::from_xy(*x, *y),
                    fonts.font(*bold),
                    *size,
                    text,
                    false,
                    TextDirection::Auto,
                );
            }
            Op::Rect {
                x,
                y,
                w,
                h,
                fill: colour,
            } => {
                if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                    let mut pb = PathBuilder::new();
                    pb.push_rect(rect);
                    if let Some(path) = pb.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(fill(*colour)));
                        surface.draw_path(&path);
                    }
                }
            }
            Op::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                colour,
            } => {
                let mut pb = PathBuilder::new();
                pb.move_to(*x1, *y1);
                pb.line_to(*x2, *y2);
                if let Some(path) = pb.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: rgb::Color::new(colour.0, colour.1, colour.2).into(),
                        width: *width,
                        ..Default::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
            Op::Svg { index, x, y, w, h } => {
                if let (Some(tree), Some(size)) = (svgs.get(*index), Size::from_wh(*w, *h)) {
                    surface.push_transform(&Transform::from_translate(*x, *y));
                    surface.draw_svg(tree, size, SvgSettings::default());
                    surface.pop();
                }
            }
        }
    }
}

/// The running header and the page number of a page after the title page.
fn furniture(fonts: &Fonts, tr: Tr, meta: &Meta, number: usize, total: usize) -> Vec<Op> {
    let page = format!("{} {number} / {total}", tr.t("report.page"));
    let page_w = fonts.width(&page, false, 7.5);
    let mut header = meta.title.clone();
    while fonts.width(&header, false, 7.5) > WIDTH && header.chars().count() > 4 {
        header.pop();
    }
    vec![
        Op::Text {
            x: LEFT,
            y: 40.0,
            size: 7.5,
            bold: false,
            colour: MUTED,
            text: header,
        },
        Op::Line {
            x1: LEFT,
            y1: 46.0,
            x2: RIGHT,
            y2: 46.0,
            width: 0.5,
            colour: RULE,
        },
        Op::Text {
            x: (PAGE_W - page_w) / 2.0,
            y: PAGE_H - 34.0,
            size: 7.5,
            bold: false,
            colour: MUTED,
            text: page,
        },
    ]
}

/// The PDF of a report: `body_html` is the report's body (what follows its title block).
pub fn render(tr: Tr, meta: &Meta, body_html: &str) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::load()?;
    let mut layout = Layout::new(&fonts, meta.part_per_page);
    for block in blocks::blocks(body_html) {
        layout.block(&block);
    }
    // Title page, contents, then the body: the body's page numbers are known once the
    // contents' length is.
    let toc_length = contents(&fonts, tr, &layout.headings, 0).len();
    let offset = 1 + toc_length;
    let toc = contents(&fonts, tr, &layout.headings, offset);
    let body_pages: Vec<Vec<Op>> = layout.pages.into_iter().filter(|p| !p.is_empty()).collect();
    let total = 1 + toc.len() + body_pages.len();

    let mut document = Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(meta.title.clone())
            .language(tr.lang.code().to_owned())
            .creator("Sigida".to_owned()),
    );
    let all = std::iter::once(title_page(&fonts, tr, meta))
        .chain(toc)
        .chain(body_pages)
        .enumerate();
    for (index, ops) in all {
        let settings =
            PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| PdfError::Write("A4".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        emit(&mut surface, &fonts, &layout.svgs, &ops);
        if index > 0 {
            emit(
                &mut surface,
                &fonts,
                &layout.svgs,
                &furniture(&fonts, tr, meta, index + 1, total),
            );
        }
        surface.finish();
        page.finish();
    }
    // Bookmarks: the parts, and their sections under them.
    let mut outline = Outline::new();
    let mut current: Option<OutlineNode> = None;
    for h in layout.headings.iter().filter(|h| h.level <= 3) {
        let destination =
            krilla::destination::XyzDestination::new(h.page + offset, Point::from_xy(LEFT, h.y));
        let node = OutlineNode::new(h.text.clone(), destination);
        if h.level <= 2 {
            if let Some(done) = current.take() {
                outline.push_child(done);
            }
            current = Some(node);
        } else if let Some(part) = current.as_mut() {
            part.push_child(node);
        } else {
            outline.push_child(node);
        }
    }
    if let Some(done) = current {
        outline.push_child(done);
    }
    document.set_outline(outline);
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_punctuation_stays_with_its_word() {
        let runs = [Run {
            text: "Source : « DTM » ; voir 12 %".into(),
            bold: false,
        }];
        let texts: Vec<String> = groups(&runs)
            .iter()
            .map(|g| g.parts.iter().map(|(t, _)| t.as_str()).collect())
            .collect();
        assert_eq!(texts, ["Source :", "« DTM » ;", "voir", "12 %"]);
    }

    #[test]
    fn a_space_at_the_end_of_a_run_parts_it_from_the_next() {
        let run = |text: &str, bold| Run {
            text: text.into(),
            bold,
        };
        let found = groups(&[
            run("Modifiée ", false),
            run("Audiences", true),
            run("foraines", false),
        ]);
        let spaced: Vec<bool> = found.iter().map(|g| g.space_before).collect();
        // "Audiences" follows a space; "foraines" is glued to it, as the HTML has them.
        assert_eq!(spaced, [false, true, false]);
    }

    #[test]
    fn a_long_bold_line_keeps_every_space() {
        let fonts = Fonts::load().unwrap();
        let layout = Layout::new(&fonts, false);
        let text = "Direction régionale de la promotion de la femme, de l'enfant et de la famille";
        let lines = layout.fonts.lines(
            &[Run {
                text: text.into(),
                bold: true,
            }],
            7.5,
            1000.0,
        );
        assert_eq!(lines.len(), 1);
        let drawn: Vec<&str> = lines[0].iter().map(|(_, t, _)| t.as_str()).collect();
        assert_eq!(drawn, [text]);
    }
}
