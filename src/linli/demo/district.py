"""A district-sized territory for load tests (``linli demo --scale district``): street
offices of 20 communities, 400 households each, about 3 residents a household.

It reuses the demo's household planner and writer, writes in batches of about ``BATCH``
residents inside one transaction, records no events, and creates only one street supervisor
per street office and one secretary per community.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterator

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Model

from linli.accounts.models import RoleMembership, User
from linli.core.roles import Role
from linli.registry.models import StreetOffice

from . import names
from .generator import (
    BATCH,
    DISTRICT_KINDS,
    PASSWORD,
    SEED,
    BuildingSpec,
    CommunityPlan,
    CommunitySpec,
    Composer,
    F,
    GridSpec,
    M,
    builtin_tags,
    membership,
    plan_community,
    write_communities,
)

_PLACE_WORDS = names.words(
    "东风 红旗 建设 光明 幸福 和平 胜利 前进 新华 人民 解放 团结 长青 朝阳 向阳 安源 白源 "
    "青山 凤凰 丹江 萍水 秋收 工人 矿山 铁路 电厂 钢城 杨家 高坑 湘东 城北 城南 北门 西门 "
    "南门 东门 五陂 八一 跃进 红星 金鱼 鹅湖 玉湖 滨河 麻山 昭萍 后埠 丹霞 杉树 桃源"
)
_ORDINALS = "一二三四五六七八九十"


def district_specs(
    communities: int, households: int, per_street: int = 20
) -> Iterator[tuple[int, CommunitySpec]]:
    """(street index, spec) for each community: buildings of 2 units × 5 floors × 2 rooms,
    the last one filled only to make exactly ``households`` dwellings, 4 buildings a grid."""
    full = 2 * 5 * 2
    n_buildings = math.ceil(households / full)
    for i in range(communities):
        word = _PLACE_WORDS[i % len(_PLACE_WORDS)]
        round_ = i // len(_PLACE_WORDS)
        name = f"{word}{_ORDINALS[round_ % 10] if round_ else ''}社区"
        blds = tuple(
            BuildingSpec(
                str(b + 1),
                str(b // 4 + 1),
                2,
                5,
                2,
                1980 + (i + b) % 20,
                limit=min(full, households - b * full),
            )
            for b in range(n_buildings)
        )
        grids = tuple(
            GridSpec(
                str(g + 1), f"第{g + 1}网格", f"{g * 4 + 1}—{min(g * 4 + 4, n_buildings)}号楼", ""
            )
            for g in range(math.ceil(n_buildings / 4))
        )
        yield i // per_street, CommunitySpec(f"d-c{i + 1:03d}", name, "", "", grids, blds)


def _one_account_each(
    places: dict[str, Model],
    role: str,
    level: str,
    *,
    password: str,
    name: Callable[[], str],
) -> None:
    """One account per place (``places``: username → place), holding ``role`` there, named by
    ``name()`` in the order of ``places``."""
    users = [User(username=u, password=password, display_name=name()) for u in places]
    User.objects.bulk_create(users)
    RoleMembership.objects.bulk_create(
        membership(u, role, **{level: place})
        for u, place in zip(users, places.values(), strict=True)
    )


def build_district(
    communities: int = 500,
    households: int = 400,
    per_street: int = 20,
    seed: int = SEED,
    progress: Callable[[int, int], None] | None = None,
) -> Counter:
    """A district-sized territory for load tests: street offices of ``per_street``
    communities, ``households`` dwellings each, ≈3 residents a dwelling. Writes in batches of
    about ``BATCH`` residents, records no events, and creates only one street supervisor per
    street office and one secretary per community."""
    rng = random.Random(seed)
    # 60 given names per generation and gender × ~80 surnames: under 30,000 distinct names,
    # which fit the pinyin cache (registry.search), as a real district's repeated names would.
    composer = Composer(rng, names.given_pool(rng, 60))
    tags = builtin_tags()
    password = make_password(PASSWORD)
    counts: Counter = Counter()
    with transaction.atomic():
        n_streets = math.ceil(communities / per_street)
        streets = StreetOffice.objects.bulk_create(
            StreetOffice(
                code=f"d-s{s + 1:02d}", name=f"{_PLACE_WORDS[(s * 7) % len(_PLACE_WORDS)]}街道"
            )
            for s in range(n_streets)
        )
        _one_account_each(
            {f"{so.code}-supervisor": so for so in streets},
            Role.STREET_SUPERVISOR,
            "street_office",
            password=password,
            name=lambda: names.person_name(rng, M, 1975),
        )
        per_chunk = max(1, BATCH // (households * 3))
        chunk: list[tuple[CommunityPlan, StreetOffice]] = []
        done = 0

        def flush() -> None:
            nonlocal done
            comms = write_communities(chunk, tags)
            _one_account_each(
                {f"{code}-secretary": c for code, c in comms.items()},
                Role.SECRETARY,
                "community",
                password=password,
                name=lambda: names.person_name(rng, F, 1980),
            )
            for cp, _ in chunk:
                counts["households"] += len(cp.households)
                for _, p in cp.people():
                    counts["residents"] += 1
                    counts["tags"] += len(p.tags)
            done += len(chunk)
            chunk.clear()
            if progress:
                progress(done, communities)

        for s, spec in district_specs(communities, households, per_street):
            chunk.append((plan_community(spec, rng, composer, DISTRICT_KINDS), streets[s]))
            if len(chunk) >= per_chunk:
                flush()
        if chunk:
            flush()
    counts["street_offices"] = n_streets
    counts["communities"] = communities
    counts["users"] = n_streets + communities
    return counts
