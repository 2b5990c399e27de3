"""Sections of the parameter file, each owned by the layer that uses it (METHOD §9).

A section is a frozen dataclass beside its owner (the hazard's in :mod:`workbench.hazard`, the
ensemble's in :mod:`workbench.uncertainty`, …). Each field is declared with :func:`setting`: its
default and a one-line comment for the parameter file; the dataclass checks every rule in
``__post_init__`` and raises :class:`~workbench.core.errors.InputError` as
``"<field> must be <rule>; got <value>"``, which the parameter-file reader words as
``parameter <section>.<field> must …``. The reader (:mod:`workbench.run.params`) assembles the
sections, and the commented template ``workbench params`` prints is generated from the same
fields (:func:`template_lines`): defaults and template are one text.

This follows scikit-learn's declared parameter constraints in spirit; a plain dataclass is
used rather than pydantic or attrs so that the ground floor imports nothing outside the
standard library and PyYAML.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from typing import Any

import yaml

from .errors import InputError

__all__ = ["setting", "check", "is_int", "is_number", "defaults", "from_mapping", "as_dict",
           "template_lines", "flow"]


def setting(default: Any, doc: str, *, shown: str | None = None) -> Any:
    """A field of a section: its ``default`` and the comment the template gives it (``doc``;
    a ``\\n`` starts a continuation line). ``shown``: the value as the template writes it, when
    not the default's own YAML (a shorter form)."""
    metadata = {"doc": doc, "shown": shown}
    if isinstance(default, (dict, list)):
        return dataclasses.field(default_factory=lambda: copy.deepcopy(default),
                                 metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def is_int(v) -> bool:
    """An integer, not a bool."""
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v) -> bool:
    """An int or float, not a bool, not NaN."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)


def check(ok: bool, field: str, value, rule: str) -> None:
    """Raise ``InputError("<field> must be <rule>; got <value>")`` unless ``ok``."""
    if not ok:
        raise InputError(f"{field} must be {rule}; got {value!r}")


def defaults(cls) -> dict:
    """The defaults of section ``cls`` as a mapping of keys (nested values copied)."""
    out = {}
    for f in dataclasses.fields(cls):
        out[f.name] = f.default_factory() if f.default is dataclasses.MISSING else f.default
    return out


def from_mapping(cls, mapping: dict):
    """Section ``cls`` from a mapping holding every one of its keys (checked on construction)."""
    return cls(**{f.name: mapping[f.name] for f in dataclasses.fields(cls)})


def as_dict(section) -> dict:
    """The section's values as a mapping of keys, in the order of its fields."""
    return {f.name: copy.deepcopy(getattr(section, f.name)) for f in dataclasses.fields(section)}


def flow(value) -> str:
    """``value`` as one line of YAML (flow style): ``.inf``, ``null``, ``[a, b]``, ``{k: v}``."""
    if isinstance(value, float) and math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if isinstance(value, tuple):
        value = list(value)
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=math.inf,
                          allow_unicode=True).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


#: Column at which the template's comments start.
COMMENT_COLUMN = 28


def template_lines(cls, indent: int = 0, names=None) -> list[str]:
    """The template lines of section ``cls`` (only the fields ``names``, when given):
    ``key: default  # comment``, comments aligned, a multi-line comment continued under the
    first. A field declared with ``shown=""`` is written as a block: its mapping's items or its
    list's entries one per line, with the comments of the class's ``ITEMS`` (by key or
    position)."""
    lines = []
    pad = " " * indent
    items = getattr(cls, "ITEMS", {})
    for f in dataclasses.fields(cls):
        if names is not None and f.name not in names:
            continue
        default = f.default_factory() if f.default is dataclasses.MISSING else f.default
        shown = f.metadata.get("shown")
        block = shown == ""
        head = f"{pad}{f.name}:" + ("" if block else
                                    f" {shown if shown is not None else flow(default)}")
        lines.extend(_commented(head, f.metadata.get("doc", "")))
        if not block:
            continue
        docs = items.get(f.name, {})
        sub = " " * (indent + 2)
        if isinstance(default, dict):
            for key, value in default.items():
                lines.extend(_commented(f"{sub}{key}: {flow(value)}", docs.get(key, "")))
        else:
            for i, value in enumerate(default):
                doc = docs[i] if isinstance(docs, list) and i < len(docs) else ""
                lines.extend(_commented(f"{sub}- {flow(value)}", doc))
    return lines


def _commented(head: str, doc: str) -> list[str]:
    first, *rest = doc.split("\n") if doc else [""]
    width = max(COMMENT_COLUMN, len(head) + 2)
    return ([f"{head.ljust(width)}# {first}" if first else head]
            + [" " * width + f"# {more}" for more in rest])
