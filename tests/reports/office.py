"""Rendering a DOCX to PDF with LibreOffice and reading the PDF's text, page by page.

LibreOffice is optional for users; these tests run where it is installed and skip with the
reason otherwise. Times New Roman is replaced by Liberation Serif (same widths), which must
carry the Vietnamese letters: Debian's fonts-liberation 1.x does not, fonts-liberation2 does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")


def _vietnamese_liberation_serif() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    # fonts that have "Ộ" (U+1ED8); Liberation Serif 1.x has no Vietnamese letters
    found = subprocess.run([fc_list, ":family=Liberation Serif:charset=1ed8", "family"],
                           capture_output=True, text=True, check=False).stdout
    return "Liberation Serif" in found


def _missing() -> str | None:
    if SOFFICE is None:
        return ("LibreOffice is not installed (apt-get install -y libreoffice-writer): "
                "the DOCX cannot be rendered to PDF here")
    if PDFTOTEXT is None:
        return "pdftotext is not installed (apt-get install -y poppler-utils)"
    if not _vietnamese_liberation_serif():
        return ("no Liberation Serif with Vietnamese letters (apt-get install -y "
                "fonts-liberation2): LibreOffice would set them in a wider fallback font")
    return None


MISSING = _missing()
needs_libreoffice = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


def pdf_pages(docx: Path, scratch: Path) -> list[str]:
    """The text of each page of `docx` rendered by LibreOffice, laid out as printed."""
    profile = scratch / "libreoffice-profile"  # its own profile: tests may run side by side
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(scratch), str(docx)],
                   check=True, capture_output=True, timeout=180)
    pdf = scratch / f"{docx.stem}.pdf"
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    return text.split("\f")


def printed_lines(pages: list[str]) -> list[str]:
    return [line.strip() for page in pages for line in page.splitlines() if line.strip()]


def on_one_line(pages: list[str], *parts: str) -> bool:
    """Whether `parts` are printed on one line, in order (e.g. the cells of a table's heading
    row); a wrapped text is split over two lines and is not found."""
    words = [re.escape(word) for part in parts for word in part.split()]
    pattern = re.compile(r"\s+".join(words))
    return any(pattern.search(line) for line in printed_lines(pages))
