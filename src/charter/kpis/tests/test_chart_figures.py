"""Charts and statuses say their values as text, on the page and in the PDF; the PDF is tagged.

The world is the scorecards test's (15 May 2017, day 45 of 2017-Q2): Rick won $500 against
$1,000 in 2017-Q1 (50%) and $1,500 against $1,000 so far in 2017-Q2 (150%), $1,500 of it on
10 April.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from charter.conftest import client_for
from charter.core.tests.pdfinfo import pdf_info
from charter.kpis import charts
from charter.kpis.tests.test_views_scorecards import (  # noqa: F401 (fixtures)
    _frozen,
    pdf_text,
    tom,
)
from charter.kpis.tests.test_views_scorecards import world as world


def test_bars_carry_each_period_and_score_as_text():
    svg = charts.attainment_bars(
        [
            charts.Bar("Q1", Decimal("0.44")),
            charts.Bar("Q2", Decimal("1.1")),
            charts.Bar("Q3", None),
        ],
        title="Score",
    )
    assert "<desc>Q1, 44%; Q2, 110%; Q3, no data</desc>" in svg
    assert '<tr><th scope="row">Q2</th><td class="num">110%</td></tr>' in svg
    assert "<caption>Score</caption>" in svg


def test_the_progress_table_keeps_the_days_the_total_changed_beside_the_pace():
    start = dt.date(2026, 1, 1)
    points = [(start + dt.timedelta(days=n), Decimal(v)) for n, v in enumerate([0, 0, 5, 5, 9])]
    svg = charts.cumulative_progress(
        points, start=start, end=dt.date(2026, 1, 11), target=Decimal(100), title="T", fmt=str
    )
    rows = svg.split("<tbody>")[1]
    assert rows.count("<tr>") == 3  # the first day, 3 Jan (5) and 5 Jan (9), also the last
    assert '<th scope="row">03 Jan</th><td class="num">5</td><td class="num">20</td>' in rows
    assert "02 Jan" not in rows


@pytest.mark.django_db
def test_the_dashboards_charts_read_as_text(world):
    html = client_for(world["rep"]).get("/kpis/").content.decode()
    assert "2017-Q1, 50%; 2017-Q2, 150%</desc>" in html
    # The running total: nothing on the first day, $1,500 from 10 April on; the pace on 15 May
    # is 44 days of 90 towards $1,000.
    assert '<th scope="row">10 Apr</th><td class="num">$1,500</td>' in html
    assert '<th scope="row">15 May</th><td class="num">$1,500</td><td class="num">$489</td>' in html


@pytest.mark.django_db
def test_the_scorecard_pdf_is_tagged_and_prints_the_chart_figures(world):
    rep = world["rep"]
    data = client_for(world["manager"]).get(f"/kpis/people/{rep.pk}/scorecard.pdf").content
    info = pdf_info(data)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Scorecard of Rick Rep, 2017-Q2"
    assert info["Lang"] == "en"
    text = pdf_text(data).lower()  # the PDF's table headings are in capitals
    assert "the figures" in text
    assert "on pace" in text
    assert "$489" in text


@pytest.mark.django_db
def test_team_pdf_says_each_cells_status_in_words_and_names_the_statuses(world, teams):
    # A printed or read-aloud PDF cannot rely on a cell's colour: the status is written in the
    # cell and the legend names every status with its threshold.
    response = client_for(world["manager"]).get(f"/kpis/teams/{teams['east_ent'].pk}/export.pdf")
    text = pdf_text(response.content)
    ritas_row = text[text.index("Rita Rep") : text.index("Tom Third")]
    toms_row = text[text.index("Tom Third") : text.index("Colour and status agree")]
    # Rita is at 215% of her target (ahead); Tom at 45%, a pace that is only at risk mid-quarter.
    assert "215%" in ritas_row
    assert "Ahead" in ritas_row
    assert "45%" in toms_row
    assert "At risk" in toms_row
    assert "Ahead" not in toms_row
    for words in ("Colour and status agree", "Ahead:", "On track:", "At risk:", "Behind: under"):
        assert words in " ".join(text.split())
