"""The infrastructure system compiled to arrays: component table, service and cascade (METHOD §2).

:func:`build_system` turns a mapped :class:`~workbench.city.City` into an
:class:`InfrastructureSystem`: one flat table of components (every node and every edge of the
water, power and road networks, dim ``component``) and integer arrays over which the per-day
questions of damage and recovery are answered with vectorised numpy and one call of
:func:`scipy.sparse.csgraph.connected_components`:

* :meth:`InfrastructureSystem.cascade` — each component's own state → the state after
  interdependent failures propagate (Li, METHOD refs: physical, geographic and logical
  interdependencies), iterated to a fixed point;
* :meth:`InfrastructureSystem.served_nodes` — which nodes are connected to a working source;
* :meth:`InfrastructureSystem.service` — the service satisfaction ``s_k,i ∈ {0, 1}`` of each
  building ``i`` from each network ``k`` (METHOD §2);
* :func:`service_table` — per network, the buildings mapped and the share served in the intact
  city.

Rules (the choices made where the method is silent)
-----------------------------------------------
* A node is *out* when it is itself damaged; an edge is out when it is damaged or either of its
  end nodes is out.
* A node is *served* when it is not out and is connected, through components that are not out, to
  a source node (kind in :data:`workbench.core.dims.SOURCE_KINDS`) that is not out.
* **Physical dependency** (``dependencies="default"``): every water component of kind ``pump``
  (node or edge) needs electricity: it is out unless the power node nearest to it (Euclidean,
  found once with a KD-tree when the system is built) is served by the power network.
* **Geographic dependency**: components whose ``site`` attribute holds the same non-empty string
  (a shared trench, a shared building) fail together: if any of them is damaged, all are out.
  This acts on the *own* (hazard) state only; a component put out by the cascade does not drag
  its site-mates, because co-location transmits physical damage, not loss of supply
  (Rinaldi et al. 2001).
* **Logical dependency**: explicit ``(dependent, supporting)`` component-id pairs; the dependent
  is out unless the supporting component *works*: a node works when it is served, an edge when
  it is not out and its end nodes are served.

The cascade is monotone — removing a component can only remove service, and removing service can
only disable dependants — so the iteration ``a_{k+1} = own ∧ deps(a_k)`` from ``a_0 = own`` is
non-increasing and reaches its fixed point in at most ``n_components + 1`` steps (in practice
two or three).

References
----------
Rinaldi, S. M., Peerenboom, J. P., & Kelly, T. K. (2001). Identifying, understanding, and
analyzing critical infrastructure interdependencies. *IEEE Control Systems Magazine*, 21(6),
11–25. doi:10.1109/37.969131
"""

from __future__ import annotations

import difflib
import threading
import weakref
from types import MappingProxyType
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
import xarray as xr
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ..city.model import City
from ..core.dims import BUILDING, COMPONENT, NETWORK, NETWORKS, REALIZATION, SOURCE_KINDS
from ..core.errors import InputError
from ..city.mapping import map_city

__all__ = ["InfrastructureSystem", "build_system", "component_id", "service_table",
           "cascade_table", "services_lost", "DEPENDENCY_MODES"]

#: Values accepted by ``build_system(dependencies=...)``.
DEPENDENCY_MODES = ("default", "none")


def component_id(network: str, u: str, v: str | None = None) -> str:
    """The component id of a node (``"<network>:<node>"``) or an edge (``"<network>:<u>--<v>"``).

    Edge end nodes are sorted so that ``u < v`` as strings.

    Examples
    --------
    >>> component_id("water", "W1"), component_id("water", "W2", "W1")
    ('water:W1', 'water:W1--W2')
    """
    if v is None:
        return f"{network}:{u}"
    u, v = sorted((str(u), str(v)))
    return f"{network}:{u}--{v}"


class InfrastructureSystem:
    """A city's networks compiled to a component table and integer arrays (read-only).

    Build it with :func:`build_system`; do not call the constructor directly.

    Attributes
    ----------
    city : City
        The mapped city the system was built from.
    components : xarray.Dataset
        Dim ``component``; variables ``network``, ``element`` (``node``/``edge``), ``kind``,
        ``x``, ``y`` [m; edge midpoint], ``length`` [m; 0 for nodes], ``repair_days``
        [crew-days], ``repair_cost`` [money], ``u``, ``v`` (node ids; ``""`` for nodes),
        ``site`` (``""`` when none).
    component_ids : ndarray of str
    n_components, n_buildings : int
    networks : mapping of str to networkx.Graph
        The city's graphs (never mutated).
    node_component : dict of str to ndarray of int
        Component index of each graph node, in ``list(graph.nodes)`` order.
    edge_component : dict of str to ndarray of int
        Component index of each edge, in ``edge_endpoints`` order.
    edge_endpoints : dict of str to ndarray of int, shape (n_edges, 2)
        Positions (in ``list(graph.nodes)`` order) of each edge's end nodes.
    sources : dict of str to ndarray of int
        Positions of each network's source nodes (kinds in ``SOURCE_KINDS``).
    building_node : dict of str to ndarray of int
        Position of each building's serving node, ``-1`` when unmapped.
    pump_components, pump_power_node : ndarray of int
        The water components that need power and the position (in the power graph) of the
        power node feeding each; empty when ``dependencies="none"``.
    logical_pairs : ndarray of int, shape (n_pairs, 2)
        (dependent, supporting) component indices.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> system = build_system(toy_city())
    >>> system.n_components, system.component_ids[:2].tolist()
    (21, ['water:W0', 'water:W1'])
    """

    def __init__(self, city: City, components: xr.Dataset, arrays: dict):
        object.__setattr__(self, "city", city)
        object.__setattr__(self, "components", components)
        object.__setattr__(self, "networks", MappingProxyType(dict(city.networks)))
        for name, value in arrays.items():
            object.__setattr__(self, name, value)
        ids = components[COMPONENT].values.astype(str)
        ids.setflags(write=False)
        object.__setattr__(self, "component_ids", ids)
        object.__setattr__(self, "_index", {c: i for i, c in enumerate(ids.tolist())})

    def __setattr__(self, name, value):
        raise AttributeError(f"InfrastructureSystem is read-only; cannot set {name!r}. "
                             f"Build a new one with workbench.network.system.build_system.")

    def __repr__(self) -> str:
        return (f"<InfrastructureSystem {self.city.name!r}: {self.n_components} components, "
                f"{self.n_buildings} buildings>")

    # ------------------------------------------------------------------ sizes and lookups

    @property
    def n_components(self) -> int:
        """Number of components (nodes plus edges of all networks)."""
        return len(self.component_ids)

    @property
    def n_buildings(self) -> int:
        """Number of buildings in the city."""
        return int(self.city.buildings.sizes[BUILDING])

    def index_of(self, component_id: str) -> int:
        """Position of a component id on dim ``component``.

        Examples
        --------
        >>> from workbench.city import toy_city
        >>> build_system(toy_city()).index_of("power:P0--P1")
        11
        """
        try:
            return self._index[component_id]
        except KeyError:
            close = difflib.get_close_matches(str(component_id), self._index, n=3)
            raise InputError(
                f"unknown component id {component_id!r}; ids are '<network>:<node>' or "
                f"'<network>:<u>--<v>' with u < v. Closest: {close}.") from None

    # ------------------------------------------------------------------ the cascade

    def cascade(self, functional) -> np.ndarray:
        """Each component's state after interdependent failures reach their fixed point.

        Parameters
        ----------
        functional : array_like of bool, shape (n_components,) or (n_realizations, n_components)
            Each component's own state (``True`` = undamaged), e.g. ``component_functional`` of
            the damage Dataset. An ``xarray.DataArray`` with dim ``component`` is also accepted.

        Returns
        -------
        ndarray of bool, same shape
            ``True`` where the component is not out after the cascade (see module rules). It is
            never ``True`` where the input is ``False``.

        Examples
        --------
        Cutting the power line P0--P1 of the toy city puts nothing else out, because nothing
        depends on power there; losing node W1 puts out its two edges:

        >>> from workbench.city import toy_city
        >>> system = build_system(toy_city())
        >>> state = np.ones(system.n_components, bool)
        >>> state[system.index_of("water:W1")] = False
        >>> out = system.component_ids[~system.cascade(state)]
        >>> out.tolist()
        ['water:W1', 'water:W0--W1', 'water:W1--W2']
        """
        own, squeeze = self._as_state(functional)
        node_ok, edge_ok, _ = self._fixed_point(own)
        out = np.zeros_like(own)
        out[:, self._node_comp] = node_ok
        out[:, self._edge_comp] = edge_ok
        return out[0] if squeeze else out

    def served_nodes(self, functional) -> dict[str, np.ndarray]:
        """Which nodes of each network are served, after the cascade.

        Parameters
        ----------
        functional : array_like of bool, shape (n_components,) or (n_realizations, n_components)

        Returns
        -------
        dict of str to ndarray of bool
            Per network, shape (n_nodes,) or (n_realizations, n_nodes), nodes in
            ``list(graph.nodes)`` order.

        Examples
        --------
        >>> from workbench.city import toy_city
        >>> system = build_system(toy_city())
        >>> state = np.ones(system.n_components, bool)
        >>> state[system.index_of("water:W1--W2")] = False
        >>> system.served_nodes(state)["water"].tolist()
        [True, True, False, False]
        """
        own, squeeze = self._as_state(functional)
        _, _, served = self._fixed_point(own)
        result = {}
        for name in NETWORKS:
            start, stop = self._node_slice[name]
            block = served[:, start:stop]
            result[name] = block[0] if squeeze else block
        return result

    def service(self, functional) -> np.ndarray:
        """Service satisfaction of every building from every network, after the cascade.

        Building ``i`` gets ``s = 1`` from network ``k`` when its serving node (``<k>_node``) is
        served (see :meth:`served_nodes`), else ``0``. Unmapped buildings (``""``: no node of
        ``k`` within the mapping distance) get ``1``: they are outside the modelled network, so
        the hazard and the repairs of ``k`` do not change their service, and an intact city keeps
        zero service loss whatever its mapping (the mapping counts them,
        :func:`service_table`).

        Parameters
        ----------
        functional : array_like of bool, shape (n_components,) or (n_realizations, n_components)

        Returns
        -------
        ndarray of float in [0, 1]
            Shape (n_buildings, 3) or (n_realizations, n_buildings, 3); the last axis follows
            :data:`workbench.core.dims.NETWORKS` (water, power, road). Use
            :meth:`service_dataarray` for a labelled result.

        Examples
        --------
        Cutting the water pipe W1--W2 leaves the buildings served by W2 and W3 dry:

        >>> from workbench.city import toy_city
        >>> system = build_system(toy_city())
        >>> state = np.ones(system.n_components, bool)
        >>> state[system.index_of("water:W1--W2")] = False
        >>> system.service(state)[:, 0].tolist()
        [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
        """
        own, squeeze = self._as_state(functional)
        _, _, served = self._fixed_point(own)
        # a trailing True column: unmapped buildings (index -1) are outside the modelled
        # network, so neither the hazard nor the repairs change their (full) service
        padded = np.concatenate([served, np.ones((served.shape[0], 1), bool)], axis=1)
        result = padded[:, self._building_global].astype(float)
        return result[0] if squeeze else result

    def building_positions_by_node(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Which buildings each node serves, for updating service node by node.

        Positions are into the flattened (building, network) service array (``3 * building +
        network``); nodes are numbered as :meth:`served_nodes` concatenated in network order.
        Returns the positions grouped by serving node (ascending within a node), the start of
        each node's group (CSR ``indptr``, one past the last node at the end) and the node of
        every position (−1: unmapped: a view of the system's own table). The grouping is
        computed once per system and kept (all three are read-only).

        Examples
        --------
        >>> from workbench.city import toy_city
        >>> order, indptr, node = build_system(toy_city()).building_positions_by_node()
        >>> bool((node[order] == np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))).all())
        True
        """
        flat_node = self._building_global.reshape(-1)      # a view (the table is contiguous)
        cached = self.__dict__.get("_positions_by_node")
        if cached is None:
            mapped = np.flatnonzero(flat_node >= 0)
            order = mapped[np.argsort(flat_node[mapped], kind="stable")]
            n_nodes = self._node_slice[NETWORKS[-1]][1]
            indptr = np.zeros(n_nodes + 1, np.int64)
            np.cumsum(np.bincount(flat_node[mapped], minlength=n_nodes), out=indptr[1:])
            cached = (_readonly(order), _readonly(indptr))
            object.__setattr__(self, "_positions_by_node", cached)
        return (*cached, flat_node)

    def service_dataarray(self, functional) -> xr.DataArray:
        """:meth:`service` as a DataArray with dims (``building``, ``network``).

        A 2-D input gives dims (``realization``, ``building``, ``network``).

        Examples
        --------
        >>> from workbench.city import toy_city
        >>> system = build_system(toy_city())
        >>> da = system.service_dataarray(np.ones(system.n_components, bool))
        >>> da.dims, float(da.sum())
        (('building', 'network'), 18.0)
        """
        values = self.service(functional)
        dims = (BUILDING, NETWORK) if values.ndim == 2 else (REALIZATION, BUILDING, NETWORK)
        coords = {BUILDING: self.city.buildings[BUILDING].values, NETWORK: list(NETWORKS)}
        return xr.DataArray(values, dims=dims, coords=coords, name="service",
                            attrs={"units": "1", "long_name": "service satisfaction"})

    # ------------------------------------------------------------------ internals

    def _as_state(self, functional) -> tuple[np.ndarray, bool]:
        if isinstance(functional, xr.DataArray):
            if COMPONENT not in functional.dims:
                raise InputError(f"functional must have dim {COMPONENT!r}; got dims "
                                 f"{functional.dims}.")
            if COMPONENT in functional.coords:
                ids = functional[COMPONENT].values.astype(str)
                if len(ids) != self.n_components or (ids != self.component_ids).any():
                    raise InputError("functional's component coordinate differs from the "
                                     "system's component ids; select it with "
                                     ".sel(component=system.component_ids).")
            functional = functional.transpose(..., COMPONENT).values
        state = np.asarray(functional)
        if state.dtype != bool:
            if not np.isin(state, (0, 1)).all():
                raise InputError("functional must be boolean (True = the component is "
                                 "undamaged); got values other than 0/1.")
            state = state.astype(bool)
        if state.ndim not in (1, 2) or state.shape[-1] != self.n_components:
            raise InputError(f"functional must have shape (n_components,) or (n_realizations, "
                             f"n_components) with n_components = {self.n_components}; got "
                             f"shape {state.shape}.")
        squeeze = state.ndim == 1
        return np.atleast_2d(state), squeeze

    def _fixed_point(self, own: np.ndarray):
        base = own.copy()
        if len(self._site_members):
            # a site fails as a whole when any member is damaged (own state only)
            member_ok = own[:, self._site_members]
            site_ok = np.logical_and.reduceat(member_ok, self._site_starts, axis=1)
            base[:, self._site_members] &= site_ok[:, self._site_group]
        state = base
        for _ in range(self.n_components + 1):
            node_ok, edge_ok, served = self._serve(state)
            if not len(self.pump_components) and not len(self.logical_pairs):
                break
            new = base.copy()
            if len(self.pump_components):
                new[:, self.pump_components] &= served[:, self._pump_power_global]
            if len(self.logical_pairs):
                works = np.empty_like(state)
                works[:, self._node_comp] = served
                works[:, self._edge_comp] = edge_ok & served[:, self._eu]
                failing = ~works[:, self.logical_pairs[:, 1]]
                hit = (self._logical_matrix @ failing.T.astype(np.int32)).T > 0
                new &= ~hit
            if np.array_equal(new, state):
                break
            state = new
        return node_ok, edge_ok, served

    def _labels_one(self, link_ok: np.ndarray) -> np.ndarray:
        """Connected-component labels of the nodes and the super-source of one realization.

        The links in both directions, laid out row by row in the order fixed when the system
        was built; on a symmetric graph the strong components are the undirected ones (which
        component holds a node is all that is used, so the labels' numbering does not matter).
        Each thread keeps one matrix per system and only rewrites its column indices: a link
        that does not work points at its own row (a self-loop, which joins nothing). Building
        and checking a new sparse matrix each call cost more than the search itself on a city
        of a thousand nodes (149 → 66 µs per call on the demo city; the same labels)."""
        held = _thread_graphs().get(self)
        if held is None:
            size = len(self._node_comp) + 1
            indptr = np.zeros(size + 1, np.int32)
            np.cumsum(np.bincount(self._sym_rows, minlength=size), out=indptr[1:])
            cols, rows = self._sym_cols.astype(np.int32), self._sym_rows.astype(np.int32)
            graph = sparse.csr_array((np.ones(len(cols)), cols.copy(), indptr),
                                     shape=(size, size))
            held = _thread_graphs()[self] = (graph, cols, rows)
        graph, cols, rows = held
        keep = np.concatenate([link_ok, link_ok])[self._sym_order]
        graph.indices = np.where(keep, cols, rows)
        return connected_components(graph, directed=True, connection="strong")[1]

    def _serve(self, state: np.ndarray):
        """Node and edge availability and served nodes, for all realizations in one graph."""
        n_real = state.shape[0]
        n_nodes = len(self._node_comp)
        node_ok = state[:, self._node_comp]
        edge_ok = state[:, self._edge_comp] & node_ok[:, self._eu] & node_ok[:, self._ev]
        # one graph per realization, block-diagonal, each with a virtual super-source (last
        # node of its block) linked to every source node that is not out
        mask = np.concatenate([edge_ok, node_ok[:, self._src_global]], axis=1)
        block = n_nodes + 1
        if n_real == 1:
            labels = self._labels_one(mask[0])[None, :]
            served = (labels[:, :n_nodes] == labels[:, n_nodes:]) & node_ok
            return node_ok, edge_ok, served
        offsets = (np.arange(n_real) * block)[:, None]
        rows = (offsets + self._link_rows)[mask]
        cols = (offsets + self._link_cols)[mask]
        size = n_real * block
        graph = sparse.csr_array((np.ones(len(rows), np.int8), (rows, cols)), shape=(size, size))
        _, labels = connected_components(graph, directed=False)
        labels = labels.reshape(n_real, block)
        served = (labels[:, :n_nodes] == labels[:, n_nodes:]) & node_ok
        return node_ok, edge_ok, served


#: Per thread, the connectivity matrix of each system in use (InfrastructureSystem._labels_one).
_THREAD = threading.local()


def _thread_graphs() -> weakref.WeakKeyDictionary:
    graphs = getattr(_THREAD, "graphs", None)
    if graphs is None:
        graphs = _THREAD.graphs = weakref.WeakKeyDictionary()
    return graphs


# --------------------------------------------------------------------------- building

def build_system(city: City, *, dependencies: str = "default",
                 logical: Iterable[tuple[str, str]] = (), site: str = "site",
                 backup_power: Iterable[str] | str = ()) -> InfrastructureSystem:
    """Compile a city's networks into an :class:`InfrastructureSystem`.

    Parameters
    ----------
    city : City
        Must carry all of :data:`workbench.core.dims.NETWORKS`. If its buildings are not mapped
        (no ``<network>_node`` coordinate) they are mapped with
        :func:`workbench.city.mapping.map_city` (default ``max_distance``).
    dependencies : {"default", "none"}
        ``"default"``: water components of kind ``pump`` need power from the nearest power
        node (physical interdependency). ``"none"``: no physical dependency.
    logical : iterable of (str, str)
        Explicit (dependent component id, supporting component id) pairs.
    site : str
        Name of the node/edge attribute that marks co-location (geographic
        interdependency); components sharing a non-empty value fail together.
    backup_power : iterable of str, or "all"
        Pump component ids (``"all"``: every pump) with their own backup power: they do not
        depend on the power network (a mitigation option, :mod:`workbench.mitigation`).

    Returns
    -------
    InfrastructureSystem

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> system = build_system(toy_city())
    >>> system.components["element"].to_series().value_counts().to_dict()
    {'node': 12, 'edge': 9}
    """
    if dependencies not in DEPENDENCY_MODES:
        raise InputError(f"dependencies must be one of {list(DEPENDENCY_MODES)}, got "
                         f"{dependencies!r}; give explicit pairs through logical=.")
    missing = [n for n in NETWORKS if n not in city.networks]
    if missing:
        raise InputError(f"city {city.name!r} lacks network(s) {missing}; build_system needs "
                         f"all of {list(NETWORKS)}. Add them (workbench.io.importers) first.")
    if any(f"{n}_node" not in city.buildings.coords for n in NETWORKS):
        city = map_city(city)

    columns = {k: [] for k in ("id", "network", "element", "kind", "x", "y", "length",
                               "repair_days", "repair_cost", "u", "v", "site")}
    node_component, edge_component, edge_endpoints, sources, building_node = {}, {}, {}, {}, {}
    node_slice, node_pos = {}, {}
    n_nodes_total = 0
    for name in NETWORKS:
        graph = city.networks[name]
        nodes = list(graph.nodes)
        pos = {n: i for i, n in enumerate(nodes)}
        node_pos[name] = pos
        start = len(columns["id"])
        for n, data in graph.nodes(data=True):
            # a node's repair_days/repair_cost are optional user data; 0 means "not given", and
            # workbench.hazard.fragility.component_consequences then takes the Hazus restoration class
            # of the kind (an error for a fragile kind without one), never a zero effort
            _append(columns, id=component_id(name, n), network=name, element="node",
                    kind=str(data["kind"]), x=float(data["x"]), y=float(data["y"]), length=0.0,
                    repair_days=float(data.get("repair_days", 0.0)),
                    repair_cost=float(data.get("repair_cost", 0.0)), u="", v="",
                    site=str(data.get(site, "") or ""))
        node_component[name] = np.arange(start, start + len(nodes))
        start = len(columns["id"])
        ends = []
        for a, b, data in graph.edges(data=True):
            a, b = sorted((a, b))
            ea, eb = graph.nodes[a], graph.nodes[b]
            _append(columns, id=component_id(name, a, b), network=name, element="edge",
                    kind=str(data["kind"]), x=(ea["x"] + eb["x"]) / 2, y=(ea["y"] + eb["y"]) / 2,
                    length=float(data["length"]), repair_days=float(data["repair_days"]),
                    repair_cost=float(data["repair_cost"]), u=a, v=b,
                    site=str(data.get(site, "") or ""))
            ends.append((pos[a], pos[b]))
        edge_component[name] = np.arange(start, start + graph.number_of_edges())
        edge_endpoints[name] = np.array(ends, dtype=np.int64).reshape(-1, 2)
        sources[name] = np.array([pos[n] for n, k in graph.nodes(data="kind")
                                  if k in SOURCE_KINDS[name]], dtype=np.int64)
        served_by = city.buildings[f"{name}_node"].values.astype(str)
        # "" (unmapped) is not a node id, so get_indexer gives it -1
        building_node[name] = pd.Index(nodes).get_indexer(served_by).astype(np.int64)
        node_slice[name] = (n_nodes_total, n_nodes_total + len(nodes))
        n_nodes_total += len(nodes)

    ids = np.array(columns.pop("id"), dtype=str)
    if len(set(ids.tolist())) != len(ids):
        dup = sorted({i for i in ids.tolist() if (ids == i).sum() > 1})[:5]
        raise InputError(f"component ids collide: {dup}. Node ids must not contain '--'.")
    components = _components_dataset(ids, columns)
    index = {c: i for i, c in enumerate(ids.tolist())}

    # physical dependency: water pumps ← nearest power node (KD-tree, once)
    if dependencies == "default":
        pumps = np.flatnonzero((components["network"].values == "water")
                               & (components["kind"].values == "pump"))
        power = city.networks["power"]
        power_nodes = list(power.nodes)
        tree = cKDTree(np.array([(power.nodes[n]["x"], power.nodes[n]["y"]) for n in power_nodes],
                                dtype=float))
        xy = np.column_stack([components["x"].values[pumps], components["y"].values[pumps]])
        pump_power_node = tree.query(xy, k=1)[1].astype(np.int64) if len(pumps) else \
            np.zeros(0, np.int64)
        keep = ~_backed_up(pumps, ids, backup_power)
        pumps, pump_power_node = pumps[keep], pump_power_node[keep]
    else:
        pumps = np.zeros(0, np.int64)
        pump_power_node = np.zeros(0, np.int64)

    pairs = []
    for pair in logical:
        if len(pair) != 2:
            raise InputError(f"logical dependencies are (dependent, supporting) id pairs; got "
                             f"{pair!r}.")
        dependent, supporting = (_lookup(index, p) for p in pair)
        pairs.append((dependent, supporting))
    logical_pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)

    arrays = _compiled_arrays(city, ids, components, node_component, edge_component,
                              edge_endpoints, sources, building_node, node_slice, pumps,
                              pump_power_node, logical_pairs)
    return InfrastructureSystem(city, components, arrays)


def _backed_up(pumps: np.ndarray, ids: np.ndarray, backup_power) -> np.ndarray:
    """Mask over ``pumps`` (component positions) of those with backup power."""
    if isinstance(backup_power, str):
        if backup_power != "all":
            raise InputError(f"backup_power must be 'all' or a list of pump component ids, got "
                             f"{backup_power!r}")
        return np.ones(len(pumps), bool)
    wanted = [str(c) for c in backup_power]
    pump_ids = ids[pumps].astype(str)
    unknown = sorted(set(wanted) - set(pump_ids.tolist()))
    if unknown:
        raise InputError(f"backup_power names {len(unknown)} id(s) that are not pumps of the "
                         f"water network: {unknown[:5]}; the pumps are {pump_ids.tolist()[:10]}")
    return np.isin(pump_ids, wanted)


def cascade_table(system: InfrastructureSystem, functional) -> pd.DataFrame:
    """Per network: components damaged by the hazard, components out after the interdependency
    cascade, and the share of buildings served before the event and after it.

    ``functional`` is each component's own state (bool, shape (n_components,)), e.g. one
    realisation's ``component_functional``.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> system = build_system(toy_city())
    >>> state = np.ones(system.n_components, bool)
    >>> state[system.index_of("water:W1--W2")] = False
    >>> row = cascade_table(system, state).loc["water"]
    >>> int(row["damaged_by_hazard"]), float(row["buildings_served_after"])
    (1, 0.5)
    """
    own = np.asarray(functional, dtype=bool)
    after = system.cascade(own)
    intact = system.service(np.ones(system.n_components, bool))
    damaged = system.service(own)
    network = system.components["network"].values.astype(str)
    rows = []
    for k, name in enumerate(NETWORKS):
        mask = network == name
        rows.append({"network": name, "components": int(mask.sum()),
                     "damaged_by_hazard": int((~own & mask).sum()),
                     "out_after_cascade": int((~after & mask).sum()),
                     "buildings_served_before": float(intact[:, k].mean()),
                     "buildings_served_after": float(damaged[:, k].mean())})
    return pd.DataFrame(rows).set_index("network")


def services_lost(system: InfrastructureSystem, functional) -> xr.DataArray:
    """Per building, the number of networks (0–3) whose service it loses when the components'
    own states are ``functional`` (own damage plus the interdependency cascade).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> system = build_system(toy_city())
    >>> services_lost(system, np.ones(system.n_components, bool)).values.tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    """
    intact = system.service_dataarray(np.ones(system.n_components, bool))
    after = system.service_dataarray(np.asarray(functional, dtype=bool))
    return (intact - after).sum(NETWORK).rename("services_lost")


def service_table(city: City) -> pd.DataFrame:
    """Per network: buildings mapped, unmapped (beyond ``max_distance``), and the share of
    buildings and of occupants served in the intact city (connected to a working source).

    Returns
    -------
    pandas.DataFrame
        Index ``network``; columns ``buildings_mapped``, ``buildings_unmapped``,
        ``median_distance_m`` [m], ``share_served`` and ``share_occupants_served`` [0–1].

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.city.mapping import map_city
    >>> service_table(map_city(toy_city()))["share_served"].tolist()
    [1.0, 1.0, 1.0]
    """
    system = build_system(city)
    served = system.service_dataarray(np.ones(system.n_components, bool))
    occupancy = city.buildings["occupancy"]
    rows = []
    for name in served["network"].values:
        nodes = city.buildings[f"{name}_node"].values.astype(str)
        s = served.sel(network=name)
        rows.append({"network": str(name), "buildings_mapped": int((nodes != "").sum()),
                     "buildings_unmapped": int((nodes == "").sum()),
                     "median_distance_m": float(np.median(city.buildings[f"{name}_distance"].values)),
                     "share_served": float(s.mean()),
                     "share_occupants_served": float((s * occupancy).sum() / occupancy.sum())})
    return pd.DataFrame(rows).set_index("network")


def _append(columns: dict, **values) -> None:
    for key, value in values.items():
        columns[key].append(value)


def _lookup(index: Mapping[str, int], component: str) -> int:
    if component not in index:
        close = difflib.get_close_matches(str(component), index, n=3)
        raise InputError(f"logical dependency names unknown component {component!r}; closest "
                         f"ids: {close}.")
    return index[component]


def _components_dataset(ids: np.ndarray, columns: dict) -> xr.Dataset:
    units = {"x": "m", "y": "m", "length": "m", "repair_days": "crew-days",
             "repair_cost": "money"}
    data = {}
    for key, values in columns.items():
        array = np.array(values, dtype=float if key in units else str)
        if array.dtype.kind == "U" and len(array) == 0:
            array = array.astype("<U1")
        data[key] = ((COMPONENT,), array, {"units": units[key]} if key in units else {})
    return xr.Dataset(data, coords={COMPONENT: ids})


def _readonly(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array


def _compiled_arrays(city, ids, components, node_component, edge_component, edge_endpoints,
                     sources, building_node, node_slice, pumps, pump_power_node, logical_pairs
                     ) -> dict:
    n_nodes = node_slice[NETWORKS[-1]][1]
    node_comp = np.concatenate([node_component[n] for n in NETWORKS])
    edge_comp = np.concatenate([edge_component[n] for n in NETWORKS])
    eu = np.concatenate([edge_endpoints[n][:, 0] + node_slice[n][0] for n in NETWORKS])
    ev = np.concatenate([edge_endpoints[n][:, 1] + node_slice[n][0] for n in NETWORKS])
    src_global = np.concatenate([sources[n] + node_slice[n][0] for n in NETWORKS])
    link_rows = np.concatenate([eu, np.full(len(src_global), n_nodes)])
    link_cols = np.concatenate([ev, src_global])
    building_global = np.column_stack([
        np.where(building_node[n] >= 0, building_node[n] + node_slice[n][0], -1)
        for n in NETWORKS])
    # site groups as contiguous runs, for logical_and.reduceat
    site = components["site"].values.astype(str)
    members = np.flatnonzero(site != "")
    order = members[np.argsort(site[members], kind="stable")]
    _, starts, group = np.unique(site[order], return_index=True, return_inverse=True)
    n_comp = len(ids)
    logical_matrix = sparse.csr_array(
        (np.ones(len(logical_pairs), np.int32),
         (logical_pairs[:, 0], np.arange(len(logical_pairs)))),
        shape=(n_comp, len(logical_pairs)))
    pump_power_global = pump_power_node + node_slice["power"][0]
    # every link in both directions, ordered by row once (InfrastructureSystem._labels_one)
    sym_rows = np.concatenate([link_rows, link_cols])
    sym_order = np.argsort(sym_rows, kind="stable")
    sym_cols = np.concatenate([link_cols, link_rows])[sym_order]
    arrays = {
        "node_component": MappingProxyType({k: _readonly(v) for k, v in node_component.items()}),
        "edge_component": MappingProxyType({k: _readonly(v) for k, v in edge_component.items()}),
        "edge_endpoints": MappingProxyType({k: _readonly(v) for k, v in edge_endpoints.items()}),
        "sources": MappingProxyType({k: _readonly(v) for k, v in sources.items()}),
        "building_node": MappingProxyType({k: _readonly(v) for k, v in building_node.items()}),
        "pump_components": _readonly(pumps.astype(np.int64)),
        "pump_power_node": _readonly(pump_power_node),
        "logical_pairs": _readonly(logical_pairs),
        "_node_slice": MappingProxyType(node_slice),
        "_node_comp": _readonly(node_comp), "_edge_comp": _readonly(edge_comp),
        "_eu": _readonly(eu), "_ev": _readonly(ev), "_src_global": _readonly(src_global),
        "_link_rows": _readonly(link_rows), "_link_cols": _readonly(link_cols),
        "_building_global": _readonly(building_global),
        "_site_members": _readonly(order), "_site_starts": _readonly(starts),
        "_site_group": _readonly(group.ravel()),
        "_pump_power_global": _readonly(pump_power_global),
        "_sym_order": _readonly(sym_order), "_sym_rows": _readonly(sym_rows[sym_order]),
        "_sym_cols": _readonly(sym_cols),
        "_logical_matrix": logical_matrix,
    }
    return arrays
