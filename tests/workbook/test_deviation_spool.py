"""The spool of `Avvik` keeps every row on disk and gives them back most common problem first, then in stream order."""

from __future__ import annotations

import datetime as dt

from exports.workbook.deviation_spool import DeviationSpool

COMMON, RARER, RAREST = "Kommunenummer mangler", "Varigheten er null", "Registreringen er avvist"


def test_the_spool_is_a_file_at_its_path_until_it_is_closed(tmp_path):
    path = tmp_path / "eksport-avvik.sqlite3"
    spool = DeviationSpool(path)
    spool.add(reasons=[COMMON], payload="rad")

    assert path.is_file()
    spool.close()
    assert not path.exists()


def test_rows_come_back_by_their_most_common_reason_and_in_stream_order_within_it(tmp_path):
    spool = DeviationSpool(tmp_path / "spool.sqlite3")
    for number, reason in enumerate([RAREST, COMMON, RARER, COMMON, RAREST, RARER, COMMON], start=1):
        spool.add(reasons=[reason], payload=number)

    order = [payload for _reasons, payload in spool.by_frequency(ranked_reasons=[COMMON, RARER, RAREST])]

    assert order == [2, 4, 7, 3, 6, 1, 5]
    spool.close()


def test_a_row_with_several_reasons_is_placed_by_its_most_common_and_lists_them_most_common_first(tmp_path):
    spool = DeviationSpool(tmp_path / "spool.sqlite3")
    spool.add(reasons=[RARER], payload="first")
    spool.add(reasons=[RAREST, COMMON], payload="second")

    rows = list(spool.by_frequency(ranked_reasons=[COMMON, RARER, RAREST]))

    assert rows == [([COMMON, RAREST], "second"), ([RARER], "first")]
    spool.close()


def test_reasons_outside_the_ranking_and_rows_without_reasons_come_last_in_stream_order(tmp_path):
    spool = DeviationSpool(tmp_path / "spool.sqlite3")
    spool.add(reasons=["Ukjent årsak"], payload="unranked")
    spool.add(reasons=[], payload="no reason")
    spool.add(reasons=[RARER, "Ukjent årsak"], payload="ranked")

    rows = list(spool.by_frequency(ranked_reasons=[COMMON, RARER]))

    assert rows == [([RARER, "Ukjent årsak"], "ranked"), (["Ukjent årsak"], "unranked"), ([], "no reason")]
    spool.close()


def test_the_payload_comes_back_as_it_went_in(tmp_path):
    spool = DeviationSpool(tmp_path / "spool.sqlite3")
    payload = (
        {COMMON: "Før opp kommunenummeret i appen."},
        (dt.date(2025, 3, 1), dt.time(10, 0), "Hjemmebesøk", "Kari Nordmann", "Ja", "a1b2"),
    )
    spool.add(reasons=[COMMON], payload=payload)

    assert list(spool.by_frequency(ranked_reasons=[COMMON])) == [([COMMON], payload)]
    spool.close()


def test_every_row_of_a_long_stream_comes_back_once(tmp_path):
    spool = DeviationSpool(tmp_path / "spool.sqlite3")
    reasons = [COMMON, RARER, RAREST]
    for number in range(3_000):
        spool.add(reasons=[reasons[number % 3]], payload=number)

    payloads = [payload for _reasons, payload in spool.by_frequency(ranked_reasons=reasons)]

    assert payloads == [*range(0, 3_000, 3), *range(1, 3_000, 3), *range(2, 3_000, 3)]
    spool.close()
