"""Event labels of mediation, and how its reads read on "My data"."""

from django.utils.translation import gettext_lazy as _

from linli.core.access import register_read_purposes
from linli.core.events import register_verbs

from .models import CASE_FLOW

register_verbs(CASE_FLOW.verbs())
register_verbs(
    {
        "mediation.case.opened": _("Mediation case opened"),
        "mediation.mediator.added": _("Mediator added"),
        "mediation.helper.added": _("Someone joined with the parties' consent"),
        "mediation.agreement.saved": _("Agreement text saved"),
        "mediation.agreement.fixed": _("Agreement text fixed for signing"),
        "mediation.agreement.new_version": _("New agreement version started"),
        "mediation.agreement.signed": _("Signature recorded"),
        "mediation.agreement.confirmed": _("Judicial confirmation recorded"),
        "mediation.committee.member_added": _("Committee member added"),
        "mediation.committee.settings": _("Committee settings changed"),
        "mediation.stats.exported": _("Mediation statistics exported"),
        "mediation.register.exported": _("Mediation case register exported"),
    }
)
register_read_purposes(
    {
        "mediation.case": _("opened a mediation case you are a party to"),
        "mediation.list": _("listed a mediation case you are a party to"),
        "mediation.agreement": _("printed a mediation agreement you are a party to"),
        "mediation.export": _("exported the mediation case register, which names you as a party"),
    }
)
