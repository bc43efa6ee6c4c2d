import socket

import pytest

from tests.factories import make_world


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # Argon2 is right for people and slow for hundreds of test log-ins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "zh-hans"
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    # Test databases roll back (user ids come round again): no memberships from another test.
    from linli.core.policy import forget_all_memberships

    forget_all_memberships()
    # Nor a street's communities remembered by the page-cache key (ids come round again).
    from linli.core import versions

    versions._STREET.clear()
    # Nor cached figures (metrics reports are cached five minutes, keyed by place ids).
    from django.core.cache import cache, caches

    cache.clear()
    caches["pages"].clear()  # rendered pages (core/pagecache.py): counters restart per test
    from linli.core.templatetags import shell

    shell.clear()  # the shell's header kept per person (ids come round again)


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def as_user(client):
    """``as_user(user)`` → a test client logged in as that user (None: anonymous)."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user, backend="linli.accounts.backends.PhoneOrUsernameBackend")
            # As on a server that has served this user before: their memberships are loaded
            # (core.policy), so each request of a test costs the same number of queries.
            from linli.accounts.models import User
            from linli.core import policy

            policy.memberships(User.objects.get(pk=user.pk))
        return client

    return login


TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def test_redis_url() -> str:
    """The local Redis database the Redis-only tests use; they are skipped when none runs
    (a user's ``make test`` needs no Redis; CI's machine has one)."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.2).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return TEST_REDIS_URL
