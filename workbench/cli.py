"""The ``workbench`` command (METHOD §9).

::

    workbench run      [PARAMS.yaml] [--out DIR]   every notebook, in order, through papermill
    workbench simulate [PARAMS.yaml] [--out DIR]   damage → recovery → indexes, no notebooks
    workbench params                               print the default parameter file
    workbench city from-osm FILE.osm.pbf --out DIR [--water NET.inp] [--power NET.json]
    workbench city from-inventory FILE --out DIR [--water NET.inp] [--power NET.json] [--area-units m2|ft2]

The ``city`` commands print, after the folder written, each network's sources (and which have
a single one) and, per building field, how many values came from the data, an imputation, a
constant default or a synthetic process; a field mostly constant is also logged as a warning.

Exit status 0 on success; on failure 1 with one line on stderr naming the stage, the field and
the value.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings

from .errors import StageError, WorkbenchError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("run", "run every stage notebook through papermill into a report"),
                       ("simulate", "damage → recovery → indexes only (fast, no notebooks)")):
        p = sub.add_parser(name, help=text)
        p.add_argument("params", nargs="?", help="parameter file (YAML); default: the demo city")
        p.add_argument("--out", help="run directory (default: reports/<name>/)")
    sub.add_parser("params", help="print the default parameter file (commented YAML)")
    city = sub.add_parser("city", help="build a city folder from real data")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    warnings.simplefilter("default")
    stage = args.command
    try:
        if args.command == "params":
            from .params import default_params_yaml
            sys.stdout.write(default_params_yaml())
        elif args.command in ("run", "simulate"):
            from . import pipeline
            from .params import load_params
            params = load_params(args.params)
            command = pipeline.run if args.command == "run" else pipeline.simulate
            run_dir = command(params, args.out, progress=lambda m: print(m, flush=True))
            print(f"wrote {run_dir}" + ("/index.html" if args.command == "run" else "/summary.json"))
        elif args.command == "city":
            stage = f"city {args.city_command}"
            if args.city_command == "from-inventory":
                from .interop import city_from_inventory
                city = city_from_inventory(args.inventory, args.out, water=args.water,
                                           power=args.power, area_units=args.area_units,
                                           seed=args.seed, max_distance=args.max_distance)
            else:
                from .importers import city_from_osm
                city = city_from_osm(args.pbf, args.out, water=args.water, power=args.power,
                                     seed=args.seed, max_distance=args.max_distance,
                                     seismic_design_zone=args.seismic_zone)
            from .importers.build import build_summary
            sizes = ", ".join(f"{k} {g.number_of_nodes()} nodes" for k, g in city.networks.items())
            print(f"wrote {args.out}: {city.buildings.sizes['building']} buildings; {sizes}")
            print("\n".join(build_summary(city)))
    except StageError as exc:
        print(f"workbench {args.command}: {exc}", file=sys.stderr)
        return 1
    except WorkbenchError as exc:
        print(f"workbench {stage}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
