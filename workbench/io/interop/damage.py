"""Damage computed elsewhere: :func:`read_damage` turns a pelicun-style damage-and-loss summary
into the damage Dataset of ``docs/ARCHITECTURE.md``, so recovery runs on it.

References
----------
Zsarnóczay, A. & Deierlein, G. G. (2020). PELICUN — a computational framework for estimating
damage, loss and community resilience. 17WCEE, Sendai (damage-and-loss summary columns).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ...city.model import City
from ...core.dims import BUILDING, COMPONENT, NETWORKS, REALIZATION
from ...core.errors import InputError
from ..importers.files import existing_file
from .inventory import require_rows

__all__ = ["read_damage"]

log = logging.getLogger(__name__)


#: Damage-table columns and the names accepted for them (pelicun DL_summary spellings included;
#: ``repair_time-sequential`` — all repairs one after the other — is the one-crew effort the
#: workbench's crew-days mean, so it is accepted; ``repair_time-parallel`` is not).
_DAMAGE_COLUMNS = {"id": ("id", "AIM_id"), "DS": ("DS", "highest_damage_state"),
                   "repair_cost": ("repair_cost", "repair_cost-"),
                   "repair_time": ("repair_time", "repair_time-sequential")}


def read_damage(path, city: City, *, system=None, out_of_service_state: int = 2,
                currency: str = "USD", realizations: int | None = None) -> xr.Dataset:
    """The damage Dataset of ``docs/ARCHITECTURE.md`` from a pelicun-style damage summary.

    Parameters
    ----------
    path : path-like
        * ``.csv`` — one row per damaged element (per realization): ``id`` (or ``AIM_id``), the
          highest damage state ``DS`` (or ``highest_damage_state``; 0 none … 4 complete),
          ``repair_cost`` [money] (or ``repair_cost-``), ``repair_time`` [days of one crew] (or
          ``repair_time-sequential``); optional ``realization`` (integers ≥ 0; without it, one
          realization 0) and, for components, ``functional`` (bool);
        * ``.json`` — the same content as a list of records ``[{"id": ..., "DS": ...}, ...]``, or
          an object keyed by id, ``{"<id>": {"DS": 3, "repair_cost": ..., "repair_time": ...}}``,
          whose value may be a list of such records, one per realization (realization = position);
          optionally under a top-level ``"Buildings"`` key.
    city : City
        The city the ids refer to.
    system : InfrastructureSystem, optional
        Its components make the ``component`` dim; default :func:`workbench.network.system.build_system`
        of the city when it has all networks, else no components.
    out_of_service_state : int
        A component row without ``functional`` is out of service at ``DS ≥`` this (as
        :func:`workbench.hazard.damage.sample_damage`).
    currency : str
        Currency of ``repair_cost`` (recorded in ``attrs``; not converted). The indexes add
        repair costs to productivity losses in EUR (:mod:`workbench.functionality`): convert
        costs to EUR before import when the economic loss is to mean something.
    realizations : int, optional
        The realizations the run asked for (parameter ``realizations``). The table decides: when
        it holds another count, its count is used and a warning says so.

    Returns
    -------
    xarray.Dataset
        Dims ``realization``, ``building``, ``component``; ``building_damage_state`` (int8),
        ``building_repair_days`` [crew-days] = the imported repair time, ``building_repair_cost``,
        and the ``component_*`` variables. Buildings and components absent from the file are
        undamaged (DS 0, no repair, functional). Components are undamaged unless the file has
        rows with component ids (``water:W1--W2``, see :func:`workbench.network.system.component_id`). No
        intensity variables: the shaking is not known. Recovery rounds a repair up to whole days.

    Raises
    ------
    InputError
        For an unreadable file, a missing column, a value out of range, a repeated row, an id
        of no building or component, and a damaged row (``DS > 0``) with zero repair time
        (recovery would count it restored at day 0), naming the rows.

    Examples
    --------
    >>> import tempfile, os
    >>> from workbench.city import toy_city
    >>> path = os.path.join(tempfile.mkdtemp(), "dl.csv")
    >>> pd.DataFrame({"id": ["b0", "water:W1--W2"], "DS": [3, 4], "repair_cost": [5e4, 1e4],
    ...               "repair_time": [60.0, 2.0]}).to_csv(path, index=False)
    >>> damage = read_damage(path, toy_city())
    >>> damage["building_damage_state"].values.tolist()
    [[3, 0, 0, 0, 0, 0]]
    >>> int((~damage["component_functional"]).sum())
    1
    """
    path = existing_file(path, "damage table")
    source = path.name
    table = _damage_table(path)
    if system is None and all(n in city.networks for n in NETWORKS):
        from ...network.system import build_system
        system = build_system(city)
    b_ids = pd.Index(city.buildings[BUILDING].values.astype(str))
    c_ids = pd.Index(np.asarray(system.component_ids).astype(str) if system is not None else [])
    ids = table["id"].to_numpy()
    b_pos, c_pos = b_ids.get_indexer(ids), c_ids.get_indexer(ids)
    orphan = (b_pos < 0) & (c_pos < 0)
    if orphan.any():
        raise InputError(f"{source}: {int(orphan.sum())} damage id(s) match no building or "
                         f"component of city {city.name!r} (e.g. {ids[orphan][:5].tolist()}); "
                         f"building ids are like {b_ids[:3].tolist()}. Import the damage for "
                         f"the matching inventory.")
    present = np.unique(table["realization"].to_numpy())
    r_pos = np.searchsorted(present, table["realization"].to_numpy())
    n_r, out = len(present), {}
    if realizations is not None and realizations != n_r:
        log.warning("damage table %s holds %d realization(s); parameter realizations = %d does "
                    "not apply to an imported table: the run uses the table's %d", source, n_r,
                    realizations, n_r)
    for kind, pos, index in (("building", b_pos, b_ids), ("component", c_pos, c_ids)):
        rows = pos >= 0
        state = np.zeros((n_r, len(index)), np.int8)
        days, cost = np.zeros((n_r, len(index))), np.zeros((n_r, len(index)))
        at = (r_pos[rows], pos[rows])
        state[at] = table["DS"].to_numpy()[rows]
        days[at] = table["repair_time"].to_numpy()[rows]
        cost[at] = table["repair_cost"].to_numpy()[rows]
        dims = (REALIZATION, BUILDING if kind == "building" else COMPONENT)
        out.update({f"{kind}_damage_state": (dims, state), f"{kind}_repair_days": (dims, days),
                    f"{kind}_repair_cost": (dims, cost)})
        if kind == "component":
            functional = state < out_of_service_state
            given = table["functional"].to_numpy() if "functional" in table else None
            if given is not None:
                explicit = rows & pd.notna(given)
                functional[(r_pos[explicit], pos[explicit])] = given[explicit].astype(bool)
            out["component_functional"] = (dims, functional)
    damage = xr.Dataset(out, coords={REALIZATION: present.astype(np.int64),
                                     BUILDING: b_ids.to_numpy(), COMPONENT: c_ids.to_numpy()})
    for name in ("building_repair_days", "component_repair_days"):
        damage[name].attrs["units"] = "crew-days"
    for name in ("building_repair_cost", "component_repair_cost"):
        damage[name].attrs["units"] = currency
    damage.attrs.update({"source": f"imported damage {source}", "realizations": int(n_r),
                         "currency": currency, "out_of_service_state": int(out_of_service_state),
                         "damaged_buildings": int((damage["building_damage_state"] > 0).sum()),
                         "note": "elements absent from the file are undamaged; no intensity"})
    return damage


def _damage_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            frame = pd.read_csv(path, dtype={"id": str, "AIM_id": str})
        except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
            reason = " ".join(str(err).split())[:120]
            raise InputError(f"damage table {str(path)!r} is not a readable CSV table ({reason}); "
                             f"give UTF-8 CSV with columns id, DS, repair_cost, repair_time.") \
                from None
    elif suffix == ".json":
        try:
            frame = _damage_records(json.loads(path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise InputError(f"damage table {str(path)!r} is not valid UTF-8 JSON ({err}).") \
                from None
    else:
        raise InputError(f"path {str(path)!r}: unknown damage format {path.suffix!r}; give a "
                         f".csv table or a .json file (see workbench.io.interop.read_damage).")
    source = path.name
    renamed = {}
    for target, names in _DAMAGE_COLUMNS.items():
        found = [c for c in frame.columns if c in names or
                 (target == "DS" and str(c).startswith("highest_damage_state/"))]
        if not found:
            hint = (" (repair_time-parallel is a duration with unlimited workers, not the "
                    "one-crew effort; rename a sequential time to repair_time)"
                    if target == "repair_time" and "repair_time-parallel" in frame else "")
            raise InputError(f"{source} lacks the column {target!r} (accepted names: "
                             f"{list(names)}){hint}; it has {list(frame.columns)}.")
        renamed[target] = (frame[found].apply(pd.to_numeric, errors="coerce").max(axis=1)
                           if target == "DS" and len(found) > 1 else frame[found[0]])
    table = pd.DataFrame(renamed)
    table["id"] = table["id"].astype(str).str.strip().where(table["id"].notna())
    table["realization"] = frame["realization"] if "realization" in frame else 0
    if "functional" in frame:
        text = frame["functional"].astype(str).str.strip().str.lower()
        table["functional"] = text.isin(["true", "1", "1.0", "yes"]).where(
            frame["functional"].notna())
    for column in ("DS", "repair_cost", "repair_time", "realization"):
        table[column] = pd.to_numeric(table[column], errors="coerce")
    ids = table["id"].fillna("<missing id>").to_numpy()
    for column in ("id", "DS", "repair_cost", "repair_time", "realization"):
        require_rows(table[column].isna().to_numpy(), ids, source, column,
                      "are missing or not numbers (NaN)", "give a value in every row")
    ds = table["DS"].to_numpy(float)
    bad = (ds < 0) | (ds > 4) | (ds != np.round(ds))
    require_rows(bad, ids, source, "DS", f"are outside the damage states 0–4 (values "
                  f"{sorted(set(ds[bad].tolist()))[:5]})",
                  "give Hazus damage states 0 (none) … 4 (complete)")
    for column in ("repair_time", "repair_cost"):
        require_rows(table[column].to_numpy() < 0, ids, source, column, "are negative",
                      "repair time [days] and cost must be ≥ 0")
    require_rows((ds > 0) & (table["repair_time"].to_numpy() == 0), ids, source, "repair_time",
                  "are 0 with a damage state DS > 0 (recovery would count them restored at day "
                  "0)", "give the repair time in days of one crew, or DS 0 if undamaged")
    real = table["realization"].to_numpy(float)
    require_rows((real < 0) | (real != np.round(real)), ids, source, "realization",
                  "are not integers ≥ 0", "number realizations 0, 1, …")
    table["DS"] = ds.astype(np.int8)
    table["realization"] = real.astype(np.int64)
    twice = table.duplicated(["id", "realization"], keep=False).to_numpy()
    require_rows(twice, ids, source, "id", "appear more than once in a realization",
                  "give one row per element and realization")
    return table


def _damage_records(data) -> pd.DataFrame:
    if isinstance(data, dict):
        data = next((data[k] for k in ("Buildings", "buildings") if k in data), data)
    if isinstance(data, list):
        if not all(isinstance(record, dict) for record in data):
            raise InputError("a damage JSON list must hold records (objects) such as "
                             '{"id": ..., "DS": ..., "repair_cost": ..., "repair_time": ...}.')
        return pd.DataFrame(data)
    if not isinstance(data, dict):
        raise InputError("a damage JSON must be a list of records or an object keyed by id.")
    rows = []
    for key, value in data.items():  # parsing JSON is per record
        records = value if isinstance(value, list) else [value]
        for r, record in enumerate(records):
            if not isinstance(record, dict):
                raise InputError(f"damage JSON: the record of id {str(key)!r} is "
                                 f"{type(record).__name__}, not an object such as "
                                 f'{{"DS": 2, "repair_cost": ..., "repair_time": ...}}.')
            row = {"id": str(key), **record}
            if isinstance(value, list):
                row.setdefault("realization", r)
            rows.append(row)
    return pd.DataFrame(rows)
