"""The package's structure, read from its source with ``ast``: every module imports; no module
imports a private name of another module; the internal import graph has no cycle; a folder
imports only the folders below it (:data:`LAYERS`, the data flow of docs/ARCHITECTURE.md);
imports sit at the top of their module except those of a declared set of heavy libraries
(:data:`HEAVY`). Imports inside functions count for cycles and layers: a call-time import is how
a cycle hides, and it still ties the two modules together."""

import ast
import importlib
from pathlib import Path

import networkx as nx
import pytest

import workbench

ROOT = Path(workbench.__file__).parent

#: The folders (and top-level modules) of the package by floor: a module may import its own
#: folder and the folders of lower floors, never a folder of its own floor or above.
LAYERS = {
    "core": 0,
    "city": 1,
    "hazard": 2, "network": 2,
    "functionality": 3, "metrics": 3,
    "recovery": 4, "io": 4,
    "response": 5, "models": 5,
    "uncertainty": 6,
    "mitigation": 7,
    "show": 8,
    "run": 9,
}

#: Libraries imported inside the functions that need them (each costs a second or more, or is
#: needed only by one command): `import workbench` must not load them. Every other import sits
#: at the top of its module, but for at most MAX_LOCAL_PER_1000_LINES.
HEAVY = ("torch", "pymc", "pytensor", "arviz", "holoviews", "bokeh", "panel", "matplotlib",
         "mpl_toolkits", "ipywidgets", "IPython", "dask", "distributed", "papermill", "nbconvert",
         "nbclient", "nbformat", "jupytext", "voila", "jupyter_client", "jupyter_server",
         "tornado", "pyrosm", "geopandas", "shapely", "pyproj", "wntr", "pandapower", "skops",
         "sklearn", "threadpoolctl", "statsmodels", "pingouin", "playwright",
         "pandas.io.formats.style")
MAX_LOCAL_PER_1000_LINES = 3.0

#: Private names (importer, module, name) imported across modules in files of other work in
#: progress, with the public name to import instead. An entry goes when its file is changed.
KNOWN_PRIVATE_IMPORTS = {
}


def _modules() -> dict:
    """Module name → (path, is_package) for every source file of the package."""
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return out


MODULES = _modules()


def _imports(name: str, source: str | None = None) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None for a module, line) of every workbench import of
    module ``name`` (its file, or ``source``)."""
    path, is_package = MODULES.get(name, (None, False))
    package = name if is_package else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text() if source is None else source)):
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names
                    if a.name.split(".")[0] == "workbench"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "workbench":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.append((sub, None, node.lineno) if sub in MODULES
                           else (target, alias.name, node.lineno))
    return out


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_imports(importer: str, imports) -> list[tuple[str, str, str, int]]:
    """(importer, module, private name, line): a private name of another module, or a private
    module imported from outside the package that holds it."""
    found = []
    for target, name, line in imports:
        if name is not None and target != importer and _is_private(name):
            found.append((importer, target, name, line))
        parts = target.split(".")
        for i, part in enumerate(parts):
            owner = ".".join(parts[:i])
            if _is_private(part) and not (importer + ".").startswith(owner + "."):
                found.append((importer, owner, part, line))
    return found


def _graph(imports: dict) -> nx.DiGraph:
    """The import graph: importer → imported module, for the modules of ``imports``."""
    graph = nx.DiGraph()
    graph.add_nodes_from(imports)
    for importer, found in imports.items():
        for target, _, line in found:
            if target != importer and target in imports:
                graph.add_edge(importer, target, line=line)
    return graph


def _cycles(graph: nx.DiGraph) -> list[str]:
    """One cycle of each strongly connected group of modules, with the line of each import."""
    out = []
    for members in nx.strongly_connected_components(graph):
        if len(members) > 1:
            path = nx.find_cycle(graph.subgraph(members), source=min(members))
            out.append(" -> ".join(f"{u} (line {graph.edges[u, v]['line']})" for u, v in path)
                       + f" -> {path[0][0]}; members {sorted(members)}")
    return out


IMPORTS = {name: _imports(name) for name in MODULES}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name):
    assert importlib.import_module(name).__name__ == name


def test_no_private_name_imported_from_another_module():
    found = [f for name, imports in IMPORTS.items() for f in _private_imports(name, imports)
             if f[:3] not in KNOWN_PRIVATE_IMPORTS]
    assert not found, (
        "private names imported from another module (importer, module, name, line): "
        f"{found}. Make the name public (documented, in __all__) where it is shared, or move it "
        f"to the module that uses it.")


def test_import_graph_has_no_cycle():
    cycles = _cycles(_graph(IMPORTS))
    assert not cycles, "import cycles in workbench: " + " | ".join(cycles)


def test_checks_see_a_call_time_cycle_and_private_names():
    # the checks must see what they look for, on modules parsed from text the same way
    city = _imports("workbench.city.model",
                    "def f():\n    from ..io.cityio import load_city, _read\n")
    cityio = _imports("workbench.io.cityio", "from ..city.model import City\n"
                                             "from ..recovery._problem import RIGID_TYPE_ORDER\n")
    assert city == [("workbench.io.cityio", "load_city", 2), ("workbench.io.cityio", "_read", 2)]
    assert _private_imports("workbench.city.model", city) == [
        ("workbench.city.model", "workbench.io.cityio", "_read", 2)]
    assert _private_imports("workbench.io.cityio", cityio) == [
        ("workbench.io.cityio", "workbench.recovery", "_problem", 2)]
    assert _private_imports("workbench.recovery", [("workbench.recovery._problem", None, 1)]) == []
    cycles = _cycles(_graph({"workbench.city.model": city, "workbench.io.cityio": cityio}))
    assert len(cycles) == 1
    assert "workbench.city.model (line 2) -> workbench.io.cityio (line 1)" in cycles[0]
    assert len(_layer_violations({"workbench.city.model": city})) == 2    # city below io


def _floor(module: str) -> str:
    """The folder (or top-level module) of ``workbench.X…``: ``X``."""
    return module.split(".")[1]


def _layer_violations(imports: dict) -> list[str]:
    out = []
    for importer, found in imports.items():
        if importer == "workbench":
            continue                       # the package's front door re-exports every floor
        a = _floor(importer)
        for target, _, line in found:
            if target == "workbench" or target == importer:
                continue
            b = _floor(target)
            if a != b and LAYERS[b] >= LAYERS[a]:
                out.append(f"{importer} (line {line}) imports {target}: {a} (floor {LAYERS[a]}) "
                           f"may import only floors below it, {b} is floor {LAYERS[b]}")
    return out


def test_every_folder_has_a_floor():
    assert {_floor(m) for m in MODULES if m != "workbench"} == set(LAYERS)


def test_folders_import_only_the_floors_below():
    found = _layer_violations(IMPORTS)
    assert not found, "imports against the data flow:\n" + "\n".join(found)


def _heavy(name: str) -> bool:
    return any(name == h or name.startswith(h + ".") for h in HEAVY)


def _heavy_modules() -> set[str]:
    """Package modules whose top-level imports load a heavy library (directly or through
    another such module): imported inside functions, like the libraries."""
    top = {}
    for name, (path, is_package) in MODULES.items():
        package = name if is_package else name.rpartition(".")[0]
        found = []
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                found += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
                base = package.split(".")[:len(package.split(".")) - node.level + 1] \
                    if node.level else []
                found.append(".".join(base + ([node.module] if node.module else [])))
        top[name] = found
    heavy: set[str] = set()
    while True:
        more = {n for n, found in top.items() if n not in heavy
                and any(_heavy(t) or t in heavy for t in found)}
        if not more:
            return heavy
        heavy |= more


def _local_imports(heavy_modules: set[str]) -> tuple[list[str], int]:
    """(function-local imports of light modules as 'module:line target', lines of the package)."""
    found, lines = [], 0
    for name, (path, is_package) in MODULES.items():
        source = path.read_text()
        lines += source.count("\n")
        package = name if is_package else name.rpartition(".")[0]
        for fn in ast.walk(ast.parse(source)):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Import):
                    targets = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    base = package.split(".")[:len(package.split(".")) - node.level + 1] \
                        if node.level else []
                    t = ".".join(base + ([node.module] if node.module else []))
                    targets = [t] + [f"{t}.{a.name}" for a in node.names
                                     if f"{t}.{a.name}" in MODULES]
                else:
                    continue
                if not any(_heavy(t) or t in heavy_modules for t in targets):
                    found.append(f"{name}:{node.lineno} {targets[0]}")
    return found, lines


def test_imports_sit_at_the_top_but_for_heavy_libraries():
    found, lines = _local_imports(_heavy_modules())
    per_1000 = 1000 * len(found) / lines
    assert per_1000 <= MAX_LOCAL_PER_1000_LINES, (
        f"{len(found)} imports of light modules inside functions ({per_1000:.1f} per 1,000 "
        f"lines, at most {MAX_LOCAL_PER_1000_LINES}): move them to the top of the module "
        f"(or add the library to HEAVY, with the reason): {found}")


def test_importing_the_package_loads_no_heavy_library():
    import subprocess
    import sys
    code = ("import sys, workbench; print(' '.join(sorted(m for m in sys.modules "
            "if any(m == h or m.startswith(h + '.') for h in %r))))" % (HEAVY,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [], f"`import workbench` loads heavy libraries: {out}"


def test_the_checks_see_a_floor_crossed_and_a_hidden_import():
    below = _imports("workbench.hazard.damage", "def f():\n    from ..run import params\n")
    assert _layer_violations({"workbench.hazard.damage": below}) == [
        "workbench.hazard.damage (line 2) imports workbench.run.params: hazard (floor 2) may "
        "import only floors below it, run is floor 9"]
    same = _imports("workbench.network.system", "from ..hazard import fragility\n")
    assert len(_layer_violations({"workbench.network.system": same})) == 1
    assert _heavy("pandas.io.formats.style") and not _heavy("pandas")
    assert "workbench.models.hybrid" in _heavy_modules()      # imports torch at its top


def test_public_names_of_before_the_folders_still_import():
    # the names `workbench` exported before the modules moved into folders (its __all__ then)
    before = [
        "City", "buildings_from_frame", "load_city", "save_city", "toy_city", "validate_network",
        "four_r", "node_criticality", "single_points_of_failure", "damage_probabilities",
        "damage_table", "sample_damage", "road_blockage", "demo_city", "BUILDING", "COMPONENT",
        "NETWORK", "NETWORKS", "REALIZATION", "SCENARIO", "STRATEGY", "TIME", "InputError",
        "ParameterError", "StageError", "WorkbenchError", "Earthquake", "earthquake_intensity",
        "intensity_from_csv", "city_from_osm", "read_buildings_geojson", "read_epanet",
        "read_osm", "read_pandapower", "city_from_inventory", "export_results", "read_damage",
        "read_inventory", "economic_loss", "functionality_at", "recovery_time", "service_loss",
        "summary_indexes", "map_buildings", "map_city", "default_params_yaml", "load_params",
        "Constraints", "simulate_recovery", "grid_city", "InfrastructureSystem", "build_system",
        "cityio", "criticality", "damage", "debris", "demo", "fragility", "functionality",
        "hazard", "importers", "indexes", "interop", "mapping", "mitigation", "pipeline",
        "recovery", "report", "system"]
    assert set(before) <= set(workbench.__all__)
    for name in before:
        assert getattr(workbench, name) is not None
    # the modules behind them, where they live now
    assert workbench.damage.sample_damage is workbench.sample_damage
    assert workbench.system.build_system is workbench.build_system
    assert workbench.hazard.earthquake_intensity is workbench.earthquake_intensity
    assert workbench.pipeline.simulate.__module__ == "workbench.run.pipeline.commands"
    assert workbench.plots.__name__ == "workbench.show.plots"      # on demand
    from workbench.city import City, toy_city
    assert (City, toy_city) == (workbench.City, workbench.toy_city)
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        workbench.no_such_name
