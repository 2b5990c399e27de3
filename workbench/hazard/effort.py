"""Repair effort shared by every hazard's damage model: the spread of a Hazus restoration
function (:func:`restoration_factor`) and the rule that damage always takes effort
(:func:`require_effort`)."""

from __future__ import annotations

import numpy as np
from scipy.stats import truncnorm

from ..core.errors import InputError

__all__ = ["restoration_factor", "require_effort"]


def restoration_factor(u: np.ndarray, cv: np.ndarray) -> np.ndarray:
    """The factor on a mean restoration effort at uniform ``u`` of a normal restoration
    function with coefficient of variation ``cv`` truncated at 0 (:func:`scipy.stats.truncnorm`);
    1 where ``cv`` is 0.

    Examples
    --------
    >>> restoration_factor(np.array([0.5, 0.5, 0.975]), np.array([0.0, 0.2, 0.2])).round(3)
    array([1.   , 1.   , 1.392])
    """
    u = np.clip(u, 1e-12, 1 - 1e-12)
    out = np.ones_like(u, dtype=float)
    spread = cv > 0
    if spread.any():
        scale = cv[spread]
        out[spread] = truncnorm.ppf(u[spread], -1.0 / scale, np.inf, loc=1.0, scale=scale)
    return out


def require_effort(kind: str, states: np.ndarray, effort: np.ndarray, ids) -> None:
    """A damaged element (DS > 0) with no repair effort would count as restored at day 0.

    >>> require_effort("building", np.array([[0, 2]]), np.array([[0.0, 0.0]]), ["b0", "b1"])
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: 1 damaged building(s) have no repair effort (e.g. ['b1']), ...
    """
    zero = ((states > 0) & ~(effort > 0)).any(axis=0)
    if zero.any():
        raise InputError(f"{int(zero.sum())} damaged {kind}(s) have no repair effort (e.g. "
                         f"{np.asarray(ids)[zero][:5].astype(str).tolist()}), so recovery would "
                         f"count them restored at day 0; give them repair_days > 0 or check the "
                         f"repair tables in data/.")
