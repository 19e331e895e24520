//! A sampling design: each row's weight, stratum and PSU (primary sampling unit), and each
//! stratum's number of PSUs and finite population correction.

use foldhash::HashMap;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DesignError {
    #[error("ligne {row} : poids {value} — attendu un nombre strictement positif")]
    Weight { row: usize, value: f64 },
    #[error(
        "strate « {stratum} » : la correction de population finie varie ({a} puis {b}) ; attendu une valeur par strate"
    )]
    FpcVaries { stratum: String, a: f64, b: f64 },
    #[error(
        "strate « {stratum} » : correction de population finie {value} invalide (attendu une fraction ≤ 1 ou un nombre d'unités ≥ {n} UPE tirées)"
    )]
    Fpc {
        stratum: String,
        value: f64,
        n: usize,
    },
    #[error("aucune ligne de données")]
    Empty,
    #[error("les colonnes du plan n'ont pas la même longueur que les poids")]
    Lengths,
}

/// A design ready for estimation.
#[derive(Debug, Clone)]
pub struct Design {
    pub(crate) weight: Vec<f64>,
    /// Global PSU index of each row.
    pub(crate) psu: Vec<u32>,
    /// Stratum of each PSU.
    pub(crate) psu_stratum: Vec<u32>,
    /// Number of PSUs in each stratum (in the whole file).
    pub(crate) stratum_psus: Vec<u32>,
    /// `1 − f_h` for each stratum (1 without fpc).
    pub(crate) stratum_fpc: Vec<f64>,
    pub(crate) stratum_names: Vec<String>,
}

impl Design {
    /// `strata` and `clusters` by row (`None`: one stratum; every row its own PSU); `fpc` by
    /// row, as R reads it: a sampling fraction when ≤ 1, else the population number of PSUs
    /// of the stratum. PSUs are nested in strata (`nest = TRUE`).
    pub fn new(
        weight: Vec<f64>,
        strata: Option<&[&str]>,
        clusters: Option<&[&str]>,
        fpc: Option<&[f64]>,
    ) -> Result<Self, DesignError> {
        let n = weight.len();
        if n == 0 {
            return Err(DesignError::Empty);
        }
        if strata.is_some_and(|s| s.len() != n)
            || clusters.is_some_and(|c| c.len() != n)
            || fpc.is_some_and(|f| f.len() != n)
        {
            return Err(DesignError::Lengths);
        }
        if let Some((row, &value)) = weight
            .iter()
            .enumerate()
            .find(|(_, w)| !(**w > 0.0 && w.is_finite()))
        {
            return Err(DesignError::Weight { row, value });
        }
        let mut stratum_ids: HashMap<&str, u32> = HashMap::default();
        let mut stratum_names = Vec::new();
        let mut stratum_of_row = Vec::with_capacity(n);
        for i in 0..n {
            let name = strata.map_or("", |s| s[i]);
            let next = stratum_ids.len() as u32;
            let id = *stratum_ids.entry(name).or_insert_with(|| {
                stratum_names.push(name.to_owned());
                next
            });
            stratum_of_row.push(id);
        }
        let mut psu_ids: HashMap<(u32, &str), u32> = HashMap::default();
        let mut psu = Vec::with_capacity(n);
        let mut psu_stratum = Vec::new();
        for i in 0..n {
            let id = match clusters {
                Some(c) => {
                    let next = psu_ids.len() as u32;
                    *psu_ids.entry((stratum_of_row[i], c[i])).or_insert_with(|| {
                        psu_stratum.push(stratum_of_row[i]);
                        next
                    })
                }
                None => {
                    psu_stratum.push(stratum_of_row[i]);
                    i as u32
                }
            };
            psu.push(id);
        }
        let mut stratum_psus = vec![0u32; stratum_names.len()];
        for &s in &psu_stratum {
            stratum_psus[s as usize] += 1;
        }
        let mut stratum_fpc = vec![1.0; stratum_names.len()];
        if let Some(fpc) = fpc {
            let mut seen: Vec<Option<f64>> = vec![None; stratum_names.len()];
            for i in 0..n {
                let s = stratum_of_row[i] as usize;
                match seen[s] {
                    Some(a) if a != fpc[i] => {
                        return Err(DesignError::FpcVaries {
                            stratum: stratum_names[s].clone(),
                            a,
                            b: fpc[i],
                        });
                    }
                    _ => seen[s] = Some(fpc[i]),
                }
            }
            for (s, value) in seen.into_iter().enumerate() {
                let value = value.unwrap_or(f64::NAN);
                let sampled = f64::from(stratum_psus[s]);
                let fraction = if value > 0.0 && value <= 1.0 {
                    value
                } else if value >= sampled {
                    sampled / value
                } else {
                    return Err(DesignError::Fpc {
                        stratum: stratum_names[s].clone(),
                        value,
                        n: stratum_psus[s] as usize,
                    });
                };
                stratum_fpc[s] = 1.0 - fraction;
            }
        }
        Ok(Self {
            weight,
            psu,
            psu_stratum,
            stratum_psus,
            stratum_fpc,
            stratum_names,
        })
    }

    pub fn rows(&self) -> usize {
        self.weight.len()
    }

    pub fn psus(&self) -> usize {
        self.psu_stratum.len()
    }

    pub fn strata(&self) -> &[String] {
        &self.stratum_names
    }
}
