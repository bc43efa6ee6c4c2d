"""How Care's events and reads read on timelines and on "My data"."""

from django.utils.translation import gettext_lazy as _

from linli.core.access import register_read_purposes
from linli.core.events import register_verbs

register_verbs(
    {
        "care.enrolled": _("added to the care register"),
        "care.tier_set": _("set the risk tier"),
        "care.frequency_set": _("set the visit frequency"),
        "care.visitor_assigned": _("assigned a visitor"),
        "care.visitor_removed": _("removed a visitor"),
        "care.contact_added": _("added a family contact"),
        "care.consent_recorded": _("recorded a consent"),
        "care.health_note_set": _("wrote the care health note"),
        "care.visit_recorded": _("recorded a care visit"),
        "care.event_declared": _("declared a major event"),
        "care.meal_delivered": _("recorded a love-lunch delivery"),
        "care.help_recorded": _("recorded home help"),
        "care.exported": _("exported the care register"),
    }
)

register_read_purposes(
    {
        "care.person_page": _("opened your care record and its visits"),
        "care.visit_form": _("opened your care record to record a visit"),
        "care.my_visits": _("saw you on their list of care visits"),
        "care.register": _("saw you in the care register"),
        "care.unvisited": _("saw you on the list of people not yet visited this month"),
        "care.sheet": _("printed a visit sheet with your name and room"),
        "care.api": _("read your care visits through the API"),
        "care.export": _("exported the care register, with your record in it"),
        "care.meals": _("saw you on the love-lunch list"),
    }
)
