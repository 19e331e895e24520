//! Numbers, dates and coordinates written as each language's readers expect.

use crate::{Lang, Tr};

/// A whole number with thousands grouped: `12 400` (narrow no-break space) or `12,400`.
pub fn integer(tr: Tr, value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let separator = match tr.lang {
        Lang::Fr => "\u{202f}",
        Lang::En => ",",
    };
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push_str(separator);
        }
        grouped.push(ch);
    }
    if value < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// A decimal number with `places` digits: `16,27` in French, `16.27` in English.
pub fn decimal(tr: Tr, value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    match tr.lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    }
}

/// An amount in FCFA: `1 250 000 FCFA`.
/// A measured or target value: counts as whole numbers, anything else to one decimal.
pub fn figure(tr: Tr, value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        integer(tr, value as i64)
    } else {
        decimal(tr, value, 1)
    }
}

/// `figure`, or a dash where there is no value.
pub fn figure_or_dash(tr: Tr, value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| figure(tr, v))
}

pub fn fcfa(tr: Tr, amount: i64) -> String {
    format!("{}\u{a0}FCFA", integer(tr, amount))
}

/// `14 mars 2026` / `14 March 2026`.
pub fn date(tr: Tr, date: time::Date) -> String {
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = usize::from(u8::from(date.month())) - 1;
    let name = match tr.lang {
        Lang::Fr => FR[month],
        Lang::En => EN[month],
    };
    let day = date.day();
    let day = if tr.lang == Lang::Fr && day == 1 {
        "1er".to_owned()
    } else {
        day.to_string()
    };
    format!("{day} {name} {}", date.year())
}

/// A month's short name (`month` from 1 to 12): `sept.` / `Sep`.
pub fn month_name(tr: Tr, month: time::Month) -> &'static str {
    const FR: [&str; 12] = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let index = usize::from(u8::from(month)) - 1;
    match tr.lang {
        Lang::Fr => FR[index],
        Lang::En => EN[index],
    }
}

/// A month, short, for chart labels: `sept. 2025` / `Sep 2025`.
pub fn month(tr: Tr, date: time::Date) -> String {
    format!("{} {}", month_name(tr, date.month()), date.year())
}

/// A share as a percentage with one decimal: `12,5 %` / `12.5%`; a dash for a share of
/// nothing.
pub fn percent(tr: Tr, share: Option<f64>) -> String {
    match share {
        None => "—".to_owned(),
        Some(s) => match tr.lang {
            Lang::Fr => format!("{}\u{202f}%", decimal(tr, s * 100.0, 1)),
            Lang::En => format!("{}%", decimal(tr, s * 100.0, 1)),
        },
    }
}

/// `16,27° N, 0,04° O` / `16.27° N, 0.04° W`.
pub fn coordinates(tr: Tr, latitude: f64, longitude: f64) -> String {
    let (north, south, east, west) = match tr.lang {
        Lang::Fr => ("N", "S", "E", "O"),
        Lang::En => ("N", "S", "E", "W"),
    };
    format!(
        "{}° {}, {}° {}",
        decimal(tr, latitude.abs(), 2),
        if latitude >= 0.0 { north } else { south },
        decimal(tr, longitude.abs(), 2),
        if longitude >= 0.0 { east } else { west }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FR: Tr = Tr { lang: Lang::Fr };
    const EN: Tr = Tr { lang: Lang::En };

    #[test]
    fn numbers_follow_each_language() {
        assert_eq!(integer(FR, 1_250_000), "1\u{202f}250\u{202f}000");
        assert_eq!(integer(EN, 1_250_000), "1,250,000");
        assert_eq!(integer(FR, -950), "-950");
        assert_eq!(decimal(FR, 16.271, 2), "16,27");
        assert_eq!(decimal(EN, 16.271, 2), "16.27");
        assert_eq!(fcfa(EN, 375_000), "375,000\u{a0}FCFA");
    }

    #[test]
    fn dates_and_coordinates_read_naturally() {
        let d = time::macros::date!(2026 - 03 - 01);
        assert_eq!(date(FR, d), "1er mars 2026");
        assert_eq!(date(EN, d), "1 March 2026");
        assert_eq!(coordinates(FR, 16.27, -0.04), "16,27° N, 0,04° O");
        assert_eq!(coordinates(EN, 14.45, -11.44), "14.45° N, 11.44° W");
    }
}
