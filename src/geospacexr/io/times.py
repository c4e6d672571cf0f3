"""Times as the readers build them: ``datetime64[ns]`` that never wrap around.

numpy converts a date outside what 64-bit nanoseconds hold (about 1677-09-22 to 2262-04-11)
to ``datetime64[ns]`` silently and wrongly (2262-12-31 becomes 1678-06-11). Every reader parses
times through :func:`to_ns` / :func:`check_ns`, which refuse such dates, so a damaged time stamp
is reported (the frame skipped, or the file refused) instead of read as another date.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import OutOfRangeError

__all__ = ["NS_RANGE", "check_ns", "to_ns"]

_LAST_SECOND = int(np.iinfo(np.int64).max) // 1_000_000_000
#: The first and last whole second that ``datetime64[ns]`` can hold (int64 nanoseconds).
NS_RANGE = (np.datetime64(-_LAST_SECOND, "s"), np.datetime64(_LAST_SECOND, "s"))


def check_ns(values: Any, what: str = "time") -> None:
    """Refuse dates that ``datetime64[ns]`` cannot hold.

    Args:
        values: ``datetime64`` values of any unit (seconds, days...), before conversion to ns.
        what: What the values are, for the message.

    Raises:
        OutOfRangeError: If a value lies outside :data:`NS_RANGE` (a ``ValueError``).
    """
    seconds = np.asarray(values).astype("datetime64[s]")  # coarser unit: no overflow
    ok = np.isnat(seconds) | ((seconds >= NS_RANGE[0]) & (seconds <= NS_RANGE[1]))
    if not np.all(ok):
        bad = seconds[~ok].reshape(-1)[:3]
        raise OutOfRangeError(
            f"{what} {', '.join(str(b) for b in bad)} outside what datetime64[ns] holds "
            f"({NS_RANGE[0]} to {NS_RANGE[1]})"
        )


def to_ns(value: Any, what: str = "time") -> np.datetime64:
    """Parse a time (ISO text or ``datetime64``) into ``datetime64[ns]`` without wrapping.

    Args:
        value: Anything ``numpy.datetime64`` accepts.
        what: What the value is, for the message.

    Returns:
        The time in nanoseconds.

    Raises:
        ValueError: If the text is not a time.
        OutOfRangeError: If the time lies outside :data:`NS_RANGE` (a ``ValueError``).
    """
    parsed = np.datetime64(value)
    check_ns(parsed, what)
    return parsed.astype("datetime64[ns]")
