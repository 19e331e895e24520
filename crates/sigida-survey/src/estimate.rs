//! Means, proportions, totals and ratios by domain with their Taylor-linearised standard
//! errors, exactly as R's `survey` computes them on a design subset (`na.rm = TRUE`):
//!
//! - the rows of a domain whose value is missing leave the domain, not the design: every PSU
//!   of every stratum still counts, with a zero score where the domain has no row;
//! - var = Σ_h (1 − f_h) · n_h/(n_h − 1) · Σ_c (Z_hc − Z̄_h)², Z_hc the PSU's total score and
//!   Z̄_h their mean over the n_h PSUs of the stratum in the whole file;
//! - a stratum with a single PSU adds (1 − f_h) · Z_h1², uncentred, as R's `onestrat` does
//!   under `survey.lonely.psu = "adjust"`.

use std::collections::HashMap;

use crate::design::Design;

/// The domain index of a row that belongs to no domain.
pub const OUTSIDE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DomainEstimate {
    pub estimate: f64,
    pub se: f64,
    /// Rows of the domain with a value (the unweighted base).
    pub n: u64,
    /// Σ w over those rows.
    pub weight: f64,
    /// Σ w² over those rows (for Kish's design effect).
    pub weight_squared: f64,
}

/// Per domain and PSU: Σw, Σw·y, Σw·x.
#[derive(Clone, Copy, Default)]
struct Cell {
    w: f64,
    wy: f64,
    wx: f64,
}

#[derive(Clone, Copy, Default)]
struct Domain {
    n: u64,
    w: f64,
    w2: f64,
    wy: f64,
    wx: f64,
}

struct Accumulated {
    domains: Vec<Domain>,
    cells: HashMap<(u32, u32), Cell>,
}

/// One pass over the rows: a row counts when it is in a domain and `y` (and `x`) are present.
fn accumulate(
    design: &Design,
    domains: &[u32],
    n_domains: usize,
    y: &[f64],
    x: Option<&[f64]>,
) -> Accumulated {
    let mut acc = Accumulated {
        domains: vec![Domain::default(); n_domains],
        cells: HashMap::new(),
    };
    for i in 0..design.rows() {
        let d = domains[i];
        let yi = y[i];
        let xi = x.map_or(0.0, |x| x[i]);
        if d == OUTSIDE || yi.is_nan() || xi.is_nan() {
            continue;
        }
        let w = design.weight[i];
        let dom = &mut acc.domains[d as usize];
        dom.n += 1;
        dom.w += w;
        dom.w2 += w * w;
        dom.wy += w * yi;
        dom.wx += w * xi;
        let cell = acc.cells.entry((d, design.psu[i])).or_default();
        cell.w += w;
        cell.wy += w * yi;
        cell.wx += w * xi;
    }
    acc
}

/// The variance of each domain from its PSUs' total scores.
fn variances(
    design: &Design,
    n_domains: usize,
    scores: impl Iterator<Item = (u32, u32, f64)>,
) -> Vec<f64> {
    let strata = design.stratum_psus.len();
    // Per domain and stratum: Σ Z and Σ Z².
    let mut sums: HashMap<(u32, u32), (f64, f64)> = HashMap::new();
    for (d, psu, z) in scores {
        let h = design.psu_stratum[psu as usize];
        let s = sums.entry((d, h)).or_default();
        s.0 += z;
        s.1 += z * z;
    }
    let mut var = vec![0.0; n_domains];
    for ((d, h), (s1, s2)) in sums {
        let h = h as usize;
        debug_assert!(h < strata);
        let n_h = f64::from(design.stratum_psus[h]);
        let contribution = if design.stratum_psus[h] > 1 {
            // Σ_c (Z_c − Z̄)² over all n_h PSUs, those without rows having Z = 0.
            n_h / (n_h - 1.0) * (s2 - s1 * s1 / n_h).max(0.0)
        } else {
            s2
        };
        var[d as usize] += design.stratum_fpc[h] * contribution;
    }
    var
}

fn finish(
    acc: &Accumulated,
    estimate: impl Fn(&Domain) -> f64,
    var: &[f64],
) -> Vec<Option<DomainEstimate>> {
    acc.domains
        .iter()
        .zip(var)
        .map(|(d, v)| {
            (d.n > 0).then(|| DomainEstimate {
                estimate: estimate(d),
                se: v.sqrt(),
                n: d.n,
                weight: d.w,
                weight_squared: d.w2,
            })
        })
        .collect()
}

/// Weighted mean (a proportion when `y` is 0/1) of `y` in each domain; `None` for a domain
/// where `y` is never present.
pub fn mean(
    design: &Design,
    domains: &[u32],
    n_domains: usize,
    y: &[f64],
) -> Vec<Option<DomainEstimate>> {
    let acc = accumulate(design, domains, n_domains, y, None);
    let means: Vec<f64> = acc.domains.iter().map(|d| d.wy / d.w).collect();
    let scores = acc.cells.iter().map(|(&(d, psu), c)| {
        let dom = &acc.domains[d as usize];
        (d, psu, (c.wy - means[d as usize] * c.w) / dom.w)
    });
    let var = variances(design, n_domains, scores);
    finish(&acc, |d| d.wy / d.w, &var)
}

/// Weighted total of `y` in each domain.
pub fn total(
    design: &Design,
    domains: &[u32],
    n_domains: usize,
    y: &[f64],
) -> Vec<Option<DomainEstimate>> {
    let acc = accumulate(design, domains, n_domains, y, None);
    let scores = acc.cells.iter().map(|(&(d, psu), c)| (d, psu, c.wy));
    let var = variances(design, n_domains, scores);
    finish(&acc, |d| d.wy, &var)
}

/// Ratio Σw·y / Σw·x in each domain, over rows where both are present.
pub fn ratio(
    design: &Design,
    domains: &[u32],
    n_domains: usize,
    y: &[f64],
    x: &[f64],
) -> Vec<Option<DomainEstimate>> {
    let acc = accumulate(design, domains, n_domains, y, Some(x));
    let ratios: Vec<f64> = acc.domains.iter().map(|d| d.wy / d.wx).collect();
    let scores = acc.cells.iter().map(|(&(d, psu), c)| {
        let dom = &acc.domains[d as usize];
        (d, psu, (c.wy - ratios[d as usize] * c.wx) / dom.wx)
    });
    let var = variances(design, n_domains, scores);
    finish(&acc, |d| d.wy / d.wx, &var)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_random_sample_gives_the_textbook_variance() {
        // One PSU per row, weights 1, no fpc: var(ȳ) = s² / n.
        let y = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let design = Design::new(vec![1.0; 8], None, None, None).unwrap();
        let r = mean(&design, &[0; 8], 1, &y)[0].unwrap();
        let n = y.len() as f64;
        let m = y.iter().sum::<f64>() / n;
        let s2 = y.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
        assert!((r.estimate - 5.0).abs() < 1e-12);
        assert!(
            (r.se - (s2 / n).sqrt()).abs() < 1e-12,
            "{} vs {}",
            r.se,
            (s2 / n).sqrt()
        );
    }

    #[test]
    fn proportions_of_a_question_sum_to_one_in_every_domain() {
        let answers = ["a", "b", "a", "c", "b", "a", "c", "c", "a", "b"];
        let domains = [0, 0, 0, 1, 1, 1, 1, 0, 1, 0];
        let strata = ["s1", "s1", "s1", "s1", "s1", "s2", "s2", "s2", "s2", "s2"];
        let clusters = ["1", "1", "2", "2", "3", "4", "4", "5", "5", "6"];
        let w = vec![1.0, 2.0, 1.5, 3.0, 1.0, 2.0, 2.5, 1.0, 1.0, 2.0];
        let design = Design::new(w, Some(&strata), Some(&clusters), None).unwrap();
        let mut sums = [0.0; 2];
        for option in ["a", "b", "c"] {
            let y: Vec<f64> = answers
                .iter()
                .map(|a| f64::from(u8::from(*a == option)))
                .collect();
            for (d, r) in mean(&design, &domains, 2, &y).iter().enumerate() {
                sums[d] += r.unwrap().estimate;
            }
        }
        assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-12), "{sums:?}");
    }

    #[test]
    fn row_order_changes_nothing() {
        let n = 200;
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as f64 / (1u64 << 31) as f64
        };
        let rows: Vec<(String, String, f64, f64, u32)> = (0..n)
            .map(|i| {
                (
                    format!("h{}", i % 4),
                    format!("c{}", i % 23),
                    0.5 + next() * 3.0,
                    if next() < 0.1 {
                        f64::NAN
                    } else {
                        next() * 100.0
                    },
                    (i % 3) as u32,
                )
            })
            .collect();
        let run = |rows: &[(String, String, f64, f64, u32)]| {
            let strata: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
            let clusters: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
            let design = Design::new(
                rows.iter().map(|r| r.2).collect(),
                Some(&strata),
                Some(&clusters),
                None,
            )
            .unwrap();
            let y: Vec<f64> = rows.iter().map(|r| r.3).collect();
            let d: Vec<u32> = rows.iter().map(|r| r.4).collect();
            mean(&design, &d, 3, &y)
        };
        let first = run(&rows);
        let mut shuffled = rows.clone();
        shuffled.reverse();
        shuffled.rotate_left(37);
        let second = run(&shuffled);
        for (a, b) in first.iter().zip(&second) {
            let (a, b) = (a.unwrap(), b.unwrap());
            assert!((a.estimate - b.estimate).abs() <= 1e-12 * a.estimate.abs());
            assert!((a.se - b.se).abs() <= 1e-12 * a.se.abs());
        }
    }
}
