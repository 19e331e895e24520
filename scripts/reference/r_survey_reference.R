#!/usr/bin/env Rscript
# Reference values for `sigida estimate`, computed by R's survey package (the reference for
# design-based estimation) on the datasets R ships, in the CSV layout of `sigida estimate`.
# Regenerate:  apt-get install r-cran-survey && Rscript scripts/reference/r_survey_reference.R
# Writes crates/sigida-survey/tests/reference/<case>.csv; the tests compare to 1e-9 and do not
# need R.
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "adjust")
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))))
data_dir <- normalizePath(file.path(here, "../../../shared/data/r-survey-datasets"))
out_dir <- file.path(here, "../../crates/sigida-survey/tests/reference")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

read <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")), stringsAsFactors = FALSE,
                                 check.names = FALSE, na.strings = c("", "NA"))

# One design and its analyses -> rows of variable, option, <by>, estimate, se, ci_low, ci_high, n.
estimate <- function(case, data, ids, strata, weights, fpc, by, means, props, totals, ratios) {
  des <- svydesign(ids = ids, strata = strata, weights = weights, fpc = fpc, data = data, nest = TRUE)
  rows <- list()
  add <- function(variable, option, dom, est, se, n) {
    rows[[length(rows) + 1]] <<- data.frame(variable = variable, option = option, by = dom,
      estimate = est, se = se, ci_low = est - 1.959964 * se, ci_high = est + 1.959964 * se, n = n,
      stringsAsFactors = FALSE)
  }
  counts <- function(ok) { t <- table(data[[by]][ok]); t[t > 0] }
  for (v in means) {
    ok <- !is.na(data[[v]])
    r <- svyby(as.formula(paste0("~`", v, "`")), as.formula(paste0("~`", by, "`")), des[ok, ], svymean, na.rm = TRUE)
    n <- counts(ok)
    add(v, "", as.character(r[[1]]), r[[2]], SE(r), as.vector(n[as.character(r[[1]])]))
  }
  for (v in totals) {
    ok <- !is.na(data[[v]])
    r <- svyby(as.formula(paste0("~`", v, "`")), as.formula(paste0("~`", by, "`")), des[ok, ], svytotal, na.rm = TRUE)
    n <- counts(ok)
    add(v, "total", as.character(r[[1]]), r[[2]], SE(r), as.vector(n[as.character(r[[1]])]))
  }
  for (pair in ratios) {
    num <- pair[1]; den <- pair[2]
    ok <- !is.na(data[[num]]) & !is.na(data[[den]])
    r <- svyby(as.formula(paste0("~`", num, "`")), as.formula(paste0("~`", by, "`")), des[ok, ], svyratio,
               denominator = as.formula(paste0("~`", den, "`")), na.rm = TRUE)
    n <- counts(ok)
    add(paste0(num, "/", den), "ratio", as.character(r[[1]]), r[[2]], SE(r), as.vector(n[as.character(r[[1]])]))
  }
  for (v in props) {
    ok <- !is.na(data[[v]])
    levels <- sort(unique(data[[v]][ok]), method = "radix")
    sub <- des[ok, ]
    sub$variables[[v]] <- factor(sub$variables[[v]], levels = levels)
    r <- svyby(as.formula(paste0("~`", v, "`")), as.formula(paste0("~`", by, "`")), sub, svymean, na.rm = TRUE)
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
  out_fmt <- out
  cat(case, nrow(out), "rows\n")
}

apisrs <- read("apisrs"); apistrat <- read("apistrat"); apiclus1 <- read("apiclus1")
analyses <- list(means = c("api00", "api99", "acs.k3", "growth"), props = c("awards", "sch.wide", "comp.imp"),
                 totals = c("enroll"), ratios = list(c("api00", "api99")))
run <- function(case, data, ids, strata, weights, fpc, by) {
  options(digits = 17)
  do.call(estimate, c(list(case = case, data = data, ids = ids, strata = strata, weights = weights,
                           fpc = fpc, by = by), analyses))
}
run("apisrs_fpc", apisrs, ~1, NULL, ~pw, ~fpc, "stype")
run("apisrs", apisrs, ~1, NULL, ~pw, NULL, "stype")
run("apistrat_fpc", apistrat, ~1, ~stype, ~pw, ~fpc, "both")
run("apistrat", apistrat, ~1, ~stype, ~pw, NULL, "both")
run("apiclus1_fpc", apiclus1, ~dnum, NULL, ~pw, ~fpc, "stype")
run("apiclus1", apiclus1, ~dnum, NULL, ~pw, NULL, "stype")

# Lonely PSUs: strata by county leave many strata with a single school district.
run("apistrat_lonely", apistrat, ~dnum, ~cname, ~pw, NULL, "stype")

# The design effects, Kish's and the design-based one (svymean(deff = TRUE)), for means.
deff_case <- function(case, data, ids, strata, weights, by, vars) {
  des <- svydesign(ids = ids, strata = strata, weights = weights, data = data, nest = TRUE)
  rows <- list()
  for (v in vars) {
    ok <- !is.na(data[[v]])
    r <- svyby(as.formula(paste0("~`", v, "`")), as.formula(paste0("~`", by, "`")), des[ok, ], svymean,
               na.rm = TRUE, deff = TRUE)
    for (level in as.character(r[[1]])) {
      w <- data[[as.character(weights[[2]])]][ok & data[[by]] == level]
      rows[[length(rows) + 1]] <- data.frame(variable = v, by = level, estimate = r[r[[1]] == level, 2],
        deff_kish = length(w) * sum(w^2) / sum(w)^2, deff = r[r[[1]] == level, 4], stringsAsFactors = FALSE)
    }
  }
  out <- do.call(rbind, rows)
  names(out)[names(out) == "by"] <- by
  write.csv(out, file.path(out_dir, paste0(case, ".csv")), row.names = FALSE)
  cat(case, nrow(out), "rows\n")
}
deff_case("apistrat_deff", apistrat, ~1, ~stype, ~pw, "both", c("api00", "acs.k3"))
deff_case("apiclus1_deff", apiclus1, ~dnum, NULL, ~pw, "stype", c("api00", "growth"))

# REACH's MSNA dummy export: strata, clusters and weights of a real tool, select_one,
# integer and select_multiple questions, by admin1.
msna <- read.csv(normalizePath(file.path(data_dir, "../reach-msna-2024/csv_export/dummy_raw_data__main.csv")),
                 stringsAsFactors = FALSE, check.names = FALSE, na.strings = c("", "NA"))
multi <- grep("^aap_priority_challenge/", names(msna), value = TRUE)
msna_des <- svydesign(ids = ~cluster_id, strata = ~stratum, weights = ~weight, data = msna, nest = TRUE)
rows <- list()
add_rows <- function(variable, option, r, est_col, se_col, n) {
  rows[[length(rows) + 1]] <<- data.frame(variable = variable, option = option, admin1 = as.character(r[[1]]),
    estimate = r[[est_col]], se = r[[se_col]], ci_low = r[[est_col]] - 1.959964 * r[[se_col]],
    ci_high = r[[est_col]] + 1.959964 * r[[se_col]], n = as.vector(n[as.character(r[[1]])]), stringsAsFactors = FALSE)
}
for (v in c("resp_age", "hh_size")) {
  ok <- !is.na(msna[[v]])
  r <- svyby(as.formula(paste0("~", v)), ~admin1, msna_des[ok, ], svymean, na.rm = TRUE)
  t <- table(msna$admin1[ok]); add_rows(v, "", r, 2, 3, t[t > 0])
}
for (v in c("setting", "resp_gender")) {
  ok <- !is.na(msna[[v]])
  levels <- sort(unique(msna[[v]][ok]), method = "radix")
  sub <- msna_des[ok, ]; sub$variables[[v]] <- factor(sub$variables[[v]], levels = levels)
  r <- svyby(as.formula(paste0("~", v)), ~admin1, sub, svymean, na.rm = TRUE)
  t <- table(msna$admin1[ok])
  for (j in seq_along(levels)) add_rows(v, levels[j], r, 1 + j, 1 + length(levels) + j, t[t > 0])
}
ok <- rowSums(is.na(msna[, multi, drop = FALSE])) == 0
syn <- make.names(multi)
sub <- msna_des[ok, ]
for (j in seq_along(multi)) sub$variables[[syn[j]]] <- as.numeric(sub$variables[[multi[j]]])
r <- svyby(as.formula(paste("~", paste(syn, collapse = "+"))), ~admin1, sub, svymean, na.rm = TRUE)
t <- table(msna$admin1[ok])
for (j in seq_along(multi)) add_rows("aap_priority_challenge", sub("^aap_priority_challenge/", "", multi[j]), r, 1 + j, 1 + length(multi) + j, t[t > 0])
out <- do.call(rbind, rows)
out <- out[order(out$variable, out$option, out$admin1, method = "radix"), ]
write.csv(out, file.path(out_dir, "msna_dummy.csv"), row.names = FALSE, na = "")
cat("msna_dummy", nrow(out), "rows\n")

# The synthetic household job of ../shared/bench (10 000 rows): its own R peer writes the
# reference, household_10k_r.csv, with
#   python3 ../shared/bench/gen_household.py 10000 hh10k.csv
#   Rscript ../shared/bench/peers/r_survey.R hh10k.csv crates/sigida-survey/tests/reference/household_10k_r.csv
