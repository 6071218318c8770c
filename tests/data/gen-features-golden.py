#!/usr/bin/python3
# gen-features-golden.py: expected values for tests/core/test-features.c
#
# Copyright 2026 The Beltwatch developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Recomputes tsfresh's (v0.21) feature definitions with NumPy, SciPy,
# statsmodels and pandas from Debian (run with /usr/bin/python3) and writes
# features-golden.json next to this script. Run it again only when a
# calculator is added; the C test compares against the file to 1e-9 relative.
#
#   /usr/bin/python3 tests/data/gen-features-golden.py

import json
import os

import numpy as np
import pandas as pd
from scipy.signal import welch
from scipy.stats import linregress
from statsmodels.tsa.stattools import acf, pacf


def lengths_where(mask):
    runs, cur = [], 0
    for m in mask:
        if m:
            cur += 1
        else:
            if cur:
                runs.append(cur)
            cur = 0
    if cur:
        runs.append(cur)
    return runs or [0]


def fmt(v):
    return repr(v)


def features(x):
    x = np.asarray(x, dtype=float)
    n = len(x)
    f = {}
    var = np.var(x)
    std = np.std(x)
    mean = np.mean(x)
    uniq, counts = np.unique(x, return_counts=True)

    # parameterless
    f["variance_larger_than_standard_deviation"] = float(var > np.sqrt(var))
    f["has_duplicate"] = float(x.size != uniq.size)
    f["has_duplicate_max"] = float(np.sum(x == np.max(x)) >= 2)
    f["has_duplicate_min"] = float(np.sum(x == np.min(x)) >= 2)
    f["sum_values"] = np.sum(x)
    f["abs_energy"] = np.dot(x, x)
    f["mean_abs_change"] = np.mean(np.abs(np.diff(x)))
    f["mean_change"] = (x[-1] - x[0]) / (n - 1) if n > 1 else np.nan
    f["mean_second_derivative_central"] = (x[-1] - x[-2] - x[1] + x[0]) / (2 * (n - 2)) if n > 2 else np.nan
    f["median"] = np.median(x)
    f["mean"] = mean
    f["length"] = n
    f["standard_deviation"] = std
    f["variation_coefficient"] = np.nan if mean == 0 else std / mean
    f["variance"] = var
    f["skewness"] = pd.Series(x).skew(skipna=False)
    f["kurtosis"] = pd.Series(x).kurtosis()
    f["root_mean_square"] = np.sqrt(np.mean(np.square(x)))
    f["absolute_sum_of_changes"] = np.sum(np.abs(np.diff(x)))
    f["longest_strike_below_mean"] = max(lengths_where(x < mean))
    f["longest_strike_above_mean"] = max(lengths_where(x > mean))
    f["count_above_mean"] = int(np.sum(x > mean))
    f["count_below_mean"] = int(np.sum(x < mean))
    f["last_location_of_maximum"] = 1.0 - np.argmax(x[::-1]) / n
    f["first_location_of_maximum"] = np.argmax(x) / n
    f["last_location_of_minimum"] = 1.0 - np.argmin(x[::-1]) / n
    f["first_location_of_minimum"] = np.argmin(x) / n
    f["percentage_of_reoccurring_values_to_all_values"] = np.sum(counts > 1) / float(counts.shape[0])
    vc = pd.Series(x).value_counts()
    f["percentage_of_reoccurring_datapoints_to_all_datapoints"] = vc[vc > 1].sum() / n
    f["sum_of_reoccurring_values"] = np.sum(uniq[counts > 1])
    f["sum_of_reoccurring_data_points"] = np.sum((counts * uniq)[counts > 1])
    f["ratio_value_number_to_time_series_length"] = uniq.size / n
    f["maximum"] = np.max(x)
    f["absolute_maximum"] = np.max(np.abs(x))
    f["minimum"] = np.min(x)

    for lag in (1, 2, 3):
        if 2 * lag >= n:
            v = 0.0
        else:
            v = np.mean(x[2 * lag:] ** 2 * x[lag:n - lag] - x[lag:n - lag] * x[:n - 2 * lag] ** 2)
        f[f"time_reversal_asymmetry_statistic__lag_{lag}"] = v
    for lag in (1, 2, 3):
        v = 0.0 if 2 * lag >= n else np.mean(x[2 * lag:] * x[lag:n - lag] * x[:n - 2 * lag])
        f[f"c3__lag_{lag}"] = v

    for norm in (True, False):
        y = x
        if norm:
            y = (x - mean) / std if std != 0 else None
        f[f"cid_ce__normalize_{norm}"] = 0.0 if y is None else np.sqrt(np.sum(np.diff(y) ** 2))

    mmd = abs(mean - np.median(x))
    rng = np.max(x) - np.min(x)
    for r in [r * 0.05 for r in range(20)]:
        f[f"symmetry_looking__r_{fmt(r)}"] = float(mmd < r * rng)
    for r in [r * 0.05 for r in range(1, 20)]:
        f[f"large_standard_deviation__r_{fmt(r)}"] = float(std > r * rng)
    for r in [0.5, 1, 1.5, 2, 2.5, 3, 5, 6, 7, 10]:
        f[f"ratio_beyond_r_sigma__r_{r}"] = np.sum(np.abs(x - mean) > r * std) / n

    qs = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9]
    for q in qs:
        f[f"quantile__q_{q}"] = np.quantile(x, q)
    s = np.sum(np.abs(x))
    for q in qs:
        if s == 0:
            f[f"index_mass_quantile__q_{q}"] = np.nan
        else:
            mass = np.cumsum(np.abs(x)) / s
            f[f"index_mass_quantile__q_{q}"] = (np.argmax(mass >= q) + 1) / n

    for lag in range(10):
        if n < lag or np.isclose(var, 0):
            v = np.nan
        else:
            v = np.sum((x[:n - lag] - mean) * (x[lag:] - mean)) / ((n - lag) * var)
        f[f"autocorrelation__lag_{lag}"] = v
    if abs(var) < 1e-10 or n == 1:
        a = np.zeros(n)
    else:
        a = acf(x, adjusted=True, fft=False, nlags=40)[1:]
    for agg in ("mean", "median", "var"):
        f[f'agg_autocorrelation__f_agg_"{agg}"__maxlag_40'] = getattr(np, agg)(a[:40])
    maxlag = 9 if 9 < n // 2 else n // 2 - 1
    p = [np.nan] * 10
    if n > 1 and maxlag > 0:
        p = list(pacf(x, method="ld", nlags=maxlag)) + [np.nan] * (9 - maxlag)
    for lag in range(10):
        f[f"partial_autocorrelation__lag_{lag}"] = p[lag]

    for sup in (1, 3, 5, 10, 50):
        cnt = 0
        for j in range(sup, n - sup):
            if all(x[j] > x[j - i] and x[j] > x[j + i] for i in range(1, sup + 1)):
                cnt += 1
        f[f"number_peaks__n_{sup}"] = cnt
    for m in (0, -1, 1):
        f[f"number_crossing_m__m_{m}"] = np.where(np.diff(x > m))[0].size

    def binned_entropy(y, bins):
        hist, _ = np.histogram(y, bins=bins)
        probs = hist / y.size
        probs = probs[probs > 0]
        return -np.sum(probs * np.log(probs))

    f["binned_entropy__max_bins_10"] = binned_entropy(x, 10)
    for bins in (2, 3, 5, 10, 100):
        edges = np.linspace(np.min(x), np.max(x), bins + 1)[1:]
        seq = np.searchsorted(edges, x, side="left")
        subs, ind, inc = set(), 0, 1
        while ind + inc <= n:
            sub = tuple(seq[ind:ind + inc])
            if sub in subs:
                inc += 1
            else:
                subs.add(sub)
                ind += inc
                inc = 1
        f[f"lempel_ziv_complexity__bins_{bins}"] = len(subs) / n
    for d in range(3, 8):
        if n < d:
            f[f"permutation_entropy__dimension_{d}__tau_1"] = np.nan
            continue
        windows = np.array([x[i:i + d] for i in range(n - d + 1)])
        perms = np.argsort(np.argsort(windows, kind="stable"), kind="stable")
        _, c = np.unique(perms, axis=0, return_counts=True)
        pr = c / len(perms)
        f[f"permutation_entropy__dimension_{d}__tau_1"] = -np.sum(pr * np.log(pr))

    fft = np.fft.rfft(x)
    for attr in ("real", "imag", "abs", "angle"):
        for k in range(100):
            if k >= len(fft):
                v = np.nan
            elif attr == "real":
                v = fft[k].real
            elif attr == "imag":
                v = fft[k].imag
            elif attr == "abs":
                v = np.abs(fft[k])
            else:
                v = np.angle(fft[k], deg=True)
            f[f'fft_coefficient__attr_"{attr}"__coeff_{k}'] = v
    y = np.abs(fft)
    idx = np.arange(len(y), dtype=float)
    mom = lambda k: y.dot(idx ** k) / y.sum()
    c = mom(1)
    v = mom(2) - c ** 2
    f['fft_aggregated__aggtype_"centroid"'] = c
    f['fft_aggregated__aggtype_"variance"'] = v
    f['fft_aggregated__aggtype_"skew"'] = np.nan if v < 0.5 else (mom(3) - 3 * c * v - c ** 3) / v ** 1.5
    f['fft_aggregated__aggtype_"kurtosis"'] = (np.nan if v < 0.5 else
                                               (mom(4) - 4 * c * mom(3) + 6 * mom(2) * c ** 2 - 3 * c) / v ** 2)

    _, pxx = welch(x, nperseg=min(n, 256))
    for k in (2, 5, 8):
        f[f"spkt_welch_density__coeff_{k}"] = pxx[k] if k < len(pxx) else np.nan
    for bins in (2, 3, 5, 10, 100):
        f[f"fourier_entropy__bins_{bins}"] = binned_entropy(pxx / np.max(pxx), bins)

    lr = linregress(range(n), x)
    for attr in ("pvalue", "rvalue", "intercept", "slope", "stderr"):
        f[f'linear_trend__attr_"{attr}"'] = getattr(lr, attr)
    for attr in ("rvalue", "intercept", "slope", "stderr"):
        for cl in (5, 10, 50):
            for agg in ("max", "min", "mean", "var"):
                name = f'agg_linear_trend__attr_"{attr}"__chunk_len_{cl}__f_agg_"{agg}"'
                if cl >= n:
                    f[name] = np.nan
                    continue
                vals = [getattr(x[i * cl:(i + 1) * cl], agg)() for i in range(int(np.ceil(n / cl)))]
                f[name] = getattr(linregress(range(len(vals)), vals), attr)

    levels = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    edges = dict(zip(levels, pd.Series(x).quantile(levels)))
    div = np.diff(x)
    for ql in levels[:-1]:
        for qh in levels[1:]:
            if ql >= qh:
                continue
            lo, hi = edges[ql], edges[qh]
            inside = (x >= lo) & (x <= hi)
            ind = inside[1:] & inside[:-1]
            for isabs in (False, True):
                for agg in ("mean", "var"):
                    name = f'change_quantiles__f_agg_"{agg}"__isabs_{isabs}__qh_{qh}__ql_{ql}'
                    if n < 2 or lo == hi or not ind.any():
                        f[name] = 0.0
                    else:
                        d = np.abs(div) if isabs else div
                        f[name] = getattr(np, agg)(d[ind])

    full = np.sum(x ** 2)
    for i, chunk in enumerate(np.array_split(x, 10)):
        f[f"energy_ratio_by_chunks__num_segments_10__segment_focus_{i}"] = (
            np.nan if full == 0 else np.sum(chunk ** 2.0) / full)

    f["count_above__t_0"] = np.sum(x >= 0) / n
    f["count_below__t_0"] = np.sum(x <= 0) / n
    for v in (0, 1, -1):
        f[f"value_count__value_{v}"] = x[x == v].size
    for lo, hi in ((-1, 1), (-1e12, 0), (0, 1e12)):
        f[f"range_count__max_{hi}__min_{lo}"] = np.sum((x >= lo) & (x < hi))
    f["mean_n_absolute_max__number_of_maxima_7"] = np.mean(np.sort(np.abs(x))[-7:]) if n > 7 else np.nan
    return f


def main():
    rs = np.random.RandomState(20261127)
    t = np.arange(611)
    series = {
        "noise": rs.normal(2.0, 1.5, 600),
        "belt": 2.5 + 0.4 * np.sin(t / 9.0) + 0.05 * rs.normal(size=611) - 2.5 * (t > 600),
        "ties": np.round(rs.normal(0, 2, 300)),
        "short": np.array([3.0, -1.0, 4.0, 1.0, -5.0, 9.0, 2.0, 6.0, 5.0, -3.0, 5.0, 8.0]),
        "spike": np.concatenate([np.linspace(10, 30, 90), [250.0], np.linspace(30, 5, 9)])
                 + 0.01 * rs.normal(size=100),
    }
    out = {"series": {}, "features": {}}
    for name, x in series.items():
        out["series"][name] = [float(v) for v in x]
        out["features"][name] = {k: (None if not np.isfinite(float(v)) else float(v))
                                 for k, v in features(x).items()}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "features-golden.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=0, sort_keys=True)
        fh.write("\n")
    print(f"wrote {path}: {len(series)} series, {len(out['features']['noise'])} features each")


if __name__ == "__main__":
    main()
