"""The report cannot be scripted from its inputs (issue [robust] item 2).

Two attacks are planted and must stay inert: HTML and script in the text a city folder brings
(its README, its name, a network's node id, the run's name and folder name) never reach a
produced ``.html`` unescaped; and a ``pandas.py`` in the run folder, in the parameter file's
folder and in the current folder is never imported by a notebook kernel.
"""

import re
from dataclasses import replace

import networkx as nx
import pytest
import yaml

from workbench import pipeline
from workbench.city import toy_city
from workbench.io.cityio import save_city
from workbench.run.cli import main
from workbench.run.params import validate_params

pytestmark = pytest.mark.slow   # make test-fast leaves it out: a whole `workbench run` on a hostile city (~110 s)

README = ("# Toy city <script>alert('readme')</script>\n\n"
          "Data: [OSM](javascript:alert('link')) <img src=x onerror=alert('img')>\n\n"
          "<script>alert('block')</script>\n")
NAME = "<script>alert('name')</script>"
SOURCE = "W<script>alert('node')</script>"
#: What must never appear in a produced .html: the payloads as live markup.
LIVE = re.compile(r"<script>alert\(|<img src=x onerror|href=\"javascript:", re.IGNORECASE)


def _hostile_city(folder):
    city = toy_city()
    water = nx.relabel_nodes(city.networks["water"], {"W0": SOURCE})
    city = replace(city, name=NAME, networks={**city.networks, "water": water})
    save_city(city, folder)
    (folder / "README.md").write_text(README)
    return folder


def _planted_module(folder, marker):
    """A ``pandas.py`` that leaves ``marker`` and breaks the import, were it ever imported."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pandas.py").write_text(f"open({str(marker)!r}, 'w').write('imported')\n"
                                      f"raise ImportError('a planted pandas.py was imported')\n")


def test_markdown_from_the_inputs_is_sanitised():
    html = pipeline.markdown_html(README)
    assert not LIVE.search(html)
    assert "&lt;script&gt;alert('readme')&lt;/script&gt;" in html
    assert html.startswith("<h1>Toy city")


def test_planted_script_and_module_are_inert(tmp_path, monkeypatch):
    city = _hostile_city(tmp_path / "city")
    marker = tmp_path / "imported.txt"
    params_dir = tmp_path / "params"
    _planted_module(params_dir, marker)
    params = {"name": "<img src=x onerror=alert('run')>", "city": str(city), "horizon_days": 30,
              "constraints": {"crews": 2}, "models": {"max_epochs": 3},
              "ensemble": {"members": 12, "draws": 50, "tune": 50, "chains": 1},
              "mitigation": {"members": 3}}
    (params_dir / "p.yaml").write_text(yaml.safe_dump(params))
    # a folder name papermill would read as a template, and markup
    out = tmp_path / "run{name}<b>"
    pipeline.simulate(validate_params(params), out)  # an earlier run, then a module planted in it
    _planted_module(out, marker)
    monkeypatch.chdir(params_dir)  # the current folder holds one too

    assert main(["run", "p.yaml", "--out", str(out)]) == 0
    assert not marker.exists()
    pages = sorted(out.glob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "01_data_mapping.html",
                                       "04_recovery_simulation.html", "07_resilience_report.html"}
    for page in pages:
        text = page.read_text()
        assert not LIVE.search(text), (page.name, LIVE.search(text).group(0))
    mapping = (out / "01_data_mapping.html").read_text()
    assert "&lt;script&gt;alert(&#x27;readme&#x27;)" in mapping or \
        "&lt;script&gt;alert('readme')" in mapping  # shown, as text
    assert "&lt;script&gt;alert(&#x27;node&#x27;)&lt;/script&gt;" in (out / "index.html").read_text()
    assert not (out / "pandas.py").exists()  # the run replaced the folder whole
