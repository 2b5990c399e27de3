"""Impeding delays before a repair can start (REDi), sampled per building and component.

REDi (Almufti & Willford 2013) models the time between the event and the start of repairs as
impeding factors, each lognormal with a median and a dispersion. The workbench takes, from the
table ``data/redi_impeding_delays.csv`` (values as implemented in the REDi reference code pyredi
0.1.1, every row citing its source):

* **inspection** (all damaged buildings and components): median 1 d, β 0.54;
* **engineering mobilisation** and **permits**, in series, by repair class;
* **financing** (insurance), in parallel with engineering and permits, for major repairs.

A building's delay is ``inspection + max(financing, engineering + permit)``, the REDi critical
path. Hazus damage states map onto REDi repair classes as follows (a workbench assumption: REDi
assigns repair classes from component damage, Hazus gives one state per building): DS1
(*slight*) → inspection only; DS2 (*moderate*) → repair class 1; DS3 (*extensive*) → repair
class 3 and financing; DS4 (*complete*) → redesign (replacement) and financing, with the repair
class 3 permit. Network components wait for inspection only: utilities repair under emergency
procedures, without permits or outside financing (assumption). REDi's contractor mobilisation is
left out on purpose: the crews of :class:`~workbench.recovery.Constraints` *are* the
contractors, and their scarcity is what the recovery simulation models.

All draws come from one generator seeded by the simulation seed, and every strategy that waits
sees the same delays (common random numbers).

References
----------
Almufti, I., & Willford, M. (2013). *REDi Rating System: Resilience-based earthquake design
initiative for the next generation of buildings*, version 1.0. Arup.

Examples
--------
>>> import numpy as np
>>> d = building_delays(np.array([0, 1, 2, 3, 4]), np.random.default_rng(0))
>>> float(d[0]), bool(d[1] < d[2] < d[4])
(0.0, True)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..core.paths import DATA_DIR

__all__ = ["impeding_table", "building_delays", "component_delays", "REPAIR_CLASS_OF_STATE"]

#: Hazus damage state → (REDi repair class of engineering/permit, financing needed); None: none.
REPAIR_CLASS_OF_STATE = {1: (None, None, False), 2: ("rc1", "rc1", False),
                         3: ("rc3", "rc3", True), 4: ("redesign", "rc3", True)}


@lru_cache(maxsize=None)
def _table() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "redi_impeding_delays.csv").set_index(["factor", "repair_class"])


def impeding_table() -> pd.DataFrame:
    """The REDi impeding factors (median days, β, source) as used, a copy of the CSV."""
    return _table().reset_index().copy()


def _draw(rng: np.random.Generator, factor: str, repair_class: str, size: int) -> np.ndarray:
    row = _table().loc[(factor, repair_class)]
    return float(row["median_days"]) * np.exp(float(row["beta"]) * rng.standard_normal(size))


def building_delays(damage_state: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Impeding delay [days] of each building from its Hazus damage state (0 where undamaged).

    Draws are made for every building in a fixed order (one array per factor), so the delays of
    a building do not depend on the others' states.
    """
    ds = np.asarray(damage_state, dtype=np.int64)
    n = len(ds)
    inspection = _draw(rng, "inspection", "all", n)
    out = np.where(ds > 0, inspection, 0.0)
    for state, (engineering, permit, financing) in REPAIR_CLASS_OF_STATE.items():
        # draw for all buildings, keep for this state: the streams stay aligned
        path = np.zeros(n)
        if engineering is not None:
            path = (_draw(rng, "engineering_mobilisation", engineering, n)
                    + _draw(rng, "permit", permit, n))
        money = _draw(rng, "financing", "insurance", n) if financing else np.zeros(n)
        out = np.where(ds == state, out + np.maximum(path, money), out)
    return out


def component_delays(n: int, rng: np.random.Generator) -> np.ndarray:
    """Impeding delay [days] of ``n`` damaged network components: inspection only."""
    return _draw(rng, "inspection", "all", n)
