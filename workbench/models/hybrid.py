"""The hybrid RNN + MLP regressor of EP per m² (Zhou et al. 2025 §1.1), in PyTorch.

A recurrent branch (GRU) encodes the resource-consumption series of a unit, a fully connected
branch its static features (building type, industry, labour, floor area, technology, service
satisfaction); the two hidden states are concatenated and a small fully connected head predicts
value added per m² per day [EUR/m²/day]. :class:`HybridEPRegressor` wraps it as a scikit-learn
estimator on the 2-D design matrix of :func:`workbench.models.production.hybrid_inputs`, so
``clone``, ``Pipeline`` and ``cross_val_score`` work on it; ``use_temporal=False`` is the
static-only baseline (the same fully connected branch and head without the GRU).

:func:`save_hybrid` / :func:`load_hybrid` persist a fitted model as weights (``hybrid.pt``, a
``state_dict`` only, read back with ``torch.load(weights_only=True)``, no arbitrary pickle) and a
JSON description (``hybrid.json``) that holds the weights' SHA-256, checked on load.

References
----------
Cho, K. et al. (2014). Learning phrase representations using RNN encoder–decoder for statistical
machine translation. *EMNLP 2014*, 1724–1734. doi:10.3115/v1/D14-1179
Zhou, Y., Xiao, Y., & Xu, H. (2025). Quantifying urban disaster resilience for informed mitigation
strategies. *Engineering*, 53(10), 13–17. doi:10.1016/j.eng.2025.05.007
"""

from __future__ import annotations

import copy
import hashlib
import importlib.metadata
import json
import logging
import pickle
from contextlib import contextmanager
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ..core.errors import InputError

__all__ = ["HybridEPNet", "HybridEPRegressor", "save_hybrid", "load_hybrid",
           "WEIGHTS_FILE", "CONFIG_FILE", "FORMAT", "FORMAT_VERSION"]

logger = logging.getLogger(__name__)

#: File names inside a model folder.
WEIGHTS_FILE, CONFIG_FILE = "hybrid.pt", "hybrid.json"
#: Name and version of the folder format; :func:`load_hybrid` refuses any other.
FORMAT, FORMAT_VERSION = "workbench.hybrid", 1
#: Offset of the log transform of the series, as a share of each channel's training mean: keeps
#: log finite at zero consumption (no supply) while leaving ordinary values nearly unchanged.
_LOG_OFFSET_SHARE = 0.01


class HybridEPNet(nn.Module):
    """GRU over the series and MLP over the static features, concatenated into an MLP head.

    ``forward(static, series)`` takes tensors of shape (unit, feature) and (unit, step,
    channel), both standardised, and returns shape (unit,) on the standardised log scale of EP
    per m². With ``use_temporal=False`` the GRU is absent and ``series`` is ignored.
    """

    def __init__(self, n_static: int, n_channels: int, hidden: int, use_temporal: bool):
        super().__init__()
        self.static = nn.Sequential(nn.Linear(n_static, hidden), nn.ReLU(),
                                    nn.Linear(hidden, hidden), nn.ReLU())
        self.rnn = nn.GRU(n_channels, hidden, batch_first=True) if use_temporal else None
        width = 2 * hidden if use_temporal else hidden
        self.head = nn.Sequential(nn.Linear(width, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, static: torch.Tensor, series: torch.Tensor,
                rows: torch.Tensor | None = None) -> torch.Tensor:
        """``rows``, if given, is each unit's row of ``series``, which then holds each distinct
        series once (units that share a series share the GRU's pass over it)."""
        h = self.static(static)
        if self.rnn is not None:
            _, last = self.rnn(series)            # last hidden state: (layer, series, hidden)
            state = last[-1] if rows is None else last[-1][rows]
            h = torch.cat([h, state], dim=1)
        return self.head(h).squeeze(-1)


#: Parameter → (test, rule); checked once, in :meth:`HybridEPRegressor.fit`.
_PARAMETERS = {
    "n_static": (lambda v: isinstance(v, Integral) and v >= 1, "an integer >= 1"),
    "n_channels": (lambda v: isinstance(v, Integral) and v >= 1, "an integer >= 1"),
    "hidden": (lambda v: isinstance(v, Integral) and v >= 1, "an integer >= 1"),
    "max_epochs": (lambda v: isinstance(v, Integral) and v >= 1, "an integer >= 1"),
    "lr": (lambda v: isinstance(v, Real) and v > 0, "a number > 0"),
    "batch_size": (lambda v: isinstance(v, Integral) and v >= 1, "an integer >= 1"),
    "patience": (lambda v: isinstance(v, Integral) and v >= 1, "an integer >= 1 (epochs)"),
    "validation_fraction": (lambda v: isinstance(v, Real) and 0 < v < 1, "a number in (0, 1)"),
    "use_temporal": (lambda v: isinstance(v, (bool, np.bool_)), "True or False"),
    "seed": (lambda v: isinstance(v, Integral) and not isinstance(v, bool) and v >= 0,
             "an integer >= 0"),
    "n_threads": (lambda v: isinstance(v, Integral) and v >= 1, "an integer >= 1"),
}


@contextmanager
def _torch_threads(n: int):
    """Run with ``n`` torch intra-op threads, then restore the caller's setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class HybridEPRegressor(RegressorMixin, BaseEstimator):
    """Hybrid RNN + MLP estimator of value added per m² [EUR/m²/day], scikit-learn style.

    ``X`` is the design matrix of :func:`workbench.models.production.hybrid_inputs`: its first
    ``n_static`` columns are static features, the rest a series flattened step-major with
    ``n_channels`` channels (``T = (n_features − n_static) / n_channels`` steps). ``y`` > 0.

    Internally static columns are standardised (training mean and std; constant columns keep
    std 1), each series channel is log-transformed (``log(x + 0.01 · channel mean)``) and
    standardised, and the target is fitted as standardised ``log(y)`` by mean squared error;
    :meth:`predict` returns ``exp`` of the prediction (the conditional median on the EUR scale).
    A seeded share ``validation_fraction`` of the rows is held out for early stopping: Adam's
    learning rate is halved after ``patience // 3`` epochs without a better validation loss,
    training stops after ``patience`` such epochs and keeps the best epoch's weights.

    Parameters
    ----------
    n_static : int
        Number of leading static columns of ``X``.
    n_channels : int
        Channels of the series (2 for :data:`~workbench.models.production.SERIES_CHANNELS`).
    hidden : int
        Width of the GRU state and of every hidden layer.
    max_epochs, lr, batch_size, patience, validation_fraction
        Adam learning rate and the training loop's settings.
    use_temporal : bool
        False gives the static-only baseline (no GRU branch; series columns ignored).
    seed : int
        Seeds the weight initialisation, the batch order and the validation split; the same seed
        and data give identical predictions (on the same machine and torch build).
    n_threads : int
        Torch intra-op threads while fitting and predicting (restored afterwards). 1 is the
        default because the batches are small: on 2 cores shared with other work, 2 threads made
        a training step 30-60 times slower than 1 thread (measured, torch 2.13 CPU); alone
        on the machine the two were equal.

    Attributes
    ----------
    module_ : HybridEPNet
    history_ : dict
        ``{"train_loss": [...], "val_loss": [...]}``, mean squared error per epoch on the
        standardised log scale.
    n_epochs_, best_epoch_ : int
        Epochs run and the (1-based) epoch whose weights were kept.
    n_features_in_, n_steps_ : int

    Examples
    --------
    >>> model = HybridEPRegressor(n_static=20, n_channels=2, max_epochs=5)
    >>> model.get_params()["use_temporal"], model.get_params()["hidden"]
    (True, 32)
    """

    def __init__(self, n_static, n_channels, *, hidden=32, max_epochs=300, lr=1e-2,
                 batch_size=64, patience=30, validation_fraction=0.2, use_temporal=True, seed=0,
                 n_threads=1):
        self.n_static = n_static
        self.n_channels = n_channels
        self.hidden = hidden
        self.max_epochs = max_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.use_temporal = use_temporal
        self.seed = seed
        self.n_threads = n_threads

    # ------------------------------------------------------------------ checks and scaling
    def _check_params(self) -> None:
        for name, (ok, rule) in _PARAMETERS.items():
            value = getattr(self, name)
            if not ok(value):
                raise InputError(f"HybridEPRegressor parameter {name!r} must be {rule}; got "
                                 f"{value!r}.")

    def _check_X(self, X, n_features=None) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise InputError(f"X must be 2-D (unit, feature), as hybrid_inputs builds it; got "
                             f"shape {X.shape}.")
        if n_features is not None and X.shape[1] != n_features:
            raise InputError(f"X has {X.shape[1]} columns but the model was fitted on "
                             f"{n_features}; encode new units with the training layout "
                             f"(hybrid_inputs(..., industries=<training list>)).")
        n_series = X.shape[1] - self.n_static
        if n_series < 0 or n_series % self.n_channels or (self.use_temporal and n_series == 0):
            raise InputError(f"X has {X.shape[1]} columns: n_static={self.n_static} static "
                             f"columns must be followed by T x n_channels={self.n_channels} "
                             f"series columns (T >= 1); check n_static and n_channels against "
                             f"hybrid_inputs' layout.")
        bad = ~np.isfinite(X)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise InputError(f"X must be finite; {int(bad.sum())} value(s) are not, first at "
                             f"row {row}, column {col}. Fill them before fitting or predicting.")
        negative = X[:, self.n_static:] < 0
        if negative.any():
            row, col = np.argwhere(negative)[0]
            raise InputError(f"X: series values (consumption per m2) must be >= 0; "
                             f"{int(negative.sum())} are negative, first at row {row}, column "
                             f"{self.n_static + col}. Correct the series before encoding them.")
        return X

    def _tensors(self, X: np.ndarray, series=None) -> tuple[torch.Tensor, torch.Tensor]:
        """Scaled tensors of the static columns of ``X`` and of ``series`` (default: the series
        columns of ``X``), flattened as in ``X``."""
        static = (X[:, :self.n_static] - self.static_mean_) / self.static_std_
        series = X[:, self.n_static:] if series is None else series
        series = series.reshape(len(series), -1, self.n_channels)
        series = (np.log(series + self.series_offset_) - self.series_mean_) / self.series_std_
        return (torch.as_tensor(static, dtype=torch.float32),
                torch.as_tensor(series, dtype=torch.float32))

    # ------------------------------------------------------------------ estimator API
    def fit(self, X, y):
        """Fit on design matrix ``X`` (unit, feature) and EP per m² ``y`` [EUR/m²/day], > 0."""
        self._check_params()
        with _torch_threads(self.n_threads):
            return self._fit(X, y)

    def _fit(self, X, y):
        X = self._check_X(X)
        y = np.asarray(y, dtype=float).ravel()
        if len(y) != len(X):
            raise InputError(f"y has {len(y)} values but X has {len(X)} rows; pass one target "
                             f"per unit.")
        if not (np.isfinite(y) & (y > 0)).all():
            i = int(np.flatnonzero(~(np.isfinite(y) & (y > 0)))[0])
            raise InputError(f"y (value added per m2) must be finite and > 0, as the model fits "
                             f"its logarithm; row {i} has {y[i]}. Drop such units or model them "
                             f"apart.")
        n_val = int(round(self.validation_fraction * len(X)))
        if n_val < 1 or len(X) - n_val < 2:
            raise InputError(f"{len(X)} rows are too few for validation_fraction="
                             f"{self.validation_fraction}: it leaves {len(X) - n_val} for "
                             f"training and {n_val} for validation; give more units.")
        order = np.random.default_rng(self.seed).permutation(len(X))
        val, train = order[:n_val], order[n_val:]

        self.n_features_in_ = X.shape[1]
        self.n_steps_ = (X.shape[1] - self.n_static) // self.n_channels
        static_train = X[train, :self.n_static]
        self.static_mean_ = static_train.mean(axis=0)
        std = static_train.std(axis=0)
        self.static_std_ = np.where(std > 0, std, 1.0)
        raw = X[train, self.n_static:].reshape(len(train), -1, self.n_channels)
        self.series_offset_ = np.maximum(_LOG_OFFSET_SHARE * raw.mean(axis=(0, 1)), 1e-12) \
            if raw.size else np.ones(self.n_channels)
        logged = np.log(raw + self.series_offset_)
        self.series_mean_ = logged.mean(axis=(0, 1)) if raw.size else np.zeros(self.n_channels)
        std = logged.std(axis=(0, 1)) if raw.size else np.ones(self.n_channels)
        self.series_std_ = np.where(std > 0, std, 1.0)
        log_y = np.log(y)
        self.y_mean_, self.y_std_ = float(log_y[train].mean()), float(log_y[train].std() or 1.0)
        z = torch.as_tensor((log_y - self.y_mean_) / self.y_std_, dtype=torch.float32)

        static, series = self._tensors(X)
        # initialise under a forked global generator: seeded here, the caller's state untouched
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            self.module_ = HybridEPNet(self.n_static, self.n_channels, self.hidden,
                                       bool(self.use_temporal))
        optimiser = torch.optim.Adam(self.module_.parameters(), lr=self.lr)
        plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimiser, factor=0.5, patience=max(1, self.patience // 3))
        generator = torch.Generator().manual_seed(self.seed)
        loss_fn = nn.MSELoss()
        train_t, val_t = torch.as_tensor(train), torch.as_tensor(val)
        self.history_ = {"train_loss": [], "val_loss": []}
        best, best_state, self.best_epoch_, waited = np.inf, None, 0, 0
        for epoch in range(1, self.max_epochs + 1):
            self.module_.train()
            total = 0.0
            for batch in train_t[torch.randperm(len(train_t), generator=generator)].split(
                    self.batch_size):
                optimiser.zero_grad()
                loss = loss_fn(self.module_(static[batch], series[batch]), z[batch])
                loss.backward()
                optimiser.step()
                total += loss.item() * len(batch)
            self.module_.eval()
            with torch.no_grad():
                val_loss = float(loss_fn(self.module_(static[val_t], series[val_t]), z[val_t]))
            self.history_["train_loss"].append(total / len(train))
            self.history_["val_loss"].append(val_loss)
            plateau.step(val_loss)
            if val_loss < best:
                best, self.best_epoch_, waited = val_loss, epoch, 0
                best_state = copy.deepcopy(self.module_.state_dict())
            else:
                waited += 1
                if waited >= self.patience:
                    break
        self.n_epochs_ = epoch
        self.module_.load_state_dict(best_state)
        self.module_.eval()
        return self

    def predict(self, X) -> np.ndarray:
        """EP per m² [EUR/m²/day] of each row of ``X``: shape (unit,)."""
        check_is_fitted(self, "module_")
        X = self._check_X(X, self.n_features_in_)
        rows = None
        if self.use_temporal:
            # the GRU runs once per distinct series: the archive's grid repeats each unit's
            # series over the road levels (5x fewer passes there, ~80 % of stage 03's predicting)
            distinct, rows = np.unique(X[:, self.n_static:], axis=0, return_inverse=True)
            static, series = self._tensors(X, distinct)
            rows = torch.as_tensor(rows.ravel(), dtype=torch.long)
        else:
            static, series = self._tensors(X)
        self.module_.eval()
        with torch.no_grad(), _torch_threads(self.n_threads):
            z = self.module_(static, series, rows).numpy().astype(float)
        return np.exp(self.y_mean_ + self.y_std_ * z)


# --------------------------------------------------------------------------- persistence

_SCALERS = ("static_mean_", "static_std_", "series_offset_", "series_mean_", "series_std_")


def _plain(value):
    """JSON form of numpy scalars (parameters given as numpy integers or floats)."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_hybrid(model: HybridEPRegressor, folder, *, columns=None) -> Path:
    """Write a fitted model to ``folder``: ``hybrid.pt`` (weights) and ``hybrid.json``.

    ``hybrid.pt`` holds the module's ``state_dict`` only. ``hybrid.json`` holds the format
    name and version, the estimator's parameters, the scaler parameters, the feature layout
    (``n_static``, ``n_channels``, ``n_steps``, ``n_features``, and ``columns`` if given, e.g.
    from :func:`workbench.models.production.hybrid_columns`), the training record, the
    workbench and torch versions and the SHA-256 of ``hybrid.pt``. Returns the folder.
    """
    check_is_fitted(model, "module_")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if columns is not None and len(columns) != model.n_features_in_:
        raise InputError(f"columns names {len(columns)} columns but the model has "
                         f"{model.n_features_in_} features; pass hybrid_columns(...) of the "
                         f"training layout.")
    weights = folder / WEIGHTS_FILE
    torch.save(model.module_.state_dict(), weights)
    config = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "params": model.get_params(),
        "scaler": {name: np.asarray(getattr(model, name)).tolist() for name in _SCALERS}
        | {"y_mean_": model.y_mean_, "y_std_": model.y_std_},
        "layout": {"n_static": model.n_static, "n_channels": model.n_channels,
                   "n_steps": model.n_steps_, "n_features": model.n_features_in_,
                   "columns": None if columns is None else [str(c) for c in columns]},
        "training": {"n_epochs": model.n_epochs_, "best_epoch": model.best_epoch_,
                     "history": model.history_},
        # the installed distribution's version: importing workbench's own __init__ from here
        # would tie this module into the package's import graph (a cycle via the pipeline)
        "versions": {"workbench": importlib.metadata.version("workbench"),
                     "torch": torch.__version__},
        "weights_sha256": _sha256(weights),
    }
    (folder / CONFIG_FILE).write_text(json.dumps(config, indent=1, default=_plain))
    return folder


def load_hybrid(folder) -> HybridEPRegressor:
    """Read a model written by :func:`save_hybrid`; verify format and weights first.

    Raises :class:`~workbench.core.errors.InputError` naming the file when ``hybrid.json`` is
    missing, unreadable or of another format or version, or when ``hybrid.pt`` is missing, does
    not match the SHA-256 recorded at saving, or does not fit the recorded architecture. The
    weights are read with ``torch.load(weights_only=True)``: tensors only, no arbitrary objects.
    """
    folder = Path(folder)
    config_path, weights = folder / CONFIG_FILE, folder / WEIGHTS_FILE
    for path in (config_path, weights):
        if not path.is_file():
            raise InputError(f"{path} is missing; a model folder holds {CONFIG_FILE} and "
                             f"{WEIGHTS_FILE} as save_hybrid writes them.")
    try:
        config = json.loads(config_path.read_text())
        found = (config.get("format"), config.get("format_version"))
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError) as err:
        raise InputError(f"{config_path} is not a model description ({err}); re-save the "
                         f"model with save_hybrid.") from err
    if found != (FORMAT, FORMAT_VERSION):
        raise InputError(f"{config_path} has format {found}; this workbench reads "
                         f"{(FORMAT, FORMAT_VERSION)}. Re-save the model with this version.")
    if _sha256(weights) != config.get("weights_sha256"):
        raise InputError(f"{weights} does not match the SHA-256 recorded in {config_path}: the "
                         f"weights changed after saving or belong to another model. Re-save "
                         f"the model with save_hybrid.")
    saved_with = config.get("versions", {}).get("torch")
    if saved_with != torch.__version__:
        logger.warning("%s was saved with torch %s; loading with torch %s", weights,
                       saved_with, torch.__version__)
    try:
        model = HybridEPRegressor(**config["params"])
        model._check_params()
        state = torch.load(weights, weights_only=True)
        model.module_ = HybridEPNet(model.n_static, model.n_channels, model.hidden,
                                    bool(model.use_temporal))
        model.module_.load_state_dict(state)
        for name in _SCALERS:
            setattr(model, name, np.asarray(config["scaler"][name], dtype=float))
        model.y_mean_, model.y_std_ = config["scaler"]["y_mean_"], config["scaler"]["y_std_"]
        model.n_steps_ = config["layout"]["n_steps"]
        model.n_features_in_ = config["layout"]["n_features"]
        model.n_epochs_ = config["training"]["n_epochs"]
        model.best_epoch_ = config["training"]["best_epoch"]
        model.history_ = config["training"]["history"]
    except (TypeError, RuntimeError, KeyError, InputError, pickle.UnpicklingError) as err:
        raise InputError(f"{weights} or {config_path} does not describe a model this workbench "
                         f"can rebuild ({err}); re-save the model with save_hybrid.") from err
    model.module_.eval()
    return model
