"""Which failures mean a backing service (Redis, the task broker) cannot be reached just now."""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    RedisConnectionError,
    RedisTimeoutError,
)
"""Connection refused, reset or timed out: the builtin ones (OSError-derived) and redis-py's own."""
OUTAGE_CLASS_NAMES = frozenset({"BrokerUnavailable"})
"""Service exceptions that say the task broker is down, recognised by name so no import ties the apps."""
MAX_CHAIN = 10


def is_outage(error: BaseException) -> bool:
    """True when `error`, or an error it was raised from, says a backing service is unreachable."""
    seen: BaseException | None = error
    for _ in range(MAX_CHAIN):
        if seen is None:
            return False
        if isinstance(seen, OUTAGE_ERRORS) or any(kind.__name__ in OUTAGE_CLASS_NAMES for kind in type(seen).__mro__):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
