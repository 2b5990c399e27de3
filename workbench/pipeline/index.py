"""``index.html`` of a ``workbench run``: the key numbers, every stage with its status and its
rendered notebook, the files. Every string from the inputs (names, paths, node ids, messages)
is HTML-escaped."""

from __future__ import annotations

import json
from html import escape as esc
from pathlib import Path

from .writer import write_text

__all__ = ["INDEX_FILE", "index_page", "write_index"]

INDEX_FILE = "index.html"


def _fmt(v) -> str:
    if v is None:
        return "not reached"
    if isinstance(v, float):
        return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return esc(str(v))


def _numbers(summary: dict) -> str:
    units = summary.get("units", {})
    strategies = summary["strategies"]
    # one row per index, one column per strategy: narrow enough for any screen
    head = "<th>index</th><th>units</th>" + "".join(f"<th>{esc(s)}</th>" for s in strategies)
    body = "".join(
        f"<tr><td>{esc(k)}</td><td>{esc(units[k])}</td>"
        + "".join(f"<td>{_fmt(v.get(k))}</td>" for v in strategies.values()) + "</tr>"
        for k in units)
    c = summary["city"]
    single = [f"<p class=\"failed\">Single point of failure: the {esc(n)} network has one "
              f"source ({esc(', '.join(map(str, f['sources'])))}); every building it serves "
              f"depends on it.</p>" for n, f in c.get("networks", {}).items()
              if f.get("single_point_of_failure")]
    return "".join(single) + (
        f"<h2>Resilience indexes</h2><p>{c['buildings']:,} buildings, "
        f"{c['floor_area_m2']:,.0f} m² floor area, {c['population']:,.0f} residents "
        f"(the people the service-capacity index counts, once each), baseline "
        f"occupancy {c.get('occupancy', 0):,.0f} persons (residents and workers).</p>"
        f"<table><tr>{head}</tr>{body}</table>"
        + "".join(f"<p><small><b>{esc(k)}</b>: {esc(v)}</small></p>"
                  for k, v in summary.get("definitions", {}).items()))


def _banner(timings: dict, error: dict | None) -> str:
    if error is None:
        return ""
    log = (f' The full traceback is in <a href="{esc(error["traceback"])}">'
           f'{esc(error["traceback"])}</a>.' if error.get("traceback") else "")
    skipped = any(t["status"] == "skipped" for t in timings.values())
    later = " Later stages were not run." if skipped else ""
    linked = (" Its notebook (with the error) is linked below."
              if timings.get(error["stage"], {}).get("html") else "")
    return (f'<p class="failed">Stage {esc(error["stage"])} FAILED: '
            f'{esc(error["error"].rstrip("."))}.{later}{linked}{log}</p>')


def index_page(run_dir: Path, params: dict, timings: dict, error: dict | None = None) -> str:
    """The HTML of ``index.html`` for the run folder ``run_dir`` (read: ``summary.json`` and the
    file names)."""
    rows = []
    for stage, t in timings.items():
        link = f'<a href="{esc(t["html"])}">{esc(stage)}</a>' if t.get("html") else esc(stage)
        cls = {"ok": "ok", "failed": "failed"}.get(t["status"], "skipped")
        rows.append(f'<tr class="{cls}"><td>{link}</td><td>{esc(t["status"].upper())}</td>'
                    f'<td>{t["seconds"]:.1f} s</td></tr>')
    summary_path = run_dir / "summary.json"
    numbers = _numbers(json.loads(summary_path.read_text())) if summary_path.exists() else ""
    extra = sorted(p.name for p in run_dir.glob("*")
                   if p.suffix in (".csv", ".geojson", ".nc", ".json", ".log"))
    files = "".join(f'<li><a href="{esc(n)}">{esc(n)}</a></li>' for n in extra)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{esc(params['name'])} — resilience report</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:right}}td:first-child{{text-align:left}}
tr.failed,p.failed{{background:#fdd}}tr.ok td:nth-child(2){{color:#060}}</style></head><body>
<h1>Resilience report: {esc(params['name'])}</h1>
<p>City <code>{esc(params['city'])}</code>, seed {esc(str(params['seed']))}.</p>{_banner(timings, error)}
{numbers}
<h2>Stages</h2><table><tr><th>stage</th><th>status</th><th>time</th></tr>{''.join(rows)}</table>
<h2>Files</h2><ul>{files}</ul></body></html>
"""


def write_index(run_dir: str | Path, params: dict, timings: dict,
                error: dict | None = None) -> Path:
    """Write ``index.html`` (:func:`index_page`) into ``run_dir``."""
    target = Path(run_dir) / INDEX_FILE
    write_text(target, index_page(Path(run_dir), params, timings, error))
    return target
