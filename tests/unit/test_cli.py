"""The CLI's presentation of errors."""

import logging
import sys

from pressroom.cli import _NoTracebackForKnownErrors
from pressroom.errors import FetchRefused


def _record_for(error: Exception) -> logging.LogRecord:
    try:
        raise error
    except Exception:
        exc_info = sys.exc_info()
    return logging.LogRecord(
        "prefect.flow_runs", logging.ERROR, __file__, 1, "failed", (), exc_info
    )


def test_a_pressroom_error_is_logged_without_its_traceback() -> None:
    record = _record_for(FetchRefused("refused to fetch http://10.0.0.1/"))
    assert _NoTracebackForKnownErrors().filter(record)
    assert record.exc_info is None
    assert "Traceback" not in logging.Formatter().format(record)


def test_an_unexpected_error_keeps_its_traceback() -> None:
    record = _record_for(ValueError("a bug"))
    assert _NoTracebackForKnownErrors().filter(record)
    assert "Traceback" in logging.Formatter().format(record)
