/* bw-features.h: time-series features with tsfresh's names and definitions
 *
 * Copyright 2026 The Beltwatch developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "bw-window.h"

G_BEGIN_DECLS

/**
 * BW_FEATURES_CUT_AFTER_US:
 *
 * How much of a stop's window after the stop instant the classifier may
 * use: the suggestion is made when the stop opens, so only the signals up
 * to the stop plus this first second are known. Training uses the same cut.
 */
#define BW_FEATURES_CUT_AFTER_US G_GINT64_CONSTANT (1000000)

/*
 * The per-series calculators. Each calculator family computes a block of
 * features; a feature's name is tsfresh's `<calculator>__<params>` (params
 * sorted by name, strings in double quotes), prefixed by `<signal>__` when
 * it is used on a window tag.
 */
typedef enum
{
  BW_FEATURE_FAMILY_BASIC,            /* parameterless statistics, minimal set */
  BW_FEATURE_FAMILY_LAGGED,           /* c3, time_reversal_asymmetry_statistic */
  BW_FEATURE_FAMILY_CID,
  BW_FEATURE_FAMILY_SHAPE,            /* symmetry_looking, large_standard_deviation, ratio_beyond_r_sigma */
  BW_FEATURE_FAMILY_QUANTILE,         /* quantile, index_mass_quantile */
  BW_FEATURE_FAMILY_AUTOCORRELATION,  /* autocorrelation, agg_autocorrelation, partial_autocorrelation */
  BW_FEATURE_FAMILY_PEAKS,            /* number_peaks, number_crossing_m */
  BW_FEATURE_FAMILY_ENTROPY,          /* binned_entropy, lempel_ziv_complexity, permutation_entropy */
  BW_FEATURE_FAMILY_FFT,              /* fft_coefficient, fft_aggregated */
  BW_FEATURE_FAMILY_WELCH,            /* spkt_welch_density, fourier_entropy */
  BW_FEATURE_FAMILY_TREND,            /* linear_trend, agg_linear_trend */
  BW_FEATURE_FAMILY_CHANGE_QUANTILES,
  BW_FEATURE_FAMILY_CHUNKS,           /* energy_ratio_by_chunks */
  BW_FEATURE_FAMILY_COUNTS,           /* count_above/below, value_count, range_count, mean_n_absolute_max */
  BW_FEATURE_N_FAMILIES
} BwFeatureFamily;

#define BW_FEATURE_ALL_FAMILIES ((1u << BW_FEATURE_N_FAMILIES) - 1)

guint        bw_features_get_n_calculators  (void);
const char  *bw_features_get_calculator     (guint          index);
BwFeatureFamily bw_features_get_family      (guint          index);
gboolean     bw_features_is_minimal         (guint          index);
int          bw_features_find_calculator    (const char    *name);
void         bw_features_compute            (const double  *x,
                                             gsize          n,
                                             guint          family_mask,
                                             double        *out);

double      *bw_features_series_from_window (const BwWindow *window,
                                             const char     *tag,
                                             gint64          until_us,
                                             gsize          *out_n);

/**
 * BwFeatureSet:
 *
 * A fixed list of `<signal>__<calculator>__<params>` features, computed
 * together from a window. A model keeps the names of its features; the set
 * rebuilt from those names computes only the families they need.
 */
typedef struct _BwFeatureSet BwFeatureSet;

BwFeatureSet *bw_feature_set_new            (const char * const *signals,
                                             gboolean            minimal_only);
BwFeatureSet *bw_feature_set_new_from_names (const char * const *names,
                                             guint               n_names,
                                             GError            **error);
void          bw_feature_set_free           (BwFeatureSet       *self);
guint         bw_feature_set_get_n_features (const BwFeatureSet *self);
const char   *bw_feature_set_get_name       (const BwFeatureSet *self,
                                             guint               index);
void          bw_feature_set_extract        (const BwFeatureSet *self,
                                             const BwWindow     *window,
                                             gint64              until_us,
                                             double             *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwFeatureSet, bw_feature_set_free)

/* Python's repr() of a float, as tsfresh writes parameters into names */
char *bw_features_format_param (double value);

G_END_DECLS
