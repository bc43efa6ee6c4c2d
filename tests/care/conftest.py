import datetime as dt

import pytest

from linli.care import services
from linli.care.models import CarePerson, Tier
from linli.tickets.models import Category
from tests.factories import make_resident


class Care:
    pass


@pytest.fixture
def care(world):
    """Two people in xincun's care register: 李四 (3-2-501, building 3, high risk, visited by
    the volunteer and the leader of building 3) and 王五 (4-1-101, building 4, key); one in
    nancun (赵六)."""
    c = Care()
    c.world = world
    c.li = services.person_enroll(
        actor=world.staff, resident=world.li_si, tier=Tier.HIGH, reason="独居，去年冬天摔倒"
    )
    c.wang = services.person_enroll(
        actor=world.staff, resident=world.wang_wu, tier=Tier.KEY, reason="空巢"
    )
    c.nancun = services.person_enroll(
        actor=world.outsider, resident=world.nancun_resident, tier=Tier.GENERAL, reason="空巢"
    )
    services.visitor_assign(actor=world.staff, person=c.li, user=world.volunteer, kind="volunteer")
    services.visitor_assign(
        actor=world.staff, person=c.li, user=world.leader, kind="building_leader"
    )
    c.category = Category.objects.create(community=world.xincun, code="repair", name="维修")
    return c


def back(person: CarePerson, days: int) -> None:
    """Move a person's enrolment into the past (so older visits may be dated)."""
    CarePerson.objects.filter(pk=person.pk).update(
        enrolled_on=person.enrolled_on - dt.timedelta(days=days)
    )
    person.refresh_from_db()


__all__ = ["make_resident", "back"]
