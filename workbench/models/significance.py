"""Feature tests that select the features of the rSS model (Zhou et al. §1.2): each feature given
the others, with the one-at-a-time tests kept as description.

Zhou et al. (2025) select the features of its random forest by "significance analysis (Student's t
test, the Kruskal–Wallis test, and ANOVA) … of significant differences among feature groups".
Those tests are *marginal*: one feature at a time, so a feature with no effect of its own is
"significant" whenever it follows one that has. On synthetic surveys where ``education`` follows
income (:func:`workbench.models.survey.synthetic_survey` with ``education_income=0.8``, 600 rows,
seeds 0–59) the marginal selection of earlier versions (Kruskal–Wallis or ANOVA after a
Shapiro–Wilk pre-test, Holm) selected the null ``education`` in 60 of 60 surveys; the conditional
test below selects it in 1 of 60 (adjusted p 0.048), at most α, and every planted effect in 60 of
60. :func:`significance_tests` therefore **selects** by the conditional test and keeps the
marginal tests as a description of the survey.

Conditional test (selects)
--------------------------
One joint linear model of ``log target`` (log rSS by default; ``log_target=False`` models the
target itself) on every feature at once, fitted by ordinary least squares
(``statsmodels.api.OLS``). Each feature enters as a block of columns:

* a category (dtype not numeric: strings, ``category``, bool) or a number with at most ``bins``
  distinct values: one indicator per level but the first (treatment coding);
* any other number: a B-spline of degree ``min(3, spline_df)`` with ``spline_df`` columns and its
  knots at quantiles of the feature (``sklearn.preprocessing.SplineTransformer``, no intercept
  column); ``spline_df = 1`` is a straight line. The default, 4, is a cubic with one interior
  knot at the median: the model is not bound to a straight line, so a feature whose effect is
  curved (income enters rSS as its log) is not left half-explained for a correlate to pick up.
  With straight lines (``spline_df=1``) the null ``education`` reaches an uncorrected p < 0.05 in
  40 % of 200 correlated surveys of 600 rows; with the default, in 4–6 % (200 surveys each
  at 600 and 2,000 rows), the nominal rate.

A feature's row, ``test = "partial_f"``, is the partial F-test that the coefficients of its block
are all zero given every other block (``RegressionResults.f_test``; for nested linear models the
same test as the likelihood-ratio comparison with the feature dropped, in its exact-F form):
``statistic`` F on ``df_num`` (the block's columns) and ``df_den`` (residual) degrees of freedom,
``effect_size`` the partial η² = SS_feature / (SS_feature + SS_residual) = df_num F / (df_num F +
df_den). No normality pre-test decides anything: the F-test is the test, and on the log scale
with hundreds of rows it holds its level (the false-positive checks in the tests).

Marginal tests (description)
----------------------------
Each feature alone against the target (not its log), as in earlier versions, for reading the
survey: never selected. A category is grouped by level; a number with at most ``bins`` distinct
values by value, otherwise into ``bins`` quantile bins (``pandas.qcut``, tied edges dropped; if
ties leave fewer than two bins, the median split). The Welch test compares two groups: the two
levels of a two-level category, or the median split of a number (above the median vs. at or
below it).

=========  =================================  ==========  ===============================
test       what                               groups      effect size
=========  =================================  ==========  ===============================
welch_t    Welch's unequal-variance t-test    2           Cohen's d (pooled SD), second
                                                          group minus first
anova      one-way ANOVA, F                   k           η² = SS_between / SS_total
kruskal    Kruskal–Wallis H (ranks)           k           ε² = H / ((n² − 1) / (n + 1))
=========  =================================  ==========  ===============================

Welch's t, F, H and the assumption checks come from ``scipy.stats``; Cohen's d from
``pingouin.compute_effsize``. η² is written with F, ``η² = df_b F / (df_b F + df_w)``, the ``np2``
of ``pingouin.anova`` for one factor (tested equal). No library gives ε², so it is computed here
from H (Tomczak and Tomczak 2014). Per marginal row, for reading only: ``normality_p``, the
smallest Shapiro–Wilk p over the row's groups (NaN when a group has fewer than three members or
no spread), and ``equal_variance_p``, Levene's test (median-centred, Brown–Forsythe).

Selection rule
--------------
1. The ``partial_f`` p-values of all features form one family, corrected with ``correction``
   (:data:`CORRECTIONS`: the methods of ``statsmodels.stats.multitest.multipletests``, computed
   by ``pingouin.multicomp``, which gives the same values (tested) without the ``gc.collect()``
   that statsmodels' Holm runs on every call). Holm, the default, holds the family-wise error
   rate at ``alpha``.
2. A feature is **selected** when its ``partial_f`` ``p_adj < alpha``. The ``partial_f`` rows are
   the ``primary`` rows (``scope`` "conditional").

A marginal row (``scope`` "marginal") has its ``p_adj`` corrected within the family of its own
test (that test's rows for every feature), and is never selected.

Select on the rows the model will be trained on, not on rows later held out to score it (stage
02 of a run tests the training rows of stage 03, :mod:`workbench.run.pipeline.modelling`).

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
Cohen, J. (1973). Eta-squared and partial eta-squared in fixed factor ANOVA designs. *Educational
and Psychological Measurement* 33, 107–112. https://doi.org/10.1177/001316447303300111
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats

from ..core.errors import InputError
from .survey import SURVEY_FEATURES

__all__ = ["significance_tests", "select_features", "CORRECTIONS", "TESTS", "TABLE_COLUMNS",
           "CONDITIONAL_TEST"]

#: Multiple-testing corrections accepted: name (as in ``statsmodels``' ``multipletests``) →
#: (``pingouin.multicomp`` method, what it controls).
CORRECTIONS = {
    "holm": ("holm", "Holm step-down; family-wise error rate"),
    "bonferroni": ("bonf", "Bonferroni; family-wise error rate"),
    "fdr_bh": ("fdr_bh", "Benjamini–Hochberg; false discovery rate"),
}
#: Columns of the table :func:`significance_tests` returns, in order (the last three added with
#: the conditional test; the others as before).
TABLE_COLUMNS = ("feature", "test", "groups", "n", "statistic", "p", "p_adj", "effect_size",
                 "effect_size_name", "normality_p", "equal_variance_p", "primary", "selected",
                 "scope", "df_num", "df_den")
#: The test that selects: the partial F-test of a feature in the joint model (module docstring).
CONDITIONAL_TEST = "partial_f"


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


def _check_parameters(alpha, correction, bins, spline_df) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise InputError(f"alpha (significance level) must be a number in (0, 1), got "
                         f"{alpha!r}; the usual choice is 0.05.")
    if correction not in CORRECTIONS:
        raise InputError(f"correction must be one of {list(CORRECTIONS)}, got {correction!r}.")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 2:
        raise InputError(f"bins (quantile groups of a numeric feature) must be an integer ≥ 2, "
                         f"got {bins!r}.")
    if (isinstance(spline_df, bool) or not isinstance(spline_df, (int, np.integer))
            or spline_df < 1):
        raise InputError(f"spline_df (columns of a numeric feature in the joint model) must be an "
                         f"integer ≥ 1, got {spline_df!r}; 1 is a straight line, 4 (the default) "
                         f"a cubic spline with a knot at the median.")


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


def _target(df: pd.DataFrame, target: str, log_target: bool) -> tuple[np.ndarray, np.ndarray]:
    """(target values, the joint model's response: their log, or themselves)."""
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
    if not log_target:
        return y, y
    if (y <= 0).any():
        raise InputError(f"the target column {target!r} holds {int((y <= 0).sum())} value(s) ≤ 0 "
                         f"(e.g. {y[y <= 0][:3].tolist()}); the joint model fits log({target}). "
                         f"Drop those rows, or pass log_target=False to model {target} itself.")
    return y, np.log(y)


def _median_split(x: np.ndarray) -> tuple[np.ndarray, list[str]]:
    above = x > np.median(x)
    if above.all() or not above.any():   # more than half the rows tie at the median
        above = x >= np.median(x)
    return above.astype(int), ["at or below median", "above median"]


def _groupings(x: pd.Series, bins: int) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Grouping name ('k' and, where a Welch test applies, 'two') → (codes, group labels)."""
    if _is_category(x):
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


def _feature_rows(x: pd.Series, y: np.ndarray, feature: str, *, bins: int) -> list[dict]:
    """The marginal (descriptive) rows of one feature: Welch (where two groups), ANOVA, KW."""
    groupings = {name: _split(y, *grouping, feature, bins)
                 for name, grouping in _groupings(x, bins).items()}
    tests = ({"welch_t": "two"} if "two" in groupings else {}) | {"anova": "k", "kruskal": "k"}
    checks = {name: (_normality_p(g), float(stats.levene(*g).pvalue))
              for name, g in groupings.items()}
    rows = []
    for test, grouping in tests.items():
        function, effect_name = TESTS[test]
        statistic, p, effect = function(groupings[grouping])
        rows.append({"feature": feature, "test": test, "groups": len(groupings[grouping]),
                     "n": len(y), "statistic": statistic, "p": p, "effect_size": effect,
                     "effect_size_name": effect_name, "normality_p": checks[grouping][0],
                     "equal_variance_p": checks[grouping][1], "primary": False,
                     "scope": "marginal", "df_num": pd.NA, "df_den": pd.NA})
    return rows


def _is_category(x: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(x) or pd.api.types.is_bool_dtype(x)


def _block(x: pd.Series, bins: int, spline_df: int) -> np.ndarray:
    """The columns of one feature in the joint model (module docstring), n × df_num."""
    if _is_category(x) or x.nunique() <= bins:
        codes, levels = pd.factorize(x.astype(str) if _is_category(x) else x, sort=True)
        return (codes[:, None] == np.arange(1, len(levels))[None, :]).astype(float)
    from sklearn.preprocessing import SplineTransformer
    values = x.to_numpy(dtype=float)[:, None]
    degree = min(3, spline_df)
    # spline_df − degree + 2 knots (the ends and the interior quantiles); ties merge knots
    knots = np.unique(np.quantile(values, np.linspace(0, 1, spline_df - degree + 2)))
    spline = SplineTransformer(degree=degree, knots=knots[:, None], include_bias=False)
    return spline.fit_transform(values)


def _conditional_rows(columns: dict[str, pd.Series], response: np.ndarray, *, bins: int,
                      spline_df: int) -> list[dict]:
    """One partial F row per feature, from one OLS fit of the response on every block."""
    import statsmodels.api as sm
    blocks = {feature: _block(x, bins, spline_df) for feature, x in columns.items()}
    design = np.column_stack([np.ones(len(response)), *blocks.values()])
    n, k = design.shape
    if n <= k:
        raise InputError(f"the joint model of the features has {k} coefficients (intercept, "
                         f"{', '.join(f'{f}: {b.shape[1]}' for f, b in blocks.items())}) but "
                         f"only {n} rows; it needs more rows than coefficients. Test fewer "
                         f"features or pass a smaller spline_df (now {spline_df}).")
    rank = np.linalg.matrix_rank(design)
    start = np.cumsum([1] + [b.shape[1] for b in blocks.values()])
    if rank < k:
        for (feature, block), first in zip(blocks.items(), start):
            rest = np.delete(design, np.arange(first, first + block.shape[1]), axis=1)
            if np.linalg.matrix_rank(rest) + block.shape[1] > rank:
                raise InputError(f"feature {feature!r} is determined by the other features "
                                 f"(its columns in the joint model are collinear with theirs), "
                                 f"so it cannot be tested given them. Drop it or the feature "
                                 f"that duplicates it.")
    fit = sm.OLS(response, design).fit()
    rows = []
    for (feature, block), first in zip(blocks.items(), start):
        restriction = np.zeros((block.shape[1], k))
        restriction[np.arange(block.shape[1]), first + np.arange(block.shape[1])] = 1.0
        test = fit.f_test(restriction)
        f, df_num, df_den = float(np.squeeze(test.fvalue)), int(test.df_num), int(test.df_denom)
        x = columns[feature]
        rows.append({"feature": feature, "test": CONDITIONAL_TEST,
                     "groups": x.nunique() if _is_category(x) or x.nunique() <= bins else pd.NA,
                     "n": n, "statistic": f, "p": float(test.pvalue),
                     "effect_size": df_num * f / (df_num * f + df_den),
                     "effect_size_name": "partial_eta_squared", "normality_p": np.nan,
                     "equal_variance_p": np.nan, "primary": True, "scope": "conditional",
                     "df_num": df_num, "df_den": df_den})
    return rows


def significance_tests(df: pd.DataFrame, target: str = "rss", features=None, *,
                       alpha: float = 0.05, correction: str = "holm", bins: int = 4,
                       spline_df: int = 4, log_target: bool = True) -> pd.DataFrame:
    """Each feature tested given the others (selects), and alone (describes); tidy table.

    The joint model, the tests, effect sizes and the selection rule are in the module docstring.

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
        Significance level in (0, 1) of the selection.
    correction : str
        Multiple-testing correction, a key of :data:`CORRECTIONS`.
    bins : int
        Number of quantile groups of a numeric feature in the marginal tests, ≥ 2; a numeric
        feature with at most ``bins`` distinct values is a set of levels in both models.
    spline_df : int
        Columns of a numeric feature in the joint model, ≥ 1 (1: a straight line; 4: a cubic
        spline with a knot at the median).
    log_target : bool
        The joint model fits log(target) (default; the target must be > 0) or the target itself.

    Returns
    -------
    pandas.DataFrame
        One row per (feature, test), columns :data:`TABLE_COLUMNS`, each feature's
        ``partial_f`` row first: ``groups`` (k; for ``partial_f`` the levels of a feature that
        enters as levels, else missing) and ``n`` (rows), ``statistic`` (F, t or H), ``p``
        (uncorrected) and ``p_adj``, ``effect_size`` named by ``effect_size_name``,
        ``normality_p`` and ``equal_variance_p`` (marginal rows; for reading), ``primary`` (the
        ``partial_f`` rows, the ones that select), ``selected``, ``scope`` ("conditional" or
        "marginal"), ``df_num`` and ``df_den`` (of the partial F; missing on marginal rows).
        ``attrs`` records target, alpha, correction, bins, spline_df, log_target and the test
        that selects.

    Raises
    ------
    InputError
        A missing column, a missing value, a constant feature or target, a group with fewer than
        two members, a target ≤ 0 under ``log_target``, more coefficients than rows, a feature
        the others determine, an unknown correction, alpha outside (0, 1).

    Examples
    --------
    >>> df = pd.DataFrame({"kind": ["a", "a", "a", "b", "b", "b"],
    ...                    "y": [1.0, 1.2, 0.9, 2.0, 2.2, 2.1]})
    >>> table = significance_tests(df, target="y", features=["kind"])
    >>> table[["test", "scope", "df_num", "df_den", "primary", "selected"]]
            test        scope  df_num  df_den  primary  selected
    0  partial_f  conditional       1       4     True      True
    1    welch_t     marginal    <NA>    <NA>    False     False
    2      anova     marginal    <NA>    <NA>    False     False
    3    kruskal     marginal    <NA>    <NA>    False     False
    >>> select_features(table)
    ['kind']

    A feature that only follows another is a correlate, not an effect: given ``x``, the
    near-copy ``z`` is not selected, though alone it differs as clearly as ``x``.

    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=300)
    >>> df = pd.DataFrame({"x": x, "z": x + rng.normal(scale=0.3, size=300),
    ...                    "y": np.exp(0.5 * x + rng.normal(scale=0.3, size=300))})
    >>> table = significance_tests(df, target="y", features=["x", "z"])
    >>> select_features(table)
    ['x']
    >>> bool((table.query("feature == 'z' and test == 'kruskal'")["p"] < 1e-6).all())
    True
    """
    _check_parameters(alpha, correction, bins, spline_df)
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"df must be a pandas.DataFrame, got {type(df).__name__}.")
    y, response = _target(df, target, bool(log_target))
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
    conditional = _conditional_rows(columns, response, bins=bins, spline_df=spline_df)
    rows = []
    for row, (feature, x) in zip(conditional, columns.items()):
        rows += [row, *_feature_rows(x, y, feature, bins=bins)]
    table = pd.DataFrame(rows).assign(p_adj=np.nan, selected=False)
    for test in (CONDITIONAL_TEST, *TESTS):
        family = (table["test"] == test).to_numpy()
        if family.any():
            table.loc[family, "p_adj"] = _adjust(table.loc[family, "p"], correction)
    table["selected"] = table["primary"].to_numpy() & (table["p_adj"] < alpha).to_numpy()
    table = table[list(TABLE_COLUMNS)].astype({"groups": "Int64", "df_num": "Int64",
                                               "df_den": "Int64"})
    table.attrs = {"target": target, "alpha": alpha, "correction": correction, "bins": bins,
                   "spline_df": spline_df, "log_target": bool(log_target),
                   "selected_by": CONDITIONAL_TEST}
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
