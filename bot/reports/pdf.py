"""Readable PDF documents (A4, ReportLab), for any feature's reports: the GDPR export today; progress
reviews and certification portfolios next.

    from bot.reports.pdf import PdfDocument

    doc = PdfDocument(school_tz, footer="Confidential: for the mentee, their mentor and the induction tutor.")
    doc.title("Progress review: Ben Jones")
    doc.text("Autumn term 2026, written 11 Dec 2026.", "small")   # styles: "body" (default) or "small"
    doc.heading("Targets", count=3)                                  # "Targets (3)"
    doc.subheading("Behaviour")
    doc.line("Mentor", "Amy Smith")            # one "label: value" line; left out when the value is empty
    doc.key_values([("Mentor", "Amy Smith"), ("Started", date(2026, 9, 7))])   # a label/value table
    doc.table(["target", "due"], [["Cold calling", date(2026, 12, 4)]], widths=[130, 44])  # mm; header repeats
    doc.image(chart_png, width=160, description="Latest rating per standard")  # e.g. bot.digests.chart
    doc.none()                                 # "Nothing held." in small type, for an empty section
    pdf_bytes = doc.build("Progress review: Ben Jones")   # the title in the PDF's metadata

Every value is escaped (text can't inject ReportLab markup) and dates and times are shown in the document's
time zone (`when`). Fonts: DejaVu Sans where the system has it (names such as Łukasz print right), otherwise
Helvetica. The A4 page has 174 mm between the margins; each page's foot carries `footer` and the page number.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
)


@lru_cache(maxsize=1)
def _pdf_fonts() -> tuple[str, str]:
    """DejaVu Sans where the system has it (names such as Łukasz print right), else the built-in Helvetica."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for regular in map(Path, _FONT_CANDIDATES):
        bold = regular.with_name("DejaVuSans-Bold.ttf")
        if regular.is_file() and bold.is_file():
            try:
                pdfmetrics.registerFont(TTFont("MentorSans", str(regular)))
                pdfmetrics.registerFont(TTFont("MentorSans-Bold", str(bold)))
            except Exception:  # a broken font file: fall back rather than fail the export
                continue
            return "MentorSans", "MentorSans-Bold"
    return "Helvetica", "Helvetica-Bold"


class PdfDocument:
    """A small builder over ReportLab's Platypus: headings, label/value lines, paragraphs, tables and images."""

    def __init__(self, tz: ZoneInfo, *, footer: str | None = None) -> None:
        from reportlab.lib.styles import ParagraphStyle

        self.tz = tz
        self.footer = footer
        regular, bold = _pdf_fonts()
        self.bold = bold
        self.styles = {
            "title": ParagraphStyle("title", fontName=bold, fontSize=17, leading=21, spaceAfter=6),
            "h2": ParagraphStyle("h2", fontName=bold, fontSize=13, leading=16, spaceBefore=12, spaceAfter=4),
            "h3": ParagraphStyle("h3", fontName=bold, fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=2),
            "body": ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5, spaceAfter=2),
            "small": ParagraphStyle("small", fontName=regular, fontSize=8, leading=10, textColor="#555555"),
            "cell": ParagraphStyle("cell", fontName=regular, fontSize=8.5, leading=10.5),
        }
        self.flow: list[Any] = []

    @staticmethod
    def esc(text: Any) -> str:
        from xml.sax.saxutils import escape

        return escape(str(text)).replace("\n", "<br/>")

    def when(self, value: Any) -> str:
        if isinstance(value, datetime):
            return f"{value.astimezone(self.tz):%-d %b %Y %H:%M}"
        if isinstance(value, date):
            return f"{value:%-d %b %Y}"
        return "" if value is None else str(value)

    def title(self, text: str) -> None:
        from reportlab.platypus import Paragraph

        self.flow.append(Paragraph(self.esc(text), self.styles["title"]))

    def heading(self, text: str, count: int | None = None) -> None:
        from reportlab.platypus import Paragraph

        suffix = f" ({count})" if count is not None else ""
        self.flow.append(Paragraph(self.esc(text + suffix), self.styles["h2"]))

    def subheading(self, text: str) -> None:
        from reportlab.platypus import Paragraph

        self.flow.append(Paragraph(self.esc(text), self.styles["h3"]))

    def line(self, label: str, value: Any) -> None:
        from reportlab.platypus import Paragraph

        if value is None or value == "":
            return
        shown = value if isinstance(value, str) else self.when(value)
        self.flow.append(
            Paragraph(f'<font name="{self.bold}">{self.esc(label)}:</font> {self.esc(shown)}', self.styles["body"])
        )

    def text(self, value: str, style: str = "body") -> None:
        from reportlab.platypus import Paragraph

        self.flow.append(Paragraph(self.esc(value), self.styles[style]))

    def none(self) -> None:
        self.text("Nothing held.", "small")

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> None:
        from reportlab.lib import colors
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, Table, TableStyle

        cell = self.styles["cell"]
        data = [[Paragraph(f'<font name="{self.bold}">{self.esc(h)}</font>', cell) for h in header]]
        data += [
            [Paragraph(self.esc(self.when(v) if not isinstance(v, str) else v), cell) for v in row] for row in rows
        ]
        table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#BBBBBB")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        self.flow.append(table)

    def key_values(self, pairs: Sequence[tuple[str, Any]], widths: Sequence[float] = (45, 129)) -> None:
        """A two-column table of bold labels and their values; pairs whose value is empty are left out."""
        from reportlab.lib import colors
        from reportlab.lib.units import mm
        from reportlab.platypus import Paragraph, Table, TableStyle

        cell = self.styles["cell"]
        data = [
            [
                Paragraph(f'<font name="{self.bold}">{self.esc(label)}</font>', cell),
                Paragraph(self.esc(value if isinstance(value, str) else self.when(value)), cell),
            ]
            for label, value in pairs
            if value is not None and value != ""
        ]
        if not data:
            return
        table = Table(data, colWidths=[w * mm for w in widths])
        table.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#DDDDDD")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        self.flow.append(table)

    def image(self, png: bytes, width: float = 170, description: str | None = None) -> None:
        """A picture (a chart from bot.digests.chart, say) `width` millimetres wide, keeping its proportions;
        `description`, if given, is printed under it in small type."""
        from reportlab.lib.units import mm
        from reportlab.lib.utils import ImageReader
        from reportlab.platypus import Image

        pixels_wide, pixels_high = ImageReader(io.BytesIO(png)).getSize()
        self.flow.append(Image(io.BytesIO(png), width=width * mm, height=width * mm * pixels_high / pixels_wide))
        if description:
            self.text(description, "small")

    def build(self, title: str) -> bytes:
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm
        from reportlab.platypus import SimpleDocTemplate

        buffer = io.BytesIO()
        regular = self.styles["small"].fontName

        footer_text = self.footer

        def footer(canvas: Any, doc: Any) -> None:
            canvas.saveState()
            canvas.setFont(regular, 7.5)
            if footer_text:
                canvas.drawString(18 * mm, 10 * mm, footer_text)
            canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
            canvas.restoreState()

        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            title=title,
            author="mentor-bot",
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=18 * mm,
        )
        document.build(self.flow, onFirstPage=footer, onLaterPages=footer)
        return buffer.getvalue()
