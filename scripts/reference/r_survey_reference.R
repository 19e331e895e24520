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
