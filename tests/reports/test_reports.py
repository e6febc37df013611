"""The shared report writers (bot/reports): CSV safe in a spreadsheet, and PDFs any feature can build."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.digests.chart import ratings_chart
from bot.reports.csv import csv_cell, csv_text
from bot.reports.pdf import PdfDocument

LONDON = ZoneInfo("Europe/London")


def test_csv_cells_never_start_a_spreadsheet_formula_and_keep_other_values() -> None:
    text = csv_text(
        ["name", "note", "count", "extra"],
        [["Ben", '=HYPERLINK("http://x")', 3, None], ["-1 pupils", "@cmd", 0, {"a": [1]}]],
    )

    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["name", "note", "count", "extra"],
        ["Ben", '\'=HYPERLINK("http://x")', "3", ""],
        ["'-1 pupils", "'@cmd", "0", '{"a": [1]}'],
    ]
    assert csv_cell(-5) == "-5"  # numbers are numbers, not typed text


def report(*, chart: bytes | None) -> bytes:
    doc = PdfDocument(LONDON, footer="Confidential: for the mentee and their mentor.")
    doc.title("Progress review: Ben <Trainee> & co")
    doc.text("Autumn term 2026.", "small")
    doc.heading("Targets", count=1)
    doc.subheading("Behaviour")
    doc.line("Mentor", "Amy")
    doc.key_values([("Mentor", "Amy"), ("Started", date(2026, 9, 7)), ("Left", None)])
    doc.table(["target", "due"], [["Cold calling", datetime(2026, 12, 4, 9, 0, tzinfo=LONDON)]], widths=[130, 44])
    if chart is not None:
        doc.image(chart, width=150, description="Latest rating per standard")
    doc.none()
    return doc.build("Progress review")


def test_a_pdf_report_holds_its_tables_and_its_chart() -> None:
    chart = ratings_chart({"standard_1": {"fully": 2, "partly": 1}}, "Ratings")

    with_chart = report(chart=chart)
    without = report(chart=None)

    assert with_chart.startswith(b"%PDF") and without.startswith(b"%PDF")
    assert b"/Subtype /Image" in with_chart and b"/Subtype /Image" not in without
    assert b"Progress review" in with_chart  # the title in the document's metadata
