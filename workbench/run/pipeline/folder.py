"""Run folders written all-or-nothing, one run at a time (METHOD §9).

A run writes into a staging folder beside its target, ``.<name>.tmp-<pid>``, and the staging
folder takes the target's place only when the run ends (:meth:`RunFolder.commit`): in one
atomic exchange of the two folders where the system has it (Linux ``renameat2``), else by
renaming the previous folder aside (``.<name>.old-<pid>``) and the new one in. The previous
folder is removed only after the new one is in place. A run that is interrupted or killed
leaves the previous folder as it was; what it leaves behind is a staging folder, which no
reader takes for a run (its ``summary.json`` is not at the target path) and which the next run
into the same target removes.

A lock file beside the target, ``.<name>.lock``, holds the pid of the run writing it, under an
exclusive ``flock``: a second run into the same folder is refused at once. The system releases
the lock of a process that dies, so a stale lock is simply taken over.

A target that exists must be a run folder (it holds the workbench's ``manifest.json``) or an
empty folder: a run replaces its folder whole and never deletes files the workbench did not
write.
"""

from __future__ import annotations

import ctypes
import errno
import glob
import os
import shutil
import unicodedata
from pathlib import Path

from ...core.errors import InputError
from .reader import MANIFEST_FILE, is_workbench_manifest

__all__ = ["RunFolder"]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class RunFolder:
    """The run folder ``target``, written all-or-nothing.

    Use as a context manager: on entry the target is checked, its lock taken and a fresh
    staging folder (:attr:`path`) made; the run writes into :attr:`path` and calls
    :meth:`commit`; on exit a staging folder that was not committed is removed and the lock
    released.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "run"
    >>> with RunFolder(target) as folder:
    ...     staging = folder.path
    ...     _ = (staging / "summary.json").write_text("{}")
    ...     before = target.exists()
    ...     _ = folder.commit()
    >>> staging.name.startswith(".run.tmp-"), before, (target / "summary.json").exists()
    (True, False, True)
    >>> sorted(p.name for p in target.parent.iterdir())  # no staging folder, no lock left
    ['run']
    """

    def __init__(self, target: str | Path):
        self.target = Path(target).expanduser().absolute()
        self.path: Path | None = None
        self.committed = False
        self._lock_fd: int | None = None
        self._aside: Path | None = None

    # ------------------------------------------------------------------ names beside the target

    def _beside(self, kind: str, pid: int | str) -> Path:
        return self.target.parent / f".{self.target.name}.{kind}-{pid}"

    @property
    def lock_path(self) -> Path:
        """The lock file, ``.<name>.lock`` beside the target."""
        return self.target.parent / f".{self.target.name}.lock"

    # ------------------------------------------------------------------ open, commit, close

    def __enter__(self) -> RunFolder:
        self.open()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def open(self) -> Path:
        """Check the target, take its lock, remove stale staging folders, make a fresh one."""
        self.target = _writable_name(self.target).resolve()
        _check_target(self.target)
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _cannot_write(self.target.parent, exc) from exc
        self._lock_fd = _lock(self.lock_path, self.target)
        try:
            _check_target(self.target)  # again, now that no other run can change it
            self._remove_stale()
            self.path = self._beside("tmp", os.getpid())
            try:
                self.path.mkdir()
            except OSError as exc:
                raise _cannot_write(self.target.parent, exc) from exc
        except BaseException:
            self._unlock()
            raise
        return self.path

    def commit(self) -> Path:
        """Put the staging folder in the target's place; then remove the previous folder."""
        if self.target.is_dir() and any(self.target.iterdir()):
            if _exchange(self.path, self.target):
                old = self.path  # the exchange left the previous folder at the staging path
            else:
                old = self._aside = self._beside("old", os.getpid())
                os.rename(self.target, old)
                os.rename(self.path, self.target)
                self._aside = None
        else:
            os.replace(self.path, self.target)  # no target, or an empty folder: one rename
            old = None
        self.committed = True
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.target

    def close(self) -> None:
        """Remove an uncommitted staging folder (putting back a previous folder renamed aside),
        and release the lock."""
        try:
            if not self.committed and self.path is not None:
                if self._aside is not None and not self.target.exists():
                    os.rename(self._aside, self.target)
                shutil.rmtree(self.path, ignore_errors=True)
        finally:
            self._unlock()

    # ------------------------------------------------------------------ helpers

    def _remove_stale(self) -> None:
        """Remove the staging folders of runs that died; put back a previous folder that a
        killed run left aside."""
        prefix = glob.escape(f".{self.target.name}.")
        for kind in ("old", "tmp"):
            for path in sorted(self.target.parent.glob(f"{prefix}{kind}-*")):
                pid = path.name.rpartition("-")[2]
                if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
                    continue
                if kind == "old" and not self.target.exists():
                    os.rename(path, self.target)
                else:
                    shutil.rmtree(path, ignore_errors=True)

    def _unlock(self) -> None:
        if self._lock_fd is None:
            return
        try:
            os.unlink(self.lock_path)  # while still holding it: see _lock
        except OSError:
            pass  # already gone: nothing to remove
        os.close(self._lock_fd)
        self._lock_fd = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def _lock(path: Path, target: Path) -> int:
    """An exclusive lock on ``path`` (``flock``) holding our pid; :class:`InputError` when held.

    Tested on Linux; on macOS the atomic exchange falls back to two renames, and Windows is
    not a supported platform."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _cannot_write(path.parent, exc) from exc
        try:
            _try_lock(fd)
        except (BlockingIOError, PermissionError):
            holder = _read_pid(fd)
            os.close(fd)
            raise InputError(f"run folder: {str(target)!r} is in use by another workbench run "
                             f"(pid {holder}; lock {str(path)!r}) (wait for it to end, or give "
                             f"another --out)") from None
        # a run that ends unlinks its lock file while holding it; a lock taken on a file that
        # is no longer at the path guards nothing, so take the one at the path
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _read_pid(fd: int) -> str:
    """The pid a lock file holds, as text ("unknown" when it cannot be read)."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 32).decode(errors="replace").strip() or "unknown"
    except OSError:
        return "unknown"


def _try_lock(fd: int) -> None:
    """Take an exclusive lock on ``fd`` without waiting (BlockingIOError when held); the system
    releases it when the process ends, however it ends."""
    try:
        import fcntl
    except ImportError:  # Windows: a lock on the file's first byte does the same
        import msvcrt
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system or file system does not offer it."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):  # not glibc ≥ 2.28 (macOS, Windows, musl)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _writable_name(target: Path) -> Path:
    """``target``, unless its path has characters the exporters cannot write (GDAL drops
    control characters and writes elsewhere; HDF5 and GDAL need UTF-8)."""
    text = str(target)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"run folder: {text!r} is not valid UTF-8, which the exporters cannot "
                         f"write (give --out a name of printable UTF-8 characters)") from None
    control = sorted({c for c in text if unicodedata.category(c) == "Cc"})
    if control:
        raise InputError(f"run folder: {text!r} holds control characters {''.join(control)!r}, "
                         f"which the exporters cannot write (give --out a name of printable "
                         f"characters)")
    return target


def _check_target(target: Path) -> None:
    """A target that exists must be a folder, and a run folder unless it is empty."""
    if not target.exists():
        return
    if not target.is_dir():
        raise InputError(f"run folder: {str(target)!r} is a file, not a folder (give --out a "
                         f"new folder, an empty one or an earlier run folder)")
    try:
        empty = not any(target.iterdir())
    except OSError as exc:
        raise _cannot_write(target, exc) from exc
    if not empty and not is_workbench_manifest(target / MANIFEST_FILE):
        raise InputError(f"run folder: {str(target)!r} exists and was not made by the workbench "
                         f"(no workbench {MANIFEST_FILE}) (give --out a new or empty folder: a "
                         f"run replaces its folder whole)")


def _cannot_write(folder: Path, exc: OSError) -> InputError:
    return InputError(f"run folder: cannot write in {str(folder)!r} ({type(exc).__name__}: "
                      f"{exc.strerror or exc}) (give --out a folder you can write to)")
