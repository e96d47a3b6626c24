"""Renders the project's own Markdown documents (headings, paragraphs, lists, tables, code) as safe HTML."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_INLINE = [
    (re.compile(r"`([^`]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*([^*]+)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])"), r"<em>\1</em>"),
]


def _inline(text: str) -> str:
    """Escaped text with `code`, **strong** and *emphasis*."""
    html: str = str(escape(text))
    for pattern, replacement in _INLINE:
        html = pattern.sub(replacement, html)
    return html


def _cells(line: str) -> list[str]:
    """The cells of a table row `| a | b |` (a `|` inside `code` stays in its cell)."""
    cells, current, in_code = [], "", False
    for char in line.strip().strip("|"):
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += char
    return [*cells, current.strip()]


def _blocks(lines: list[str]) -> Iterator[str]:
    """The HTML blocks of the document's lines."""
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("```"):
            end = next((j for j in range(index + 1, len(lines)) if lines[j].startswith("```")), len(lines))
            yield f"<pre><code>{escape(chr(10).join(lines[index + 1 : end]))}</code></pre>"
            index = end + 1
        elif heading := re.match(r"(#{1,4}) (.*)", line):
            level = len(heading.group(1))
            yield f"<h{level}>{_inline(heading.group(2))}</h{level}>"
            index += 1
        elif line.startswith("|"):
            rows = []
            while index < len(lines) and lines[index].startswith("|"):
                rows.append(_cells(lines[index]))
                index += 1
            head = "".join(f'<th scope="col">{_inline(cell)}</th>' for cell in rows[0])
            body = "".join("<tr>" + "".join(f"<td>{_inline(cell)}</td>" for cell in row) + "</tr>" for row in rows[2:])
            yield f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        elif line.startswith("- "):
            items: list[str] = []
            while index < len(lines) and (lines[index].startswith("- ") or lines[index].startswith("  ")):
                if lines[index].startswith("- "):
                    items.append(lines[index][2:])
                else:
                    items[-1] += " " + lines[index].strip()
                index += 1
            yield "<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>"
        elif line.strip():
            paragraph = []
            while index < len(lines) and lines[index].strip() and not re.match(r"(#|\||- |```)", lines[index]):
                paragraph.append(lines[index].strip())
                index += 1
            yield f"<p>{_inline(' '.join(paragraph))}</p>"
        else:
            index += 1


def render_markdown(text: str) -> SafeString:
    """The document as HTML; every text is escaped, so the result is safe to show."""
    return mark_safe("\n".join(_blocks(text.splitlines())))  # noqa: S308 - built from escaped text only
