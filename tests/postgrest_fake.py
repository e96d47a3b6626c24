"""A fake PostgREST (hosted Supabase's Data API) at the HTTP seam, answering the way its documentation says.

Followed (PostgREST 12/13 docs and the Supabase docs):
- PostgREST "Pagination and Count" > "Limits and Pagination": `limit`/`offset` query parameters and the `Range`
  header; every response carries `Content-Range: <first>-<last>/<total or *>`, and "the server may respond with
  fewer [rows] if unable to meet your request".
- PostgREST "Configuration" > `db-max-rows`: "a hard limit to the number of rows PostgREST will fetch from a
  view, table, or stored procedure", applied whatever `limit` asks for. Supabase's "Max rows" API setting is
  this value, 1000 by default ("By default, Supabase projects return a maximum of 1,000 rows").
- PostgREST "Pagination and Count" > "Exact Count": `Prefer: count=exact` puts the total after the slash, and
  a response holding fewer rows than the total is `206 Partial Content` (`Content-Range: 0-24/3573458`); an
  offset past the total is `416` with error PGRST103 (PostgREST's RangeQuery.rangeStatusHeader).
- PostgREST "Errors": a 503 with PGRST001/PGRST002 while the database is unreachable; gateways in front answer
  502/504 with HTML, and a connection may drop without a response.
- PostgREST "Horizontal Filtering" and "Ordering": `col=op.value` filters (eq, neq, gt, gte, lt, lte), the
  `or=(…)` / `and(…)` logic trees with double-quoted values, and `order=col.asc,col.asc`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

SUPABASE_DEFAULT_MAX_ROWS = 1000
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "neq": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}
_TYPED: dict[str, Callable[[str], Any]] = {"started_at": dt.datetime.fromisoformat, "id": uuid.UUID}
_RESERVED = {"select", "order", "limit", "offset", "or", "and"}


class BadRequest(Exception):
    """A request PostgREST would refuse with 400 (its PGRST100 parse error)."""


def _typed(column: str, value: Any) -> Any:
    """A column's value as PostgreSQL would compare it (timestamps as instants, uuids by their bytes)."""
    return None if value is None else _TYPED.get(column, str)(value)


def _split_top(text: str) -> list[str]:
    """Split on commas outside parentheses and double quotes."""
    parts, depth, quoted, start, index = [], 0, False, 0, 0
    while index < len(text):
        char = text[index]
        if char == "\\" and quoted:
            index += 1
        elif char == '"':
            quoted = not quoted
        elif char == "(" and not quoted:
            depth += 1
        elif char == ")" and not quoted:
            depth -= 1
        elif char == "," and depth == 0 and not quoted:
            parts.append(text[start:index])
            start = index + 1
        index += 1
    parts.append(text[start:])
    return parts


def _unquoted(value: str) -> str:
    """A filter value without its double quotes and backslash escapes."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _condition(text: str) -> Callable[[dict[str, Any]], bool]:
    """One `col.op.value` or a nested `and(…)` / `or(…)` of a logic tree."""
    nested = re.fullmatch(r"(and|or)\((.*)\)", text)
    if nested:
        return _tree(nested.group(1), nested.group(2))
    match = re.fullmatch(r"([a-z_]+)\.(eq|neq|gt|gte|lt|lte)\.(.*)", text)
    if not match:
        raise BadRequest(f'"failed to parse logic tree ({text})"')
    column, operator, value = match.groups()
    expected = _typed(column, _unquoted(value))
    return lambda row: row.get(column) is not None and _OPERATORS[operator](_typed(column, row[column]), expected)


def _tree(kind: str, inner: str) -> Callable[[dict[str, Any]], bool]:
    """A logic tree: every (and) or any (or) of its conditions."""
    conditions = [_condition(part) for part in _split_top(inner)]
    combine = all if kind == "and" else any
    return lambda row: combine(condition(row) for condition in conditions)


def _project(row: dict[str, Any], select: str) -> dict[str, Any]:
    """The selected columns of a row, embedded resources (`name(col,col)`) included."""
    projected = {}
    for item in _split_top(select):
        embedded = re.fullmatch(r"([a-z_]+)\((.*)\)", item)
        if embedded:
            name, columns = embedded.groups()
            inner = row.get(name)
            projected[name] = None if inner is None else _project(inner, columns)
        elif item in row:
            projected[item] = row[item]
        else:
            raise BadRequest(f'"column activities.{item} does not exist"')
    return projected


class FakePostgrest:
    """Answers /rest/v1/activities like PostgREST behind a Supabase project, and records every request.

    `max_rows` is the project's "Max rows" (`db-max-rows`; None: no cap); `faults` maps the number of a request
    (1 for the first, retries counted) to how it fails: "503" (PGRST001 JSON), "502"/"504" (a gateway's HTML),
    "reset", "drop" (the connection closes without a response) or "timeout".
    """

    def __init__(
        self,
        rows: list[dict[str, Any]],
        *,
        max_rows: int | None = SUPABASE_DEFAULT_MAX_ROWS,
        faults: dict[int, str] | None = None,
    ) -> None:
        self.rows = rows
        self.max_rows = max_rows
        self.faults = dict(faults or {})
        self.requests: list[httpx.Request] = []
        self.served: list[httpx.Response] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        fault = self.faults.get(len(self.requests))
        if fault is not None:
            return self._fail(request, fault)
        try:
            response = self._answer(request)
        except BadRequest as exc:
            response = httpx.Response(
                400, json={"code": "PGRST100", "details": None, "hint": None, "message": str(exc)}
            )
        self.served.append(response)
        return response

    def _fail(self, request: httpx.Request, fault: str) -> httpx.Response:
        """A transient failure of the API, its gateway or the network."""
        if fault == "reset":
            raise httpx.ReadError("connection reset by peer", request=request)
        if fault == "drop":
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        if fault == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "503":
            return httpx.Response(
                503,
                json={
                    "code": "PGRST001",
                    "details": "connection to server was lost",
                    "hint": None,
                    "message": "Database client error. Retrying the connection.",
                },
            )
        return httpx.Response(int(fault), text=f"<html><body>{fault} from the gateway</body></html>")

    def _answer(self, request: httpx.Request) -> httpx.Response:
        """The page a read asks for, with PostgREST's status and Content-Range."""
        assert request.url.path == "/rest/v1/activities"
        assert request.method in {"GET", "HEAD"}
        params = parse_qsl(urlsplit(str(request.url)).query, keep_blank_values=True)
        matching = [row for row in self.rows if self._matches(row, params)]
        matching.sort(key=self._order_key(dict(params).get("order", "")))
        offset, limit = self._range(request, dict(params))
        if self.max_rows is not None:
            limit = self.max_rows if limit is None else min(limit, self.max_rows)
        page = matching[offset:] if limit is None else matching[offset : offset + limit]
        counted = "count=exact" in request.headers.get("prefer", "")
        total = len(matching) if counted else None
        headers = {"Content-Range": self._content_range(offset, len(page), total)}
        if total is not None and offset > total:
            return httpx.Response(
                416,
                headers=headers,
                json={
                    "code": "PGRST103",
                    "details": f"An offset of {offset} was requested, but there are only {total} rows.",
                    "hint": None,
                    "message": "Requested range not satisfiable",
                },
            )
        status = 206 if total is not None and len(page) < total else 200
        if request.method == "HEAD":
            return httpx.Response(status, headers=headers)
        select = dict(params).get("select", "*")
        body = page if select == "*" else [_project(row, select) for row in page]
        return httpx.Response(
            status,
            headers={**headers, "Content-Type": "application/json; charset=utf-8"},
            content=json.dumps(body).encode(),
        )

    @staticmethod
    def _matches(row: dict[str, Any], params: list[tuple[str, str]]) -> bool:
        """Whether a row passes every horizontal filter of the request."""
        for key, value in params:
            if key in {"or", "and"}:
                if not (value.startswith("(") and value.endswith(")")):
                    raise BadRequest(f'"failed to parse logic tree ({value})"')
                if not _tree(key, value[1:-1])(row):
                    return False
            elif key not in _RESERVED and not _condition(f"{key}.{value}")(row):
                return False
        return True

    @staticmethod
    def _order_key(order: str) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
        """Sort by the `order` columns (ascending only: what the source asks for)."""
        columns = []
        for term in filter(None, order.split(",")):
            column, _, direction = term.partition(".")
            if direction not in {"", "asc"}:
                raise BadRequest(f'"unexpected order {term}"')
            columns.append(column)
        return lambda row: tuple(_typed(column, row[column]) for column in columns)

    @staticmethod
    def _range(request: httpx.Request, params: dict[str, str]) -> tuple[int, int | None]:
        """Offset and limit from the query string, or else from a `Range: first-last` header."""
        if "limit" in params or "offset" in params:
            limit = params.get("limit")
            return int(params.get("offset", 0)), None if limit is None else int(limit)
        match = re.fullmatch(r"(\d+)-(\d*)", request.headers.get("range", ""))
        if match:
            first, last = int(match.group(1)), match.group(2)
            return first, None if last == "" else int(last) - first + 1
        return 0, None

    @staticmethod
    def _content_range(offset: int, rows: int, total: int | None) -> str:
        """`first-last/total`, `*` for an empty page and for a total not asked for (contentRangeH)."""
        total_text = "*" if total is None else str(total)
        if rows and total != 0:
            return f"{offset}-{offset + rows - 1}/{total_text}"
        return f"*/{total_text}"
