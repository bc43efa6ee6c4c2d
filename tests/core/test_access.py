"""core.access.record_reads: bulk, self-excluding, and refusing what it does not know."""

import pytest
from django.db import connection

from linli.core import access, policy
from linli.core.models import PersonalDataRead


def test_many_ids_are_written_in_statements_of_490(world, django_assert_num_queries):
    policy.memberships(world.staff)  # loaded once a request anyway
    # SQLite takes at most 999 parameters a statement; PostgreSQL's is one of two arrays.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        n = access.record_reads(
            world.staff,
            list(range(10_000, 10_600)),
            kind=access.LISTED,
            purpose="registry.building_page",
            community_id=world.xincun.pk,
        )
    assert n == 600
    assert PersonalDataRead.objects.filter(community_id=world.xincun.pk).count() == 600
    row = PersonalDataRead.objects.first()
    assert row.actor == world.staff and row.actor_role == "community_staff"


def test_ids_without_a_community_and_duplicates_are_written_once(world):
    ids = [world.zhang_san.pk, world.zhang_san.pk, world.li_si.pk]
    assert access.record_reads(world.staff, ids, kind=access.VIEWED, purpose="registry.search") == 2
    assert set(PersonalDataRead.objects.values_list("community_id", flat=True)) == {None}


def test_the_person_themselves_and_anonymous_visitors_are_not_written(world):
    assert access.record_reads(world.resident, [world.zhang_san], kind=access.VIEWED,
                               purpose="registry.resident_page") == 0  # fmt: skip
    assert access.record_reads(None, [world.li_si], kind=access.VIEWED,
                               purpose="registry.resident_page") == 0  # fmt: skip
    assert not PersonalDataRead.objects.exists()


def test_an_unregistered_purpose_or_kind_is_a_programming_error(world):
    with pytest.raises(ValueError):
        access.record_reads(world.staff, [world.li_si], kind=access.VIEWED, purpose="nope")
    with pytest.raises(ValueError):
        access.record_reads(world.staff, [world.li_si], kind="peeked", purpose="registry.search")


def test_reads_older_than_the_kept_days_are_purged(world, settings):
    import datetime as dt

    from django.utils import timezone

    settings.LINLI_READS_KEEP_DAYS = 30
    access.record_reads(world.staff, [world.li_si], kind=access.VIEWED, purpose="registry.search")
    old = PersonalDataRead.objects.create(
        at=timezone.now() - dt.timedelta(days=31),
        actor=world.staff,
        subject_id=world.li_si.pk,
        kind=access.VIEWED,
        purpose="registry.search",
    )
    assert access.reads_purge() == 1
    assert not PersonalDataRead.objects.filter(pk=old.pk).exists()
    assert PersonalDataRead.objects.count() == 1
