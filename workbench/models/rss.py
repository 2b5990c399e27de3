"""The rSS model: a shape-constrained additive model of log rSS (rSS = d_t / d0).

Zhou et al. (2025, §1.2) learn per-capita consumption after an event, ``d_t``, with a random
forest and take rSS = d_t / d0. Fitted that way (``d_t`` with ``d0`` as a feature,
:mod:`workbench.models.forest`), most of the held-out R² is ``d0`` and the archived service
dependence is attenuated (METHOD §6). Stage 03 therefore fits **rSS itself**, on the log scale,
as an additive model with the service dependence constrained to the sign it must have::

    log rSS = α[building_type] + Σ_c β_c[level]                       (other categories)
              + f_w(water) + f_p(power) + f_r(road) − g(displaced)   (monotone)
              + Σ_x h_x(x)                                            (other numbers)

* ``building_type`` always; every other feature when stage 02 selects it (a service with no
  evidence, such as the synthetic survey's road, leaves the model and the archive flat in it);
* the three service satisfactions: non-decreasing splines (more service, no less consumption);
  ``displaced_share``: non-increasing;
* ``building_type`` and the other categories (:data:`CATEGORICAL`): one level each (the first
  level of every category but ``building_type`` is the reference);
* the other selected numeric features: unconstrained splines of the same basis.

Each spline is a cubic P-spline (Eilers & Marx 1996): :data:`N_KNOTS` equally spaced knots from
the lowest to the highest training value, extended by equal steps beyond them, constant outside
the observed range; written in its cumulative ("I-spline") basis — column j is the sum of the
B-spline columns after j — so a non-negative (non-positive) coefficient vector is exactly a
non-decreasing (non-increasing) spline. A penalty on the differences of adjacent coefficients
(second differences of the B-spline coefficients) pulls each spline towards a straight line;
its weight is chosen from :data:`PENALTIES` by 5-fold CV on the training rows (log scale). The
fit is then a bounded linear least-squares problem, solved with
:func:`scipy.optimize.lsq_linear` (``bvls``: exact and deterministic) on the R factor of the
design's QR decomposition (same minimiser, p rows instead of n), with a negligible ridge
(:data:`RIDGE`) that only makes the solution unique. The basis is evaluated with
:class:`scipy.interpolate.BSpline`; the constrained least squares is hand-assembled because
neither scikit-learn nor statsmodels fits an additive spline model with sign constraints on the
coefficients. (scikit-learn's ``HistGradientBoostingRegressor`` with ``monotonic_cst`` and
``interaction_cst="no_interactions"`` does, but shrinks the extremes of the service dependence:
its archive missed ±10 % of the planted truth on w, p ≥ ½ in 8 of 20 cases, 10 surveys × 2
types, measured while choosing this model; this model in 0 of 20 surveys, METHOD §6.)

Predictions of rSS are ``exp(log rSS) × s``, with ``s`` the mean of ``exp(residual)`` on the
training rows (Duan's smearing: the mean, not the median, of rSS). A surveyed ``dt`` of 0 is
fitted as rSS = :data:`RSS_FLOOR`.

Scores (:func:`train_rss_model`): R² on rSS on a held-out quarter and 5-fold cross-validated on
the training part, beside two baselines on the same held-out rows — *no skill* (the training
mean of rSS) and *d0 only* (log rSS linear in log d0, smeared) — permutation importance on the
held-out rows and a learning curve. The split is :func:`rss_split`, the rows stage 02 selects
features on (:func:`workbench.run.pipeline.modelling.survey_training_rows`).

Persistence (:func:`save_rss_model`, :func:`load_rss_model`) is one JSON file of knots,
levels, coefficients, features and metrics — no pickle, nothing executable — with the SHA-256
of its canonical content, checked on load, and its format version.

Examples
--------
>>> rss_features(["income_per_capita", "building_type", "water_satisfaction"])
['building_type', 'income_per_capita', 'water_satisfaction']
>>> from workbench.models.survey import synthetic_survey
>>> s = synthetic_survey(200, seed=1)
>>> features = rss_features(["income_per_capita", "water_satisfaction", "power_satisfaction"])
>>> m = MonotoneAdditiveRss(features).fit(s, s["dt"] / s["d0"])
>>> bool(m.predict(s).min() > 0), round(m.score(s, s["dt"] / s["d0"]), 1) > 0.3
(True, True)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin

from ..core.errors import InputError

__all__ = ["ALWAYS", "CATEGORICAL", "MONOTONE", "N_KNOTS", "DEGREE", "RIDGE", "RSS_FLOOR",
           "RSS_MODEL_FORMAT", "RSS_MODEL_FILE", "MonotoneAdditiveRss", "RssModel",
           "rss_features", "rss_split", "train_rss_model", "save_rss_model", "load_rss_model",
           "planted_deviation", "fit_and_score"]

#: Features the model always uses; every other one (the service satisfactions and the
#: displaced share too) enters when stage 02 selects it.
ALWAYS = ("building_type",)
#: Survey columns that are categories (one level each).
CATEGORICAL = ("building_type", "education")
#: Sign of the constrained shapes: +1 non-decreasing, −1 non-increasing.
MONOTONE = {"water_satisfaction": 1, "power_satisfaction": 1, "road_satisfaction": 1,
            "displaced_share": -1}
#: Knots per spline (equally spaced over the training values, ends included), and the degree.
N_KNOTS, DEGREE = 6, 3
#: Smoothness penalties tried (chosen by K-fold CV on the training rows; ∞-like → linear).
PENALTIES = (0.1, 1.0, 10.0, 100.0)
#: Ridge on the spline coefficients, relative to the training rows: numerical only (unique
#: solution where basis columns coincide, e.g. a feature with few distinct values).
RIDGE = 1e-6
#: rSS fitted for a surveyed dt of 0 (log rSS must be finite).
RSS_FLOOR = 1e-3
#: Version of the saved layout, and its file name.
RSS_MODEL_FORMAT, RSS_MODEL_FILE = 1, "rss_model.json"
TARGET = "rss"


def rss_features(selected) -> list[str]:
    """The model's features: :data:`ALWAYS`, then the selected ones not among them (never the
    consumptions ``d0`` and ``dt``)."""
    return list(ALWAYS) + [f for f in selected if f not in ALWAYS and f not in ("d0", "dt", "rss")]


def rss_split(n: int, seed: int, test_size: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """Positions (sorted) of the training and held-out survey rows: ``train_test_split`` of
    ``range(n)`` seeded by ``seed`` — the one split of stage 03 and of stage 02's selection."""
    from sklearn.model_selection import train_test_split
    train, test = train_test_split(np.arange(n), test_size=test_size, random_state=seed)
    return np.sort(train), np.sort(test)


# --------------------------------------------------------------------------- the basis

def _knots(x: np.ndarray, n_knots: int) -> np.ndarray:
    """Equally spaced knots from the lowest to the highest value (fewer when ``x`` has fewer
    distinct values)."""
    lo, hi = float(np.min(x)), float(np.max(x))
    return np.linspace(lo, hi, max(2, min(n_knots, len(np.unique(x))))) if hi > lo else \
        np.array([lo])


def _ispline(x: np.ndarray, knots: np.ndarray, degree: int) -> np.ndarray:
    """Cumulative B-spline basis on equally spaced ``knots``, extended by ``degree`` equal steps
    beyond each end (so that equal coefficient steps are a straight line, the P-spline null
    space) and constant outside the knots: column j is Σ_{k > j} B_k, non-decreasing."""
    from scipy.interpolate import BSpline
    step = knots[1] - knots[0]
    t = np.r_[knots[0] - step * np.arange(degree, 0, -1), knots,
              knots[-1] + step * np.arange(1, degree + 1)]
    xc = np.clip(np.asarray(x, float), knots[0], knots[-1])
    b = BSpline.design_matrix(xc, t, degree).toarray()
    return np.cumsum(b[:, ::-1], axis=1)[:, ::-1][:, 1:]


class MonotoneAdditiveRss(RegressorMixin, BaseEstimator):
    """Additive model of log rSS with monotone service splines (see the module docstring).

    A scikit-learn regressor: ``fit(frame, rss)``, ``predict(frame)`` → rSS, ``score`` → R² on
    rSS; so cross-validation, learning curves and permutation importance apply unchanged.

    Parameters
    ----------
    features : sequence of str
        Survey columns used (:func:`rss_features`).
    n_knots, degree : int
        Knots (quantiles) and degree of every spline.
    """

    def __init__(self, features=ALWAYS, n_knots: int = N_KNOTS, degree: int = DEGREE,
                 penalty=PENALTIES, folds: int = 5):
        self.features = features
        self.n_knots = n_knots
        self.degree = degree
        self.penalty = penalty
        self.folds = folds

    # the layout: one block per feature
    def _block(self, name: str, x: pd.Series) -> np.ndarray:
        spec = self.terms_[name]
        if spec["kind"] == "levels":
            values = x.astype(str).to_numpy()
            return (values[:, None] == np.asarray(spec["levels"], dtype=object)[None, :]
                    ).astype(float)
        return _ispline(pd.to_numeric(x).to_numpy(float), np.asarray(spec["knots"]),
                        int(spec["degree"]))

    def _design(self, frame: pd.DataFrame) -> np.ndarray:
        missing = [f for f in self.terms_ if f not in frame.columns]
        if missing:
            raise InputError(f"the rSS model needs column(s) {missing}; it was trained on "
                             f"{list(self.terms_)}.")
        return np.hstack([self._block(f, frame[f]) for f in self.terms_])

    def _layout(self, X: pd.DataFrame):
        terms, lo, hi, blocks = {}, [], [], []
        for f in self.features:
            if f not in X.columns:
                raise InputError(f"the rSS model needs column {f!r}.")
            if f in CATEGORICAL:
                levels = sorted(set(X[f].astype(str)))
                if f != "building_type":
                    levels = levels[1:]             # the first level is the reference
                terms[f] = {"kind": "levels", "levels": levels}
                k, sign, spline = len(levels), 0, False
            else:
                knots = _knots(pd.to_numeric(X[f]).to_numpy(float), self.n_knots)
                if len(knots) < 2:                  # constant in the training rows
                    continue
                terms[f] = {"kind": "spline", "knots": knots.tolist(), "degree": int(self.degree),
                            "monotone": int(MONOTONE.get(f, 0))}
                k, sign, spline = len(knots) + self.degree - 2, MONOTONE.get(f, 0), True
            lo += [0.0 if sign > 0 else -np.inf] * k
            hi += [0.0 if sign < 0 else np.inf] * k
            blocks.append((k, spline))
        # penalty rows: first differences of the cumulative coefficients within each spline
        # (second differences of its B-spline coefficients, Eilers & Marx), and the ridge
        size = sum(k for k, _ in blocks)
        diff, ridge, at = [], np.zeros(size), 0
        for k, spline in blocks:
            if spline:
                ridge[at:at + k] = 1.0
                for j in range(k - 1):
                    row = np.zeros(size)
                    row[at + j], row[at + j + 1] = -1.0, 1.0
                    diff.append(row)
            at += k
        diff = np.array(diff).reshape(-1, size)
        return terms, (np.asarray(lo), np.asarray(hi)), diff, np.diag(ridge)[ridge > 0]

    @staticmethod
    def _reduce(a, y):
        """``(R, Qᵀy)`` of the thin QR of ``a``: ‖a c − y‖² = ‖R c − Qᵀy‖² + const, so the
        bounded problem is solved on p rows instead of n (same minimiser, much faster)."""
        q, r = np.linalg.qr(a)
        return r, q.T @ y

    @staticmethod
    def _solve(reduced, n, bounds, diff, ridge, lam):
        from scipy.optimize import lsq_linear
        r, qty = reduced
        a_aug = np.vstack([r, np.sqrt(lam * n) * diff, np.sqrt(RIDGE * n) * ridge])
        y_aug = np.r_[qty, np.zeros(len(diff) + len(ridge))]
        return lsq_linear(a_aug, y_aug, bounds=bounds, method="bvls").x

    def fit(self, X: pd.DataFrame, y) -> "MonotoneAdditiveRss":
        # the matrices are small (rows × tens of columns): one BLAS thread is 5× faster than
        # several fighting over 2 cores with other work, and the result is the same
        from threadpoolctl import threadpool_limits
        with threadpool_limits(1):
            return self._fit(X, y)

    def _fit(self, X: pd.DataFrame, y) -> "MonotoneAdditiveRss":
        y = np.log(np.maximum(np.asarray(y, float), RSS_FLOOR))
        self.terms_, bounds, diff, ridge = self._layout(X)
        a = self._design(X)
        lams = np.atleast_1d(np.asarray(self.penalty, float))
        if len(lams) > 1:                           # smoothness by K-fold CV (log scale)
            from sklearn.model_selection import KFold
            err = np.zeros(len(lams))
            for tr, va in KFold(self.folds, shuffle=True, random_state=0).split(a):
                reduced = self._reduce(a[tr], y[tr])
                for i, lam in enumerate(lams):
                    c = self._solve(reduced, len(tr), bounds, diff, ridge, lam)
                    err[i] += np.sum((y[va] - a[va] @ c) ** 2)
            self.penalty_ = float(lams[int(np.argmin(err))])
        else:
            self.penalty_ = float(lams[0])
        self.coef_ = self._solve(self._reduce(a, y), len(y), bounds, diff, ridge, self.penalty_)
        self.smearing_ = float(np.mean(np.exp(y - a @ self.coef_)))
        return self

    def predict_log(self, X: pd.DataFrame) -> np.ndarray:
        """log rSS (the fitted additive predictor, without smearing)."""
        return self._design(X) @ self.coef_

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """rSS (mean: exp of the log prediction times the smearing factor)."""
        return np.exp(self.predict_log(X)) * self.smearing_

    def to_dict(self) -> dict:
        """Everything the fitted model is, as JSON-able numbers and strings."""
        return {"features": list(self.features), "n_knots": int(self.n_knots),
                "degree": int(self.degree), "penalty": self.penalty_, "terms": self.terms_,
                "coef": [float(c) for c in self.coef_], "smearing": self.smearing_}

    @classmethod
    def from_dict(cls, d: dict) -> "MonotoneAdditiveRss":
        m = cls(list(d["features"]), int(d["n_knots"]), int(d["degree"]), float(d["penalty"]))
        m.penalty_ = float(d["penalty"])
        m.terms_ = {k: dict(v) for k, v in d["terms"].items()}
        m.coef_ = np.asarray(d["coef"], float)
        m.smearing_ = float(d["smearing"])
        return m


# --------------------------------------------------------------------------- training

@dataclass
class RssModel:
    """A fitted rSS model and how well it does.

    Attributes
    ----------
    estimator : MonotoneAdditiveRss
    features : list of str
    metrics : dict
        ``holdout_r2``, ``cv_r2`` (per fold), ``cv_r2_mean`` — R² on rSS — and on the same
        held-out rows ``baseline_no_skill_r2``, ``baseline_d0_r2``; ``holdout_r2_log``,
        ``n_train``, ``n_test``, ``seed``, ``target``.
    importance : pandas.DataFrame
        Permutation importance on the held-out rows: feature, importance_mean, importance_std.
    learning_curve : pandas.DataFrame
        train_size, train_r2, validation_r2 (means over the folds).
    """

    estimator: MonotoneAdditiveRss
    features: list
    metrics: dict
    importance: pd.DataFrame = field(default_factory=pd.DataFrame)
    learning_curve: pd.DataFrame = field(default_factory=pd.DataFrame)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """rSS for the rows of ``frame`` (survey columns)."""
        return self.estimator.predict(frame)

    def consumption(self, frame: pd.DataFrame) -> np.ndarray:
        """Per-capita consumption after the event, d0 × rSS [d0's unit] (``frame`` needs d0)."""
        if "d0" not in frame.columns:
            raise InputError("the rSS model's consumption needs column 'd0'.")
        return frame["d0"].to_numpy(float) * self.predict(frame)


def _rss(survey: pd.DataFrame) -> np.ndarray:
    return survey["dt"].to_numpy(float) / survey["d0"].to_numpy(float)


def _d0_only_r2(train: pd.DataFrame, test: pd.DataFrame) -> float:
    """R² on rSS of log rSS linear in log d0 (smeared), fitted on ``train``."""
    from sklearn.metrics import r2_score
    y = np.log(np.maximum(_rss(train), RSS_FLOOR))
    slope, icept = np.polyfit(np.log(train["d0"].to_numpy(float)), y, 1)
    smear = np.mean(np.exp(y - icept - slope * np.log(train["d0"].to_numpy(float))))
    pred = np.exp(icept + slope * np.log(test["d0"].to_numpy(float))) * smear
    return float(r2_score(_rss(test), pred))


def fit_and_score(model, features, train, test, *, seed: int, folds: int = 5,
                  importance_repeats: int = 10, curve_model=None):
    """Score a regressor as stage 03 scores its models, then fit it on the training rows.

    ``train`` and ``test`` are ``(x, y)`` pairs. Returns ``(holdout_r2, cv_r2, importance,
    learning_curve)``: R² of ``model`` (fitted in place on ``train``) on ``test``; the R² of each
    of ``folds`` seeded folds of ``train`` (:func:`sklearn.model_selection.cross_val_score`);
    permutation importance on ``test`` (feature, importance_mean, importance_std, largest
    first); and the learning curve of ``curve_model`` (``model`` if None) on the same folds
    (train_size, train_r2, validation_r2, means over the folds). Shared by
    :func:`train_rss_model` and the paper's forest
    (:func:`workbench.models.forest.train_rss_forest`).
    """
    from sklearn.inspection import permutation_importance
    from sklearn.model_selection import KFold, cross_val_score, learning_curve
    (x_train, y_train), (x_test, y_test) = train, test
    kfold = KFold(folds, shuffle=True, random_state=seed)
    cv = cross_val_score(model, x_train, y_train, cv=kfold, scoring="r2")
    sizes, train_scores, valid_scores = learning_curve(
        model if curve_model is None else curve_model, x_train, y_train, cv=kfold,
        scoring="r2", train_sizes=np.linspace(0.2, 1.0, 5), shuffle=True, random_state=seed)
    model.fit(x_train, y_train)
    holdout = float(model.score(x_test, y_test))
    imp = permutation_importance(model, x_test, y_test, n_repeats=importance_repeats,
                                 random_state=seed, scoring="r2")
    importance = pd.DataFrame({"feature": features, "importance_mean": imp.importances_mean,
                               "importance_std": imp.importances_std}
                              ).sort_values("importance_mean", ascending=False, ignore_index=True)
    curve = pd.DataFrame({"train_size": sizes, "train_r2": train_scores.mean(axis=1),
                          "validation_r2": valid_scores.mean(axis=1)})
    return holdout, cv, importance, curve


def train_rss_model(survey: pd.DataFrame, selected=(), *, seed: int = 0,
                    test_size: float = 0.25, folds: int = 5,
                    importance_repeats: int = 10) -> RssModel:
    """Fit the rSS model on a (validated) survey table and score it.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey rows (:func:`workbench.models.survey.read_survey`), with ``d0`` and ``dt``.
    selected : sequence of str
        Features selected by stage 02, used beside :data:`ALWAYS`.
    seed : int
        Seeds the split (:func:`rss_split`), the folds and the permutations: same seed → same
        model (the fit itself is deterministic).
    """
    from sklearn.metrics import r2_score
    features = rss_features(selected)
    missing = [f for f in features + ["d0", "dt"] if f not in survey.columns]
    if missing:
        raise InputError(f"survey is missing column(s) {missing} the rSS model needs.")
    if len(survey) < 4 * folds:
        raise InputError(f"survey has {len(survey)} rows; the rSS model needs at least "
                         f"{4 * folds} ({folds}-fold cross-validation and a held-out part).")
    train_at, test_at = rss_split(len(survey), seed, test_size)
    train, test = survey.iloc[train_at], survey.iloc[test_at]
    x_train, x_test = train[features], test[features]
    y_train, y_test = _rss(train), _rss(test)
    model = MonotoneAdditiveRss(features)
    holdout, cv, importance, curve = fit_and_score(
        model, features, (x_train, y_train), (x_test, y_test), seed=seed, folds=folds,
        importance_repeats=importance_repeats)
    log_test = np.log(np.maximum(y_test, RSS_FLOOR))
    metrics = {"target": "rSS = dt / d0 (fitted as log rSS)",
               "holdout_r2": holdout, "cv_r2": [float(v) for v in cv],
               "cv_r2_mean": float(cv.mean()),
               "baseline_no_skill_r2": float(r2_score(y_test, np.full(len(y_test),
                                                                      y_train.mean()))),
               "baseline_d0_r2": _d0_only_r2(train, test),
               "holdout_r2_log": float(r2_score(log_test, model.predict_log(x_test))),
               "n_train": int(len(train)), "n_test": int(len(test)), "seed": int(seed)}
    return RssModel(model, features, metrics, importance, curve)


# --------------------------------------------------------------------------- planted truth

def planted_deviation(rss, survey: pd.DataFrame) -> dict:
    """How far an archived rSS (:func:`workbench.models.archive.rss_archive`) is from the rSS a
    synthetic survey plants (:data:`workbench.models.survey.RSS_EFFECTS`), on the grid points
    inside the data's support (every satisfaction at least the lowest surveyed).

    Relative to full service with nobody displaced, the planted rSS is
    ``exp(b_w (w − 1) + b_p (p − 1))`` whatever the type, and road has no effect. Returns the
    largest ``|archive / planted − 1|`` (road at full service) overall and by type, and the
    largest road effect ``|archive(w, p, r) / archive(w, p, 1) − 1|``; types without survey
    units are left out.
    """
    from .survey import RSS_EFFECTS
    bw, bp = RSS_EFFECTS["water_satisfaction"][0], RSS_EFFECTS["power_satisfaction"][0]
    low = {n: float(survey[f"{n}_satisfaction"].min()) for n in ("water", "power", "road")}
    inside = {n: rss[n].values[rss[n].values >= low[n]] for n in low}
    a = rss.sel(water=inside["water"], power=inside["power"], road=inside["road"])
    w, p = np.meshgrid(inside["water"], inside["power"], indexing="ij")
    truth = np.exp(bw * (w - 1.0) + bp * (p - 1.0))
    by_type, road = {}, {}
    for t in survey["building_type"].astype(str).unique():
        at = a.sel(building_type=t)
        full_road = at.sel(road=1.0).values
        by_type[t] = float(np.max(np.abs(full_road / truth - 1.0)))
        road[t] = float(np.max(np.abs(at.values / full_road[..., None] - 1.0)))
    return {"max_abs_deviation": max(by_type.values()), "by_type": by_type,
            "road_effect_max": max(road.values()), "road_effect_by_type": road,
            "grid_water": inside["water"].tolist(), "grid_power": inside["power"].tolist(),
            "grid_road": inside["road"].tolist()}


# --------------------------------------------------------------------------- persistence

def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def save_rss_model(model: RssModel, folder: str | Path) -> Path:
    """Write :data:`RSS_MODEL_FILE` (format, features, the fitted model, metrics, library
    versions, and the SHA-256 of the rest) into ``folder``; returns its path."""
    import scipy
    import sklearn
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    payload = {"format": RSS_MODEL_FORMAT, "features": list(model.features), "target": TARGET,
               "model": model.estimator.to_dict(), "metrics": model.metrics}
    doc = {**payload, "sha256": hashlib.sha256(_canonical(payload)).hexdigest(),
           "versions": {"scikit-learn": sklearn.__version__, "scipy": scipy.__version__}}
    path = folder / RSS_MODEL_FILE
    path.write_text(json.dumps(doc, indent=2))
    return path


def load_rss_model(folder: str | Path) -> RssModel:
    """Read a model written by :func:`save_rss_model`, refusing a file that is not JSON, has
    another format, or whose content no longer matches its checksum."""
    path = Path(folder) / RSS_MODEL_FILE
    if not path.is_file():
        raise InputError(f"saved rSS model: {str(path)!r} does not exist.")
    try:
        doc = json.loads(path.read_text())
    except ValueError as exc:
        raise InputError(f"saved rSS model: {str(path)!r} is not JSON ({exc}).") from None
    if doc.get("format") != RSS_MODEL_FORMAT:
        raise InputError(f"saved rSS model: {str(path)!r} has format {doc.get('format')!r}, "
                         f"this workbench reads format {RSS_MODEL_FORMAT}; train it again.")
    payload = {k: doc.get(k) for k in ("format", "features", "target", "model", "metrics")}
    if hashlib.sha256(_canonical(payload)).hexdigest() != doc.get("sha256"):
        raise InputError(f"saved rSS model: the checksum of {str(path)!r} does not match its "
                         f"content; the file was changed — train it again.")
    try:
        estimator = MonotoneAdditiveRss.from_dict(doc["model"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"saved rSS model: {str(path)!r} is malformed ({exc}).") from None
    return RssModel(estimator, list(doc["features"]), dict(doc["metrics"]))
