"""The workbench's exception hierarchy: one base, a few specific kinds (docs/ARCHITECTURE.md conventions)."""

__all__ = ["WorkbenchError", "InputError", "ParameterError", "StageError", "UnmappedBuildingsWarning"]


class WorkbenchError(Exception):
    """Base of every error the workbench raises on purpose."""


class InputError(WorkbenchError, ValueError):
    """Bad input data: the message names the field, the value, the rule and the fix."""


class ParameterError(WorkbenchError, ValueError):
    """A bad parameter file or parameter value."""


class StageError(WorkbenchError, RuntimeError):
    """A pipeline stage (notebook) failed; ``stage`` names it."""

    def __init__(self, stage: str, message: str):
        super().__init__(f"stage {stage} failed: {message}")
        self.stage = stage


class UnmappedBuildingsWarning(UserWarning):
    """Some buildings have no network node within the stated distance (raised by
    :mod:`workbench.city.mapping`; defined here, where the command line can filter it without
    loading the mapping)."""
