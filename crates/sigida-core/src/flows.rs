//! Flow monitoring (*suivi des flux*): the travellers counted at flow monitoring points, and
//! what a contextual analysis reads from them — origin–destination matrices, weekly and
//! monthly trends, the same months across years, routes, and the share of children,
//! unaccompanied children and vulnerable travellers.

use std::collections::BTreeMap;

use time::Date;

use crate::community::Community;
use crate::id::Id;
use crate::instrument::RawImport;
use crate::vocabulary;

vocabulary! {
    /// Which way the travellers were going when counted.
    Direction "direction" {
        Incoming = "incoming",
        Outgoing = "outgoing",
        Internal = "internal",
    }
}

/// One count at a flow monitoring point: a group of travellers going the same way on a day.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FlowCount {
    pub community_id: Id<Community>,
    pub import_id: Option<Id<RawImport>>,
    /// The row of the imported file it comes from.
    pub source_row: Option<u32>,
    pub point: String,
    pub date: Date,
    pub direction: Direction,
    pub origin: String,
    pub destination: String,
    pub nationality: String,
    pub transport: String,
    /// Everyone counted; `men + women + boys + girls` when the breakdown is complete, more
    /// when the sheet gave a total without (all of) it.
    pub travellers: u32,
    pub men: u32,
    pub women: u32,
    pub boys: u32,
    pub girls: u32,
    pub unaccompanied_children: u32,
    /// Travellers with a specific vulnerability (pregnant or breastfeeding, disability,
    /// serious illness, elderly alone).
    pub vulnerable: u32,
}

/// A count whose parts do not add up. People read its [`FlowError::refusal`] translated; the
/// log prints that code and its values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.refusal())]
pub enum FlowError {
    BreakdownExceedsTotal {
        travellers: u32,
        men: u32,
        women: u32,
        boys: u32,
        girls: u32,
    },
    UnaccompaniedExceedChildren {
        unaccompanied: u32,
        children: u32,
    },
    VulnerableExceedTravellers {
        vulnerable: u32,
        travellers: u32,
    },
}

impl FlowError {
    pub fn refusal(&self) -> crate::refusal::Refusal {
        use crate::refusal::Refusal;
        match *self {
            FlowError::BreakdownExceedsTotal {
                travellers,
                men,
                women,
                boys,
                girls,
            } => Refusal::new("flows.breakdown")
                .arg("men", men.to_string())
                .arg("women", women.to_string())
                .arg("boys", boys.to_string())
                .arg("girls", girls.to_string())
                .arg("travellers", travellers.to_string()),
            FlowError::UnaccompaniedExceedChildren {
                unaccompanied,
                children,
            } => Refusal::new("flows.unaccompanied")
                .arg("unaccompanied", unaccompanied.to_string())
                .arg("children", children.to_string()),
            FlowError::VulnerableExceedTravellers {
                vulnerable,
                travellers,
            } => Refusal::new("flows.vulnerable")
                .arg("vulnerable", vulnerable.to_string())
                .arg("travellers", travellers.to_string()),
        }
    }
}

impl FlowCount {
    pub fn children(&self) -> u32 {
        self.boys + self.girls
    }

    /// The checks every count passes before it is stored.
    pub fn check(&self) -> Result<(), FlowError> {
        let parts = u64::from(self.men)
            + u64::from(self.women)
            + u64::from(self.boys)
            + u64::from(self.girls);
        if parts > u64::from(self.travellers) {
            return Err(FlowError::BreakdownExceedsTotal {
                travellers: self.travellers,
                men: self.men,
                women: self.women,
                boys: self.boys,
                girls: self.girls,
            });
        }
        // Unaccompanied children are children: when the sheet breaks travellers down by age,
        // they are among its boys and girls.
        if parts > 0 && self.unaccompanied_children > self.children() {
            return Err(FlowError::UnaccompaniedExceedChildren {
                unaccompanied: self.unaccompanied_children,
                children: self.children(),
            });
        }
        if self.vulnerable > self.travellers {
            return Err(FlowError::VulnerableExceedTravellers {
                vulnerable: self.vulnerable,
                travellers: self.travellers,
            });
        }
        Ok(())
    }
}

/// Travellers from each origin to each destination. Origins and destinations come in
/// decreasing order of their totals (ties by name), so the big routes read first.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OdMatrix {
    pub origins: Vec<String>,
    pub destinations: Vec<String>,
    /// `counts[origin][destination]`.
    pub counts: Vec<Vec<u64>>,
    pub total: u64,
}

impl OdMatrix {
    pub fn of(counts: &[FlowCount]) -> OdMatrix {
        let mut cells: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        for c in counts {
            *cells.entry((&c.origin, &c.destination)).or_default() += u64::from(c.travellers);
        }
        let order = |totals: BTreeMap<&str, u64>| {
            let mut names: Vec<(&str, u64)> = totals.into_iter().collect();
            names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            names
                .into_iter()
                .map(|(n, _)| n.to_owned())
                .collect::<Vec<_>>()
        };
        let mut by_origin: BTreeMap<&str, u64> = BTreeMap::new();
        let mut by_destination: BTreeMap<&str, u64> = BTreeMap::new();
        for (&(o, d), &n) in &cells {
            *by_origin.entry(o).or_default() += n;
            *by_destination.entry(d).or_default() += n;
        }
        let origins = order(by_origin);
        let destinations = order(by_destination);
        let counts = origins
            .iter()
            .map(|o| {
                destinations
                    .iter()
                    .map(|d| cells.get(&(o.as_str(), d.as_str())).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        OdMatrix {
            origins,
            destinations,
            counts,
            total: cells.values().sum(),
        }
    }
}

/// How counts are grouped in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// ISO weeks, Monday to Sunday.
    Week,
    Month,
}

/// The travellers of one period, by direction.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PeriodTotal {
    /// `2026-03` for a month, `2026-S14` for an ISO week (*semaine*).
    pub label: String,
    pub start: Date,
    pub incoming: u64,
    pub outgoing: u64,
    pub internal: u64,
}

impl PeriodTotal {
    pub fn total(&self) -> u64 {
        self.incoming + self.outgoing + self.internal
    }
}

fn period_start(date: Date, period: Period) -> Date {
    match period {
        Period::Week => {
            date - time::Duration::days(i64::from(date.weekday().number_days_from_monday()))
        }
        Period::Month => date.replace_day(1).unwrap_or(date),
    }
}

fn next_period(start: Date, period: Period) -> Option<Date> {
    match period {
        Period::Week => start.checked_add(time::Duration::days(7)),
        Period::Month => {
            let (year, month) = match start.month() {
                time::Month::December => (start.year() + 1, time::Month::January),
                m => (start.year(), m.next()),
            };
            Date::from_calendar_date(year, month, 1).ok()
        }
    }
}

fn period_label(start: Date, period: Period) -> String {
    match period {
        Period::Week => {
            let (year, week, _) = start.to_iso_week_date();
            format!("{year}-S{week:02}")
        }
        Period::Month => format!("{}-{:02}", start.year(), u8::from(start.month())),
    }
}

/// Travellers per period from the first count to the last, periods without counts included
/// (as zeros: a gap in a trend is information, not something to close up).
pub fn trend(counts: &[FlowCount], period: Period) -> Vec<PeriodTotal> {
    let mut totals: BTreeMap<Date, [u64; 3]> = BTreeMap::new();
    for c in counts {
        let slot = match c.direction {
            Direction::Incoming => 0,
            Direction::Outgoing => 1,
            Direction::Internal => 2,
        };
        totals.entry(period_start(c.date, period)).or_default()[slot] += u64::from(c.travellers);
    }
    let (Some(&first), Some(&last)) = (totals.keys().next(), totals.keys().next_back()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut start = first;
    while start <= last {
        let [incoming, outgoing, internal] = totals.get(&start).copied().unwrap_or_default();
        out.push(PeriodTotal {
            label: period_label(start, period),
            start,
            incoming,
            outgoing,
            internal,
        });
        match next_period(start, period) {
            Some(next) => start = next,
            None => break,
        }
    }
    out
}

/// Travellers of each calendar month, year by year: the same season compared across years.
pub fn seasons(counts: &[FlowCount]) -> BTreeMap<i32, [u64; 12]> {
    let mut years: BTreeMap<i32, [u64; 12]> = BTreeMap::new();
    for c in counts {
        years.entry(c.date.year()).or_default()[usize::from(u8::from(c.date.month())) - 1] +=
            u64::from(c.travellers);
    }
    years
}

/// Who travels: the sums and shares a protection analysis starts from.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Profile {
    pub travellers: u64,
    pub men: u64,
    pub women: u64,
    pub boys: u64,
    pub girls: u64,
    pub unaccompanied_children: u64,
    pub vulnerable: u64,
}

impl Profile {
    pub fn of(counts: &[FlowCount]) -> Profile {
        counts.iter().fold(Profile::default(), |mut p, c| {
            p.travellers += u64::from(c.travellers);
            p.men += u64::from(c.men);
            p.women += u64::from(c.women);
            p.boys += u64::from(c.boys);
            p.girls += u64::from(c.girls);
            p.unaccompanied_children += u64::from(c.unaccompanied_children);
            p.vulnerable += u64::from(c.vulnerable);
            p
        })
    }

    pub fn children(&self) -> u64 {
        self.boys + self.girls
    }

    /// Travellers whose sex and age were recorded: the base of the sex/age shares.
    pub fn broken_down(&self) -> u64 {
        self.men + self.women + self.boys + self.girls
    }

    /// `part / base`, `None` when the base is empty (a share of nothing is not 0 %).
    pub fn share(part: u64, base: u64) -> Option<f64> {
        (base > 0).then(|| part as f64 / base as f64)
    }
}

/// Travellers by a key (nationality, transport, point, route), largest first, ties by name.
pub fn totals_by(counts: &[FlowCount], key: impl Fn(&FlowCount) -> String) -> Vec<(String, u64)> {
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    for c in counts {
        *totals.entry(key(c)).or_default() += u64::from(c.travellers);
    }
    let mut out: Vec<(String, u64)> = totals.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// A route as people say it: origin → destination.
pub fn route(count: &FlowCount) -> String {
    format!("{} → {}", count.origin, count.destination)
}

/// One leg of the routes travellers describe, and how many took it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Segment {
    pub from: String,
    pub to: String,
    pub travellers: u64,
}

/// The legs of the described routes (each route: its places in the order travelled; empty
/// places are skipped, a place repeated in a row is one stop), each leg counted once per
/// traveller, largest first, ties by place names.
pub fn segments<R, P>(routes: R) -> Vec<Segment>
where
    R: IntoIterator<Item = P>,
    P: IntoIterator,
    P::Item: AsRef<str>,
{
    let mut legs: BTreeMap<(String, String), u64> = BTreeMap::new();
    for places in routes {
        let mut stops: Vec<String> = Vec::new();
        for place in places {
            let place = place.as_ref().trim();
            if !place.is_empty() && stops.last().is_none_or(|last| last != place) {
                stops.push(place.to_owned());
            }
        }
        let mut taken: Vec<(String, String)> = stops
            .windows(2)
            .map(|w| (w[0].clone(), w[1].clone()))
            .collect();
        // A traveller who passed the same leg twice (there and back) counts once on it.
        taken.sort();
        taken.dedup();
        for leg in taken {
            *legs.entry(leg).or_default() += 1;
        }
    }
    let mut out: Vec<Segment> = legs
        .into_iter()
        .map(|((from, to), travellers)| Segment {
            from,
            to,
            travellers,
        })
        .collect();
    out.sort_by(|a, b| {
        b.travellers
            .cmp(&a.travellers)
            .then_with(|| (&a.from, &a.to).cmp(&(&b.from, &b.to)))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn count(
        date: Date,
        direction: Direction,
        origin: &str,
        destination: &str,
        n: u32,
    ) -> FlowCount {
        FlowCount {
            community_id: Id::new(),
            import_id: None,
            source_row: None,
            point: "Diboli".into(),
            date,
            direction,
            origin: origin.into(),
            destination: destination.into(),
            nationality: "Malienne".into(),
            transport: "Bus".into(),
            travellers: n,
            men: n / 2,
            women: n / 4,
            boys: n / 8,
            girls: n / 8,
            unaccompanied_children: 0,
            vulnerable: 1,
        }
    }

    #[test]
    fn the_od_matrix_adds_up_and_puts_the_big_routes_first() {
        let counts = [
            count(
                date!(2026 - 03 - 02),
                Direction::Outgoing,
                "Kayes",
                "Dakar",
                40,
            ),
            count(
                date!(2026 - 03 - 03),
                Direction::Outgoing,
                "Kayes",
                "Dakar",
                20,
            ),
            count(
                date!(2026 - 03 - 03),
                Direction::Outgoing,
                "Bamako",
                "Nouakchott",
                80,
            ),
            count(
                date!(2026 - 03 - 04),
                Direction::Incoming,
                "Dakar",
                "Kayes",
                10,
            ),
        ];
        let m = OdMatrix::of(&counts);
        assert_eq!(m.origins, ["Bamako", "Kayes", "Dakar"]);
        assert_eq!(m.destinations, ["Nouakchott", "Dakar", "Kayes"]);
        assert_eq!(m.counts[1][1], 60);
        assert_eq!(m.counts[0][0], 80);
        assert_eq!(m.counts[2][2], 10);
        let sum: u64 = m.counts.iter().flatten().sum();
        assert_eq!((sum, m.total), (150, 150));
    }

    #[test]
    fn trends_keep_empty_periods_and_split_directions() {
        let counts = [
            count(
                date!(2026 - 01 - 31),
                Direction::Outgoing,
                "Kayes",
                "Dakar",
                5,
            ),
            count(
                date!(2026 - 03 - 01),
                Direction::Incoming,
                "Dakar",
                "Kayes",
                7,
            ),
            count(
                date!(2026 - 03 - 15),
                Direction::Outgoing,
                "Kayes",
                "Dakar",
                3,
            ),
        ];
        let months = trend(&counts, Period::Month);
        let labels: Vec<&str> = months.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["2026-01", "2026-02", "2026-03"]);
        assert_eq!(
            months[1].total(),
            0,
            "February had no counts and still shows"
        );
        assert_eq!((months[2].incoming, months[2].outgoing), (7, 3));
        // 2026-03-01 is a Sunday: it belongs to the week of Monday 23 February (ISO week 9).
        let weeks = trend(&counts, Period::Week);
        assert_eq!(weeks[0].label, "2026-S05");
        assert_eq!(weeks[4].label, "2026-S09");
        assert_eq!(weeks[4].incoming, 7);
        assert_eq!(weeks.last().map(|w| w.label.as_str()), Some("2026-S11"));
        let across_december = trend(
            &[
                count(date!(2025 - 12 - 20), Direction::Outgoing, "a", "b", 1),
                count(date!(2026 - 01 - 05), Direction::Outgoing, "a", "b", 1),
            ],
            Period::Month,
        );
        assert_eq!(across_december.len(), 2);
    }

    #[test]
    fn seasons_put_each_month_in_its_year() {
        let counts = [
            count(date!(2025 - 07 - 10), Direction::Outgoing, "a", "b", 4),
            count(date!(2026 - 07 - 11), Direction::Outgoing, "a", "b", 6),
        ];
        let s = seasons(&counts);
        assert_eq!((s[&2025][6], s[&2026][6], s[&2026][0]), (4, 6, 0));
    }

    #[test]
    fn shares_of_nothing_are_not_zero_percent() {
        let p = Profile::of(&[count(
            date!(2026 - 01 - 01),
            Direction::Incoming,
            "a",
            "b",
            8,
        )]);
        assert_eq!((p.travellers, p.children(), p.broken_down()), (8, 2, 8));
        assert_eq!(Profile::share(p.children(), p.broken_down()), Some(0.25));
        assert_eq!(Profile::share(0, 0), None);
    }

    #[test]
    fn counts_that_do_not_add_up_are_refused() {
        let mut c = count(date!(2026 - 01 - 01), Direction::Incoming, "a", "b", 8);
        assert!(c.check().is_ok());
        c.men = 9;
        assert!(matches!(
            c.check(),
            Err(FlowError::BreakdownExceedsTotal { .. })
        ));
        c.men = 4;
        c.unaccompanied_children = 3;
        assert!(matches!(
            c.check(),
            Err(FlowError::UnaccompaniedExceedChildren { .. })
        ));
        c.unaccompanied_children = 0;
        c.vulnerable = 9;
        assert!(matches!(
            c.check(),
            Err(FlowError::VulnerableExceedTravellers { .. })
        ));
    }

    #[test]
    fn totals_by_route_come_largest_first() {
        let counts = [
            count(
                date!(2026 - 01 - 01),
                Direction::Outgoing,
                "Kayes",
                "Dakar",
                3,
            ),
            count(
                date!(2026 - 01 - 02),
                Direction::Outgoing,
                "Gao",
                "Tamanrasset",
                9,
            ),
        ];
        let routes = totals_by(&counts, route);
        assert_eq!(routes[0], ("Gao → Tamanrasset".to_owned(), 9));
    }
    #[test]
    fn segments_count_each_leg_once_per_traveller() {
        let routes = vec![
            vec!["Gao", "Kidal", "Tamanrasset"],
            vec!["Gao", "", "Kidal", "Kidal", "Tamanrasset"],
            vec!["Gao", "Kidal", "Gao", "Kidal"],
            vec!["Gao"],
            vec!["Ansongo", "Gao"],
        ];
        let legs = segments(routes);
        let as_tuples: Vec<(&str, &str, u64)> = legs
            .iter()
            .map(|s| (s.from.as_str(), s.to.as_str(), s.travellers))
            .collect();
        assert_eq!(
            as_tuples,
            [
                ("Gao", "Kidal", 3),
                ("Kidal", "Tamanrasset", 2),
                ("Ansongo", "Gao", 1),
                ("Kidal", "Gao", 1),
            ]
        );
    }
}
