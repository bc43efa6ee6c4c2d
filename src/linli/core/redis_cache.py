"""Django's Redis cache, with one Redis client per connection pool instead of one per call
(``CACHES`` with ``REDIS_URL``; the session store reads through it on every request).

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` on every cache call, and
redis-py's constructor fills a case-insensitive table of ~170 response callbacks each time:
~90 µs of the ~260 µs of CPU a session read cost, measured (docs/performance.md, session 6).
A ``redis.Redis`` is safe to share between threads (each command takes a connection from the
pool), and its pool resets itself in a forked process, so the client is built once per pool.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache as _RedisCache
from django.core.cache.backends.redis import RedisCacheClient as _RedisCacheClient


class RedisCacheClient(_RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._clients_lock = threading.Lock()

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            with self._clients_lock:
                client = self._clients.get(index)
                if client is None:
                    if index not in self._pools:  # type: ignore[attr-defined]
                        self._pools[index] = self._pool_class.from_url(  # type: ignore[attr-defined]
                            self._servers[index],  # type: ignore[attr-defined]
                            **self._pool_options,  # type: ignore[attr-defined]
                        )
                    client = self._client(connection_pool=self._pools[index])  # type: ignore[attr-defined]
                    self._clients[index] = client
        return client


class RedisCache(_RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
