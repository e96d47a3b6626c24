"""A full disk is recognised wherever it sits in an exception's chain, and a writing error says whether it was one."""

from __future__ import annotations

import errno

import pytest

from exports.workbook.errors import WritingError, exception_chain, is_disk_full


def _raised_from(exc: BaseException, *, cause: BaseException) -> BaseException:
    """`exc` raised from `cause`, as `raise exc from cause` leaves it."""
    try:
        raise exc from cause
    except BaseException as raised:
        return raised


def _raised_during(exc: BaseException, *, handling: BaseException) -> BaseException:
    """`exc` raised while `handling` was being handled (its implicit context)."""
    try:
        try:
            raise handling
        except BaseException:
            raise exc  # noqa: B904 - the implicit context is what the test is about
    except BaseException as raised:
        return raised


def test_a_writing_error_keeps_its_message_and_is_not_a_full_disk_unless_told():
    error = WritingError("Arket kunne ikke skrives")

    assert str(error) == "Arket kunne ikke skrives"
    assert error.disk_full is False
    assert isinstance(error, RuntimeError)
    assert WritingError("Disken er full", disk_full=True).disk_full is True


@pytest.mark.parametrize("code", [errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)], ids=["no-space", "quota"])
def test_an_os_error_for_no_space_or_an_exceeded_quota_is_a_full_disk(code):
    assert is_disk_full(OSError(code, "No space left on device")) is True


def test_other_os_errors_and_plain_errors_are_not_a_full_disk():
    assert is_disk_full(OSError(errno.EACCES, "Permission denied")) is False
    assert is_disk_full(OSError("no errno at all")) is False
    assert is_disk_full(ValueError("bad value")) is False
    assert is_disk_full(WritingError("the writer process died")) is False


def test_a_writing_error_marked_disk_full_is_a_full_disk():
    assert is_disk_full(WritingError("the writer ran out of disk", disk_full=True)) is True


def test_a_full_disk_is_found_behind_the_error_raised_from_it_or_during_it():
    full = OSError(errno.ENOSPC, "No space left on device")

    assert is_disk_full(_raised_from(RuntimeError("saving failed"), cause=full)) is True
    assert is_disk_full(_raised_during(KeyError("cleanup failed"), handling=full)) is True
    assert is_disk_full(_raised_from(RuntimeError("saving failed"), cause=ValueError("bad"))) is False


def test_the_chain_runs_from_the_exception_through_its_cause_then_that_ones_context():
    root = OSError(errno.EIO, "I/O error")
    middle = _raised_during(ValueError("middle"), handling=root)
    top = _raised_from(RuntimeError("top"), cause=middle)

    assert list(exception_chain(top)) == [top, middle, root]


def test_the_chain_prefers_the_explicit_cause_over_the_context():
    cause, context = ValueError("cause"), KeyError("context")
    error = RuntimeError("error")
    error.__cause__, error.__context__ = cause, context

    assert list(exception_chain(error)) == [error, cause]


def test_a_chain_that_loops_back_on_itself_ends():
    first, second = RuntimeError("first"), ValueError("second")
    first.__context__, second.__context__ = second, first

    assert list(exception_chain(first)) == [first, second]
    assert is_disk_full(first) is False
