"""The report's sentences and tables are honest on the edge cases (issue [report] item 5): a
strategy not back within the horizon, one strategy, no damage; losses cut off at the horizon are
called lower bounds; numbers are formatted for reading (no raw floats, counts as integers)."""

import re

import pandas as pd
import pytest

from workbench import report
from workbench.show.formatting import money, number, short_path, significant
from workbench.run.pipeline.summary import UNITS   # summary.json's units, as a run writes them

CITY = {"name": "x", "buildings": 3, "floor_area_m2": 1200.0, "population": 40.0,
        "occupancy": 60.0}
OPEN = {"economic_loss": 3081082470.899019, "ep_loss": 2.0e9, "repair_cost": 1081082470.9,
        "service_loss_person_days": 12345.678, "economic_loss_per_m2": 2567568.7,
        "service_loss_per_m2": 10.288, "recovery_days_95": None, "functionality_72h": 0.38913,
        "recovered_100": False, "unrestored_buildings": 1.0, "unrestored_floor_area_m2": 400.0,
        "unrestored_components": 2.0, "displaced_at_horizon": 13.0,
        "ep_loss_per_day_at_horizon": 76461.19, "service_loss_per_day_at_horizon": 13.0}
DONE = {**OPEN, "economic_loss": 2.5e9, "ep_loss": 1.4e9, "service_loss_person_days": 9000.0,
        "recovery_days_95": 41.0, "recovered_100": True, "unrestored_buildings": 0.0,
        "unrestored_floor_area_m2": 0.0, "unrestored_components": 0.0,
        "displaced_at_horizon": 0.0, "ep_loss_per_day_at_horizon": 0.0,
        "service_loss_per_day_at_horizon": 0.0}
NOTHING = {k: (0.0 if isinstance(v, float) else v) for k, v in DONE.items()}
NOTHING.update(recovery_days_95=0.0, functionality_72h=1.0)
#: A number with more than 4 decimals, or a float printed raw.
RAW = re.compile(r"\d\.\d{5,}|\d{7,}")


def _summary(strategies, **extra):
    return {"name": "x", "seed": 1, "horizon_days": 60, "realizations": 1, "city": CITY,
            "units": UNITS, "strategies": strategies, **extra}


def test_not_recovered_within_the_horizon_reads_as_a_sentence_and_a_lower_bound():
    text = report.policy_summary(_summary({"rigid": OPEN, "flexible": DONE}))
    rigid = next(line for line in text.splitlines() if line.startswith("- **rigid**"))
    assert "95 % of functionality is not back within the 60-day horizon" in rigid
    assert "after not" not in text and "back after None" not in text
    assert "of at least EUR 3.08 bn" in rigid and "lower bounds" in rigid
    assert "1 building (400 m²) and 2 network components are still unrestored" in rigid
    flexible = next(line for line in text.splitlines() if line.startswith("- **flexible**"))
    assert "at least" not in flexible and "lower bound" not in flexible
    assert "back after 41 days" in flexible
    # the comparison names the horizon the difference holds over
    assert "EUR 581 M less than the **rigid** strategy over the 60-day horizon" in text
    assert not RAW.search(text), RAW.search(text)


def test_one_strategy_has_nothing_to_compare():
    text = report.policy_summary(_summary({"semiflexible": DONE}))
    assert "Only the **semiflexible** strategy was simulated" in text
    assert "less than" not in text and "saves" not in text


def test_zero_damage_says_no_loss_and_not_back_after_zero_days():
    text = report.policy_summary(_summary({"rigid": NOTHING, "flexible": NOTHING}))
    assert "no loss" in text
    assert "All 2 strategies give the same total economic loss, EUR 0" in text
    assert "after 0 days" not in text and "lower bound" not in text
    table = report.indexes_table(_summary({"rigid": NOTHING}))
    assert table.loc["Total economic loss", "rigid"] == "0"
    assert report.lower_bound_note(_summary({"rigid": NOTHING})) == ""


def test_one_realisation_is_said_and_more_suggested():
    assert "**one** damage realisation" in report.policy_summary(_summary({"rigid": DONE}))
    many = report.policy_summary(_summary({"rigid": DONE}, realizations=20))
    assert "means over **20** damage realisations" in many


def test_ties_name_every_strategy():
    text = report.policy_summary(_summary({"rigid": OPEN, "semiflexible": OPEN, "flexible": DONE}))
    assert "than the **rigid** and **semiflexible** strategies" in text


def test_tables_read_as_numbers_a_person_reads():
    s = _summary({"rigid": OPEN, "flexible": DONE})
    table = report.indexes_table(s)
    assert list(table.columns) == ["units", "rigid", "flexible"]
    assert table.loc["Total economic loss"].tolist() == ["EUR bn", "≥ 3.08", "2.50"]
    assert table.loc["Days to 95 % functionality"].tolist() == ["days", "not within horizon", "41"]
    horizon = report.horizon_table(s)
    assert horizon.loc["Buildings unrestored at the horizon", "rigid"] == "1"   # not 1.0
    assert horizon.loc["Fully recovered within the horizon"].tolist() == ["", "no", "yes"]
    for t in (table, horizon):
        text = t.to_string()
        assert not RAW.search(text), RAW.search(text)
    note = report.lower_bound_note(s)
    assert "**rigid**" in note and "flexible" not in note


def test_uncertainty_text_counts_members_and_asks_for_more_when_few():
    u = {"members": 12, "strategies": {"rigid": {"economic_loss": {
        "mean": 3.3e7, "p05": 1.7e7, "p95": 4.4e7}}},
         "best": {"economic_loss": {"strategy": "rigid", "p_best": 1.0,
                                    "p_best_by_strategy": {"rigid": 1.0}}}}
    text = report.uncertainty_summary(u)
    assert text.startswith("Over 12 ensemble members") and "raise `ensemble.members`" in text
    table = report.uncertainty_table(u)
    assert table.loc["Economic loss, 5–95 %"].tolist() == ["EUR M", "17.0 to 44.0"]


def test_readable_and_sweep_tables():
    frame = pd.DataFrame({"none": [13.0, 2.0], "p": [0.123456789, float("nan")],
                          "ok": [True, False]})
    assert report.readable(frame).to_dict("list") == {"none": ["13", "2"], "p": ["0.123", "–"],
                                                      "ok": ["yes", "no"]}
    sweep = pd.DataFrame({"commitment_days": [0.0, float("inf")],
                          "strategy": ["semiflexible"] * 2, "economic_loss": [2.6e7, 2.5e7],
                          "service_loss_person_days": [300.25, 280.0],
                          "recovery_days_95": [None, 30.0],
                          "ep_loss_per_day_at_horizon": [5.0, 0.0]})
    rows = report.sweep_table(sweep, "commitment_days").to_dict("records")
    assert rows[0]["economic loss [EUR M]"] == "≥ 26.0" and rows[1]["commitment_days"] == \
        "to completion"
    assert rows[0]["days to 95 %"] == "not within horizon"


def test_tables_for_a_page_escape_and_wrap_names_not_numbers():
    frame = pd.DataFrame({"effect_size": [0.000123456, 1.2e-25], "who": ["<img src=x>", "a_b.Cd"]},
                         index=pd.Index(["x_1", "x_2"], name="feature_name"))
    html = report.readable_table(frame).to_html()
    assert "<img" not in html and "&lt;img src=x&gt;" in html            # hostile text is text
    # names of the code in words; a text that is not one only wraps at its joints
    assert "effect size" in html and "feature name" in html and "x 1" in html
    assert "effect_" not in html and "a_<wbr>b.<wbr>Cd" in html
    assert 'nowrap">1.20e-25<' in html and 'nowrap">1.23e-04<' in html and "0.0001234" not in html
    assert report.readable_table(frame).to_html() == html                # same table, same bytes
    assert frame.index.name == "feature_name"                            # the caller's frame kept
    numbered = report.readable_table(pd.DataFrame({"a": [1.0, 2.0]})).to_html()
    assert "row_heading" not in numbered                                 # no 0, 1, 2, … column
    words = report.text_table(pd.DataFrame({"source": ["<b>x</b> see data/hazus_repair.csv"]}))
    assert "&lt;b&gt;" in words.to_html() and "data/<wbr>hazus_<wbr>repair.<wbr>csv" in words.to_html()


@pytest.mark.parametrize("value, text", [(3081082470.899019, "EUR 3.08 bn"),
                                         (25840558.15, "EUR 25.8 M"), (76461.19, "EUR 76.5 k"),
                                         (0.0, "EUR 0"), (-2.5e6, "EUR -2.50 M")])
def test_money_has_three_significant_figures(value, text):
    assert money(value) == text


def test_numbers_and_paths():
    assert [number(v) for v in (13.0, 1234567.0, 0.0000123, 999.95)] == \
        ["13", "1,234,567", "1.23e-05", "1,000"]
    assert significant(0.38913) == "0.389"
    assert short_path("/somewhere/on/this/machine/toy") == "…/toy"
    assert "/machine" not in report.parameters_text({"city": "/somewhere/on/this/machine/toy",
                                                     "models": {"survey": "/a/b/s.csv"}})


def test_gap_sentence_when_flexible_loses_more_names_the_limits_that_lower_it():
    # flexible above semiflexible (a greedy order's myopia): no "semiflexible loses more"
    gap = {"order": ["impeding_delays", "information", "commitment", "switching"],
           "economic_loss": {"total": -2.0e8, "parts": {"impeding_delays": 1.0e8,
                             "information": -3.5e8, "commitment": 0.2e8, "switching": 0.3e8}}}
    text = report.gap_sentence({"strategy_gap": gap})
    assert "flexible, the optimistic bound, loses EUR 200 M more than semiflexible" in text
    assert "adding knowing the damage only once inspected to flexible lowers its loss" in text
    assert "−EUR 350 M" in text and "by which semiflexible loses more" not in text


def test_a_stage_page_shows_a_long_frame_by_its_first_rows_in_words():
    # every DataFrame a stage page shows goes through the page formatter of pipeline.open_run:
    # names in words, no row numbers; a frame longer than PAGE_ROWS shows its first rows and says so
    import pandas as pd
    from workbench.run.pipeline.writer import PAGE_ROWS, _page_table_html
    html = _page_table_html(pd.DataFrame({"floor_area_m2": range(PAGE_ROWS + 5)}))
    assert "floor area (m²)" in html and "floor_area" not in html
    assert f"The first {PAGE_ROWS:,} of {PAGE_ROWS + 5:,} rows." in html
    assert html.count("<tr") == PAGE_ROWS + 1      # the header and the first rows only
    assert ">0</th>" not in html                    # no pandas row number
