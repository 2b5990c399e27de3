"""``index.html`` of a ``workbench run``: the key numbers (formatted for reading by
:mod:`workbench.show.report`), every stage with its status and its rendered notebook, the figures
with their captions, the files and what each is. Every string from the inputs (names, paths,
node ids, messages) is HTML-escaped; no path of the machine is shown (the city's is shortened)."""

from __future__ import annotations

from html import escape as esc
from pathlib import Path

from ...show.formatting import number, short_path, words, words_in
from ...show.report import (city_words, definitions_markdown, first_screen, indexes_table,
                             lower_bound_note)
from .reader import data_quality, read_result
from .safe_html import markdown_html
from .writer import write_text

__all__ = ["INDEX_FILE", "REPORT_PAGE", "FILE_NOTES", "index_page", "write_index", "file_words"]

INDEX_FILE = "index.html"
#: The final report's page, linked from the top of ``index.html``.
REPORT_PAGE = "07_resilience_report.html"


#: What each file of a run folder is, for the list at the end of ``index.html``.
FILE_NOTES = {
    "summary.json": "the indexes of every strategy, with units and definitions",
    "manifest.json": "parameters, package versions, input hashes, git commit, stage timings",
    "params.yaml": "the full parameters of this run (workbench run params.yaml replays it)",
    "city.nc": "buildings with the networks' nodes serving each",
    "damage.nc": "damage states, repair times and costs of every realisation",
    "recovery.nc": "EP(t), SC(t), crews and restoration days by strategy",
    "crew_assignments.csv": "every crew stint: crew, trade, task, start and end day",
    "commitment_sweep.csv": "stage 04: semiflexible's indexes for commitment periods 0 to completion",
    "curves.csv": "the recovery curves, one row per strategy, variable and day",
    "indexes.csv": "the indexes, one row per strategy (tidy)",
    "buildings_results.csv": "per building: damage state, repair cost, restoration day",
    "buildings_results.geojson": "the same per building, with its position (for GIS)",
    "significance.csv": "stage 02: every test of every survey feature",
    "ensemble.nc": "stage 05: the indexes and curves of every ensemble member",
    "posterior.nc": "stage 05: the posterior of the strategy comparison, economic loss",
    "posterior_service.nc": "stage 05: the posterior of the strategy comparison, service loss",
    "strategy_comparison.csv": "stage 05: P(A better than B) for each pair of strategies",
    "forecast.nc": "stage 05: the forecast from the observed days, with its 90 % band",
    "calibration.nc": "stage 05: the posterior of the inputs given the observed days",
    "uncertainty.json": "stage 05: ranges over the ensemble and the best strategy",
    "mitigation.csv": "stage 06: the mitigation options ranked by benefit-cost ratio",
    "mitigation.nc": "stage 06: losses of every option and ensemble member",
    "mitigation.json": "stage 06: the best option, how sure, and the options skipped",
    "response.json": "stage 04: the indexes with and without household agents, supplies, warning",
    "response.nc": "stage 04: residents by state and the agents' curves, day by day",
    "supplies.nc": "stage 04: emergency supplies delivered and unmet in the first days",
    "warning.nc": "stage 04: the share each warning channel reaches, hour by hour",
    "validation.json": "stage 06: days to 80, 90 and 95 % restored by lifeline, beside observed "
                       "earthquakes, and the band check",
    "validation_curves.csv": "stage 06: the run's lifeline restoration curves (share served by day)",
    "run.log": "the traceback of a failed stage",
}


def _table_html(table) -> str:
    """A report table (:mod:`workbench.show.report`: strings, an ``index`` of row labels) as HTML,
    every string escaped."""
    head = "<th>index</th>" + "".join(f"<th>{esc(str(c))}</th>" for c in table.columns)
    body = "".join(f"<tr><td>{esc(str(label))}</td>"
                   + "".join(f"<td>{esc(str(v))}</td>" for v in row) + "</tr>"
                   for label, row in zip(table.index, table.itertuples(index=False)))
    return f"<table><tr>{head}</tr>{body}</table>"


def _numbers(summary: dict, quality: str = "") -> str:
    # one row per index, one column per strategy: narrow enough for any screen
    table = indexes_table(summary, keys=list(summary.get("units", {})))
    c = summary["city"]
    single = [f"<p class=\"failed\">Single point of failure: the {esc(n)} network has one "
              f"source ({esc(', '.join(map(str, f['sources'])))}); every building it serves "
              f"depends on it.</p>" for n, f in c.get("networks", {}).items()
              if f.get("single_point_of_failure")]
    note = lower_bound_note(summary)
    return "".join(single) + (
        f"<h2>Resilience indexes</h2><p>{number(c['buildings'])} buildings, "
        f"{number(c['floor_area_m2'])} m² floor area, {number(c['population'])} residents "
        f"(the people the service-capacity index counts, once each), baseline "
        f"occupancy {number(c.get('occupancy', 0))} persons (residents and workers).</p>"
        + _table_html(table) + (markdown_html(note) if note else "")
        + (markdown_html(quality) if quality else "")
        + ("<h3>How each index is counted</h3><p>T is the horizon, t the day after the event, "
           "EP₀ the economic productivity before it.</p>"
           + markdown_html(definitions_markdown(summary)) if summary.get("definitions") else ""))


def file_words(stem: str) -> str:
    """A stage's or a figure's file name (``04_recovery_simulation``, ``06_validation``) as a
    reader's words: its number, then its name.

    >>> file_words("04_recovery_simulation"), file_words("07_map"), file_words("03_rss_forest")
    ('04. Recovery simulation', '07. Map', '03. rSS forest')
    """
    number_part, _, rest = stem.partition("_")
    if not number_part.isdigit():
        number_part, rest = "", stem
    text = words(rest).replace("_", " ").strip()
    text = text if text[1:2].isupper() else text[:1].upper() + text[1:]
    return f"{number_part}. {text}" if number_part else text


def _figures(run_dir: Path) -> str:
    """The figures of ``figures/`` (written by the notebooks, :func:`workbench.show.plots.save_figure`)
    with their captions and links to the PNG and SVG files."""
    from ...show.plots import FIGURES_DIR
    folder = run_dir / FIGURES_DIR
    items = []
    for png in sorted(folder.glob("*.png")):
        caption = png.with_suffix(".txt")
        text = caption.read_text(encoding="utf-8").strip() if caption.exists() else ""
        base = f"{FIGURES_DIR}/{png.stem}"
        items.append(f'<li><b>{esc(file_words(png.stem))}</b> (<a href="{esc(base)}.png">PNG, 300 dpi</a>, '
                     f'<a href="{esc(base)}.svg">SVG</a>): {esc(words_in(text))}</li>')
    return (f"<h2>Figures</h2><p>Each figure of the report, for a paper, in "
            f"<code>{FIGURES_DIR}/</code>:</p><ul>{''.join(items)}</ul>" if items else "")


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
        name = esc(file_words(stage))
        link = f'<a href="{esc(t["html"])}">{name}</a>' if t.get("html") else name
        cls = {"ok": "ok", "failed": "failed"}.get(t["status"], "skipped")
        rows.append(f'<tr class="{cls}"><td>{link}</td><td>{esc(t["status"].upper())}</td>'
                    f'<td>{t["seconds"]:.1f} s</td></tr>')
    report = (f' The report for reading: <a href="{REPORT_PAGE}">{REPORT_PAGE}</a>.'
              if any(t.get("html") == REPORT_PAGE and t["status"] == "ok"
                     for t in timings.values()) else "")
    summary = read_result(run_dir, "summary")
    numbers = _numbers(summary, data_quality(run_dir)) if summary else ""
    opening = (markdown_html(first_screen(params, summary, read_result(run_dir, "uncertainty"),
                                          read_result(run_dir, "mitigation")))
               if summary else "")
    city = city_words(summary["city"].get("name", params["name"]) if summary
                       else Path(str(params["city"])).name)
    extra = sorted(p.name for p in run_dir.glob("*")
                   if p.suffix in (".csv", ".geojson", ".nc", ".json", ".log", ".yaml"))
    files = "".join(f'<li><a href="{esc(n)}">{esc(n)}</a>'
                    + (f": {esc(FILE_NOTES[n])}" if n in FILE_NOTES else "") + "</li>"
                    for n in extra)
    if (run_dir / "models").is_dir():
        files += ('<li><a href="models/">models/</a>: stage 03: the trained rSS model and hybrid '
                  'network, their metrics and the archived functionality table</li>')
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{esc(city)} — resilience report</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse;max-width:100%}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:right;overflow-wrap:anywhere}}
td:first-child,th:first-child{{text-align:left}}
tr.failed,p.failed{{background:#fdd}}tr.ok td:nth-child(2){{color:#060}}</style></head><body>
<h1>Resilience report: {esc(city)}</h1>
<p>Run <i>{esc(str(params['name']))}</i> of the city folder <code>{esc(short_path(params['city']))}</code>, seed {esc(str(params['seed']))}.{report}</p>{_banner(timings, error)}
{opening}
{numbers}
<h2>Stages</h2><table><tr><th>stage (its page)</th><th>status</th><th>time</th></tr>{''.join(rows)}</table>
{_figures(run_dir)}
<h2>Files</h2><ul>{files}</ul></body></html>
"""


def write_index(run_dir: str | Path, params: dict, timings: dict,
                error: dict | None = None) -> Path:
    """Write ``index.html`` (:func:`index_page`) into ``run_dir``."""
    target = Path(run_dir) / INDEX_FILE
    write_text(target, index_page(Path(run_dir), params, timings, error))
    return target
