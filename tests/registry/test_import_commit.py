"""The import's commit: a background job in bounded transactions, with progress, run once,
resumed after a crash without writing anything twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from linli.core.models import Event, Notification
from linli.registry import services
from linli.registry.importing import commit
from linli.registry.models import Household, ImportStatus, RegistryImport, Resident
from tests.registry.test_import_sheets import make_id, upload, workbook

pytestmark = pytest.mark.django_db

HEAD = ["楼栋", "单元", "房号", "姓名", "身份证号", "关系"]


def flats(n: int, people: int = 2, start: int = 700, born: str = "19800101") -> bytes:
    rows = [HEAD]
    for i in range(n):
        for j in range(people):
            k = i * people + j
            rows.append(["3", "2", str(start + i), f"居民{k}", make_id(k, born),
                         "户主" if j == 0 else "子"])  # fmt: skip
    return workbook({"Sheet1": rows})


def preview_url(world, imp):
    return reverse("registry:import_preview", args=[world.xincun.code, imp.pk])


class WorkerKilled(BaseException):
    """What a killed worker looks like to the code it was running: nothing after it runs."""


def test_a_commit_killed_mid_way_resumes_without_duplicates(world, as_user, monkeypatch):
    monkeypatch.setattr(commit, "CHUNK_HOUSEHOLDS", 2)
    monkeypatch.setattr(commit, "LOCK_BUDGET", 3600)
    monkeypatch.setattr(commit, "SQLITE_PAUSE", 0)
    client = as_user(world.staff)
    imp = upload(client, world, flats(5))
    assert imp.summary["error_count"] == 0
    real, calls = services.resident_create, []

    def dies_on_the_sixth(**kw):
        calls.append(1)
        if len(calls) == 6:  # in the second chunk (flats 3 and 4), after one of its residents
            raise WorkerKilled
        return real(**kw)

    monkeypatch.setattr(services, "resident_create", dies_on_the_sixth)
    commit.import_start(actor=world.staff, registry_import=imp)
    with pytest.raises(WorkerKilled):
        commit.import_run(imp.pk)
    imp.refresh_from_db()
    assert imp.status == ImportStatus.RUNNING
    assert imp.progress["done"] == 6  # the first chunk: 2 households and 4 residents
    assert Resident.objects.filter(name__startswith="居民").count() == 4  # chunk 2 rolled back

    monkeypatch.setattr(services, "resident_create", real)
    page = client.get(preview_url(world, imp)).content.decode()
    assert 'data-testid="progress"' in page and 'name="resume"' not in page  # not stale yet
    RegistryImport.objects.filter(pk=imp.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    page = client.get(preview_url(world, imp)).content.decode()
    assert 'name="resume"' in page
    client.post(preview_url(world, imp), {"resume": "1"})
    imp.refresh_from_db()
    assert imp.status == ImportStatus.COMMITTED
    names = list(Resident.objects.filter(name__startswith="居民").values_list("name", flat=True))
    assert sorted(names) == sorted(f"居民{k}" for k in range(10))  # each once
    assert Household.objects.filter(label__startswith="3-2-70").count() == 5
    assert imp.summary["committed"]["residents"]["created"] == 10
    assert imp.progress["done"] == imp.progress["total"] == 15
    assert Event.objects.filter(verb="registry.imported").count() == 1
    assert Event.objects.filter(verb="resident.created").count() == 10


def test_an_import_started_twice_runs_once(world, as_user):
    client = as_user(world.staff)
    imp = upload(client, world, flats(2))
    commit.import_start(actor=world.staff, registry_import=imp)
    with pytest.raises(commit.ImportAlreadyDone):
        commit.import_start(actor=world.staff, registry_import=imp)
    assert commit.import_run(imp.pk) == "committed"
    assert commit.import_run(imp.pk) == "not running"  # a duplicate job delivery
    client.post(preview_url(world, imp))
    assert Resident.objects.filter(name__startswith="居民").count() == 4
    assert Event.objects.filter(verb="registry.imported").count() == 1


def test_a_stalled_import_is_resumed_by_the_periodic_job(world, as_user):
    imp = upload(as_user(world.staff), world, flats(2))
    commit.import_start(actor=world.staff, registry_import=imp)
    assert commit.resume_stalled() == 0  # its worker may still be at it
    RegistryImport.objects.filter(pk=imp.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert commit.resume_stalled() == 1
    imp.refresh_from_db()
    assert imp.status == ImportStatus.COMMITTED


def test_progress_bar_polls_while_running_and_the_office_is_told_when_done(world, as_user):
    client = as_user(world.staff)
    imp = upload(client, world, flats(3))
    RegistryImport.objects.filter(pk=imp.pk).update(
        status=ImportStatus.RUNNING, progress={"done": 3, "total": 9}, heartbeat_at=timezone.now()
    )
    url = reverse("registry:import_progress", args=[world.xincun.code, imp.pk])
    fragment = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="3"' in fragment and 'max="9"' in fragment
    assert 'hx-trigger="every 2s"' in fragment
    assert "3 of 9 records written" in fragment
    assert as_user(world.outsider).get(url).status_code == 404
    RegistryImport.objects.filter(pk=imp.pk).update(status=ImportStatus.PREVIEWED)
    client = as_user(world.staff)
    client.post(preview_url(world, imp))
    fragment = client.get(url).content.decode()
    assert "hx-trigger" not in fragment  # done: no more polling
    note = Notification.objects.get(recipient=world.staff, verb="registry.imported")
    assert note.url == preview_url(world, imp)


def _commit_queries(world, n: int) -> int:
    imp = upload(world._client, world, flats(n, start=100 * n, born=f"19{50 + n}0101"))
    commit.import_start(actor=world.staff, registry_import=imp)
    with CaptureQueriesContext(connection) as ctx:
        assert commit.import_run(imp.pk) == "committed"
    return len(ctx.captured_queries)


def test_commit_queries_per_row_stay_constant(world, as_user, monkeypatch):
    monkeypatch.setattr(commit, "LOCK_BUDGET", 3600)  # one transaction, whatever the timing
    world._client = as_user(world.staff)
    _commit_queries(world, 1)  # the first import also remembers the mapping
    q10, q20, q40 = (_commit_queries(world, n) for n in (10, 20, 40))
    per_flat_small, per_flat_large = (q20 - q10) / 10, (q40 - q20) / 20
    assert per_flat_small == per_flat_large, (q10, q20, q40)
    # a household and two residents: each a savepoint, an INSERT and its event (and the
    # household's label checked once); no permission or check-constraint queries per row
    assert per_flat_large <= 18, per_flat_large


def test_each_transaction_writes_at_least_one_household_however_slow(world, as_user, monkeypatch):
    """The time budget ran out before the first household on a loaded machine, so the
    buildings were committed alone; a failure in the next chunk then left them behind
    (test_a_failure_while_applying_saves_nothing failed now and then on PostgreSQL)."""
    import types

    from django.db import transaction as real_transaction

    from linli.registry.models import Building

    monkeypatch.setattr(commit, "LOCK_BUDGET", -1.0)  # the clock always says "stop"
    monkeypatch.setattr(commit, "SQLITE_PAUSE", 0)
    opened = []

    def counted_atomic(*args, **kwargs):
        # Before the fix no transaction made progress and the loop never ended: fail instead
        # of hanging the suite.
        opened.append(1)
        assert len(opened) < 50, "the import opens transactions without making progress"
        return real_transaction.atomic(*args, **kwargs)

    monkeypatch.setattr(
        commit,
        "transaction",
        types.SimpleNamespace(atomic=counted_atomic, on_commit=real_transaction.on_commit),
    )
    client = as_user(world.staff)
    rows = [["楼栋", "单元", "房号", "姓名"], ["9", "1", "101", "钱十"], ["9", "1", "102", "孙二"]]
    imp = upload(client, world, workbook({"Sheet1": rows}))
    client.post(preview_url(world, imp))
    assert Building.objects.filter(community=world.xincun, number="9").exists()
    assert set(
        world.xincun.residents.filter(name__in=["钱十", "孙二"]).values_list("name", flat=True)
    ) == {"钱十", "孙二"}
