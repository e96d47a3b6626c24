"""A PDF printed by LibreOffice read back: each page's text (poppler's `pdftotext`), sheet and type sizes."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_OBJECT_START = re.compile(rb"(?m)^(\d+) 0 obj")
_REFERENCE = re.compile(rb"(\d+) 0 R")
_FONT_SIZE = re.compile(rb"/[^\s/]+\s+(\d*\.?\d+)\s+Tf")
_FOOTER = re.compile(r"^\s*(\S.*?)\s{2,}\S.*\d+\D+\d+\s*$")


@dataclass(frozen=True)
class PrintedPage:
    """One page of the PDF: its number (from 1), the sheet its footer names, its text and type sizes (pt).

    `text` is in the PDF's reading order (`pdftotext -raw`): the lines of a wrapped cell follow each other.
    """

    number: int
    sheet: str
    text: str
    sizes: tuple[float, ...]


def convert_to_pdf(workbook: Path, *, out_dir: Path, profile: Path) -> Path:
    """The workbook printed to PDF by LibreOffice, with a private profile so parallel runs do not clash."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is not installed: run scripts/ensure-services.sh (it installs libreoffice-calc)"
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out_dir / f"{workbook.stem}.pdf"


def read_pages(pdf: Path) -> list[PrintedPage]:
    """Every page of `pdf` in order, with the sheet its footer names (`&A` on the left of the workbook's footer)."""
    layout, raw = (_pdftotext(pdf, mode).split("\f") for mode in ("-layout", "-raw"))
    sizes = font_sizes(pdf)
    assert len(layout) >= len(sizes) and len(raw) >= len(sizes), (len(layout), len(raw), len(sizes))
    return [
        PrintedPage(number=index + 1, sheet=_sheet_of(layout[index]), text=raw[index], sizes=page_sizes)
        for index, page_sizes in enumerate(sizes)
    ]


def _pdftotext(pdf: Path, mode: str) -> str:
    """The text of `pdf` by poppler's `pdftotext` in `mode`, pages separated by form feeds."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils is not installed: run scripts/ensure-services.sh (it installs it)"
    return subprocess.run(
        [pdftotext, mode, "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, timeout=300
    ).stdout.decode("utf-8")


def pages_per_sheet(pages: list[PrintedPage]) -> dict[str, int]:
    """How many pages each sheet printed on, in the order the sheets first appear."""
    return dict(Counter(page.sheet for page in pages))


def _sheet_of(text: str) -> str:
    """The sheet named on the left of the page's footer (its last line of text)."""
    lines = [line for line in text.splitlines() if line.strip()]
    match = _FOOTER.match(lines[-1]) if lines else None
    return match.group(1) if match else ""


def font_sizes(pdf: Path) -> list[tuple[float, ...]]:
    """The type size of every run of text on each page, in points as printed.

    LibreOffice writes each page as a plain (not object-stream) page object with one Flate content stream.
    """
    data = pdf.read_bytes()
    starts = list(_OBJECT_START.finditer(data))
    objects = {
        int(start.group(1)): data[start.end() : end.start() if end else len(data)]
        for start, end in zip(starts, [*starts[1:], None], strict=True)
    }
    root = next(
        body
        for body in objects.values()
        if re.search(rb"/Type\s*/Pages\b", body) and not re.search(rb"/Parent\s", body)
    )
    return [_sizes_in(_content(objects, page)) for page in _pages(objects, root)]


def _pages(objects: dict[int, bytes], node: bytes) -> list[bytes]:
    """The page objects under a page-tree node, in order."""
    if not re.search(rb"/Type\s*/Pages\b", node):
        return [node]
    kids = re.search(rb"/Kids\s*\[(.*?)\]", node, re.S)
    assert kids is not None
    return [page for number in _REFERENCE.findall(kids.group(1)) for page in _pages(objects, objects[int(number)])]


def _content(objects: dict[int, bytes], page: bytes) -> bytes:
    """A page's content, its streams inflated and joined."""
    contents = re.search(rb"/Contents\s*(\[.*?\]|\d+ 0 R)", page, re.S)
    assert contents is not None
    return b"\n".join(_stream(objects, objects[int(number)]) for number in _REFERENCE.findall(contents.group(1)))


def _stream(objects: dict[int, bytes], body: bytes) -> bytes:
    """The data of a stream object, read by its `/Length` (a direct or an indirect number) and inflated."""
    dictionary, _keyword, rest = body.partition(b"stream")
    length = re.search(rb"/Length\s+(\d+)(\s+0\s+R)?", dictionary)
    assert length is not None
    size = int(objects[int(length.group(1))].split()[0]) if length.group(2) else int(length.group(1))
    data = rest.lstrip(b"\r")[1:][:size]
    return zlib.decompress(data) if b"FlateDecode" in dictionary else data


def _sizes_in(content: bytes) -> tuple[float, ...]:
    """The `Tf` sizes in a content stream: LibreOffice writes text at its printed size (`Tm` only turns it)."""
    return tuple(float(size) for size in _FONT_SIZE.findall(content))
