"""City folder I/O (METHOD §9): :func:`save_city` and :func:`load_city`, networks as node-link JSON.

Kept apart from the data model of :mod:`workbench.city`, as WNTR keeps ``network/io.py`` apart
from its network model: the model imports no reader, and the readers of
:mod:`workbench.io.importers` build on the model.

City folder
-----------
``buildings.csv`` (column ``id`` plus the building variables of :mod:`workbench.city`) or
``buildings.geojson``; ``networks/<name>.json`` as networkx node-link JSON (also read: pandapower
JSON and EPANET ``.inp``, through :mod:`workbench.io.importers`); ``city.json`` (name, CRS, the
buildings' attrs) and a ``README.md`` of provenance.

Examples
--------
>>> import tempfile
>>> from workbench.city import toy_city
>>> folder = save_city(toy_city(), tempfile.mkdtemp())
>>> sorted(p.name for p in (folder / "networks").iterdir())
['power.json', 'road.json', 'water.json']
>>> load_city(folder).buildings.sizes["building"]
6
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import networkx as nx
import pandas as pd

from ..city.model import DEFAULT_CRS, City, buildings_from_frame
from ..core.dims import NETWORKS
from ..core.errors import InputError

__all__ = ["save_city", "load_city", "read_network_json", "write_network_json"]

log = logging.getLogger(__name__)


def write_network_json(graph: nx.Graph, path: str | Path) -> None:
    """Write a graph as networkx node-link JSON (sorted, so the file is reproducible)."""
    data = nx.node_link_data(graph, edges="edges")
    data["nodes"] = sorted(data["nodes"], key=lambda d: d["id"])
    data["edges"] = sorted(data["edges"], key=lambda d: (d["source"], d["target"]))
    Path(path).write_text(json.dumps(data, indent=None, sort_keys=True))


def read_network_json(path: str | Path) -> nx.Graph:
    """Read a networkx node-link JSON file (``edges`` or ``links`` key)."""
    data = json.loads(Path(path).read_text())
    key = "edges" if "edges" in data else "links"
    seen, repeated = set(), []
    for node in data.get("nodes", []):
        ident = str(node.get("id")) if isinstance(node, dict) else None
        if ident in seen:
            repeated.append(ident)
        seen.add(ident)
    if repeated:      # networkx would merge them silently, keeping the last node's position
        raise InputError(f"network file {str(path)!r}: node id {repeated[0]!r} appears more than "
                         f"once ({len(repeated)} repeated id(s)); each node needs its own id.")
    graph = nx.node_link_graph(data, edges=key)
    return nx.relabel_nodes(graph, str) if any(not isinstance(n, str) for n in graph) else graph


def save_city(city: City, directory: str | Path) -> Path:
    """Write a city folder: ``buildings.csv``, ``networks/<name>.json``, ``README.md``, ``city.json``."""
    directory = Path(directory)
    (directory / "networks").mkdir(parents=True, exist_ok=True)
    frame = city.buildings.reset_coords().to_dataframe()
    frame.index.name = "id"
    frame.reset_index().to_csv(directory / "buildings.csv", index=False, float_format="%.17g")
    for name, graph in city.networks.items():
        write_network_json(graph, directory / "networks" / f"{name}.json")
    attrs = {k: v for k, v in city.buildings.attrs.items() if isinstance(v, (str, int, float, list))}
    meta = {"name": city.name, "crs": city.crs, "attrs": attrs}
    (directory / "city.json").write_text(json.dumps(meta, indent=2) + "\n")
    (directory / "README.md").write_text(city.provenance or f"# {city.name}\n")
    return directory


def load_city(directory: str | Path) -> City:
    """Load a city folder written by :func:`save_city` or assembled by a user (METHOD §9).

    ``buildings.csv`` or ``buildings.geojson``; networks as node-link ``.json``, pandapower
    ``.json`` or EPANET ``.inp`` (the latter two through :mod:`workbench.io.importers`).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"city folder {str(directory)!r} does not exist; give a folder holding "
                         f"buildings.csv and networks/, or 'demo'.")
    meta_path = directory / "city.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    crs = meta.get("crs", DEFAULT_CRS)
    if (directory / "buildings.csv").exists():
        path = directory / "buildings.csv"
        frame = pd.read_csv(path, dtype={"id": str, "district": str, "water_node": str,
                                         "power_node": str, "road_node": str},
                            keep_default_na=False, na_values=[""])
        buildings = buildings_from_frame(frame, crs=crs, source=str(path))
        buildings.attrs.update(meta.get("attrs", {}))
    elif (directory / "buildings.geojson").exists():
        # The readers are imported when called: importing any module of workbench.io.importers
        # initialises the whole package, whose city_from_osm imports save_city from here.
        from .importers.buildings import read_buildings_geojson
        buildings = read_buildings_geojson(directory / "buildings.geojson")
    else:
        raise InputError(f"city folder {str(directory)!r} holds neither buildings.csv nor "
                         f"buildings.geojson.")
    networks = {}
    for path in sorted((directory / "networks").glob("*")) if (directory / "networks").is_dir() else []:
        name = path.stem
        if name not in NETWORKS:
            log.warning("ignoring %s: network files are named %s", path, list(NETWORKS))
            continue
        networks[name] = _read_network_file(path)
    readme = directory / "README.md"
    return City(buildings=buildings, networks=networks, name=meta.get("name", directory.name),
                provenance=readme.read_text() if readme.exists() else "")


def _read_network_file(path: Path) -> nx.Graph:
    if path.suffix == ".inp":
        from .importers.epanet import read_epanet  # at call time, as in load_city
        return read_epanet(path)
    if path.suffix == ".json":
        head = json.loads(path.read_text())
        if "nodes" in head and ("edges" in head or "links" in head):
            graph = read_network_json(path)
            graph.graph.setdefault("name", path.stem)
            return graph
        from .importers.pandapower import read_pandapower  # at call time, as in load_city
        return read_pandapower(path)
    raise InputError(f"network file {str(path)!r}: unknown format {path.suffix!r}; use node-link "
                     f".json, pandapower .json or EPANET .inp.")
