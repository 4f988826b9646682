"""Log lines about files whose names are not UTF-8: the raw bytes show as ``\\xe9`` in the
message, its arguments and the traceback, so every line can be written as UTF-8."""

from __future__ import annotations

import logging
import os
import sys

from app.adapters.log_redaction import redact_record

ODD = os.fsdecode(b"/music/09 Caf\xe9.flac")


def test_a_record_about_an_odd_name_formats_as_utf8() -> None:
    try:
        raise OSError(f"cannot open {ODD}")
    except OSError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "app.test", logging.ERROR, __file__, 1, "job %s: %s\nnext line", (7, ODD), exc_info
    )
    redact_record(record)
    line = logging.Formatter("%(message)s").format(record)
    line.encode("utf-8")
    assert "job 7: /music/09 Caf\\xe9.flac\nnext line" in line  # line breaks of the message stay
    assert "OSError: cannot open /music/09 Caf\\xe9.flac" in line
