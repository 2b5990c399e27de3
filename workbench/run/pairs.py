"""Notebooks and their paired percent scripts (jupytext).

Every notebook in ``notebooks/`` has a plain-text twin of the same name, ``NN_name.py`` in
jupytext's percent format (``notebooks/jupytext.toml`` pairs them). JupyterLab with jupytext
saves both at once; an editor, a linter or a diff reads the script; ``make notebooks``
(``jupytext --sync``) brings the older of the two up to the newer. A run executes the
``.ipynb`` (papermill reads no scripts), so before it starts it checks that each pair agrees —
an edit made to one file only would otherwise run the other, silently.

Two files agree when jupytext reads the same cells from both (kind, text and tags, in order)
and the same ``workbench`` notebook metadata (the report's ``hide_code`` flag). Outputs,
execution counts and cell ids live in the ``.ipynb`` only and are not compared.

>>> from workbench.core.paths import NOTEBOOKS_DIR
>>> check_pairs(NOTEBOOKS_DIR)   # the committed notebooks agree with their scripts
"""

from __future__ import annotations

import re
from pathlib import Path

from ..core.errors import InputError

__all__ = ["paired_script", "pair_difference", "check_pair", "check_pairs", "SYNC_HINT"]

#: How to bring a pair into agreement (the newer file wins, as when JupyterLab saves).
SYNC_HINT = ("save the notebook in JupyterLab (jupytext pairs the files), or run `make notebooks` "
             "(jupytext --sync notebooks/*.ipynb: the newer file of each pair wins)")
_STAGE_SCRIPT = re.compile(r"^\d\d_.+\.py$")


def paired_script(notebook: Path) -> Path:
    """The percent script paired with ``notebook`` (same folder and name, ``.py``)."""
    return Path(notebook).with_suffix(".py")


def _cells(nb) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(c.cell_type, c.source.strip(), tuple(c.get("metadata", {}).get("tags", [])))
            for c in nb.cells]


def _short(line: str) -> str:
    return repr(line if len(line) <= 60 else line[:57] + "…")


def _first_difference(a: str, b: str) -> str:
    """Where two cell texts first differ: the line number and each side's line."""
    la, lb = a.splitlines() or [""], b.splitlines() or [""]
    for k in range(max(len(la), len(lb))):
        x = la[k] if k < len(la) else "(no line)"
        y = lb[k] if k < len(lb) else "(no line)"
        if x != y:
            return f"line {k + 1}: the notebook has {_short(x)}, the script {_short(y)}"
    return "in blank lines"


def pair_difference(notebook: Path) -> str | None:
    """How ``notebook`` and its paired script differ (a sentence), or ``None`` when they agree
    or the notebook has no script.

    >>> import nbformat, tempfile, jupytext
    >>> folder = Path(tempfile.mkdtemp())
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    >>> nbformat.write(nb, folder / "01_a.ipynb")
    >>> jupytext.write(nb, folder / "01_a.py", fmt="py:percent")
    >>> pair_difference(folder / "01_a.ipynb") is None
    True
    >>> nb.cells[0].source = "x = 2"
    >>> jupytext.write(nb, folder / "01_a.py", fmt="py:percent")
    >>> pair_difference(folder / "01_a.ipynb")
    "cell 1 differs, line 1: the notebook has 'x = 1', the script 'x = 2'"
    """
    import jupytext

    notebook = Path(notebook)
    script = paired_script(notebook)
    if not script.exists():
        return None
    a, b = jupytext.read(notebook), jupytext.read(script)
    ca, cb = _cells(a), _cells(b)
    for i, (x, y) in enumerate(zip(ca, cb)):
        if x[0] != y[0]:
            return (f"cell {i + 1} is {x[0]} in the notebook and {y[0]} in the script")
        if x[1] != y[1]:
            return f"cell {i + 1} differs, {_first_difference(x[1], y[1])}"
        if x[2] != y[2]:
            return (f"cell {i + 1} differs in its tags: the notebook has {list(x[2])}, "
                    f"the script {list(y[2])}")
    if len(ca) != len(cb):
        return f"the notebook has {len(ca)} cells, the script {len(cb)}"
    ma, mb = a.metadata.get("workbench", {}), b.metadata.get("workbench", {})
    if ma != mb:
        return f"their 'workbench' metadata differ: the notebook has {ma}, the script {mb}"
    return None


def check_pair(notebook: Path) -> None:
    """Raise :class:`InputError` when ``notebook`` and its paired script disagree."""
    difference = pair_difference(notebook)
    if difference is not None:
        raise InputError(f"{str(notebook)!r} and its paired script {paired_script(notebook).name!r} "
                         f"disagree ({difference}): {SYNC_HINT}, then run again.")


def check_pairs(directory: Path) -> None:
    """Check every notebook of ``directory`` against its script, and that no stage script
    (``NN_name.py``) lacks its notebook — a run would skip it without a word."""
    directory = Path(directory)
    for script in sorted(directory.glob("*.py")):
        if _STAGE_SCRIPT.match(script.name) and not script.with_suffix(".ipynb").exists():
            raise InputError(f"the stage script {str(script)!r} has no notebook "
                             f"{script.with_suffix('.ipynb').name!r}: run `make notebooks` "
                             "(jupytext --sync) to write it, then run again.")
    for notebook in sorted(directory.glob("*.ipynb")):
        check_pair(notebook)
