/* bw-features.c: time-series features with tsfresh's names and definitions
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each calculator follows tsfresh's feature_calculators (v0.21) to the
 * letter, including its conventions for short or constant series (NaN or 0)
 * and its population (ddof 0) variance. Sums use NumPy's pairwise summation
 * so that comparisons against means and quantiles fall the same way.
 */
#define G_LOG_DOMAIN "bw-features"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fft_real.h>

#include "bw-error.h"
#include "bw-features.h"

/* ---- the table of calculators ------------------------------------------ */

typedef struct
{
  GPtrArray *names;        /* char*, "quantile__q_0.1" */
  GArray    *families;     /* guint8 */
  GArray    *minimal;      /* gboolean */
  GHashTable *index;       /* name -> index + 1 */
  guint      offset[BW_FEATURE_N_FAMILIES];
  guint      count[BW_FEATURE_N_FAMILIES];
} Table;

static Table *table;

static const double quantile_qs[] = { 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9 };
static const int peak_ns[] = { 1, 3, 5, 10, 50 };
static const int crossing_ms[] = { 0, -1, 1 };
static const int lz_bins[] = { 2, 3, 5, 10, 100 };
static const double beyond_rs[] = { 0.5, 1, 1.5, 2, 2.5, 3, 5, 6, 7, 10 };
static const int welch_coeffs[] = { 2, 5, 8 };
static const int agg_chunk_lens[] = { 5, 10, 50 };
static const char *const agg_attrs[] = { "rvalue", "intercept", "slope", "stderr" };
static const char *const agg_funcs[] = { "max", "min", "mean", "var" };
static const char *const lin_attrs[] = { "pvalue", "rvalue", "intercept", "slope", "stderr" };
static const char *const fft_attrs[] = { "real", "imag", "abs", "angle" };
static const char *const fft_aggtypes[] = { "centroid", "variance", "skew", "kurtosis" };
static const double cq_levels[] = { 0.0, 0.2, 0.4, 0.6, 0.8, 1.0 };

#define N_FFT_COEFFS 100
#define AGG_MAXLAG 40
#define N_ACF_LAGS 10
#define N_CHUNKS 10
#define N_ABS_MAX 7

/**
 * bw_features_format_param:
 *
 * Returns: (transfer full): @value as Python's repr() writes it (`0.1`,
 *   `0.15000000000000002`, `1000000000000.0`, `1e-05`)
 */
char *
bw_features_format_param (double value)
{
  char buf[64], digits[32];
  int exp10, nd = 0;
  gboolean neg;
  GString *s;

  if (isnan (value))
    return g_strdup ("nan");
  if (isinf (value))
    return g_strdup (value > 0 ? "inf" : "-inf");
  if (value == 0)
    return g_strdup (signbit (value) ? "-0.0" : "0.0");

  /* shortest digit string that reads back as the same double */
  for (int p = 1; p <= 17; p++)
    {
      snprintf (buf, sizeof buf, "%.*e", p - 1, value);
      if (strtod (buf, NULL) == value)
        break;
    }
  neg = buf[0] == '-';
  for (const char *c = buf + neg; *c && *c != 'e'; c++)
    if (g_ascii_isdigit (*c))
      digits[nd++] = *c;
  digits[nd] = '\0';
  exp10 = atoi (strchr (buf, 'e') + 1);
  while (nd > 1 && digits[nd - 1] == '0')
    digits[--nd] = '\0';

  s = g_string_new (neg ? "-" : "");
  if (exp10 >= -4 && exp10 < 16)
    {
      if (exp10 < 0)
        {
          g_string_append (s, "0.");
          for (int i = 0; i < -exp10 - 1; i++)
            g_string_append_c (s, '0');
          g_string_append (s, digits);
        }
      else
        {
          for (int i = 0; i <= exp10; i++)
            g_string_append_c (s, i < nd ? digits[i] : '0');
          g_string_append_c (s, '.');
          if (nd > exp10 + 1)
            g_string_append (s, digits + exp10 + 1);
          else
            g_string_append_c (s, '0');
        }
    }
  else
    {
      g_string_append_c (s, digits[0]);
      if (nd > 1)
        {
          g_string_append_c (s, '.');
          g_string_append (s, digits + 1);
        }
      g_string_append_printf (s, "e%c%02d", exp10 < 0 ? '-' : '+', ABS (exp10));
    }
  return g_string_free (s, FALSE);
}

static void
table_add (BwFeatureFamily family,
           gboolean        minimal,
           char           *name)
{
  guint8 f = family;

  g_hash_table_insert (table->index, name, GUINT_TO_POINTER (table->names->len + 1));
  g_ptr_array_add (table->names, name);
  g_array_append_val (table->families, f);
  g_array_append_val (table->minimal, minimal);
  table->count[family]++;
}

static void
table_addf (BwFeatureFamily family,
            const char     *format,
            ...) G_GNUC_PRINTF (2, 3);

static void
table_addf (BwFeatureFamily family,
            const char     *format,
            ...)
{
  va_list args;

  va_start (args, format);
  table_add (family, FALSE, g_strdup_vprintf (format, args));
  va_end (args);
}

static void
table_add_float (BwFeatureFamily family,
                 const char     *prefix,
                 double          value)
{
  g_autofree char *v = bw_features_format_param (value);
  table_add (family, FALSE, g_strconcat (prefix, v, NULL));
}

static void
begin_family (BwFeatureFamily family)
{
  table->offset[family] = table->names->len;
}

static void
build_table (void)
{
  static const char *const basic[] = {
    "variance_larger_than_standard_deviation", "has_duplicate", "has_duplicate_max",
    "has_duplicate_min", "sum_values", "abs_energy", "mean_abs_change", "mean_change",
    "mean_second_derivative_central", "median", "mean", "length", "standard_deviation",
    "variation_coefficient", "variance", "skewness", "kurtosis", "root_mean_square",
    "absolute_sum_of_changes", "longest_strike_below_mean", "longest_strike_above_mean",
    "count_above_mean", "count_below_mean", "last_location_of_maximum",
    "first_location_of_maximum", "last_location_of_minimum", "first_location_of_minimum",
    "percentage_of_reoccurring_values_to_all_values",
    "percentage_of_reoccurring_datapoints_to_all_datapoints", "sum_of_reoccurring_values",
    "sum_of_reoccurring_data_points", "ratio_value_number_to_time_series_length", "maximum",
    "absolute_maximum", "minimum",
  };
  static const char *const minimal[] = {
    "sum_values", "median", "mean", "length", "standard_deviation", "variance",
    "root_mean_square", "maximum", "absolute_maximum", "minimum",
  };

  table = g_new0 (Table, 1);
  table->names = g_ptr_array_new_with_free_func (g_free);
  table->families = g_array_new (FALSE, FALSE, 1);
  table->minimal = g_array_new (FALSE, FALSE, sizeof (gboolean));
  table->index = g_hash_table_new (g_str_hash, g_str_equal);

  begin_family (BW_FEATURE_FAMILY_BASIC);
  for (guint i = 0; i < G_N_ELEMENTS (basic); i++)
    table_add (BW_FEATURE_FAMILY_BASIC, g_strv_contains (minimal, basic[i]), g_strdup (basic[i]));

  begin_family (BW_FEATURE_FAMILY_LAGGED);
  for (int lag = 1; lag <= 3; lag++)
    table_addf (BW_FEATURE_FAMILY_LAGGED, "time_reversal_asymmetry_statistic__lag_%d", lag);
  for (int lag = 1; lag <= 3; lag++)
    table_addf (BW_FEATURE_FAMILY_LAGGED, "c3__lag_%d", lag);

  begin_family (BW_FEATURE_FAMILY_CID);
  table_addf (BW_FEATURE_FAMILY_CID, "cid_ce__normalize_True");
  table_addf (BW_FEATURE_FAMILY_CID, "cid_ce__normalize_False");

  begin_family (BW_FEATURE_FAMILY_SHAPE);
  for (int r = 0; r < 20; r++)
    table_add_float (BW_FEATURE_FAMILY_SHAPE, "symmetry_looking__r_", r * 0.05);
  for (int r = 1; r < 20; r++)
    table_add_float (BW_FEATURE_FAMILY_SHAPE, "large_standard_deviation__r_", r * 0.05);
  for (guint i = 0; i < G_N_ELEMENTS (beyond_rs); i++)
    {
      if (beyond_rs[i] == floor (beyond_rs[i]))
        table_addf (BW_FEATURE_FAMILY_SHAPE, "ratio_beyond_r_sigma__r_%d", (int) beyond_rs[i]);
      else
        table_add_float (BW_FEATURE_FAMILY_SHAPE, "ratio_beyond_r_sigma__r_", beyond_rs[i]);
    }

  begin_family (BW_FEATURE_FAMILY_QUANTILE);
  for (guint i = 0; i < G_N_ELEMENTS (quantile_qs); i++)
    table_add_float (BW_FEATURE_FAMILY_QUANTILE, "quantile__q_", quantile_qs[i]);
  for (guint i = 0; i < G_N_ELEMENTS (quantile_qs); i++)
    table_add_float (BW_FEATURE_FAMILY_QUANTILE, "index_mass_quantile__q_", quantile_qs[i]);

  begin_family (BW_FEATURE_FAMILY_AUTOCORRELATION);
  for (int lag = 0; lag < N_ACF_LAGS; lag++)
    table_addf (BW_FEATURE_FAMILY_AUTOCORRELATION, "autocorrelation__lag_%d", lag);
  for (guint i = 0; i < 3; i++)
    table_addf (BW_FEATURE_FAMILY_AUTOCORRELATION, "agg_autocorrelation__f_agg_\"%s\"__maxlag_%d",
                (const char *[]) { "mean", "median", "var" }[i], AGG_MAXLAG);
  for (int lag = 0; lag < N_ACF_LAGS; lag++)
    table_addf (BW_FEATURE_FAMILY_AUTOCORRELATION, "partial_autocorrelation__lag_%d", lag);

  begin_family (BW_FEATURE_FAMILY_PEAKS);
  for (guint i = 0; i < G_N_ELEMENTS (peak_ns); i++)
    table_addf (BW_FEATURE_FAMILY_PEAKS, "number_peaks__n_%d", peak_ns[i]);
  for (guint i = 0; i < G_N_ELEMENTS (crossing_ms); i++)
    table_addf (BW_FEATURE_FAMILY_PEAKS, "number_crossing_m__m_%d", crossing_ms[i]);

  begin_family (BW_FEATURE_FAMILY_ENTROPY);
  table_addf (BW_FEATURE_FAMILY_ENTROPY, "binned_entropy__max_bins_10");
  for (guint i = 0; i < G_N_ELEMENTS (lz_bins); i++)
    table_addf (BW_FEATURE_FAMILY_ENTROPY, "lempel_ziv_complexity__bins_%d", lz_bins[i]);
  for (int d = 3; d <= 7; d++)
    table_addf (BW_FEATURE_FAMILY_ENTROPY, "permutation_entropy__dimension_%d__tau_1", d);

  begin_family (BW_FEATURE_FAMILY_FFT);
  for (guint a = 0; a < G_N_ELEMENTS (fft_attrs); a++)
    for (int k = 0; k < N_FFT_COEFFS; k++)
      table_addf (BW_FEATURE_FAMILY_FFT, "fft_coefficient__attr_\"%s\"__coeff_%d", fft_attrs[a], k);
  for (guint a = 0; a < G_N_ELEMENTS (fft_aggtypes); a++)
    table_addf (BW_FEATURE_FAMILY_FFT, "fft_aggregated__aggtype_\"%s\"", fft_aggtypes[a]);

  begin_family (BW_FEATURE_FAMILY_WELCH);
  for (guint i = 0; i < G_N_ELEMENTS (welch_coeffs); i++)
    table_addf (BW_FEATURE_FAMILY_WELCH, "spkt_welch_density__coeff_%d", welch_coeffs[i]);
  for (guint i = 0; i < G_N_ELEMENTS (lz_bins); i++)
    table_addf (BW_FEATURE_FAMILY_WELCH, "fourier_entropy__bins_%d", lz_bins[i]);

  begin_family (BW_FEATURE_FAMILY_TREND);
  for (guint a = 0; a < G_N_ELEMENTS (lin_attrs); a++)
    table_addf (BW_FEATURE_FAMILY_TREND, "linear_trend__attr_\"%s\"", lin_attrs[a]);
  for (guint a = 0; a < G_N_ELEMENTS (agg_attrs); a++)
    for (guint c = 0; c < G_N_ELEMENTS (agg_chunk_lens); c++)
      for (guint f = 0; f < G_N_ELEMENTS (agg_funcs); f++)
        table_addf (BW_FEATURE_FAMILY_TREND,
                    "agg_linear_trend__attr_\"%s\"__chunk_len_%d__f_agg_\"%s\"",
                    agg_attrs[a], agg_chunk_lens[c], agg_funcs[f]);

  begin_family (BW_FEATURE_FAMILY_CHANGE_QUANTILES);
  for (guint l = 0; l < 5; l++)
    for (guint h = 1; h < 6; h++)
      for (int b = 0; b < 2; b++)
        for (int f = 0; f < 2; f++)
          {
            g_autofree char *ql = NULL, *qh = NULL;

            if (cq_levels[l] >= cq_levels[h])
              continue;
            ql = bw_features_format_param (cq_levels[l]);
            qh = bw_features_format_param (cq_levels[h]);
            table_addf (BW_FEATURE_FAMILY_CHANGE_QUANTILES,
                        "change_quantiles__f_agg_\"%s\"__isabs_%s__qh_%s__ql_%s",
                        f ? "var" : "mean", b ? "True" : "False", qh, ql);
          }

  begin_family (BW_FEATURE_FAMILY_CHUNKS);
  for (int i = 0; i < N_CHUNKS; i++)
    table_addf (BW_FEATURE_FAMILY_CHUNKS,
                "energy_ratio_by_chunks__num_segments_%d__segment_focus_%d", N_CHUNKS, i);

  begin_family (BW_FEATURE_FAMILY_COUNTS);
  table_addf (BW_FEATURE_FAMILY_COUNTS, "count_above__t_0");
  table_addf (BW_FEATURE_FAMILY_COUNTS, "count_below__t_0");
  table_addf (BW_FEATURE_FAMILY_COUNTS, "value_count__value_0");
  table_addf (BW_FEATURE_FAMILY_COUNTS, "value_count__value_1");
  table_addf (BW_FEATURE_FAMILY_COUNTS, "value_count__value_-1");
  table_addf (BW_FEATURE_FAMILY_COUNTS, "range_count__max_1__min_-1");
  table_addf (BW_FEATURE_FAMILY_COUNTS, "range_count__max_0__min_-1000000000000.0");
  table_addf (BW_FEATURE_FAMILY_COUNTS, "range_count__max_1000000000000.0__min_0");
  table_addf (BW_FEATURE_FAMILY_COUNTS, "mean_n_absolute_max__number_of_maxima_%d", N_ABS_MAX);
}

static Table *
get_table (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      build_table ();
      g_once_init_leave (&done, 1);
    }
  return table;
}

guint
bw_features_get_n_calculators (void)
{
  return get_table ()->names->len;
}

const char *
bw_features_get_calculator (guint index)
{
  Table *t = get_table ();

  g_return_val_if_fail (index < t->names->len, NULL);
  return g_ptr_array_index (t->names, index);
}

BwFeatureFamily
bw_features_get_family (guint index)
{
  Table *t = get_table ();

  g_return_val_if_fail (index < t->names->len, 0);
  return g_array_index (t->families, guint8, index);
}

gboolean
bw_features_is_minimal (guint index)
{
  Table *t = get_table ();

  g_return_val_if_fail (index < t->names->len, FALSE);
  return g_array_index (t->minimal, gboolean, index);
}

/**
 * bw_features_find_calculator:
 *
 * Returns: the index of the calculator called @name, or -1
 */
int
bw_features_find_calculator (const char *name)
{
  return (int) GPOINTER_TO_UINT (g_hash_table_lookup (get_table ()->index, name)) - 1;
}

/* ---- numerical helpers -------------------------------------------------- */

/* NumPy's pairwise summation (numpy/core/src/umath/loops_utils.h) */
static double
np_sum (const double *a,
        gsize         n)
{
  if (n < 8)
    {
      double res = 0.;
      for (gsize i = 0; i < n; i++)
        res += a[i];
      return res;
    }
  else if (n <= 128)
    {
      double r[8], res;
      gsize i;

      for (int j = 0; j < 8; j++)
        r[j] = a[j];
      for (i = 8; i < n - (n % 8); i += 8)
        for (int j = 0; j < 8; j++)
          r[j] += a[i + j];
      res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++)
        res += a[i];
      return res;
    }
  else
    {
      gsize n2 = n / 2;
      n2 -= n2 % 8;
      return np_sum (a, n2) + np_sum (a + n2, n - n2);
    }
}

static double
np_mean (const double *a,
         gsize         n)
{
  return n ? np_sum (a, n) / (double) n : NAN;
}

/* np.var (ddof 0); @tmp holds n doubles */
static double
np_var (const double *a,
        gsize         n,
        double       *tmp)
{
  double m;

  if (n == 0)
    return NAN;
  m = np_mean (a, n);
  for (gsize i = 0; i < n; i++)
    tmp[i] = (a[i] - m) * (a[i] - m);
  return np_sum (tmp, n) / (double) n;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* np.quantile, method "linear", on sorted values */
static double
np_quantile_sorted (const double *s,
                    gsize         n,
                    double        q)
{
  double virt, gamma, a, b, diff;
  gsize lo, hi;

  if (n == 0)
    return NAN;
  virt = (1.0 + q * (double) (n - 1)) - 1.0;
  lo = (gsize) floor (virt);
  if (lo > n - 1)
    lo = n - 1;
  hi = MIN (lo + 1, n - 1);
  gamma = virt - (double) lo;
  a = s[lo];
  b = s[hi];
  diff = b - a;
  if (gamma >= 0.5)
    return b - diff * (1.0 - gamma);
  return a + diff * gamma;
}

/* np.median on sorted values */
static double
np_median_sorted (const double *s,
                  gsize         n)
{
  if (n == 0)
    return NAN;
  if (n % 2)
    return s[n / 2];
  return (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

typedef struct
{
  double slope, intercept, rvalue, pvalue, stderr_;
} LinReg;

/* scipy.stats.linregress (x = 0 … n-1) */
static void
linregress (const double *y,
            gsize         n,
            double       *tmp,
            LinReg       *out)
{
  double xmean, ymean, ssxm = 0, ssxym = 0, ssym = 0, r;

  if (n < 2)
    {
      out->slope = out->intercept = out->rvalue = out->pvalue = out->stderr_ = NAN;
      return;
    }
  xmean = (double) (n - 1) / 2.0;
  ymean = np_mean (y, n);
  for (gsize i = 0; i < n; i++)
    {
      double dx = (double) i - xmean, dy = y[i] - ymean;
      ssxm += dx * dx;
      ssxym += dx * dy;
      tmp[i] = dy * dy;
    }
  ssym = np_sum (tmp, n);
  ssxm /= (double) n;
  ssxym /= (double) n;
  ssym /= (double) n;

  if (ssxm == 0 || ssym == 0)
    r = 0.0;
  else
    {
      r = ssxym / sqrt (ssxm * ssym);
      if (r > 1.0)
        r = 1.0;
      else if (r < -1.0)
        r = -1.0;
    }
  out->rvalue = r;
  out->slope = ssxym / ssxm;
  out->intercept = ymean - out->slope * xmean;
  if (n == 2)
    {
      out->pvalue = y[0] == y[1] ? 1.0 : 0.0;
      out->stderr_ = 0.0;
    }
  else
    {
      double df = (double) n - 2, t;

      t = r * sqrt (df / ((1.0 - r) * (1.0 + r) + 1e-20));
      out->pvalue = 2.0 * gsl_cdf_tdist_Q (fabs (t), df);
      out->stderr_ = sqrt ((1 - r * r) * ssym / ssxm / df);
    }
}

/* np.histogram(x, bins) counts for equal-width bins over [min, max] */
static void
np_histogram (const double *x,
              gsize         n,
              guint         bins,
              guint        *counts)
{
  double lo = INFINITY, hi = -INFINITY, norm, *edges;

  memset (counts, 0, bins * sizeof (guint));
  if (n == 0)
    return;
  for (gsize i = 0; i < n; i++)
    {
      lo = MIN (lo, x[i]);
      hi = MAX (hi, x[i]);
    }
  if (lo == hi)
    {
      lo -= 0.5;
      hi += 0.5;
    }
  edges = g_newa (double, bins + 1);
  for (guint i = 0; i <= bins; i++)
    edges[i] = lo + (double) i * ((hi - lo) / bins);
  edges[bins] = hi;
  norm = bins / (hi - lo);
  for (gsize i = 0; i < n; i++)
    {
      long k = (long) ((x[i] - lo) * norm);
      if (k == (long) bins)
        k--;
      if (x[i] < edges[k])
        k--;
      else if (k != (long) bins - 1 && x[i] >= edges[k + 1])
        k++;
      counts[k]++;
    }
}

static double
binned_entropy (const double *x,
                gsize         n,
                guint         bins)
{
  guint *counts = g_newa (guint, bins);
  double h = 0;

  if (n == 0)
    return NAN;
  np_histogram (x, n, bins, counts);
  for (guint i = 0; i < bins; i++)
    if (counts[i] > 0)
      {
        double p = (double) counts[i] / (double) n;
        h += p * log (p);
      }
  return -h;
}

/* rfft: n/2+1 complex values into re[], im[] */
static void
rfft (const double *x,
      gsize         n,
      double       *re,
      double       *im)
{
  gsl_fft_real_wavetable *wt;
  gsl_fft_real_workspace *ws;
  double *data = g_new (double, n);
  gsize nc = n / 2 + 1;

  memcpy (data, x, n * sizeof (double));
  if (n > 1)
    {
      wt = gsl_fft_real_wavetable_alloc (n);
      ws = gsl_fft_real_workspace_alloc (n);
      gsl_fft_real_transform (data, 1, n, wt, ws);
      gsl_fft_real_wavetable_free (wt);
      gsl_fft_real_workspace_free (ws);
    }
  re[0] = data[0];
  im[0] = 0;
  for (gsize k = 1; k < nc; k++)
    {
      if (n % 2 == 0 && k == n / 2)
        {
          re[k] = data[n - 1];
          im[k] = 0;
        }
      else
        {
          re[k] = data[2 * k - 1];
          im[k] = data[2 * k];
        }
    }
  g_free (data);
}

/* scipy.signal.welch(x, nperseg=min(n, 256)) with its defaults: periodic
 * Hann window, half overlap, constant detrend, density scaling, one-sided */
static double *
welch (const double *x,
       gsize         n,
       gsize        *out_len)
{
  gsize nper = MIN (n, 256), step, nseg, nf;
  double *win, *seg, *re, *im, *pxx, scale = 0;

  nf = nper / 2 + 1;
  *out_len = nf;
  step = nper - nper / 2;
  nseg = (n - nper / 2) / step;
  win = g_new (double, nper);
  seg = g_new (double, nper);
  re = g_new (double, nf);
  im = g_new (double, nf);
  pxx = g_new0 (double, nf);
  for (gsize i = 0; i < nper; i++)
    {
      win[i] = nper > 1 ? 0.5 - 0.5 * cos (2.0 * G_PI * (double) i / (double) nper) : 1.0;
      scale += win[i] * win[i];
    }
  scale = 1.0 / scale;
  for (gsize s = 0; s < nseg; s++)
    {
      const double *xs = x + s * step;
      double m = np_mean (xs, nper);

      for (gsize i = 0; i < nper; i++)
        seg[i] = (xs[i] - m) * win[i];
      rfft (seg, nper, re, im);
      for (gsize k = 0; k < nf; k++)
        {
          double p = (re[k] * re[k] + im[k] * im[k]) * scale;
          if (k > 0 && !(nper % 2 == 0 && k == nf - 1))
            p *= 2;
          pxx[k] += p;
        }
    }
  for (gsize k = 0; k < nf; k++)
    pxx[k] /= (double) nseg;
  g_free (win);
  g_free (seg);
  g_free (re);
  g_free (im);
  return pxx;
}

/* ---- families ------------------------------------------------------------ */

typedef struct
{
  const double *x;
  gsize n;
  double *sorted;      /* x sorted ascending */
  double *tmp;         /* n scratch doubles */
  double mean, var, std, min, max;
} Series;

static gsize
longest_run (const double *x,
             gsize         n,
             double        m,
             gboolean      above)
{
  gsize best = 0, cur = 0;

  for (gsize i = 0; i < n; i++)
    {
      gboolean in = above ? x[i] > m : x[i] < m;
      cur = in ? cur + 1 : 0;
      best = MAX (best, cur);
    }
  return best;
}

static void
family_basic (const Series *s,
              double       *o)
{
  const double *x = s->x;
  gsize n = s->n, nu = 0, n_max = 0, n_min = 0, reoc_values = 0, reoc_points = 0;
  gsize argmax_first = 0, argmax_last = 0, argmin_first = 0, argmin_last = 0;
  double sum_reoc_values = 0, sum_reoc_points = 0, abs_sum = 0, m2 = 0, m3 = 0, m4 = 0;
  double *t = s->tmp;
  int k = 0;

  for (gsize i = 0; i < n; i++)
    {
      if (x[i] == s->max)
        {
          n_max++;
          if (n_max == 1)
            argmax_first = i;
          argmax_last = i;
        }
      if (x[i] == s->min)
        {
          n_min++;
          if (n_min == 1)
            argmin_first = i;
          argmin_last = i;
        }
    }
  for (gsize i = 0; i < n;)
    {
      gsize j = i;
      while (j < n && s->sorted[j] == s->sorted[i])
        j++;
      nu++;
      if (j - i > 1)
        {
          reoc_values++;
          reoc_points += j - i;
          sum_reoc_values += s->sorted[i];
          sum_reoc_points += (double) (j - i) * s->sorted[i];
        }
      i = j;
    }

  o[k++] = s->var > sqrt (s->var);
  o[k++] = nu != n;
  o[k++] = n_max >= 2;
  o[k++] = n_min >= 2;
  o[k++] = np_sum (x, n);
  for (gsize i = 0; i < n; i++)
    t[i] = x[i] * x[i];
  o[k++] = np_sum (t, n);
  for (gsize i = 1; i < n; i++)
    t[i - 1] = fabs (x[i] - x[i - 1]);
  abs_sum = n > 1 ? np_sum (t, n - 1) : 0.0;
  o[k++] = n > 1 ? abs_sum / (double) (n - 1) : NAN;
  o[k++] = n > 1 ? (x[n - 1] - x[0]) / (double) (n - 1) : NAN;
  o[k++] = n > 2 ? (x[n - 1] - x[n - 2] - x[1] + x[0]) / (2.0 * (double) (n - 2)) : NAN;
  o[k++] = np_median_sorted (s->sorted, n);
  o[k++] = s->mean;
  o[k++] = (double) n;
  o[k++] = s->std;
  o[k++] = s->mean == 0 ? NAN : s->std / s->mean;
  o[k++] = s->var;

  /* pandas' bias-corrected skewness and kurtosis (nanops.nanskew/nankurt) */
  for (gsize i = 0; i < n; i++)
    t[i] = (x[i] - s->mean) * (x[i] - s->mean);
  m2 = np_sum (t, n);
  for (gsize i = 0; i < n; i++)
    t[i] = (x[i] - s->mean) * (x[i] - s->mean) * (x[i] - s->mean);
  m3 = np_sum (t, n);
  for (gsize i = 0; i < n; i++)
    {
      double a2 = (x[i] - s->mean) * (x[i] - s->mean);
      t[i] = a2 * a2;
    }
  m4 = np_sum (t, n);
  {
    double cnt = (double) n, m2z = fabs (m2) < 1e-14 ? 0 : m2, m3z = fabs (m3) < 1e-14 ? 0 : m3;
    double num, den, adj;

    if (n < 3)
      o[k++] = NAN;
    else if (m2z == 0)
      o[k++] = 0;
    else
      o[k++] = (cnt * sqrt (cnt - 1) / (cnt - 2)) * (m3z / pow (m2z, 1.5));

    adj = 3 * (cnt - 1) * (cnt - 1) / ((cnt - 2) * (cnt - 3));
    num = cnt * (cnt + 1) * (cnt - 1) * m4;
    den = (cnt - 2) * (cnt - 3) * m2 * m2;
    num = fabs (num) < 1e-14 ? 0 : num;
    den = fabs (den) < 1e-14 ? 0 : den;
    if (n < 4)
      o[k++] = NAN;
    else if (den == 0)
      o[k++] = 0;
    else
      o[k++] = num / den - adj;
  }

  for (gsize i = 0; i < n; i++)
    t[i] = x[i] * x[i];
  o[k++] = n > 0 ? sqrt (np_sum (t, n) / (double) n) : NAN;
  o[k++] = abs_sum;
  o[k++] = (double) longest_run (x, n, s->mean, FALSE);
  o[k++] = (double) longest_run (x, n, s->mean, TRUE);
  {
    gsize above = 0, below = 0;
    for (gsize i = 0; i < n; i++)
      {
        above += x[i] > s->mean;
        below += x[i] < s->mean;
      }
    o[k++] = (double) above;
    o[k++] = (double) below;
  }
  o[k++] = n ? (double) (argmax_last + 1) / (double) n : NAN;
  o[k++] = n ? (double) argmax_first / (double) n : NAN;
  o[k++] = n ? (double) (argmin_last + 1) / (double) n : NAN;
  o[k++] = n ? (double) argmin_first / (double) n : NAN;
  o[k++] = n ? (double) reoc_values / (double) nu : NAN;
  o[k++] = n ? (double) reoc_points / (double) n : NAN;
  o[k++] = sum_reoc_values;
  o[k++] = sum_reoc_points;
  o[k++] = n ? (double) nu / (double) n : NAN;
  o[k++] = s->max;
  o[k++] = MAX (fabs (s->max), fabs (s->min));
  o[k++] = s->min;
  g_assert (k == (int) table->count[BW_FEATURE_FAMILY_BASIC]);
}

static void
family_lagged (const Series *s,
               double       *o)
{
  const double *x = s->x;
  gsize n = s->n;
  int k = 0;

  for (gsize lag = 1; lag <= 3; lag++)
    {
      if (2 * lag >= n)
        o[k++] = 0.0;
      else
        {
          gsize m = n - 2 * lag;
          for (gsize i = 0; i < m; i++)
            s->tmp[i] = x[i + 2 * lag] * x[i + 2 * lag] * x[i + lag] - x[i + lag] * x[i] * x[i];
          o[k++] = np_mean (s->tmp, m);
        }
    }
  for (gsize lag = 1; lag <= 3; lag++)
    {
      if (2 * lag >= n)
        o[k++] = 0.0;
      else
        {
          gsize m = n - 2 * lag;
          for (gsize i = 0; i < m; i++)
            s->tmp[i] = x[i + 2 * lag] * x[i + lag] * x[i];
          o[k++] = np_mean (s->tmp, m);
        }
    }
}

static double
cid_ce (const Series *s,
        gboolean      normalize)
{
  const double *x = s->x;
  double sum = 0;

  if (normalize && s->std == 0)
    return 0.0;
  for (gsize i = 1; i < s->n; i++)
    {
      double d = normalize ? (x[i] - s->mean) / s->std - (x[i - 1] - s->mean) / s->std
                           : x[i] - x[i - 1];
      s->tmp[i - 1] = d * d;
    }
  if (s->n > 1)
    sum = np_sum (s->tmp, s->n - 1);
  return sqrt (sum);
}

static void
family_cid (const Series *s,
            double       *o)
{
  o[0] = cid_ce (s, TRUE);
  o[1] = cid_ce (s, FALSE);
}

static void
family_shape (const Series *s,
              double       *o)
{
  double med = np_median_sorted (s->sorted, s->n), range = s->max - s->min;
  double mmd = fabs (s->mean - med);
  int k = 0;

  for (int r = 0; r < 20; r++)
    o[k++] = mmd < (r * 0.05) * range;
  for (int r = 1; r < 20; r++)
    o[k++] = s->std > (r * 0.05) * range;
  for (guint i = 0; i < G_N_ELEMENTS (beyond_rs); i++)
    {
      gsize c = 0;
      for (gsize j = 0; j < s->n; j++)
        c += fabs (s->x[j] - s->mean) > beyond_rs[i] * s->std;
      o[k++] = (double) c / (double) s->n;
    }
}

static void
family_quantile (const Series *s,
                 double       *o)
{
  double total;
  int k = 0;

  for (guint i = 0; i < G_N_ELEMENTS (quantile_qs); i++)
    o[k++] = np_quantile_sorted (s->sorted, s->n, quantile_qs[i]);

  for (gsize i = 0; i < s->n; i++)
    s->tmp[i] = fabs (s->x[i]);
  total = np_sum (s->tmp, s->n);
  for (guint i = 0; i < G_N_ELEMENTS (quantile_qs); i++)
    {
      double cum = 0;
      gsize j;

      if (total == 0)
        {
          o[k++] = NAN;
          continue;
        }
      for (j = 0; j < s->n; j++)
        {
          cum += s->tmp[j];
          if (cum / total >= quantile_qs[i])
            break;
        }
      if (j == s->n)
        j = 0;   /* np.argmax of all-False */
      o[k++] = (double) (j + 1) / (double) s->n;
    }
}

static int
cmp_double_nan_last (const void *a,
                     const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  if (isnan (x))
    return isnan (y) ? 0 : 1;
  if (isnan (y))
    return -1;
  return (x > y) - (x < y);
}

static void
family_autocorrelation (const Series *s,
                        double       *o)
{
  const double *x = s->x;
  gsize n = s->n;
  double acov[AGG_MAXLAG + 1], acf[AGG_MAXLAG];
  gsize nlags;
  int k = 0;

  /* autocorrelation(x, lag) */
  for (gsize lag = 0; lag < N_ACF_LAGS; lag++)
    {
      double sp;

      if (n < lag || fabs (s->var) <= 1e-8)
        {
          o[k++] = NAN;
          continue;
        }
      for (gsize i = 0; i + lag < n; i++)
        s->tmp[i] = (x[i] - s->mean) * (x[i + lag] - s->mean);
      sp = n > lag ? np_sum (s->tmp, n - lag) : 0.0;
      o[k++] = sp / ((double) (n - lag) * s->var);
    }

  /* statsmodels acovf(adjusted=True): sum_t xo[t] xo[t+l] / (n - l) */
  nlags = MIN ((gsize) AGG_MAXLAG, n > 0 ? n - 1 : 0);
  for (gsize l = 0; l <= nlags; l++)
    {
      double sum = 0;
      for (gsize i = 0; i + l < n; i++)
        sum += (x[i] - s->mean) * (x[i + l] - s->mean);
      acov[l] = sum / (double) (n - l);
    }

  /* agg_autocorrelation: mean, median, var of acf lags 1..maxlag */
  {
    gsize na;
    double sorted[AGG_MAXLAG], tmp[AGG_MAXLAG];

    if (fabs (s->var) < 1e-10 || n == 1)
      {
        na = MIN ((gsize) AGG_MAXLAG, n);
        for (gsize i = 0; i < na; i++)
          acf[i] = 0;
      }
    else
      {
        na = nlags;
        for (gsize i = 0; i < na; i++)
          acf[i] = acov[i + 1] / acov[0];
      }
    memcpy (sorted, acf, na * sizeof (double));
    qsort (sorted, na, sizeof (double), cmp_double_nan_last);
    o[k++] = na ? np_mean (acf, na) : NAN;
    o[k++] = na ? np_median_sorted (sorted, na) : NAN;
    o[k++] = na ? np_var (acf, na, tmp) : NAN;
  }

  /* partial_autocorrelation: Levinson-Durbin on the adjusted autocovariance */
  {
    gsize maxlag;
    double phi[N_ACF_LAGS][N_ACF_LAGS] = { { 0 } }, sig[N_ACF_LAGS] = { 0 }, pacf[N_ACF_LAGS];

    for (gsize i = 0; i < N_ACF_LAGS; i++)
      pacf[i] = NAN;
    if (n > 1)
      {
        maxlag = N_ACF_LAGS - 1;
        if (maxlag >= n / 2)
          maxlag = n / 2 - 1;
        if (maxlag > 0)
          {
            phi[1][1] = acov[1] / acov[0];
            sig[1] = acov[0] - phi[1][1] * acov[1];
            for (gsize kk = 2; kk <= maxlag; kk++)
              {
                double dot = 0;
                for (gsize j = 1; j < kk; j++)
                  dot += phi[j][kk - 1] * acov[kk - j];
                phi[kk][kk] = (acov[kk] - dot) / sig[kk - 1];
                for (gsize j = 1; j < kk; j++)
                  phi[j][kk] = phi[j][kk - 1] - phi[kk][kk] * phi[kk - j][kk - 1];
                sig[kk] = sig[kk - 1] * (1 - phi[kk][kk] * phi[kk][kk]);
              }
            pacf[0] = 1.0;
            for (gsize j = 1; j <= maxlag; j++)
              pacf[j] = phi[j][j];
          }
      }
    for (gsize i = 0; i < N_ACF_LAGS; i++)
      o[k++] = pacf[i];
  }
}

static void
family_peaks (const Series *s,
              double       *o)
{
  const double *x = s->x;
  gsize n = s->n;
  int k = 0;

  for (guint p = 0; p < G_N_ELEMENTS (peak_ns); p++)
    {
      gsize support = peak_ns[p], count = 0;

      for (gsize j = support; j + support < n; j++)
        {
          gboolean peak = TRUE;
          for (gsize i = 1; i <= support && peak; i++)
            peak = x[j] > x[j - i] && x[j] > x[j + i];
          count += peak;
        }
      o[k++] = (double) count;
    }
  for (guint c = 0; c < G_N_ELEMENTS (crossing_ms); c++)
    {
      gsize count = 0;
      for (gsize i = 1; i < n; i++)
        count += (x[i] > crossing_ms[c]) != (x[i - 1] > crossing_ms[c]);
      o[k++] = (double) count;
    }
}

/* substrings of the symbol sequence, as (start, length) into it */
typedef struct
{
  const char *seq;
  gsize       start, len;
} Sub;

static guint
sub_hash (gconstpointer p)
{
  const Sub *k = p;
  guint h = 2166136261u;

  for (gsize i = 0; i < k->len; i++)
    h = (h ^ (guchar) k->seq[k->start + i]) * 16777619u;
  return h;
}

static gboolean
sub_equal (gconstpointer a,
           gconstpointer b)
{
  const Sub *x = a, *y = b;
  return x->len == y->len && memcmp (x->seq + x->start, y->seq + y->start, x->len) == 0;
}

static double
lempel_ziv (const Series *s,
            int           bins)
{
  const double *x = s->x;
  gsize n = s->n, ind = 0, inc = 1, n_sub = 0;
  double *edges = g_newa (double, bins + 1), step;
  char *seq;
  Sub *subs;
  GHashTable *seen;

  if (n == 0)
    return NAN;
  /* np.linspace(min, max, bins + 1)[1:] */
  step = (s->max - s->min) / bins;
  for (int i = 0; i <= bins; i++)
    edges[i] = (double) i * step + s->min;
  edges[bins] = s->max;
  seq = g_malloc (n + 1);
  for (gsize i = 0; i < n; i++)
    {
      /* searchsorted(edges[1:], x, "left"): how many edges lie strictly below x */
      int lo = 0, hi = bins;
      while (lo < hi)
        {
          int mid = (lo + hi) / 2;
          if (edges[mid + 1] < x[i])
            lo = mid + 1;
          else
            hi = mid;
        }
      seq[i] = (char) (lo + 1);
    }
  seq[n] = '\0';
  subs = g_new (Sub, n + 1);   /* at most one new substring per symbol */
  seen = g_hash_table_new (sub_hash, sub_equal);
  while (ind + inc <= n)
    {
      Sub probe = { seq, ind, inc };
      if (g_hash_table_contains (seen, &probe))
        inc++;
      else
        {
          subs[n_sub] = probe;
          g_hash_table_add (seen, &subs[n_sub]);
          n_sub++;
          ind += inc;
          inc = 1;
        }
    }
  g_hash_table_unref (seen);
  g_free (subs);
  g_free (seq);
  return (double) n_sub / (double) n;
}

static double
permutation_entropy (const Series *s,
                     int           dim)
{
  gsize n = s->n, m;
  guint counts[5040] = { 0 };   /* 7! ordinal patterns at most */
  double h = 0;

  if (n < (gsize) dim)
    return NAN;
  m = n - dim + 1;
  for (gsize w = 0; w < m; w++)
    {
      const double *v = s->x + w;
      guint rank[8], code = 0;

      /* rank of each element, ties broken by position (a stable argsort) */
      for (int i = 0; i < dim; i++)
        {
          rank[i] = 0;
          for (int j = 0; j < dim; j++)
            rank[i] += v[j] < v[i] || (v[j] == v[i] && j < i);
        }
      /* the pattern's index among the dim! permutations (Lehmer code) */
      for (int i = 0; i < dim; i++)
        {
          guint smaller = 0;
          for (int j = i + 1; j < dim; j++)
            smaller += rank[j] < rank[i];
          code = code * (dim - i) + smaller;
        }
      counts[code]++;
    }
  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    if (counts[c])
      {
        double p = (double) counts[c] / (double) m;
        h += p * log (p);
      }
  return -h;
}

static void
family_entropy (const Series *s,
                double       *o)
{
  int k = 0;

  o[k++] = binned_entropy (s->x, s->n, 10);
  for (guint i = 0; i < G_N_ELEMENTS (lz_bins); i++)
    o[k++] = lempel_ziv (s, lz_bins[i]);
  for (int d = 3; d <= 7; d++)
    o[k++] = permutation_entropy (s, d);
}

static void
family_fft (const Series *s,
            double       *o)
{
  gsize n = s->n, nc = n / 2 + 1;
  double *re = g_new (double, nc), *im = g_new (double, nc), *ab = g_new (double, nc);
  double ysum, m1 = 0, m2 = 0, m3 = 0, m4 = 0, c, var;
  int k = 0;

  rfft (s->x, n, re, im);
  for (gsize i = 0; i < nc; i++)
    ab[i] = hypot (re[i], im[i]);
  for (guint a = 0; a < 4; a++)
    for (gsize i = 0; i < N_FFT_COEFFS; i++)
      {
        if (i >= nc)
          o[k++] = NAN;
        else if (a == 0)
          o[k++] = re[i];
        else if (a == 1)
          o[k++] = im[i];
        else if (a == 2)
          o[k++] = ab[i];
        else
          o[k++] = atan2 (im[i], re[i]) * (180.0 / G_PI);
      }

  ysum = np_sum (ab, nc);
  for (gsize i = 0; i < nc; i++)
    {
      double fi = (double) i;
      m1 += ab[i] * fi;
      m2 += ab[i] * fi * fi;
      m3 += ab[i] * fi * fi * fi;
      m4 += ab[i] * fi * fi * fi * fi;
    }
  m1 /= ysum;
  m2 /= ysum;
  m3 /= ysum;
  m4 /= ysum;
  c = m1;
  var = m2 - c * c;
  o[k++] = c;
  o[k++] = var;
  o[k++] = var < 0.5 ? NAN : (m3 - 3 * c * var - c * c * c) / pow (var, 1.5);
  o[k++] = var < 0.5 ? NAN : (m4 - 4 * c * m3 + 6 * m2 * c * c - 3 * c) / (var * var);
  g_free (re);
  g_free (im);
  g_free (ab);
}

static void
family_welch (const Series *s,
              double       *o)
{
  gsize len, k = 0;
  double *pxx = welch (s->x, s->n, &len), mx = -INFINITY;

  for (guint i = 0; i < G_N_ELEMENTS (welch_coeffs); i++)
    o[k++] = (gsize) welch_coeffs[i] < len ? pxx[welch_coeffs[i]] : NAN;
  for (gsize i = 0; i < len; i++)
    mx = MAX (mx, pxx[i]);
  for (gsize i = 0; i < len; i++)
    pxx[i] /= mx;
  for (guint i = 0; i < G_N_ELEMENTS (lz_bins); i++)
    {
      gboolean has_nan = FALSE;
      for (gsize j = 0; j < len; j++)
        has_nan |= isnan (pxx[j]);
      o[k++] = has_nan ? NAN : binned_entropy (pxx, len, lz_bins[i]);
    }
  g_free (pxx);
}

static double
chunk_agg (const double *c,
           gsize         len,
           int           f,
           double       *tmp)
{
  double v;

  switch (f)
    {
    case 0:
      v = c[0];
      for (gsize i = 1; i < len; i++)
        v = MAX (v, c[i]);
      return v;
    case 1:
      v = c[0];
      for (gsize i = 1; i < len; i++)
        v = MIN (v, c[i]);
      return v;
    case 2:
      return np_mean (c, len);
    default:
      return np_var (c, len, tmp);
    }
}

static void
family_trend (const Series *s,
              double       *o)
{
  LinReg lr, agg[G_N_ELEMENTS (agg_chunk_lens)][G_N_ELEMENTS (agg_funcs)];
  gsize n = s->n;
  double tmp[64];
  int k = 0;

  linregress (s->x, n, s->tmp, &lr);
  o[k++] = lr.pvalue;
  o[k++] = lr.rvalue;
  o[k++] = lr.intercept;
  o[k++] = lr.slope;
  o[k++] = lr.stderr_;

  for (guint c = 0; c < G_N_ELEMENTS (agg_chunk_lens); c++)
    for (guint f = 0; f < G_N_ELEMENTS (agg_funcs); f++)
      {
        gsize cl = agg_chunk_lens[c], nchunks;
        double *vals;

        if (cl >= n)
          {
            agg[c][f].rvalue = agg[c][f].intercept = agg[c][f].slope = agg[c][f].stderr_ = NAN;
            continue;
          }
        nchunks = (n + cl - 1) / cl;
        vals = g_new (double, nchunks);
        for (gsize i = 0; i < nchunks; i++)
          vals[i] = chunk_agg (s->x + i * cl, MIN (cl, n - i * cl), f, tmp);
        linregress (vals, nchunks, s->tmp, &agg[c][f]);
        g_free (vals);
      }
  for (guint a = 0; a < G_N_ELEMENTS (agg_attrs); a++)
    for (guint c = 0; c < G_N_ELEMENTS (agg_chunk_lens); c++)
      for (guint f = 0; f < G_N_ELEMENTS (agg_funcs); f++)
        {
          LinReg *r = &agg[c][f];
          o[k++] = a == 0 ? r->rvalue : a == 1 ? r->intercept : a == 2 ? r->slope : r->stderr_;
        }
}

static void
family_change_quantiles (const Series *s,
                         double       *o)
{
  const double *x = s->x;
  gsize n = s->n;
  double edges[G_N_ELEMENTS (cq_levels)];
  gboolean *inside;
  double *d = g_new (double, n), *sel = g_new (double, n);
  int k = 0;

  inside = g_new (gboolean, n);
  for (guint i = 0; i < G_N_ELEMENTS (cq_levels); i++)
    edges[i] = np_quantile_sorted (s->sorted, n, cq_levels[i]);
  for (guint l = 0; l < 5; l++)
    for (guint h = 1; h < 6; h++)
      {
        double lo = edges[l], hi = edges[h];
        gsize m = 0;
        gboolean any;

        if (cq_levels[l] >= cq_levels[h])
          continue;
        if (n < 2 || isnan (lo) || isnan (hi) || lo == hi)
          {
            for (int j = 0; j < 4; j++)
              o[k++] = 0.0;
            continue;
          }
        for (gsize i = 0; i < n; i++)
          inside[i] = x[i] >= lo && x[i] <= hi;
        for (gsize i = 1; i < n; i++)
          if (inside[i] && inside[i - 1])
            d[m++] = x[i] - x[i - 1];
        any = m > 0;
        for (int b = 0; b < 2; b++)
          for (int f = 0; f < 2; f++)
            {
              if (!any)
                {
                  o[k++] = 0.0;
                  continue;
                }
              for (gsize i = 0; i < m; i++)
                sel[i] = b ? fabs (d[i]) : d[i];
              if (f == 0)
                o[k++] = np_mean (sel, m);
              else
                {
                  double *tmp = g_new (double, m);
                  o[k++] = np_var (sel, m, tmp);
                  g_free (tmp);
                }
            }
      }
  g_free (inside);
  g_free (d);
  g_free (sel);
}

static void
family_chunks (const Series *s,
               double       *o)
{
  gsize n = s->n, base = n / N_CHUNKS, extra = n % N_CHUNKS, start = 0;
  double full;

  for (gsize i = 0; i < n; i++)
    s->tmp[i] = s->x[i] * s->x[i];
  full = np_sum (s->tmp, n);
  for (gsize c = 0; c < N_CHUNKS; c++)
    {
      gsize len = base + (c < extra ? 1 : 0);
      o[c] = full == 0 ? NAN : np_sum (s->tmp + start, len) / full;
      start += len;
    }
}

static void
family_counts (const Series *s,
               double       *o)
{
  const double *x = s->x;
  gsize n = s->n, above = 0, below = 0, v0 = 0, v1 = 0, vm1 = 0, r1 = 0, r2 = 0, r3 = 0;
  int k = 0;

  for (gsize i = 0; i < n; i++)
    {
      above += x[i] >= 0;
      below += x[i] <= 0;
      v0 += x[i] == 0;
      v1 += x[i] == 1;
      vm1 += x[i] == -1;
      r1 += x[i] >= -1 && x[i] < 1;
      r2 += x[i] >= -1e12 && x[i] < 0;
      r3 += x[i] >= 0 && x[i] < 1e12;
    }
  o[k++] = (double) above / (double) n;
  o[k++] = (double) below / (double) n;
  o[k++] = (double) v0;
  o[k++] = (double) v1;
  o[k++] = (double) vm1;
  o[k++] = (double) r1;
  o[k++] = (double) r2;
  o[k++] = (double) r3;
  if (n > N_ABS_MAX)
    {
      double top[N_ABS_MAX];   /* the largest |x|, ascending */

      for (gsize i = 0; i < N_ABS_MAX; i++)
        top[i] = -1;
      for (gsize i = 0; i < n; i++)
        {
          double a = fabs (x[i]);
          int j;

          if (a <= top[0])
            continue;
          for (j = 1; j < N_ABS_MAX && top[j] < a; j++)
            top[j - 1] = top[j];
          top[j - 1] = a;
        }
      o[k++] = np_mean (top, N_ABS_MAX);
    }
  else
    o[k++] = NAN;
}

typedef void (*FamilyFunc) (const Series *s, double *out);

static const FamilyFunc family_funcs[BW_FEATURE_N_FAMILIES] = {
  [BW_FEATURE_FAMILY_BASIC] = family_basic,
  [BW_FEATURE_FAMILY_LAGGED] = family_lagged,
  [BW_FEATURE_FAMILY_CID] = family_cid,
  [BW_FEATURE_FAMILY_SHAPE] = family_shape,
  [BW_FEATURE_FAMILY_QUANTILE] = family_quantile,
  [BW_FEATURE_FAMILY_AUTOCORRELATION] = family_autocorrelation,
  [BW_FEATURE_FAMILY_PEAKS] = family_peaks,
  [BW_FEATURE_FAMILY_ENTROPY] = family_entropy,
  [BW_FEATURE_FAMILY_FFT] = family_fft,
  [BW_FEATURE_FAMILY_WELCH] = family_welch,
  [BW_FEATURE_FAMILY_TREND] = family_trend,
  [BW_FEATURE_FAMILY_CHANGE_QUANTILES] = family_change_quantiles,
  [BW_FEATURE_FAMILY_CHUNKS] = family_chunks,
  [BW_FEATURE_FAMILY_COUNTS] = family_counts,
};

/**
 * bw_features_compute:
 * @x: the series, finite values
 * @n: its length
 * @family_mask: bit (1 << family) for each family to compute
 * @out: bw_features_get_n_calculators() values; features of the families
 *   not asked for are set to NAN, and so are all when @n is 0 or @x holds a
 *   non-finite value
 */
void
bw_features_compute (const double *x,
                     gsize         n,
                     guint         family_mask,
                     double       *out)
{
  Table *t = get_table ();
  Series s = { x, n };
  gboolean finite = n > 0;

  for (guint i = 0; i < t->names->len; i++)
    out[i] = NAN;
  for (gsize i = 0; i < n && finite; i++)
    finite = isfinite (x[i]);
  if (!finite)
    return;

  s.sorted = g_new (double, n);
  s.tmp = g_new (double, n + 1);
  memcpy (s.sorted, x, n * sizeof (double));
  qsort (s.sorted, n, sizeof (double), cmp_double);
  s.min = s.sorted[0];
  s.max = s.sorted[n - 1];
  s.mean = np_mean (x, n);
  s.var = np_var (x, n, s.tmp);
  s.std = sqrt (s.var);

  for (int f = 0; f < BW_FEATURE_N_FAMILIES; f++)
    if (family_mask & (1u << f))
      family_funcs[f] (&s, out + t->offset[f]);

  g_free (s.sorted);
  g_free (s.tmp);
}

/**
 * bw_features_series_from_window:
 * @until_us: last instant to use (the cut; see %BW_FEATURES_CUT_AFTER_US)
 * @out_n: (out): length of the returned series
 *
 * The tag's values at the grid points up to @until_us, with gaps filled by
 * the last value before them (and leading gaps by the first value).
 *
 * @tag may name a tail of a tag, `md_signal.last10s`: the last 10 s up to
 * the cut, so that features see the moments around the stop undiluted.
 *
 * Returns: (transfer full) (nullable): the series, or %NULL when the window
 *   lacks the tag or holds no value for it before the cut
 */
double *
bw_features_series_from_window (const BwWindow *window,
                                const char     *tag,
                                gint64          until_us,
                                gsize          *out_n)
{
  const float *v;
  gsize n, first = G_MAXSIZE;
  double *x;

  const char *dot = strchr (tag, '.');
  g_autofree char *base = NULL;
  gsize start = 0, last_points = 0;

  *out_n = 0;
  /* "<tag>.last<N>s": only the last N seconds before the cut */
  if (dot)
    {
      char *end = NULL;
      guint64 secs;

      if (!g_str_has_prefix (dot, ".last"))
        return NULL;
      secs = g_ascii_strtoull (dot + 5, &end, 10);
      if (end == dot + 5 || !g_str_equal (end, "s") || secs == 0 || secs > 86400)
        return NULL;
      base = g_strndup (tag, dot - tag);
      last_points = (gsize) (secs * G_USEC_PER_SEC / window->period_us);
      tag = base;
    }
  v = bw_window_get_values (window, tag);
  if (v == NULL || window->n == 0 || until_us < window->t0_us)
    return NULL;
  n = MIN ((gsize) ((until_us - window->t0_us) / window->period_us) + 1, (gsize) window->n);
  if (last_points > 0 && last_points < n)
    start = n - last_points;
  /* gaps are filled from the whole window, so a short tail still has values */
  for (gsize i = 0; i < n && first == G_MAXSIZE; i++)
    if (isfinite (v[i]))
      first = i;
  if (first == G_MAXSIZE)
    return NULL;
  x = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    {
      if (i <= first)
        x[i] = v[first];
      else
        x[i] = isfinite (v[i]) ? v[i] : x[i - 1];
    }
  if (start > 0)
    memmove (x, x + start, (n - start) * sizeof (double));
  *out_n = n - start;
  return x;
}

/* ---- feature sets -------------------------------------------------------- */

struct _BwFeatureSet
{
  GPtrArray *names;      /* char*, full names */
  GPtrArray *signals;    /* char*, distinct signals */
  guint     *signal_of;  /* per feature: index into signals */
  guint     *calc_of;    /* per feature: calculator index */
  guint     *masks;      /* per signal: families needed */
};

static BwFeatureSet *
feature_set_alloc (void)
{
  BwFeatureSet *self = g_new0 (BwFeatureSet, 1);

  self->names = g_ptr_array_new_with_free_func (g_free);
  self->signals = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
bw_feature_set_free (BwFeatureSet *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->names);
  g_ptr_array_unref (self->signals);
  g_free (self->signal_of);
  g_free (self->calc_of);
  g_free (self->masks);
  g_free (self);
}

static gboolean
valid_signal_name (const char *s,
                   gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!(g_ascii_isalnum (s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.'))
      return FALSE;
  return TRUE;
}

/**
 * bw_feature_set_new_from_names:
 * @names: feature names `<signal>__<calculator>[__<params>]`
 *
 * Returns: (transfer full) (nullable): the set, or %NULL with @error set if a
 *   name is malformed or names an unknown calculator
 */
BwFeatureSet *
bw_feature_set_new_from_names (const char * const *names,
                               guint               n_names,
                               GError            **error)
{
  g_autoptr(BwFeatureSet) self = feature_set_alloc ();
  g_autoptr(GHashTable) sig_index = g_hash_table_new (g_str_hash, g_str_equal);

  self->signal_of = g_new (guint, MAX (n_names, 1));
  self->calc_of = g_new (guint, MAX (n_names, 1));
  for (guint i = 0; i < n_names; i++)
    {
      const char *sep = names[i] ? strstr (names[i], "__") : NULL;
      g_autofree char *signal = NULL;
      gpointer idx;
      int calc;

      if (sep == NULL || !valid_signal_name (names[i], sep - names[i]))
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "Feature name “%s” is not <signal>__<calculator>", names[i] ? names[i] : "");
          return NULL;
        }
      calc = bw_features_find_calculator (sep + 2);
      if (calc < 0)
        {
          g_set_error (error, BW_ERROR, BW_ERROR_INVALID,
                       "Feature “%s” uses an unknown calculator “%s”", names[i], sep + 2);
          return NULL;
        }
      signal = g_strndup (names[i], sep - names[i]);
      if (!g_hash_table_lookup_extended (sig_index, signal, NULL, &idx))
        {
          idx = GUINT_TO_POINTER (self->signals->len);
          g_ptr_array_add (self->signals, g_strdup (signal));
          g_hash_table_insert (sig_index, g_ptr_array_index (self->signals, self->signals->len - 1), idx);
        }
      self->signal_of[i] = GPOINTER_TO_UINT (idx);
      self->calc_of[i] = (guint) calc;
      g_ptr_array_add (self->names, g_strdup (names[i]));
    }
  self->masks = g_new0 (guint, MAX (self->signals->len, 1));
  for (guint i = 0; i < n_names; i++)
    self->masks[self->signal_of[i]] |= 1u << bw_features_get_family (self->calc_of[i]);
  return g_steal_pointer (&self);
}

/**
 * bw_feature_set_new:
 * @signals: %NULL-terminated tag names
 * @minimal_only: only tsfresh's minimal set, else every calculator here
 *
 * Returns: (transfer full): all calculators on each of @signals
 */
BwFeatureSet *
bw_feature_set_new (const char * const *signals,
                    gboolean            minimal_only)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint nc = bw_features_get_n_calculators ();
  BwFeatureSet *self;

  for (guint s = 0; signals[s]; s++)
    for (guint c = 0; c < nc; c++)
      if (!minimal_only || bw_features_is_minimal (c))
        g_ptr_array_add (names, g_strconcat (signals[s], "__", bw_features_get_calculator (c), NULL));
  self = bw_feature_set_new_from_names ((const char * const *) names->pdata, names->len, NULL);
  g_assert (self != NULL);
  return self;
}

guint
bw_feature_set_get_n_features (const BwFeatureSet *self)
{
  return self->names->len;
}

const char *
bw_feature_set_get_name (const BwFeatureSet *self,
                         guint               index)
{
  g_return_val_if_fail (index < self->names->len, NULL);
  return g_ptr_array_index (self->names, index);
}

/**
 * bw_feature_set_extract:
 * @until_us: the cut: grid points after it are not used
 * @out: bw_feature_set_get_n_features() values; NAN where the window lacks
 *   the signal or the feature is undefined
 */
void
bw_feature_set_extract (const BwFeatureSet *self,
                        const BwWindow     *window,
                        gint64              until_us,
                        double             *out)
{
  guint nc = bw_features_get_n_calculators ();
  double *all = g_new (double, (gsize) nc * MAX (self->signals->len, 1));

  for (guint s = 0; s < self->signals->len; s++)
    {
      gsize n = 0;
      g_autofree double *x = bw_features_series_from_window (window,
                                                             g_ptr_array_index (self->signals, s),
                                                             until_us, &n);
      bw_features_compute (x, n, self->masks[s], all + (gsize) s * nc);
    }
  for (guint i = 0; i < self->names->len; i++)
    out[i] = all[(gsize) self->signal_of[i] * nc + self->calc_of[i]];
  g_free (all);
}
