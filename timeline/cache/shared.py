"""The shared cache (Redis), used as a shortcut and never as a dependency.

Every cached value can be worked out again from the database, and the data version that
keys them lives in the database too, so when Redis cannot be reached a read is a miss and a
write is skipped: pages get slower, not broken. A warning is logged at most once a minute
per process, so an outage shows in the logs without flooding them.
"""

import logging
import pickle
import time
from functools import wraps

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisSerializer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("timeline.cache")
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY_SECONDS = 60
_warned = {"at": None}


def warn_unreachable(problem):
    now = time.monotonic()
    if _warned["at"] is None or now - _warned["at"] >= WARN_EVERY_SECONDS:
        _warned["at"] = now
        logger.warning("Redis cannot be reached (%s); serving without the shared cache.", problem)


def or_else(answer):
    """What the method answers when Redis cannot be reached (a miss, or nothing kept)."""

    def decorate(method):
        @wraps(method)
        def wrapper(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except UNREACHABLE as problem:
                warn_unreachable(problem)
                return answer(*args, **kwargs)

        return wrapper

    return decorate


class BitsetSerializer(RedisSerializer):
    """Django's serializer sends an int to Redis as its digits (for INCR). Past Python's 4,300-digit limit for
    int-to-text, a bitset of a 100,000-event index, hiredis crashes the process (SIGSEGV, bench/notes.md) and
    redis-py's own encoder raises: an int beyond Redis's 64-bit integers is pickled like any other value."""

    def dumps(self, obj):
        if type(obj) is int and not -(2**63) <= obj < 2**63:
            return pickle.dumps(obj, self.protocol)
        return super().dumps(obj)


# Django's built-in RedisCache (the stack's choice) has no IGNORE_EXCEPTIONS option, as django-redis has.
class RedisCacheOrNothing(RedisCache):
    """Django's RedisCache, but an unreachable Redis answers as an empty cache that keeps nothing."""

    @or_else(lambda self, key, default=None, version=None: default)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    @or_else(lambda self, keys, version=None: {})
    def get_many(self, keys, version=None):
        return super().get_many(keys, version)

    @or_else(lambda *args, **kwargs: False)
    def has_key(self, key, version=None):
        return super().has_key(key, version)

    @or_else(lambda *args, **kwargs: False)
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, value, timeout, version)

    @or_else(lambda *args, **kwargs: None)
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set(key, value, timeout, version)

    @or_else(lambda self, data, timeout=DEFAULT_TIMEOUT, version=None: list(data))
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set_many(data, timeout, version)

    @or_else(lambda *args, **kwargs: False)
    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return super().touch(key, timeout, version)

    @or_else(lambda *args, **kwargs: False)
    def delete(self, key, version=None):
        return super().delete(key, version)

    @or_else(lambda *args, **kwargs: None)
    def delete_many(self, keys, version=None):
        return super().delete_many(keys, version)

    @or_else(lambda *args, **kwargs: False)
    def clear(self):
        return super().clear()
