"""Set or get one key in the configured cache, from a process of its own (tests/test_shared_cache.py).

python -m tests.cache_probe set KEY VALUE   prints "set"
python -m tests.cache_probe get KEY         prints the value, or "miss"
python -m tests.cache_probe bitset KEY BITS sets and gets back an int of BITS bits, prints how many are set
"""

import os
import sys

import django


def main(action, key, value=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.project.settings")
    django.setup()
    from django.core.cache import cache

    if action == "bitset":
        cache.set(key, (1 << int(value)) - 1, timeout=60)
        return cache.get(key).bit_count()
    if action == "set":
        cache.set(key, value, timeout=60)
        return "set"
    return cache.get(key, "miss")


if __name__ == "__main__":
    print(main(*sys.argv[1:]))
