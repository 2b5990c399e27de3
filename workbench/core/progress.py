"""Progress of long work, as one line a person can read: done of total, rate, time left.

An ensemble (stages 05 and 06) reports ``progress(done, total)`` after each batch of members.
:class:`RateLine` turns those calls into a line such as ``ensemble: 400 of 1,000 members
(40 %), 8.1 members/s, about 1 min 14 s left``. :func:`stage_progress` is the callback the
stages get: it shows the line where the work runs (updated in place in a notebook's output, so
the executed report keeps only the last line) and, under ``workbench run``, hands it to the
terminal through the file named by :data:`PROGRESS_ENV` (the command polls it while the stage
notebook runs; see :func:`workbench.run.pipeline.execute.execute_notebook`).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

__all__ = ["RateLine", "stage_progress", "duration", "PROGRESS_ENV"]

#: Environment variable naming the file a stage writes its progress line to (set by
#: ``workbench run`` for the kernels it starts).
PROGRESS_ENV = "WORKBENCH_PROGRESS_FILE"


def duration(seconds: float) -> str:
    """``seconds`` in words a person reads at a glance.

    >>> duration(4.2), duration(75), duration(3725)
    ('4 s', '1 min 15 s', '1 h 2 min')
    """
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s"
    return f"{s // 3600} h {s % 3600 // 60} min"


class RateLine:
    """Lines of progress for ``progress(done, total)`` calls.

    The rate counts only the work done since the first call (work taken from an ensemble's
    store at the start is done, not fast), so the first call gives no rate; the time left is
    what remains at that rate.

    Examples
    --------
    >>> clock = iter([0.0, 10.0, 30.0]).__next__
    >>> line = RateLine("ensemble", "members", clock=clock)
    >>> line(200, 1000)
    'ensemble: 200 of 1,000 members (20 %)'
    >>> line(300, 1000)
    'ensemble: 300 of 1,000 members (30 %), 10.0 members/s, about 1 min 10 s left'
    >>> line(1000, 1000)
    'ensemble: 1,000 of 1,000 members in 30 s (26.7 members/s)'
    >>> slow = RateLine("mitigation", "ensembles", clock=iter([0.0, 90.0]).__next__)
    >>> _ = slow(1, 7); slow(2, 7)
    'mitigation: 2 of 7 ensembles (29 %), 0.7 ensembles/min, about 7 min 30 s left'
    """

    def __init__(self, what: str, unit: str, clock: Callable[[], float] = time.monotonic):
        self.what, self.unit, self.clock = what, unit, clock
        self.start: tuple[float, int] | None = None

    def __call__(self, done: int, total: int) -> str:
        now = self.clock()
        if self.start is None:
            self.start = (now, done)
        t0, d0 = self.start
        head = f"{self.what}: {done:,} of {total:,} {self.unit}"
        rate = (done - d0) / (now - t0) if now > t0 and done > d0 else None
        if done >= total:
            tail = f" in {duration(now - t0)}"
            return head + tail + (f" ({self._rate(rate)})" if rate else "")
        head += f" ({done / total:.0%})".replace("%", " %")
        if rate is None:
            return head
        return head + f", {self._rate(rate)}, about {duration((total - done) / rate)} left"

    def _rate(self, per_second: float) -> str:
        """Per second, or per minute below one a second (0.4 members/s reads 24.0 a minute)."""
        if per_second >= 1.0:
            return f"{per_second:.1f} {self.unit}/s"
        return f"{60 * per_second:.1f} {self.unit}/min"


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def stage_progress(what: str = "ensemble", unit: str = "members"
                   ) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback for a stage: its line (:class:`RateLine`) is shown
    in place in a notebook's output when the stage runs in a kernel, and written to the file
    named by :data:`PROGRESS_ENV` when that is set (``workbench run`` prints it in the
    terminal). Outside both it does nothing."""
    line = RateLine(what, unit)
    target = os.environ.get(PROGRESS_ENV)
    handle = None
    if _in_kernel():
        from IPython.display import display
        handle = display({"text/plain": ""}, raw=True, display_id=True)

    def progress(done: int, total: int) -> None:
        text = line(done, total)
        if handle is not None:
            handle.update({"text/plain": text}, raw=True)
        if target:
            path = Path(target)
            tmp = path.with_name(path.name + ".tmp")
            try:
                tmp.write_text(text + "\n", encoding="utf-8")
                os.replace(tmp, path)
            except OSError:
                pass                    # progress is a courtesy: never fail the stage for it
    return progress
