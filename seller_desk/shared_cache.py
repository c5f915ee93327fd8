"""The shared cache's own Redis client, for the few hot paths that need one round trip where the Django cache API
takes two (a rate-limit counter, the suggestion queue's pending list)."""

from django.core.cache import cache

_clients: dict[int, object] = {}


def redis_client():
    """The default cache's Redis client, one per process and cache (building one costs as much as a command), or
    None when the cache is not Redis (embedded mode, locmem)."""
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return None
    client = _clients.get(id(backend))
    if client is None:
        client = _clients[id(backend)] = backend.get_client(write=True)
    return client
