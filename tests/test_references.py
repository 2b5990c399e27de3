"""The repository stands alone (issue [report] item 6): no file cites a document a user of the
repository does not have, every "METHOD §N" names a section of docs/METHOD.md, and every
relative link of a Markdown file reaches a file of the repository."""

import re
import subprocess
from pathlib import Path

import pytest

from workbench.core.paths import ROOT

#: Documents of the project's makers, not of the repository (spelled in pieces so that this
#: file does not match itself).
OUTSIDE = re.compile("|".join([r"\.\./" + "shared", "DESIGN" + r"(\.md|\s*§)", "STYLE" + r"\.md",
                               "ECOSYSTEM" + r"\.md", r"\bDATA" + r"\.md", r"\bseeds?/",
                               r"\bseed\s+0\d\d"]))
METHOD_REF = re.compile(r"METHOD(?:\.md`?)?\s*§\s*(\d+(?:\.\d+)?)")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _tracked_text_files() -> list[Path]:
    try:
        names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    files = []
    for name in names:
        path = ROOT / name
        if path.suffix in {".png", ".nc", ".pbf", ".gz", ".zip", ".pt", ".skops"} or not path.is_file():
            continue
        try:
            files.append((path, path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue
    return files


FILES = _tracked_text_files()


def test_nothing_cites_a_document_outside_the_repository():
    found = [f"{p.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}: {m.group(0)!r}"
             for p, text in FILES if p.name != Path(__file__).name
             for m in OUTSIDE.finditer(text)]
    assert not found, "\n".join(found)


def _method_sections() -> set[str]:
    text = (ROOT / "docs" / "METHOD.md").read_text(encoding="utf-8")
    return set(re.findall(r"^#{2,4}\s+(\d+(?:\.\d+)?)[.\s]", text, flags=re.MULTILINE))


def test_every_method_reference_names_a_section_of_the_method():
    sections = _method_sections()
    assert {"1", "5", "5.3", "9"} <= sections
    refs = [(p, m.group(1)) for p, text in FILES for m in METHOD_REF.finditer(text)]
    assert len(refs) > 50
    missing = sorted({f"{p.relative_to(ROOT)}: §{s}" for p, s in refs if s not in sections})
    assert not missing, missing


def test_every_relative_markdown_link_reaches_a_repository_file():
    broken = []
    for path, text in FILES:
        if path.suffix != ".md":
            continue
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):   # https:, mailto:, doi: — not a file
                continue
            resolved = (path.parent / target).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                broken.append(f"{path.relative_to(ROOT)} -> {target}")
    assert not broken, broken
