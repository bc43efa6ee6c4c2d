"""On Redis a rate limit is counted in one round trip (core/ratelimit.py): the same key, count,
expiry and refusal as django-ratelimit's own count, which takes three."""

import uuid

import pytest
from django.core.cache import caches
from django.test import RequestFactory
from django_ratelimit.core import get_usage

from linli.core import ratelimit

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings, test_redis_url):
    prefix = f"linli-test-rl-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "linli.core.redis_cache.RedisCache",
            "LOCATION": test_redis_url,
            "KEY_PREFIX": prefix,
        },
    }
    cache = caches["default"]
    client = cache._cache.get_client(write=True)
    yield cache, client, prefix
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def _request(user):
    request = RequestFactory().post("/api/tickets/")
    request.user = user
    return request


def test_on_redis_one_round_trip_counts_what_django_ratelimit_counts(
    redis_cache, settings, world, monkeypatch
):
    cache, client, prefix = redis_cache
    settings.LINLI_RATE_LIMITS = {**settings.LINLI_RATE_LIMITS, "api": "3/m"}
    request = _request(world.people["resident"])
    sent: list[str] = []
    execute = type(client).execute_command
    monkeypatch.setattr(
        type(client),
        "execute_command",
        lambda self, *args, **kw: sent.append(args[0]) or execute(self, *args, **kw),
    )
    assert ratelimit.exceeded(request, "api") is None
    assert sent == []  # the count went as one pipeline, not command by command
    monkeypatch.undo()

    # django-ratelimit's own count goes on from ours, on the same key.
    theirs = get_usage(request, group="linli.api", key=ratelimit._key, rate="3/m", increment=True)
    assert theirs["count"] == 2 and not theirs["should_limit"]
    assert ratelimit.exceeded(request, "api") is None  # 3: the last one allowed
    retry_after = ratelimit.exceeded(request, "api")  # 4: refused
    assert retry_after is not None and 1 <= retry_after <= 60
    seen = get_usage(request, group="linli.api", key=ratelimit._key, rate="3/m")
    assert seen["count"] == 4 and seen["should_limit"]

    (key,) = list(client.scan_iter(f"{prefix}:*:rl:*"))
    assert 55 <= client.ttl(key) <= 65  # the period and django-ratelimit's 5 s of slack
    assert int(client.get(key)) == 4


def test_on_redis_each_person_and_group_is_counted_apart(redis_cache, settings, world):
    settings.LINLI_RATE_LIMITS = {**settings.LINLI_RATE_LIMITS, "api": "1/h", "submit": "1/h"}
    resident, other = _request(world.people["resident"]), _request(world.people["staff"])
    assert ratelimit.exceeded(resident, "api") is None
    assert ratelimit.exceeded(resident, "submit") is None
    assert ratelimit.exceeded(other, "api") is None
    assert ratelimit.exceeded(resident, "api") is not None
    assert ratelimit.exceeded(other, "api") is not None


def test_on_redis_rate_limiting_switched_off_counts_nothing(redis_cache, settings, world):
    _cache, client, prefix = redis_cache
    settings.RATELIMIT_ENABLE = False
    settings.LINLI_RATE_LIMITS = {**settings.LINLI_RATE_LIMITS, "api": "1/h"}
    request = _request(world.people["resident"])
    assert ratelimit.exceeded(request, "api") is None
    assert ratelimit.exceeded(request, "api") is None
    assert list(client.scan_iter(f"{prefix}:*:rl:*")) == []
