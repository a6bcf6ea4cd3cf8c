"""The per-process cache when there is no Redis: Django's LocMemCache with a budget in bytes.

LocMemCache bounds only the number of entries, and an entry may be a stored page of a
megabyte: three thousand of them grew a worker by hundreds of megabytes. LocMemCache keeps
each value pickled, so the bytes it holds are the pickles' lengths; past MAX_BYTES the least
recently used entries go first.
"""

from django.core.cache.backends.locmem import LocMemCache

_held = {}


class BoundedLocMemCache(LocMemCache):
    """LocMemCache that also keeps its pickled values under OPTIONS["MAX_BYTES"] (default 64 MiB)."""

    def __init__(self, name, params):
        super().__init__(name, params)
        self.max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 64 * 1024 * 1024))
        self._held = _held.setdefault(name, [0])

    @property
    def held_bytes(self):
        return self._held[0]

    def _set(self, key, value, timeout=None):
        if len(value) > self.max_bytes:
            self._delete(key)
            return
        self._delete(key)
        while self._cache and self._held[0] + len(value) > self.max_bytes:
            self._pop_least_recent()
        super()._set(key, value, timeout)
        self._held[0] += len(value)

    def _pop_least_recent(self):
        key, value = self._cache.popitem()
        del self._expire_info[key]
        self._held[0] -= len(value)

    def _cull(self):
        if self._cull_frequency == 0:
            self._cache.clear()
            self._expire_info.clear()
            self._held[0] = 0
            return
        for _ in range(len(self._cache) // self._cull_frequency):
            self._pop_least_recent()

    def _delete(self, key):
        value = self._cache.get(key)
        if not super()._delete(key):
            return False
        self._held[0] -= len(value)
        return True

    def clear(self):
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._held[0] = 0

    def incr(self, key, delta=1, version=None):
        """LocMemCache writes the new value in place: count the bytes again."""
        value = super().incr(key, delta, version)
        with self._lock:
            self._held[0] = sum(map(len, self._cache.values()))
        return value
