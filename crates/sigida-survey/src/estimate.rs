//! Means, proportions, totals and ratios by domain with their Taylor-linearised standard
//! errors, exactly as R's `survey` computes them on a design subset (`na.rm = TRUE`):
//!
//! - the rows of a domain whose value is missing leave the domain, not the design: every PSU
//!   of every stratum still counts, with a zero score where the domain has no row;
//! - var = Σ_h (1 − f_h) · n_h/(n_h − 1) · Σ_c (Z_hc − Z̄_h)², Z_hc the PSU's total score and
//!   Z̄_h their mean over the n_h PSUs of the stratum in the whole file;
//! - a stratum with a single PSU adds (1 − f_h) · Z_h1², uncentred, as R's `onestrat` does
//!   under `survey.lonely.psu = "adjust"`.

use foldhash::HashMap;

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

impl DomainEstimate {
    /// Kish's design effect n Σw² / (Σw)², and the design-based one: the variance over that of
    /// a simple random sample of the same size, as R's `svymean(deff = TRUE)` computes it, for
    /// the mean of `y` (NaN where missing) in `domain` (`domains` gives each row's).
    pub fn design_effects(
        &self,
        y: &[f64],
        domain: u32,
        domains: &[u32],
        weight: &[f64],
    ) -> (f64, f64) {
        let kish = self.n as f64 * self.weight_squared / (self.weight * self.weight);
        let mut squares = 0.0;
        for (i, (&d, &w)) in domains.iter().zip(weight).enumerate() {
            if d == domain && !y[i].is_nan() {
                squares += w * (y[i] - self.estimate).powi(2);
            }
        }
        let nobs = self.n as f64;
        let svyvar = squares / self.weight * nobs / (nobs - 1.0);
        let vsrs = svyvar / nobs * (self.weight - nobs) / self.weight;
        (kish, self.se * self.se / vsrs)
    }
}

/// The (domain, PSU) pairs present in the data, numbered once for a design and a domain
/// assignment: every estimate then accumulates into dense arrays indexed by cell.
pub struct Cells<'d> {
    design: &'d Design,
    n_domains: usize,
    /// Cell of each row (`OUTSIDE` for a row in no domain).
    cell_of_row: Vec<u32>,
    cell_domain: Vec<u32>,
    cell_stratum: Vec<u32>,
}

impl<'d> Cells<'d> {
    pub fn new(design: &'d Design, domains: &[u32], n_domains: usize) -> Self {
        let mut index: HashMap<(u32, u32), u32> = HashMap::default();
        let mut cell_domain = Vec::new();
        let mut cell_stratum = Vec::new();
        let cell_of_row = domains
            .iter()
            .zip(&design.psu)
            .map(|(&d, &psu)| {
                if d == OUTSIDE {
                    return OUTSIDE;
                }
                let next = index.len() as u32;
                *index.entry((d, psu)).or_insert_with(|| {
                    cell_domain.push(d);
                    cell_stratum.push(design.psu_stratum[psu as usize]);
                    next
                })
            })
            .collect();
        Self {
            design,
            n_domains,
            cell_of_row,
            cell_domain,
            cell_stratum,
        }
    }

    pub fn n_domains(&self) -> usize {
        self.n_domains
    }

    /// Variances of every domain from each cell's total score (`scores[cell * stride + k]`
    /// for estimate `k` of `stride`), as `var[domain * stride + k]`.
    fn variances(&self, scores: &[f64], stride: usize) -> Vec<f64> {
        let strata = self.design.stratum_psus.len();
        // Σ Z and Σ Z² per domain, stratum and estimate.
        let mut s1 = vec![0.0; self.n_domains * strata * stride];
        let mut s2 = vec![0.0; self.n_domains * strata * stride];
        for (cell, (&d, &h)) in self.cell_domain.iter().zip(&self.cell_stratum).enumerate() {
            let base = (d as usize * strata + h as usize) * stride;
            for k in 0..stride {
                let z = scores[cell * stride + k];
                s1[base + k] += z;
                s2[base + k] += z * z;
            }
        }
        let mut var = vec![0.0; self.n_domains * stride];
        for d in 0..self.n_domains {
            for h in 0..strata {
                let n_h = f64::from(self.design.stratum_psus[h]);
                let lonely = self.design.stratum_psus[h] <= 1;
                for k in 0..stride {
                    let i = (d * strata + h) * stride + k;
                    let contribution = if lonely {
                        s2[i]
                    } else {
                        n_h / (n_h - 1.0) * (s2[i] - s1[i] * s1[i] / n_h).max(0.0)
                    };
                    var[d * stride + k] += self.design.stratum_fpc[h] * contribution;
                }
            }
        }
        var
    }

    /// Weighted means of `y` by domain (NaN = missing).
    pub fn mean(&self, y: &[f64]) -> Vec<Option<DomainEstimate>> {
        self.linear(y, None, Kind::Mean)
    }

    pub fn total(&self, y: &[f64]) -> Vec<Option<DomainEstimate>> {
        self.linear(y, None, Kind::Total)
    }

    pub fn ratio(&self, y: &[f64], x: &[f64]) -> Vec<Option<DomainEstimate>> {
        self.linear(y, Some(x), Kind::Ratio)
    }

    fn linear(&self, y: &[f64], x: Option<&[f64]>, kind: Kind) -> Vec<Option<DomainEstimate>> {
        let n_cells = self.cell_domain.len();
        let (mut cw, mut cwy, mut cwx) =
            (vec![0.0; n_cells], vec![0.0; n_cells], vec![0.0; n_cells]);
        let mut domains = vec![Domain::default(); self.n_domains];
        for (i, &cell) in self.cell_of_row.iter().enumerate() {
            let yi = y[i];
            let xi = x.map_or(0.0, |x| x[i]);
            if cell == OUTSIDE || yi.is_nan() || xi.is_nan() {
                continue;
            }
            let w = self.design.weight[i];
            let c = cell as usize;
            cw[c] += w;
            cwy[c] += w * yi;
            cwx[c] += w * xi;
            let d = &mut domains[self.cell_domain[c] as usize];
            d.n += 1;
            d.w += w;
            d.w2 += w * w;
            d.wy += w * yi;
            d.wx += w * xi;
        }
        let estimate = |d: &Domain| match kind {
            Kind::Mean => d.wy / d.w,
            Kind::Total => d.wy,
            Kind::Ratio => d.wy / d.wx,
        };
        let scores: Vec<f64> = (0..n_cells)
            .map(|c| {
                let d = &domains[self.cell_domain[c] as usize];
                match kind {
                    Kind::Mean => (cwy[c] - estimate(d) * cw[c]) / d.w,
                    Kind::Total => cwy[c],
                    Kind::Ratio => (cwy[c] - estimate(d) * cwx[c]) / d.wx,
                }
            })
            .collect();
        let var = self.variances(&scores, 1);
        domains
            .iter()
            .zip(&var)
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

    /// The proportion of each of `k` options of a categorical answer (`codes[i]` in `0..k`,
    /// anything else missing), every option in one pass: `result[domain][option]`.
    /// Codes may be bytes: a 0/1 column's mean is its option 1 (the same sums, the same
    /// numbers to the last bit), read without widening it to `f64`.
    pub fn proportions<C: Copy + Into<u32>>(
        &self,
        codes: &[C],
        k: usize,
    ) -> Vec<Option<Vec<DomainEstimate>>> {
        let n_cells = self.cell_domain.len();
        let stride = k + 1;
        // Per cell: Σw of the answered rows, then Σw per option.
        let mut cells = vec![0.0; n_cells * stride];
        let mut domains = vec![Domain::default(); self.n_domains];
        let mut domain_options = vec![0.0; self.n_domains * k];
        for (i, &cell) in self.cell_of_row.iter().enumerate() {
            let code = codes[i].into() as usize;
            if cell == OUTSIDE || code >= k {
                continue;
            }
            let w = self.design.weight[i];
            let c = cell as usize;
            cells[c * stride] += w;
            cells[c * stride + 1 + code] += w;
            let dom = self.cell_domain[c] as usize;
            let d = &mut domains[dom];
            d.n += 1;
            d.w += w;
            d.w2 += w * w;
            domain_options[dom * k + code] += w;
        }
        let mut scores = vec![0.0; n_cells * k];
        for c in 0..n_cells {
            let dom = self.cell_domain[c] as usize;
            let total = domains[dom].w;
            if total == 0.0 {
                continue;
            }
            for j in 0..k {
                let p = domain_options[dom * k + j] / total;
                scores[c * k + j] = (cells[c * stride + 1 + j] - p * cells[c * stride]) / total;
            }
        }
        let var = self.variances(&scores, k);
        domains
            .iter()
            .enumerate()
            .map(|(dom, d)| {
                (d.n > 0).then(|| {
                    (0..k)
                        .map(|j| DomainEstimate {
                            estimate: domain_options[dom * k + j] / d.w,
                            se: var[dom * k + j].sqrt(),
                            n: d.n,
                            weight: d.w,
                            weight_squared: d.w2,
                        })
                        .collect()
                })
            })
            .collect()
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Mean,
    Total,
    Ratio,
}

#[derive(Clone, Copy, Default)]
struct Domain {
    n: u64,
    w: f64,
    w2: f64,
    wy: f64,
    wx: f64,
}

/// Weighted mean (a proportion when `y` is 0/1) of `y` in each domain; `None` for a domain
/// where `y` is never present.
pub fn mean(
    design: &Design,
    domains: &[u32],
    n_domains: usize,
    y: &[f64],
) -> Vec<Option<DomainEstimate>> {
    Cells::new(design, domains, n_domains).mean(y)
}

/// Weighted total of `y` in each domain.
pub fn total(
    design: &Design,
    domains: &[u32],
    n_domains: usize,
    y: &[f64],
) -> Vec<Option<DomainEstimate>> {
    Cells::new(design, domains, n_domains).total(y)
}

/// Ratio Σw·y / Σw·x in each domain, over rows where both are present.
pub fn ratio(
    design: &Design,
    domains: &[u32],
    n_domains: usize,
    y: &[f64],
    x: &[f64],
) -> Vec<Option<DomainEstimate>> {
    Cells::new(design, domains, n_domains).ratio(y, x)
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
    fn proportions_in_one_pass_equal_one_mean_per_option() {
        let codes = [0u32, 1, 2, 0, u32::MAX, 1, 2, 2, 0, 1, 0, 2];
        let domains = [0u32, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, OUTSIDE];
        let strata = ["a", "a", "a", "a", "a", "b", "b", "b", "b", "b", "b", "b"];
        let clusters = ["1", "1", "2", "2", "3", "4", "4", "5", "5", "6", "6", "6"];
        let w = vec![1.0, 2.0, 1.5, 3.0, 1.0, 2.0, 2.5, 1.0, 1.0, 2.0, 0.5, 1.0];
        let design = Design::new(w, Some(&strata), Some(&clusters), None).unwrap();
        let cells = Cells::new(&design, &domains, 2);
        let together = cells.proportions(&codes, 3);
        for j in 0..3u32 {
            let y: Vec<f64> = codes
                .iter()
                .map(|&c| {
                    if c == u32::MAX {
                        f64::NAN
                    } else {
                        f64::from(u8::from(c == j))
                    }
                })
                .collect();
            for (d, alone) in cells.mean(&y).iter().enumerate() {
                let (a, b) = (alone.unwrap(), together[d].as_ref().unwrap()[j as usize]);
                assert!((a.estimate - b.estimate).abs() < 1e-14 && (a.se - b.se).abs() < 1e-14);
                assert_eq!(a.n, b.n);
            }
        }
    }

    #[test]
    fn a_flag_column_read_as_bytes_gives_its_mean_to_the_last_bit() {
        let flags = [1u8, 0, 1, 1, 255, 0, 1, 0, 0, 1, 1, 255];
        let domains = [0u32, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, OUTSIDE];
        let strata = ["a", "a", "a", "a", "a", "b", "b", "b", "b", "b", "b", "b"];
        let clusters = ["1", "1", "2", "2", "3", "4", "4", "5", "5", "6", "6", "6"];
        let w = vec![1.3, 2.0, 1.5, 3.0, 1.0, 2.7, 2.5, 1.0, 1.1, 2.0, 0.5, 1.0];
        let design = Design::new(w, Some(&strata), Some(&clusters), None).unwrap();
        let cells = Cells::new(&design, &domains, 2);
        let y: Vec<f64> = flags
            .iter()
            .map(|&f| if f == 255 { f64::NAN } else { f64::from(f) })
            .collect();
        let as_bytes = cells.proportions(&flags, 2);
        for (d, mean) in cells.mean(&y).iter().enumerate() {
            let (a, b) = (mean.unwrap(), as_bytes[d].as_ref().unwrap()[1]);
            assert_eq!(a, b, "domain {d}");
        }
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
