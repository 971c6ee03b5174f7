"""The charts' geometry and words, from a small result of a real run."""

import pytest

from poolplan.analysis import charts, services
from poolplan.analysis.models import AnalysisRun

from .conftest import small, week


@pytest.fixture
def result(world):
    run = services.analysis_run_create(actor=None, school=world.school, week=week(),
                                       parameters=small(runs=40, days=25))
    return AnalysisRun.objects.get(pk=run.pk).result


def inside(chart, x, y):
    return 0 <= float(x) <= chart["width"] and 0 <= float(y) <= chart["height"]


def test_the_coverage_chart_has_a_panel_per_policy_and_its_figures_in_words(result):
    chart = charts.coverage_chart(result)
    assert [p["label"] for p in chart["panels"]] == ["One-to-one", "Pool", "Pool + k"]
    for panel in chart["panels"]:
        assert panel["mark"] and panel["colour"]  # not colour alone
        for bar in panel["bars"]:
            assert inside(chart, bar["x"], bar["y"]) and bar["h"] >= 0
            assert inside(chart, bar["x"] + bar["w"], bar["y"] + bar["h"])
    assert chart["desc"].startswith("Share of the approved minutes delivered on the day, in "
                                    "each of 40 simulated school years: One-to-one ")
    # The table holds every run once per policy.
    for column in range(1, 4):
        assert sum(int(row[column]) for row in chart["table"].rows) == 40


def test_the_debt_chart_draws_mean_lines_and_bands_inside_its_box(result):
    chart = charts.debt_chart(result)
    weeks = len(result["policies"][0]["debt_weeks"]["mean"])
    assert weeks == 25  # the world's school has lessons on Mondays only: 25 days, 25 weeks
    for line in chart["lines"]:
        points = [p.split(",") for p in line["points"].split()]
        assert len(points) == weeks and all(inside(chart, x, y) for x, y in points)
        band = [p.split(",") for p in line["band"].split()]
        assert len(band) == 2 * weeks and all(inside(chart, x, y) for x, y in band)
        assert line["legend"].endswith(" h at the year's end")
    assert len({line["dash"] for line in chart["lines"]}) == 3  # told apart without colour
    assert [row[0] for row in chart["table"].rows] == [str(w) for w in range(1, 26)]
    assert [t["label"] for t in chart["x_ticks"]] == ["1", "10", "20", "25"]
    assert "At the year's end: One-to-one" in chart["desc"]


@pytest.mark.parametrize(("value", "top"), [(0, 1), (0.4, 1), (7, 10), (130, 200),
                                              (1783, 2000), (2600, 5000), (9000, 10000)])
def test_the_y_axis_ends_at_a_round_number(value, top):
    assert charts._nice(value) == top
