"""The printed agreement: every Art. 29 field, the parties' names, fonts embedded, one copy
per party plus one for the committee; the CLI prints the same document."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from linli.core.models import PersonalDataRead
from linli.mediation import services as s
from linli.mediation.documents import agreement_pdf
from linli.mediation.queries import agreement_for_print
from tests import pdfs

from .helpers import signed_case

pytestmark = pytest.mark.django_db

FIELDS_ZH = ["当事人基本情况", "主要事实", "争议事项", "责任", "协议内容", "履行"]


def test_the_pdf_holds_every_statutory_field_and_the_parties(world):
    case = signed_case(world)
    s.agreement_make_effective(actor=world.mediator, case=case)
    with translation.override("zh-hans"):
        doc = agreement_pdf(case, agreement_for_print(case))
    text = pdfs.text(doc.pdf)
    for needle in [
        "张三",
        "王五",
        "五楼卫生间漏水",
        "维修费用由谁承担",
        "甲方负主要责任",
        "赔偿乙方维修费",
        "现金一次付清",
        "社区调解室",
        case.number,
    ]:
        assert needle in text, needle
    for label in FIELDS_ZH:
        assert label in text, label
    assert pdfs.all_fonts_embedded(doc.pdf)
    # one copy per party (2) and one for the committee
    assert len(pdfs.reader(doc.pdf).pages) >= 3
    assert text.count("人民调解协议书") >= 3


def test_the_english_pdf_names_the_fields(world):
    case = signed_case(world)
    with translation.override("en"):
        text = pdfs.text(agreement_pdf(case, agreement_for_print(case)).pdf)
    for label in [
        "The parties' basic details",
        "Main facts",
        "Disputed points",
        "Each side's responsibility",
        "Agreed terms",
        "How, by when and where",
    ]:
        assert label in text, label


def test_the_cli_prints_the_agreement(world, tmp_path):
    case = signed_case(world)
    out = tmp_path / "a.pdf"
    call_command("mediation", "agreement", case.number, "--as", "mediator", "--out", str(out))
    assert "张三" in pdfs.text(out.read_bytes())
    assert PersonalDataRead.objects.filter(purpose="mediation.agreement").count() == 2


def test_the_cli_refuses_someone_outside_the_case(world, tmp_path):
    case = signed_case(world)
    for who in ("staff", "outsider", "volunteer"):
        with pytest.raises(CommandError):
            call_command(
                "mediation", "agreement", case.number, "--as", who, "--out", str(tmp_path / "x.pdf")
            )
    assert not (tmp_path / "x.pdf").exists()
