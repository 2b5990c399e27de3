"""Per-feature significance tests that select the features of the rSS model (Zhou et al. §1.2).

Zhou et al. (2025) select the features of its random forest by "significance analysis (Student's t
test, the Kruskal–Wallis test, and ANOVA) … of significant differences among feature groups".
:func:`significance_tests` makes that analysis explicit and reproducible: how the groups are
formed, which test decides for each feature, and how the many p-values are corrected.

Groups
------
A feature whose dtype is not numeric (strings, ``category``, bool) is grouped by level. A numeric
feature with at most ``bins`` distinct values is grouped by value; otherwise into ``bins``
quantile bins (``pandas.qcut``, tied edges dropped; if ties leave fewer than two bins, the median
split below is used). The Welch test compares two groups: the two levels of a two-level
category, or the median split of a numeric feature (above the median vs. at or below it).

Tests
-----
=========  ======================================  ==========  ===============================
test       what                                    groups      effect size
=========  ======================================  ==========  ===============================
welch_t    Welch's unequal-variance t-test         2           Cohen's d (pooled SD), second
                                                               group minus first
anova      one-way ANOVA, F                        k           η² = SS_between / SS_total
kruskal    Kruskal–Wallis H (ranks)                k           ε² = H / ((n² − 1) / (n + 1))
=========  ======================================  ==========  ===============================

Welch's t, F, H and the assumption checks come from ``scipy.stats``; Cohen's d from
``pingouin.compute_effsize``. η² is written with F, ``η² = df_b F / (df_b F + df_w)``, an
identity that gives the ``np2`` of ``pingouin.anova`` for one factor (the tests check they agree)
at a fraction of its cost. No library gives ε², so it is computed here from H (Tomczak and
Tomczak 2014). Assumption checks per row: ``normality_p`` is the smallest Shapiro–Wilk p over the
row's groups (NaN when a group has fewer than three members or no spread: not testable), and
``equal_variance_p`` is Levene's test (median-centred, Brown–Forsythe).

Selection rule
--------------
1. Each feature has one **primary** test, chosen on its k groups: the parametric test (Welch for
   k = 2, ANOVA for k ≥ 3) when every group passes Shapiro–Wilk at ``alpha`` and, for ANOVA,
   Levene passes at ``alpha``; Kruskal–Wallis otherwise (also when normality is not testable).
2. The primary p-values of all features form one family, corrected with ``correction``
   (:data:`CORRECTIONS`: the methods of ``statsmodels.stats.multitest.multipletests``, computed
   by ``pingouin.multicomp``, which gives the same values (tested) without the ``gc.collect()``
   that statsmodels' Holm runs on every call). Holm, the default, holds the family-wise error
   rate at ``alpha``.
3. A feature is **selected** when its primary ``p_adj < alpha``.

A non-primary row is reported for reference: its ``p_adj`` is corrected within the family of its
own test (that test's rows for every feature), and it is never selected.

References
----------
Zhou, Y., Xiao, Y., Xu, H. (2025). *Engineering* 53, 13–17.
https://doi.org/10.1016/j.eng.2025.05.007
Welch, B. L. (1947). *Biometrika* 34, 28–35. https://doi.org/10.1093/biomet/34.1-2.28
Kruskal, W. H., Wallis, W. A. (1952). *JASA* 47, 583–621.
https://doi.org/10.1080/01621459.1952.10483441
Shapiro, S. S., Wilk, M. B. (1965). *Biometrika* 52, 591–611.
https://doi.org/10.1093/biomet/52.3-4.591
Brown, M. B., Forsythe, A. B. (1974). *JASA* 69, 364–367.
https://doi.org/10.1080/01621459.1974.10482955
Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scand. J. Statist.* 6,
65–70 (no DOI; JSTOR 4615733).
Benjamini, Y., Hochberg, Y. (1995). *JRSS B* 57, 289–300.
https://doi.org/10.1111/j.2517-6161.1995.tb02031.x
Tomczak, M., Tomczak, E. (2014). The need to report effect size estimates revisited. *Trends in
Sport Sciences* 21, 19–25 (ε² for Kruskal–Wallis; no DOI).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats

from ..core.errors import InputError
from .survey import SURVEY_FEATURES

__all__ = ["significance_tests", "select_features", "CORRECTIONS", "TESTS", "TABLE_COLUMNS"]

#: Multiple-testing corrections accepted: name (as in ``statsmodels``' ``multipletests``) →
#: (``pingouin.multicomp`` method, what it controls).
CORRECTIONS = {
    "holm": ("holm", "Holm step-down; family-wise error rate"),
    "bonferroni": ("bonf", "Bonferroni; family-wise error rate"),
    "fdr_bh": ("fdr_bh", "Benjamini–Hochberg; false discovery rate"),
}
#: Columns of the table :func:`significance_tests` returns, in order.
TABLE_COLUMNS = ("feature", "test", "groups", "n", "statistic", "p", "p_adj", "effect_size",
                 "effect_size_name", "normality_p", "equal_variance_p", "primary", "selected")


def _welch(groups: list[np.ndarray]) -> tuple[float, float, float]:
    first, second = groups
    result = stats.ttest_ind(second, first, equal_var=False)
    d = pg.compute_effsize(second, first, paired=False, eftype="cohen")
    return float(result.statistic), float(result.pvalue), float(d)


def _anova(groups: list[np.ndarray]) -> tuple[float, float, float]:
    f, p = stats.f_oneway(*groups)
    between, within = len(groups) - 1, sum(len(g) for g in groups) - len(groups)
    # η² = SS_between / SS_total, written with F: the np2 that pingouin.anova reports for one
    # factor (tested equal), without its ~4 ms of DataFrame work per call
    return float(f), float(p), float(between * f / (between * f + within))


def _kruskal(groups: list[np.ndarray]) -> tuple[float, float, float]:
    h, p = stats.kruskal(*groups)
    n = sum(len(g) for g in groups)
    # ε² of Tomczak and Tomczak (2014); no library computes it
    return float(h), float(p), float(h / ((n ** 2 - 1) / (n + 1)))


#: Tests: name → (function of the groups' target values → (statistic, p, effect size),
#: name of the effect size).
TESTS = {"welch_t": (_welch, "cohen_d"), "anova": (_anova, "eta_squared"),
         "kruskal": (_kruskal, "epsilon_squared")}


def _adjust(p: pd.Series, correction: str) -> np.ndarray:
    # pingouin.multicomp gives the same adjusted p-values as statsmodels' multipletests (tested),
    # whose Holm branch runs gc.collect() on every call (~0.1 s in a loaded process)
    return pg.multicomp(p.to_numpy(dtype=float), method=CORRECTIONS[correction][0])[1]


def _check_parameters(alpha, correction, bins) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise InputError(f"alpha (significance level) must be a number in (0, 1), got "
                         f"{alpha!r}; the usual choice is 0.05.")
    if correction not in CORRECTIONS:
        raise InputError(f"correction must be one of {list(CORRECTIONS)}, got {correction!r}.")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 2:
        raise InputError(f"bins (quantile groups of a numeric feature) must be an integer ≥ 2, "
                         f"got {bins!r}.")


def _column(df: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in df.columns:
        raise InputError(f"the {role} column {name!r} is not in the table; its columns are "
                         f"{list(df.columns)}.")
    values = df[name]
    empty = values.isna()
    if empty.any():
        raise InputError(f"the {role} column {name!r} has {int(empty.sum())} missing value(s) "
                         f"(rows {list(values.index[empty.to_numpy()][:5])}); fill or drop "
                         f"them, e.g. df.dropna(subset=[{name!r}]).")
    if values.nunique() < 2:
        raise InputError(f"the {role} column {name!r} is constant (every row is "
                         f"{values.tolist()[0]!r}); it cannot show a difference between groups. "
                         f"Drop it{' from features' if role == 'feature' else ''}.")
    return values


def _target(df: pd.DataFrame, target: str) -> np.ndarray:
    if target == "rss" and "rss" not in df.columns and {"d0", "dt"} <= set(df.columns):
        d0 = _column(df, "d0", "baseline consumption").to_numpy(dtype=float)
        if (d0 <= 0).any():
            raise InputError(f"column 'd0' holds {int((d0 <= 0).sum())} value(s) ≤ 0; rSS = dt "
                             f"/ d0 needs a positive baseline. Drop those rows.")
        df = df.assign(rss=_column(df, "dt", "consumption").to_numpy(dtype=float) / d0)
    values = _column(df, target, "target")
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise InputError(f"the target column {target!r} must be numeric, got dtype "
                         f"{values.dtype}.")
    y = values.to_numpy(dtype=float)
    if not np.isfinite(y).all():
        raise InputError(f"the target column {target!r} holds {int((~np.isfinite(y)).sum())} "
                         f"infinite value(s); drop those rows.")
    return y


def _median_split(x: np.ndarray) -> tuple[np.ndarray, list[str]]:
    above = x > np.median(x)
    if above.all() or not above.any():   # more than half the rows tie at the median
        above = x >= np.median(x)
    return above.astype(int), ["at or below median", "above median"]


def _groupings(x: pd.Series, bins: int) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Grouping name ('k' and, where a Welch test applies, 'two') → (codes, group labels)."""
    if not pd.api.types.is_numeric_dtype(x) or pd.api.types.is_bool_dtype(x):
        codes, levels = pd.factorize(x.astype(str), sort=True)
        k = (codes, [str(v) for v in levels])
        return {"k": k, "two": k} if len(levels) == 2 else {"k": k}
    values = x.to_numpy(dtype=float)
    two = _median_split(values)
    if x.nunique() <= bins:
        codes, levels = pd.factorize(values, sort=True)
        k = (codes, [f"{v:g}" for v in levels])
    else:
        cut = pd.qcut(values, bins, duplicates="drop")
        k = (cut.codes, [str(c) for c in cut.categories]) if len(cut.categories) > 1 else two
    return {"k": k, "two": two}


def _split(y: np.ndarray, codes: np.ndarray, labels: list[str], feature: str,
           bins: int) -> list[np.ndarray]:
    groups = [y[codes == i] for i in range(len(labels))]
    for label, group in zip(labels, groups):
        if len(group) < 2:
            raise InputError(f"feature {feature!r}: group {label!r} has {len(group)} member(s); "
                             f"each group needs at least two. Merge or drop that level, or use "
                             f"fewer bins than {bins} for a numeric feature.")
    return groups


def _normality_p(groups: list[np.ndarray]) -> float:
    if any(len(g) < 3 or np.ptp(g) == 0 for g in groups):
        return float("nan")
    return float(min(stats.shapiro(g).pvalue for g in groups))


def _feature_rows(x: pd.Series, y: np.ndarray, feature: str, *, alpha: float,
                  bins: int) -> list[dict]:
    groupings = {name: _split(y, *grouping, feature, bins)
                 for name, grouping in _groupings(x, bins).items()}
    k_groups = groupings["k"]
    tests = ({"welch_t": "two"} if "two" in groupings else {}) | {"anova": "k", "kruskal": "k"}
    checks = {name: (_normality_p(g), float(stats.levene(*g).pvalue))
              for name, g in groupings.items()}
    normal, equal_var = checks["k"]
    parametric = "welch_t" if len(k_groups) == 2 else "anova"
    assumptions_hold = normal >= alpha and (parametric == "welch_t" or equal_var >= alpha)
    primary = parametric if assumptions_hold else "kruskal"
    rows = []
    for test, grouping in tests.items():
        function, effect_name = TESTS[test]
        statistic, p, effect = function(groupings[grouping])
        rows.append({"feature": feature, "test": test, "groups": len(groupings[grouping]),
                     "n": len(y), "statistic": statistic, "p": p, "effect_size": effect,
                     "effect_size_name": effect_name, "normality_p": checks[grouping][0],
                     "equal_variance_p": checks[grouping][1], "primary": test == primary})
    return rows


def significance_tests(df: pd.DataFrame, target: str = "rss", features=None, *,
                       alpha: float = 0.05, correction: str = "holm",
                       bins: int = 4) -> pd.DataFrame:
    """Welch, ANOVA and Kruskal–Wallis tests of each feature against the target; tidy table.

    Groups, tests, effect sizes and the selection rule are in the module docstring.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per building (a survey, :mod:`workbench.models.survey`); not changed.
    target : str
        The column tested for group differences. ``"rss"`` (the default) is computed as
        ``dt / d0`` when the table has no ``rss`` column.
    features : sequence of str, optional
        Columns to test; default :data:`~workbench.models.survey.SURVEY_FEATURES`.
    alpha : float
        Significance level in (0, 1), for the selection and the assumption checks.
    correction : str
        Multiple-testing correction, a key of :data:`CORRECTIONS`.
    bins : int
        Number of quantile groups of a numeric feature, ≥ 2.

    Returns
    -------
    pandas.DataFrame
        One row per (feature, test), columns :data:`TABLE_COLUMNS`: ``groups`` (k) and ``n``
        (rows), ``statistic`` (t, F or H), ``p`` (uncorrected) and ``p_adj``, ``effect_size``
        named by ``effect_size_name``, ``normality_p``, ``equal_variance_p``, ``primary``,
        ``selected``. ``attrs`` records target, alpha, correction and bins.

    Raises
    ------
    InputError
        A missing column, a missing value, a constant feature or target, a group with fewer than
        two members, an unknown correction, alpha outside (0, 1).

    Examples
    --------
    >>> df = pd.DataFrame({"kind": ["a", "a", "a", "b", "b", "b"],
    ...                    "y": [1.0, 1.2, 0.9, 2.0, 2.2, 2.1]})
    >>> table = significance_tests(df, target="y", features=["kind"])
    >>> table[["test", "groups", "primary", "selected"]]
          test  groups  primary  selected
    0  welch_t       2     True      True
    1    anova       2    False     False
    2  kruskal       2    False     False
    >>> select_features(table)
    ['kind']
    """
    _check_parameters(alpha, correction, bins)
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"df must be a pandas.DataFrame, got {type(df).__name__}.")
    y = _target(df, target)
    if features is None:
        features = list(SURVEY_FEATURES)
    elif isinstance(features, str):
        raise InputError(f"features must be a sequence of column names, got the string "
                         f"{features!r}; pass [{features!r}].")
    features = list(features)
    if not features or target in features:
        raise InputError(f"features must name at least one column other than the target "
                         f"{target!r}; got {features}.")
    columns = {feature: _column(df, feature, "feature") for feature in features}
    rows = []
    for feature, x in columns.items():
        rows += _feature_rows(x, y, feature, alpha=alpha, bins=bins)
    table = pd.DataFrame(rows).assign(p_adj=np.nan, selected=False)
    primary = table["primary"].to_numpy()
    table.loc[primary, "p_adj"] = _adjust(table.loc[primary, "p"], correction)
    for test in TESTS:
        family = (table["test"] == test).to_numpy()
        if (family & ~primary).any():
            adjusted = _adjust(table.loc[family, "p"], correction)
            table.loc[family & ~primary, "p_adj"] = adjusted[~primary[family]]
    table["selected"] = primary & (table["p_adj"] < alpha).to_numpy()
    table = table[list(TABLE_COLUMNS)]
    table.attrs = {"target": target, "alpha": alpha, "correction": correction, "bins": bins}
    return table


def select_features(table: pd.DataFrame) -> list[str]:
    """The features a :func:`significance_tests` table selects, in table order.

    Examples
    --------
    >>> table = pd.DataFrame({"feature": ["a", "a", "b"], "selected": [False, True, False]})
    >>> select_features(table)
    ['a']
    """
    missing = [c for c in ("feature", "selected") if c not in getattr(table, "columns", ())]
    if missing:
        raise InputError(f"table lacks column(s) {missing}; pass the table that "
                         f"significance_tests returns.")
    return list(dict.fromkeys(table.loc[table["selected"].astype(bool), "feature"]))
