"""The pick list as an A4 page a warehouse prints (fpdf2)."""

from datetime import datetime
from pathlib import Path

from fpdf import FPDF

from domain.picklist import PickItem

# DejaVu covers the accents and symbols of product titles; the PDF core fonts
# know Latin-1 only.
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
WIDTHS = (22, 30, 30, 56, 14, 38)  # mm; A4 portrait has 190 between 10 mm margins


def picklist_pdf(items: list[PickItem], generated: datetime) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(auto=True, margin=12)
    family = "Helvetica"
    if DEJAVU.exists() and DEJAVU_BOLD.exists():
        pdf.add_font("DejaVu", "", str(DEJAVU))
        pdf.add_font("DejaVu", "B", str(DEJAVU_BOLD))
        family = "DejaVu"

    def text(value: str) -> str:
        return value if family == "DejaVu" else value.encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    pdf.set_font(family, "B", 14)
    pdf.cell(
        0,
        8,
        f"Pick list — {generated:%Y-%m-%d %H:%M}" if family == "DejaVu" else "Pick list",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(family, "", 9)
    units = sum(item.quantity for item in items)
    pdf.cell(0, 6, f"{len(items)} SKUs, {units} units, most urgent first", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    with pdf.table(
        col_widths=WIDTHS, text_align=("LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "LEFT"), repeat_headings=1
    ) as table:
        table.row(["ship by", "SKU", "EAN", "title", "qty", "orders"])
        for item in items:
            table.row(
                [
                    f"{item.ship_by:%Y-%m-%d}" if item.ship_by else "",
                    text(item.sku),
                    item.ean,
                    text(item.title),
                    str(item.quantity),
                    text(", ".join(item.orders)),
                ]
            )
    return bytes(pdf.output())
