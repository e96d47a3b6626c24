"""The English-word heuristic of the Norwegian-everywhere test: what fails a page, and what may stay."""

from __future__ import annotations

import re
from html.parser import HTMLParser


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`."""
    return frozenset(text.split())


ENGLISH_WORDS = _words("""
a about above access account accounts action actions activate active activities activity add added address after
again all already also always am an and another any are arguments as ask attempt attempts author available back
because been before being below both bundle but by can cancel cancelled cannot change changed changes choose
clear click close cluster column columns command configuration content continue could count counts create
created current date day days delete deleted description details did do does don done download each edit email
empty enter error errors every everything example expecting expiration export exported exports failed failure
failures false field fields file files filter find first follow following forgot forgotten found from func
function get give go group groups has have help here hide history home hook how if in information input into
invalid is it item items its just key keyword kwarg kwargs later least line link list loading lock locked log
logged login logs main make many mapping may me member members message minutes missing model more most must my
name need never new next none not nothing now number object of off on one only open or order organisation
organization other our out page password payload pending period permission permissions please previous progress
queue queued ready recent remove repeats request requests required reset result results role row rows run
running save saved schedule scheduled search see select selected server set sheet should show since site skip so
some something sorry staff started starting stopped submit succeeded success successful such superuser task
tasks than thanks that the their them then there these they this those through today token tokens tomorrow true
try typing unknown until up update updated use used user username users using value values version view waiting
was we week welcome were what when where which while who whole will with without workbook would year years yes
yesterday yet you your
""")
"""About 300 common English words that the service's Norwegian (bokmål) text never holds as whole words.

Left out because they are Norwegian words as well: at, be, cron, data, for, last («Last ned»), no (also the
country code NO), over, per, send, sent, start, status, time, to (two), total and type."""

ALLOWED_WORDS = _words("""
bufdir nhf hlf json api ok e-post id sha csv xlsx zip url https http www utc cet
""")
"""Words that read the same in both languages, abbreviations and proper nouns (never a finding)."""

_NAMES = re.compile(
    r"\S+://\S+|(?<!\S)/\S*|--[\w-]+|\S+@\S+|\w+(?:\.\w+)+|<\w+>|\b[A-Z]{2,5}\b|\b[^\W_]*\d[^\W_]*\b|\b[a-zA-Z][–-][a-zA-Z]\b"
)
"""Web addresses, paths, command-line options, e-mail addresses, dotted Python names, placeholders,
acronyms (GET, POST, SHA), identifiers with digits (digests, token prefixes) and letter ranges (a–z): names,
not words."""
ALLOWED_PHRASES = ("«Command» på en Mac",)
"""Django's own Norwegian text naming a key on the keyboard."""
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_HIDDEN_ELEMENTS = {"script", "style", "textarea", "code", "noscript"}
_VISIBLE_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
_VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _VisibleText(HTMLParser):
    """Collects what a reader sees or hears: text outside scripts, styles, code and text areas, and labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.parts.extend(value for name in _VISIBLE_ATTRIBUTES if (value := values.get(name)))
        if tag == "input" and values.get("type") in {"submit", "button", "reset"} and values.get("value"):
            self.parts.append(str(values["value"]))
        if tag in _HIDDEN_ELEMENTS:
            self._hidden.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    """The pieces of visible text of an HTML page, tags, scripts and styles stripped."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return [" ".join(part.split()) for part in parser.parts]


def english_in(pieces: list[str], *, also_allowed: frozenset[str] = frozenset()) -> list[str]:
    """Each piece of text holding an English word, as `word: «piece»`."""
    findings = []
    for piece in pieces:
        if piece.startswith(('{"', "[{")):
            continue  # a stored JSON document (an export's result) is data, not wording
        text = piece
        for phrase in ALLOWED_PHRASES:
            text = text.replace(phrase, " ")
        for word in _WORD.findall(_NAMES.sub(" ", text)):
            lowered = word.lower()
            if lowered in ALLOWED_WORDS or lowered in also_allowed:
                continue
            hits = [part for part in lowered.split("-") if part in ENGLISH_WORDS]
            if hits:
                findings.append(f"{hits[0]}: «{piece[:160]}»")
                break
    return findings
