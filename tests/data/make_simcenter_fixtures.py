"""Write the SimCenter-style fixtures of tests/test_interop.py (deterministic; seed 20250611).

Run from the repository root: ``.venv/bin/python tests/data/make_simcenter_fixtures.py``.
It rewrites ``simcenter_inventory.csv`` (240 synthetic buildings around downtown Berkeley, CA,
areas in ft², field names of the SimCenter building inventories) and ``simcenter_damage.csv``
(a pelicun-style damage-and-loss summary for 80 of them). Nothing here is real data: the
buildings, costs and damage are drawn from simple seeded distributions.
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
SEED = 20250611
N = 240
CENTRE_LAT, CENTRE_LON = 37.8700, -122.2700  # downtown Berkeley, CA
# occupancy class → (share, structure types, storeys range)
MIX = {
    "RES1": (0.30, ["W1"], (1, 2)),
    "RES3": (0.25, ["W2", "C2", "RM1", "URM"], (2, 9)),
    "COM1": (0.10, ["S2", "C1", "URM"], (1, 3)),
    "COM4": (0.12, ["C1", "S1", "C2"], (3, 12)),
    "EDU1": (0.06, ["RM1", "C2"], (1, 3)),
    "IND2": (0.07, ["S3", "PC1"], (1, 2)),
    "GOV1": (0.05, ["C2", "S2"], (2, 5)),
    "REL1": (0.05, ["URM", "W1"], (1, 2)),
}


def inventory(rng) -> pd.DataFrame:
    classes = np.array(list(MIX))
    share = np.array([v[0] for v in MIX.values()])
    occ = rng.choice(classes, size=N, p=share / share.sum())
    stype, stories = [], []
    for c in occ:  # a few hundred rows, once, to write a fixture
        types, (lo, hi) = MIX[c][1], MIX[c][2]
        stype.append(types[rng.integers(len(types))])
        stories.append(int(rng.integers(lo, hi + 1)))
    stories = np.array(stories)
    stype = np.array(stype)
    stories = np.where(stype == "W1", np.minimum(stories, 2), stories)
    plan_ft2 = np.round(rng.lognormal(np.log(2500.0), 0.6, N), 1)
    year = rng.integers(1905, 2016, N)
    cost_per_ft2 = np.where(np.char.startswith(occ.astype(str), "RES"), 250.0, 320.0)
    replacement = np.round(plan_ft2 * stories * cost_per_ft2, -2)
    residents = np.where(np.char.startswith(occ.astype(str), "RES"),
                         np.maximum(1, np.round(plan_ft2 * stories / 700.0)), 0.0)
    # ~ 1.5 km × 1.5 km around the centre
    lat = np.round(CENTRE_LAT + rng.uniform(-0.0068, 0.0068, N), 6)
    lon = np.round(CENTRE_LON + rng.uniform(-0.0086, 0.0086, N), 6)
    return pd.DataFrame({
        "id": np.arange(1, N + 1), "Latitude": lat, "Longitude": lon,
        "PlanArea": plan_ft2, "AreaUnits": "ft2", "NumberOfStories": stories,
        "YearBuilt": year, "StructureType": stype, "OccupancyClass": occ,
        "ReplacementCost": replacement, "Population": residents,
    })


def damage(rng, inv: pd.DataFrame) -> pd.DataFrame:
    ids = np.sort(rng.choice(inv["id"].to_numpy(), size=80, replace=False))
    ds = rng.choice([0, 1, 2, 3, 4], size=ids.size, p=[0.15, 0.35, 0.25, 0.15, 0.10])
    cost_share = np.array([0.0, 0.02, 0.10, 0.45, 1.0])[ds]
    cost = np.round(inv.set_index("id").loc[ids, "ReplacementCost"].to_numpy() * cost_share, 0)
    days = np.array([0, 5, 30, 120, 240])[ds] + rng.integers(0, 10, ids.size) * (ds > 0)
    return pd.DataFrame({"id": ids, "DS": ds, "repair_cost": cost, "repair_time": days})


if __name__ == "__main__":
    rng = np.random.default_rng(SEED)
    inv = inventory(rng)
    inv.to_csv(HERE / "simcenter_inventory.csv", index=False)
    damage(rng, inv).to_csv(HERE / "simcenter_damage.csv", index=False)
