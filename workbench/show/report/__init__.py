"""Plain-language summary of a run's indexes for policy makers (METHOD §4, §8; stage 07).

Every table here is written for reading: one row per quantity (in words, with its units), one
column per strategy — narrow enough for a page — and every number formatted by
:mod:`workbench.show.formatting` (money in EUR k / M / bn with 3 significant figures, counts as
integers). A loss integrated up to a horizon at which losses still accrue is a *lower bound*,
marked "≥" in the tables and "at least" in the text.

The sentences are in :mod:`.text`, the tables in :mod:`.tables`; both are importable from here.
"""

from .tables import (indexes_table, horizon_table, functionality_table, uncertainty_table,
                    is_lower_bound, readable, readable_table, breakable, sweep_table, text_table,
                    gap_table, shelter_sensitivity_table, crews_at_work, limits_table,
                    assumptions_words, definitions_markdown, DEFINITION_WORDS,
                    HORIZON_KEYS, INDEX_KEYS, LABELS, GOAL_KEYS)
from .text import (policy_summary, uncertainty_summary, lower_bound_note, parameters_text,
                    recovery_caption, indexes_text, data_quality_note, scenario_sentence,
                    strategies_paragraph, first_screen, gap_sentence, answer,
                    mitigation_headline, city_words, validation_text,
                    STRATEGY_MEANINGS)

__all__ = ["policy_summary", "indexes_table", "horizon_table", "functionality_table",
           "uncertainty_table", "uncertainty_summary", "lower_bound_note", "parameters_text",
           "is_lower_bound", "readable", "readable_table", "breakable", "sweep_table",
           "recovery_caption", "text_table", "indexes_text", "data_quality_note",
           "scenario_sentence", "strategies_paragraph", "first_screen", "STRATEGY_MEANINGS",
           "HORIZON_KEYS", "INDEX_KEYS", "LABELS", "GOAL_KEYS", "gap_sentence", "gap_table",
           "shelter_sensitivity_table", "crews_at_work", "limits_table", "assumptions_words",
           "definitions_markdown", "DEFINITION_WORDS", "answer", "mitigation_headline",
           "city_words", "validation_text"]
