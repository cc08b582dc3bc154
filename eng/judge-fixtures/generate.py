#!/usr/bin/env python3
"""Writes tests/RollbackKit.Tests/Judging/Fixtures/mannwhitneyu.json: Mann-Whitney U cases computed by
scipy.stats.mannwhitneyu, which the judge's tests match (U and p-value to 1e-9). The tests only read the JSON.

Usage (Debian: apt-get install -y python3-scipy, scipy 1.10.1):  /usr/bin/python3 eng/judge-fixtures/generate.py
"""
import json
import math
import os

import numpy as np
import scipy
from scipy.stats import mannwhitneyu
from scipy.stats._mannwhitneyu import _mwu_choose_method

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "RollbackKit.Tests", "Judging", "Fixtures", "mannwhitneyu.json")
ALTERNATIVES = ["two-sided", "greater", "less"]

rng = np.random.default_rng(20261202)
samples = []


def add(name, x, y, alternatives=ALTERNATIVES, continuity=(True,), methods=("auto",)):
    x = [float(v) for v in x]
    y = [float(v) for v in y]
    results = []
    for alternative in alternatives:
        for use_continuity in continuity:
            for method in methods:
                res = mannwhitneyu(x, y, use_continuity=use_continuity, alternative=alternative, method=method)
                chosen = method
                if method == "auto":
                    chosen = _mwu_choose_method(len(x), len(y), np.concatenate([x, y]), method)
                p = float(res.pvalue)
                results.append({
                    "alternative": alternative,
                    "useContinuity": use_continuity,
                    "method": method,
                    "chosenMethod": chosen,
                    "statistic": float(res.statistic),
                    "pvalue": None if math.isnan(p) else p,
                })
    samples.append({"name": name, "x": x, "y": y, "results": results})


def normal(n, loc=100.0, scale=10.0):
    return np.round(rng.normal(loc, scale, n), 6)


# Small samples without ties: exact.
add("exact 3 vs 4", [1.5, 3.2, 7.7], [2.1, 4.4, 5.0, 9.9])
add("exact 5 vs 5 separated", [10, 11, 12, 13, 14], [1, 2, 3, 4, 5])
add("exact 8 vs 8 shifted", normal(8, 110), normal(8, 100))
add("exact 8 vs 40 (one side small)", normal(8, 104), normal(40, 100))
add("exact 2 vs 150", normal(2, 130), normal(150, 100), alternatives=["two-sided", "greater"])
add("exact 6 vs 7 interleaved", [1, 4, 5, 8, 9, 12], [2, 3, 6, 7, 10, 11, 13])
# One-element samples.
add("one element each", [2.0], [1.0])
add("one element vs five", [3.5], [1, 2, 3, 4, 5])
add("one element tie", [5.0], [5.0], continuity=(True, False))
# Ties in small samples: asymptotic with tie correction.
add("small with ties", [1, 2, 2, 3, 5], [2, 3, 3, 4, 6, 6])
add("small with ties, no continuity", [1, 2, 2, 3, 5], [2, 3, 3, 4, 6, 6], continuity=(False,))
# Identical and all-equal samples.
add("identical samples", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
add("all values equal", [4.0] * 12, [4.0] * 9, continuity=(True, False))
# Large samples: asymptotic.
add("large 50 vs 50 no shift", normal(50), normal(50))
add("large 50 vs 50 +10%", normal(50, 110), normal(50, 100))
add("large 500 vs 500 +1%", normal(500, 101), normal(500, 100))
add("large 1000 vs 800 -3%", normal(1000, 97), normal(800, 100))
add("large separated (tiny p)", normal(200, 200, 5), normal(200, 100, 5))
add("large integer-valued (many ties)", rng.integers(0, 10, 300), rng.integers(1, 11, 250), continuity=(True, False))
add("large 9 vs 9 (just asymptotic)", normal(9, 103), normal(9, 100), continuity=(True, False))
# Forced methods.
add("forced exact 6 vs 9", normal(6, 105), normal(9, 100), methods=("exact", "asymptotic"))
add("forced asymptotic 4 vs 5", [1.1, 2.2, 3.3, 9.9], [4.4, 5.5, 6.6, 7.7, 8.8], methods=("asymptotic",), continuity=(True, False))

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w", encoding="utf-8") as f:
    json.dump({"scipy": scipy.__version__, "numpy": np.__version__, "samples": samples}, f, indent=1)
    f.write("\n")
print(f"{sum(len(s['results']) for s in samples)} cases -> {os.path.relpath(OUT, ROOT)}")
