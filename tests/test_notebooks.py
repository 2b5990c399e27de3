"""The notebooks people edit: each is paired with a percent script (jupytext), the pairs agree,
an edit in JupyterLab reaches both files, a run refuses a pair that disagrees, and the scripts
pass the linter with the package."""

import shutil
import subprocess
import sys

import asyncio
import re

import jupytext
import nbformat
from jupytext.cli import jupytext as jupytext_cli
import pytest

from workbench import pipeline
from workbench.core.errors import InputError
from workbench.run.pairs import check_pairs, pair_difference
from workbench.core.paths import NOTEBOOKS_DIR, ROOT
from workbench.run.params import validate_params

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def test_every_notebook_has_its_script_and_back():
    assert len(NOTEBOOKS) >= 8   # seven stages and the dashboard
    scripts = sorted(NOTEBOOKS_DIR.glob("*.py"))
    assert [p.stem for p in scripts] == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_committed_pairs_agree(notebook):
    assert pair_difference(notebook) is None
    script = jupytext.read(notebook.with_suffix(".py"))
    nb = nbformat.read(notebook, as_version=4)
    assert len(script.cells) == len(nb.cells) >= 2
    # committed without outputs, so a diff of a notebook is a diff of what people wrote
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")
    if notebook.stem[:2].isdigit():   # a stage: papermill's parameters cell, tagged in both
        assert [c for c in script.cells if "parameters" in c.metadata.get("tags", [])]


def _copy(tmp_path):
    # JupyterLab's checkpoint folders are its own, never part of a pair
    return shutil.copytree(NOTEBOOKS_DIR, tmp_path / "notebooks",
                           ignore=shutil.ignore_patterns(".ipynb_checkpoints"))


def test_sync_of_the_committed_pairs_changes_nothing(tmp_path):
    """`make notebooks` on an unedited checkout writes the same bytes (whichever file is newer)."""
    folder = _copy(tmp_path)
    before = {p.name: _content(p) for p in folder.iterdir() if p.is_file()}
    for p in sorted(folder.glob("*.ipynb")):   # the scripts newer, as after a fresh checkout can be
        p.with_suffix(".py").touch()
    jupytext_cli(["--sync", "--quiet", *map(str, sorted(folder.glob("*.ipynb")))])
    assert {p.name: _content(p) for p in folder.iterdir() if p.is_file()} == before


def _content(path) -> bytes:
    """A file's bytes without the line naming the jupytext version that last wrote it (a newer
    jupytext release rewrites only that line; the pair's content is what must not change)."""
    return re.sub(rb"jupytext_version[^\n]*\n", b"", path.read_bytes())


def _edit_script(folder, name, old, new):
    script = folder / f"{name}.py"
    text = script.read_text()
    assert old in text
    script.write_text(text.replace(old, new, 1))


def test_an_edit_saved_in_jupyterlab_reaches_the_script(tmp_path):
    """JupyterLab saves through jupytext's contents manager (its server extension, installed with
    jupytext, derives it from jupyter_server's async manager): notebook and script together."""
    from jupytext import AsyncTextFileContentsManager

    folder = _copy(tmp_path)
    manager = AsyncTextFileContentsManager(root_dir=str(folder))
    model = asyncio.run(manager.get("04_recovery_simulation.ipynb"))
    model["content"].cells.append(nbformat.v4.new_code_cell("edited_in_lab = 1"))
    asyncio.run(manager.save(model, "04_recovery_simulation.ipynb"))
    assert "edited_in_lab = 1" in (folder / "04_recovery_simulation.py").read_text()
    assert pair_difference(folder / "04_recovery_simulation.ipynb") is None
    # and the other way: a cell edited in the script shows in the notebook JupyterLab opens
    _edit_script(folder, "04_recovery_simulation", "edited_in_lab = 1", "edited_in_editor = 2")
    reopened = asyncio.run(manager.get("04_recovery_simulation.ipynb"))["content"]
    assert reopened.cells[-1].source == "edited_in_editor = 2"


def test_a_pair_that_disagrees_is_named_with_its_cell(tmp_path):
    folder = _copy(tmp_path)
    _edit_script(folder, "07_resilience_report", 'params_file = ""', 'params_file = "x"')
    with pytest.raises(InputError, match=r"07_resilience_report.ipynb.*07_resilience_report.py.*"
                                         r"cell \d+ differs.*make notebooks"):
        check_pairs(folder)


def test_tags_and_the_hide_code_flag_are_compared(tmp_path):
    folder = _copy(tmp_path)
    _edit_script(folder, "02_feature_significance", '# %% tags=["parameters"]', "# %%")
    with pytest.raises(InputError, match=r"differs in its tags.*\['parameters'\]"):
        check_pairs(folder)
    folder = _copy(tmp_path / "again")
    _edit_script(folder, "07_resilience_report", "#     hide_code: true", "#     hide_code: false")
    with pytest.raises(InputError, match="'workbench' metadata differ"):
        check_pairs(folder)


def test_a_stage_script_without_its_notebook_is_refused(tmp_path):
    folder = _copy(tmp_path)
    shutil.copy(folder / "02_feature_significance.py", folder / "08_new_stage.py")
    with pytest.raises(InputError, match=r"08_new_stage.py.*has no notebook '08_new_stage.ipynb'"):
        check_pairs(folder)


def test_a_run_refuses_a_disagreeing_pair_before_writing_anything(tmp_path):
    folder = _copy(tmp_path)
    _edit_script(folder, "01_data_mapping", "wb.system.service_table(city)", "1 / 0")
    out = tmp_path / "run"
    with pytest.raises(InputError, match="01_data_mapping.*disagree"):
        pipeline.run(validate_params({"name": "toy"}), out, notebook_dir=folder)
    assert not out.exists()


def test_the_package_tests_and_notebook_scripts_pass_the_linter():
    """ruff with pyflakes' checks (pyproject.toml [tool.ruff]): unused imports, undefined
    names, syntax errors — in the notebooks' scripts as in the package."""
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                             "--output-format", "concise", "."],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # the scripts are linted: a notebook that uses a name it never defines is caught
    bad = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--stdin-filename",
                          "notebooks/99_bad.py", "-"], cwd=ROOT, input="# %%\nprint(undefined)\n",
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "F821" in bad.stdout


def test_jupyterlab_checkpoints_break_no_check(tmp_path):
    # opening notebooks/ in JupyterLab leaves .ipynb_checkpoints/ beside the pairs (a folder of
    # `-checkpoint.ipynb` copies): the pair checks, the stage list and the sync ignore it
    from workbench.run.pairs import check_pairs
    from workbench.run.pipeline.execute import notebooks
    folder = shutil.copytree(NOTEBOOKS_DIR, tmp_path / "notebooks")
    checkpoints = folder / ".ipynb_checkpoints"
    checkpoints.mkdir(exist_ok=True)
    shutil.copy(folder / "01_data_mapping.ipynb", checkpoints / "01_data_mapping-checkpoint.ipynb")
    (checkpoints / "01_data_mapping-checkpoint.py").write_text("# %%\nstale = 1\n")
    check_pairs(folder)
    assert [p.name for p in notebooks(folder)] == [p.name for p in notebooks(NOTEBOOKS_DIR)]
    before = {p.name: _content(p) for p in folder.iterdir() if p.is_file()}
    jupytext_cli(["--sync", "--quiet", *map(str, sorted(folder.glob("*.ipynb")))])
    assert {p.name: _content(p) for p in folder.iterdir() if p.is_file()} == before
    # and the copy the other tests make of the folder leaves it out
    assert not (_copy(tmp_path / "again") / ".ipynb_checkpoints").exists()
