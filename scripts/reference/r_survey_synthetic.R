#!/usr/bin/env Rscript
# Small synthetic survey designs made here, with R survey's values for them, so that a clone
# without ../shared still holds `sigida estimate` to R: stratified one-stage cluster samples
# with and without finite population correction, a stratum with a single PSU (lonely, adjusted
# as survey.lonely.psu = "adjust" does), unequal weights, missing answers in every analysed
# variable, a select_one and a yes/no question, means, proportions, totals and a ratio by domain.
#
# Regenerate:  apt-get install r-cran-survey && Rscript scripts/reference/r_survey_synthetic.R
# Writes crates/sigida-survey/tests/reference/synthetic/households.data.csv (the rows) and
# <case>.csv (R's estimates for each design); the tests compare to 1e-9 and do not need R.
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "adjust", digits = 17)
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))))
out_dir <- file.path(here, "../../crates/sigida-survey/tests/reference/synthetic")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
set.seed(20261203)

# Households in villages (the PSUs) in strata (cercles); `psus` gives each stratum's sample of
# villages, `population` its villages in all (the fpc). The last stratum has one village only.
households <- function(psus, population) {
  rows <- list()
  for (h in seq_along(psus)) {
    for (v in seq_len(psus[h])) {
      n <- sample(4:9, 1)
      weight <- round(runif(1, 20, 140), 3) * round(runif(n, 0.8, 1.25), 4)
      income <- round(rlnorm(n, 10 + h / 4, 0.6))
      income[runif(n) < 0.12] <- NA
      size <- rpois(n, 5) + 1L
      size[runif(n) < 0.05] <- NA
      members <- size + rpois(n, 1)
      water <- sample(c("puits", "robinet", "riviere"), n, replace = TRUE, prob = c(0.5, 0.3 + h / 20, 0.2))
      water[runif(n) < 0.08] <- NA
      displaced <- ifelse(runif(n) < 0.2 + 0.1 * h, "oui", "non")
      rows[[length(rows) + 1]] <- data.frame(
        cercle = paste0("C", h), village = paste0("C", h, "-V", v),
        region = ifelse(h <= 2, "Kayes", "Gao"), weight = weight,
        villages = population[h], income = income, size = size, members = members,
        water = water, displaced = displaced, stringsAsFactors = FALSE)
    }
  }
  do.call(rbind, rows)
}

estimate <- function(case, data, ids, strata, weights, fpc, by) {
  des <- svydesign(ids = ids, strata = strata, weights = weights, fpc = fpc, data = data, nest = TRUE)
  rows <- list()
  add <- function(variable, option, dom, est, se, n) {
    rows[[length(rows) + 1]] <<- data.frame(variable = variable, option = option, by = dom,
      estimate = est, se = se, ci_low = est - 1.959964 * se, ci_high = est + 1.959964 * se, n = n,
      stringsAsFactors = FALSE)
  }
  counts <- function(ok) { t <- table(data[[by]][ok]); t[t > 0] }
  domain <- as.formula(paste0("~", by))
  for (v in c("income", "size")) {
    ok <- !is.na(data[[v]])
    r <- svyby(as.formula(paste0("~", v)), domain, des[ok, ], svymean, na.rm = TRUE)
    n <- counts(ok)
    add(v, "", as.character(r[[1]]), r[[2]], SE(r), as.vector(n[as.character(r[[1]])]))
  }
  ok <- !is.na(data$members)
  r <- svyby(~members, domain, des[ok, ], svytotal, na.rm = TRUE)
  n <- counts(ok)
  add("members", "total", as.character(r[[1]]), r[[2]], SE(r), as.vector(n[as.character(r[[1]])]))
  ok <- !is.na(data$income) & !is.na(data$size)
  r <- svyby(~income, domain, des[ok, ], svyratio, denominator = ~size, na.rm = TRUE)
  n <- counts(ok)
  add("income/size", "ratio", as.character(r[[1]]), r[[2]], SE(r), as.vector(n[as.character(r[[1]])]))
  for (v in c("displaced", "water")) {
    ok <- !is.na(data[[v]])
    levels <- sort(unique(data[[v]][ok]), method = "radix")
    sub <- des[ok, ]
    sub$variables[[v]] <- factor(sub$variables[[v]], levels = levels)
    r <- svyby(as.formula(paste0("~", v)), domain, sub, svymean, na.rm = TRUE)
    n <- counts(ok)
    k <- length(levels)
    for (j in seq_len(k)) {
      add(v, levels[j], as.character(r[[1]]), r[[1 + j]], r[[1 + k + j]], as.vector(n[as.character(r[[1]])]))
    }
  }
  out <- do.call(rbind, rows)
  names(out)[names(out) == "by"] <- by
  out <- out[order(out$variable, out$option, out[[by]], method = "radix"), ]
  write.csv(out, file.path(out_dir, paste0(case, ".csv")), row.names = FALSE, na = "")
  cat(case, nrow(data), "households,", nrow(out), "estimates\n")
}

# Four cercles with 3 to 5 villages sampled, and a fifth with one (a lonely PSU).
sample_a <- households(c(4, 3, 5, 3, 1), c(40, 25, 60, 18, 9))
write.csv(sample_a, file.path(out_dir, "households.data.csv"), row.names = FALSE, na = "")
estimate("stratified_clusters_fpc", sample_a, ~village, ~cercle, ~weight, ~villages, "region")
estimate("stratified_clusters", sample_a, ~village, ~cercle, ~weight, NULL, "region")
# The same households with the villages ignored: a stratified sample of households.
estimate("stratified_households", sample_a, ~1, ~cercle, ~weight, NULL, "cercle")
