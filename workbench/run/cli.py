"""The ``workbench`` command (METHOD §9).

::

    workbench run      [PARAMS.yaml] [--out DIR]   every notebook, in order, through papermill
    workbench simulate [PARAMS.yaml] [--out DIR]   damage → recovery → indexes, no notebooks; ends
                                                   by printing the index table
    workbench params                               print the default parameter file
    workbench serve    [PARAMS.yaml] [--port N] [--host IP] [--run DIR]   the dashboard (Voilà)
    workbench city from-osm FILE.osm.pbf --out DIR [--water NET.inp] [--power NET.json]
    workbench city from-inventory FILE --out DIR [--water NET.inp] [--power NET.json] [--area-units m2|ft2]
    workbench city synthetic --buildings N --out DIR [--components M] [--seed S] [--seismic-zone Z]

The ``city`` commands print, after the folder written, each network's sources (and which have
a single one) and, per building field, how many values came from the data, an imputation, a
constant default or a synthetic process; a field mostly constant is also logged as a warning.

Exit status 0 on success; on failure 1 with one line on stderr naming the stage, the field and
the value (an unexpected error: the stage, the error, a hint and the log file holding the full
traceback); interrupted (Ctrl-C) 130. A run folder is written all-or-nothing, see
:mod:`workbench.run.pipeline.folder`.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import traceback
import warnings

from ..core.errors import UnmappedBuildingsWarning, WorkbenchError

# Everything else is imported by the command that needs it: the scientific stack takes about a
# second to load, which `workbench --help` and a mistyped command should not wait for.

__all__ = ["main", "run_cli"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("run", "run every stage notebook through papermill into a report"),
                       ("simulate", "damage → recovery → indexes only (fast, no notebooks)")):
        p = sub.add_parser(name, help=text)
        p.add_argument("params", nargs="?", help="parameter file (YAML); default: the demo city")
        p.add_argument("--out", help="run directory, relative to the folder the command runs in "
                            "(default: reports/<name>/ there)")
    sub.add_parser("params", help="print the default parameter file (commented YAML)")
    serve = sub.add_parser("serve", help="serve the constraint dashboard for a workshop (Voilà, "
                                         "a kernel per visitor; 127.0.0.1 unless --host)")
    serve.add_argument("params", nargs="?", help="parameter file (YAML); default: the demo city")
    serve.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="IP address to serve on (default 127.0.0.1, this machine only; "
                            "0.0.0.0: every interface, for participants' laptops, with an "
                            "access token)")
    serve.add_argument("--save-dir", help="folder the page saves parameter files into "
                                          "(default: the current directory)")
    serve.add_argument("--run", help="a finished run folder: its trained models (stage 03) and "
                                     "stage-05 result are offered in the page")
    city = sub.add_parser("city", help="build a city folder from real data, or a synthetic one")
    city_sub = city.add_subparsers(dest="city_command", required=True)
    osm = city_sub.add_parser("from-osm", help="buildings and streets from an OSM .pbf extract")
    osm.add_argument("pbf", help="OpenStreetMap extract (.osm.pbf)")
    osm.add_argument("--out", required=True, help="city folder to write")
    osm.add_argument("--water", help="EPANET .inp water network (default: laid along streets)")
    osm.add_argument("--power", help="pandapower JSON file or pandapower.networks name "
                                     "(default: laid along streets)")
    osm.add_argument("--seed", type=int, default=0, help="seed of the imputation and layout")
    osm.add_argument("--max-distance", type=float, default=500.0,
                     help="metres; farther buildings stay outside a network's model, with full "
                          "service (runs re-map with the parameter map.max_distance_m)")
    osm.add_argument("--seismic-zone", help="UBC seismic zone of the region's building design "
                                            "levels (4, 3, 2B, 2A, 1, 0); default: unset, "
                                            "damage then assumes 0 (no seismic code)")
    inv = city_sub.add_parser("from-inventory",
                              help="buildings from a SimCenter-style inventory (CSV, GeoJSON, JSON)")
    inv.add_argument("inventory", help="inventory file")
    inv.add_argument("--out", required=True, help="city folder to write")
    inv.add_argument("--water", help="EPANET .inp water network (default: laid along generated streets)")
    inv.add_argument("--power", help="pandapower JSON file or pandapower.networks name")
    inv.add_argument("--area-units", choices=["m2", "ft2"],
                     help="units of PlanArea when the file does not state them")
    inv.add_argument("--seed", type=int, default=0, help="seed of the street and network layout")
    inv.add_argument("--max-distance", type=float, default=1000.0,
                     help="metres; farther buildings stay outside a network's model, with full "
                          "service")
    syn = city_sub.add_parser("synthetic",
                              help="a synthetic city of any size (a grid of blocks, its three "
                                   "networks laid as lattices), made the same from the same seed")
    syn.add_argument("--buildings", type=int, required=True, help="number of buildings")
    syn.add_argument("--components", type=int,
                     help="about this many network components (nodes and edges of the three "
                          "networks); default: one per ten buildings, at least 600")
    syn.add_argument("--out", required=True, help="city folder to write")
    syn.add_argument("--seed", type=int, default=0, help="seed of the whole city")
    syn.add_argument("--seismic-zone", help="UBC seismic zone of the building design levels "
                                            "(4, 3, 2B, 2A, 1, 0); default: unset")
    return parser


class _Step:
    """What a command is doing, for the one line that tells an unexpected failure."""

    def __init__(self, label: str, hint: str = ""):
        self.label, self.hint = label, hint


def _params(args, step: _Step) -> None:
    step.label = "printing the parameters"
    from .params import default_params_yaml
    sys.stdout.write(default_params_yaml())


def _run_or_simulate(args, step: _Step) -> None:
    step.label, step.hint = "reading the parameters", "is it a YAML parameter file?"
    from . import pipeline
    from .params import load_params
    params = load_params(args.params)
    step.label, step.hint = "starting the run", ""
    command = pipeline.run if args.command == "run" else pipeline.simulate
    run_dir = command(params, args.out, progress=lambda m: print(m, flush=True))
    print(f"wrote {run_dir}" + ("/index.html" if args.command == "run" else "/summary.json"))
    if args.command == "simulate":             # the indexes, for the terminal
        import json
        from ..show.report import indexes_text
        print(indexes_text(json.loads((run_dir / "summary.json").read_text())))


def _city(args, step: _Step) -> None:
    step.label = "building the city folder"
    from ..io.importers.build import build_summary
    if args.city_command == "synthetic":
        from ..io.importers.build import synthetic_city
        step.hint = "are --buildings and --components positive whole numbers?"
        city = synthetic_city(args.buildings, args.out, components=args.components,
                              seed=args.seed, seismic_design_zone=args.seismic_zone)
    elif args.city_command == "from-inventory":
        from ..io.interop import city_from_inventory
        step.hint = f"is {args.inventory!r} a SimCenter-style inventory (CSV, GeoJSON, JSON)?"
        city = city_from_inventory(args.inventory, args.out, water=args.water,
                                   power=args.power, area_units=args.area_units,
                                   seed=args.seed, max_distance=args.max_distance)
    else:
        from ..io.importers import city_from_osm
        step.hint = f"is {args.pbf!r} an OpenStreetMap .osm.pbf extract?"
        city = city_from_osm(args.pbf, args.out, water=args.water, power=args.power,
                             seed=args.seed, max_distance=args.max_distance,
                             seismic_design_zone=args.seismic_zone)
    sizes = ", ".join(f"{k} {g.number_of_nodes()} nodes" for k, g in city.networks.items())
    print(f"wrote {args.out}: {city.buildings.sizes['building']} buildings; {sizes}")
    print("\n".join(build_summary(city)))


def _serve(args, step: _Step) -> None:
    step.label, step.hint = "starting the dashboard server", "is voila installed?"
    from .serve import serve
    status = serve(args.params, port=args.port, save_dir=args.save_dir, run=args.run,
                   host=args.host)
    if status not in (0, -2, -15, 130, 143):
        raise WorkbenchError(f"the dashboard server stopped with status {status} (is port "
                             f"{args.port} free? choose another with --port)")


_COMMANDS = {"params": _params, "run": _run_or_simulate, "simulate": _run_or_simulate,
             "city": _city, "serve": _serve}


def main(argv: list[str] | None = None) -> int:
    """The ``workbench`` command; returns the exit status (0 ok, 1 failed, 130 interrupted).

    Every failure is one line on stderr, ``workbench <command>: …``: a :class:`WorkbenchError`
    as it is worded; any other exception as ``<stage>: <type>: <message> (<hint> traceback in
    <log>)``, the message shortened and the full traceback in a temporary log file.
    """
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    warnings.simplefilter("default")
    # a file a library had open when Ctrl-C came is closed at exit: a developer's diagnostic,
    # which would otherwise follow the one line that says the run was interrupted
    warnings.simplefilter("ignore", ResourceWarning)
    # the mapping logs its unmapped-building count as a WARNING line; its warning (for callers
    # in Python, who filter warnings) would print the same sentence again with a source line
    warnings.simplefilter("ignore", UnmappedBuildingsWarning)
    command = f"city {args.city_command}" if args.command == "city" else args.command
    step = _Step(command)
    try:
        _COMMANDS[args.command](args, step)
    except KeyboardInterrupt as exc:
        _release_quietly(exc)
        kept = (" (the run folder is as it was before this run)"
                if args.command in ("run", "simulate") else "")
        print(f"workbench {command}: interrupted{kept}", file=sys.stderr)
        return 130
    except WorkbenchError as exc:
        from .pipeline.failures import one_line
        print(f"workbench {command}: {one_line(str(exc), limit=100_000)}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 — the top-level handler: one line, traceback logged
        from .pipeline.failures import describe, write_traceback
        log = write_traceback(exc)
        hint = f"{step.hint} " if step.hint else ""
        print(f"workbench {command}: {step.label}: {describe(exc)} ({hint}traceback in "
              f"{str(log)!r})", file=sys.stderr)
        return 1
    return 0


def _release_quietly(exc: BaseException) -> None:
    """Free what the frames an interrupt cut short still hold, before the one line is written.

    A file a library had open when Ctrl-C came (an HDF5 file of ``to_netcdf`` half-written) is
    closed as its frame goes, and its close may fail; Python reports that as "Exception ignored
    in …" on stderr, after the line that says the run was interrupted. The failure belongs to
    the write the interrupt stopped (the run folder is already as it was), so it is released
    here with the report silenced, and the hook of before is put back.
    """
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        traceback.clear_frames(exc.__traceback__)
        gc.collect()
    finally:
        sys.unraisablehook = hook


def run_cli() -> None:
    """The console script: :func:`main`, then exit with its status.

    After an interrupt (status 130) the process ends at once, once its one line is out:
    interpreter shutdown would otherwise let the notebook client's background tasks report the
    kernel that the same Ctrl-C stopped (``DeadKernelError``) after that line. Nothing is left
    to clean up then — the run folder is already as it was, and the kernel exits when it sees
    its parent gone.
    """
    code = main()
    if code == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    sys.exit(code)


if __name__ == "__main__":
    run_cli()
