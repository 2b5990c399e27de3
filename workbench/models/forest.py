"""The random forest of per-capita resource consumption after an event, for rSS = d_t / d0.

Zhou et al. (2025, §1.2): a random forest learns per-capita consumption ``d_t`` from building
characteristics, the displaced population, socioeconomic features and the service satisfaction
of the networks; rSS = d_t / d0. Here that is a scikit-learn :class:`~sklearn.pipeline.Pipeline`
(one-hot encoding of the categorical features, then a
:class:`~sklearn.ensemble.RandomForestRegressor`) fitted on a survey table
(:mod:`workbench.models.survey`). Its features are

* always: ``building_type``, ``d0`` (the unit's normal consumption: ``d_t`` is on its scale),
  ``displaced_share`` and the three service satisfactions (:data:`ALWAYS`) — what the archive
  varies and what Zhou et al. (2025, §1.2) name (METHOD §6);
* plus the socioeconomic features stage 02 selected (:func:`workbench.models.significance.
  select_features`).

It is scored by 5-fold cross-validated R² on the training part and R² on a held-out quarter
(seeded splits), with permutation importance on the held-out part
(:func:`sklearn.inspection.permutation_importance`) and a learning curve
(:func:`sklearn.model_selection.learning_curve`).

Persistence is :mod:`skops.io` (no pickle): the file loads only if every type it holds is a
scikit-learn or numpy type the workbench expects (:data:`TRUSTED_TYPES`) and its SHA-256
matches the JSON sidecar, which also records the library versions.

Examples
--------
>>> rss_features(["income_per_capita", "building_type"])[:3]
['building_type', 'd0', 'displaced_share']
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import InputError

__all__ = ["ALWAYS", "CATEGORICAL", "TRUSTED_TYPES", "RssForest", "rss_features",
           "train_rss_forest", "save_forest", "load_forest", "FOREST_FORMAT"]

#: Features the forest always uses (the archive varies the service satisfactions).
ALWAYS = ("building_type", "d0", "displaced_share", "water_satisfaction", "power_satisfaction",
          "road_satisfaction")
#: Survey columns that are categories (one-hot encoded).
CATEGORICAL = ("building_type", "education")
#: Types a saved forest may hold beyond those skops trusts by default.
TRUSTED_TYPES = ("sklearn.tree._tree.Tree",)
#: Version of the saved-forest layout (``rss_forest.json``).
FOREST_FORMAT = 1
TARGET = "dt"


def rss_features(selected) -> list[str]:
    """The forest's features: :data:`ALWAYS`, then the selected ones not among them."""
    return list(ALWAYS) + [f for f in selected if f not in ALWAYS and f not in (TARGET, "rss")]


@dataclass
class RssForest:
    """A fitted forest and how well it does.

    Attributes
    ----------
    pipeline : sklearn.pipeline.Pipeline
    features : list of str
    metrics : dict
        ``cv_r2`` (per fold), ``cv_r2_mean``, ``holdout_r2``, ``n_train``, ``n_test``, ``seed``.
    importance : pandas.DataFrame
        Permutation importance on the held-out part: feature, importance_mean, importance_std.
    learning_curve : pandas.DataFrame
        train_size, train_r2, validation_r2 (means over the folds).
    """

    pipeline: object
    features: list
    metrics: dict
    importance: pd.DataFrame = field(default_factory=pd.DataFrame)
    learning_curve: pd.DataFrame = field(default_factory=pd.DataFrame)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """``d_t`` for the rows of ``frame`` (survey columns; the forest's features needed)."""
        missing = [f for f in self.features if f not in frame.columns]
        if missing:
            raise InputError(f"the rSS forest needs column(s) {missing}; it was trained on "
                             f"{self.features}.")
        return self.pipeline.predict(frame[self.features])

    def consumption(self, frame: pd.DataFrame) -> np.ndarray:
        """``d_t`` (what :func:`workbench.models.archive.rss_archive` averages)."""
        return self.predict(frame)


def _pipeline(features, seed: int, n_estimators: int):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder
    cats = [f for f in features if f in CATEGORICAL]
    encode = ColumnTransformer([("categories", OneHotEncoder(handle_unknown="ignore"), cats)],
                               remainder="passthrough")
    forest = RandomForestRegressor(n_estimators=n_estimators, min_samples_leaf=2,
                                   random_state=seed, n_jobs=1)
    return Pipeline([("encode", encode), ("forest", forest)])


def train_rss_forest(survey: pd.DataFrame, selected=(), *, seed: int = 0,
                     n_estimators: int = 200, test_size: float = 0.25, folds: int = 5,
                     importance_repeats: int = 10) -> RssForest:
    """Fit the rSS forest on a (validated) survey table.

    Parameters
    ----------
    survey : pandas.DataFrame
        Survey rows (:func:`workbench.models.survey.read_survey`).
    selected : sequence of str
        Features selected by stage 02, used beside :data:`ALWAYS`.
    seed : int
        Seeds the splits, the forest and the permutations: same seed → same forest.
    """
    from sklearn.model_selection import train_test_split
    from .rss import fit_and_score
    features = rss_features(selected)
    missing = [f for f in features + [TARGET] if f not in survey.columns]
    if missing:
        raise InputError(f"survey is missing column(s) {missing} the rSS forest needs.")
    if len(survey) < 4 * folds:
        raise InputError(f"survey has {len(survey)} rows; the rSS forest needs at least "
                         f"{4 * folds} ({folds}-fold cross-validation and a held-out part).")
    x, y = survey[features], survey[TARGET].to_numpy(float)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=test_size,
                                                        random_state=seed)
    model = _pipeline(features, seed, n_estimators)
    holdout, cv, importance, curve = fit_and_score(
        model, features, (x_train, y_train), (x_test, y_test), seed=seed, folds=folds,
        importance_repeats=importance_repeats,
        curve_model=_pipeline(features, seed, max(20, n_estimators // 4)))
    metrics = {"cv_r2": [float(v) for v in cv], "cv_r2_mean": float(cv.mean()),
               "holdout_r2": holdout, "n_train": int(len(y_train)), "n_test": int(len(y_test)),
               "seed": int(seed), "n_estimators": int(n_estimators)}
    return RssForest(model, features, metrics, importance, curve)


# --------------------------------------------------------------------------- persistence

def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def save_forest(forest: RssForest, folder: str | Path) -> Path:
    """Write ``rss_forest.skops`` and ``rss_forest.json`` (features, metrics, versions, SHA-256)
    into ``folder``; returns the JSON path."""
    import sklearn
    import skops
    import skops.io as sio
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / "rss_forest.skops"
    sio.dump(forest.pipeline, weights)
    meta = {"format": FOREST_FORMAT, "features": list(forest.features), "target": TARGET,
            "metrics": forest.metrics, "sha256": _sha256(weights),
            "versions": {"scikit-learn": sklearn.__version__, "skops": skops.__version__}}
    path = folder / "rss_forest.json"
    path.write_text(json.dumps(meta, indent=2))
    return path


def load_forest(folder: str | Path) -> RssForest:
    """Read a forest written by :func:`save_forest`, refusing a file whose checksum, format or
    scikit-learn version differs from its sidecar, or that holds an untrusted type."""
    import sklearn
    import skops.io as sio
    folder = Path(folder)
    meta_path, weights = folder / "rss_forest.json", folder / "rss_forest.skops"
    for p in (meta_path, weights):
        if not p.is_file():
            raise InputError(f"saved rSS forest: {str(p)!r} does not exist.")
    try:
        meta = json.loads(meta_path.read_text())
    except ValueError as exc:
        raise InputError(f"saved rSS forest: {str(meta_path)!r} is not JSON ({exc}).") from None
    if meta.get("format") != FOREST_FORMAT:
        raise InputError(f"saved rSS forest: {str(meta_path)!r} has format {meta.get('format')!r}"
                         f", this workbench reads format {FOREST_FORMAT}; train it again.")
    if _sha256(weights) != meta.get("sha256"):
        raise InputError(f"saved rSS forest: the checksum of {str(weights)!r} does not match "
                         f"{str(meta_path)!r}; the file was changed — train it again.")
    saved = meta.get("versions", {}).get("scikit-learn")
    if saved != sklearn.__version__:
        raise InputError(f"saved rSS forest: trained with scikit-learn {saved}, this is "
                         f"{sklearn.__version__}; train it again.")
    untrusted = [t for t in sio.get_untrusted_types(file=weights) if t not in TRUSTED_TYPES]
    if untrusted:
        raise InputError(f"saved rSS forest: {str(weights)!r} holds type(s) {untrusted} the "
                         f"workbench does not load.")
    pipeline = sio.load(weights, trusted=list(TRUSTED_TYPES))
    return RssForest(pipeline, list(meta["features"]), dict(meta["metrics"]))
