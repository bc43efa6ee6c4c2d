"""Labels that share an English word with another app keep their own Chinese."""

from django.utils import translation

from linli.volunteers.views import CertificateForm


def test_the_certificate_period_ends_until_not_postpone_until():
    with translation.override("zh-hans"):
        assert str(CertificateForm().fields["period_to"].label) == "至"  # not 暂缓到 (hold until)
    with translation.override("en"):
        assert str(CertificateForm().fields["period_to"].label) == "Until"
