from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("sheet/", views.sheet, name="sheet"),
    path("sheet.pdf", views.sheet_pdf, name="sheet_pdf"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/visit/", views.visit_new, name="visit_new"),
    # The person page's small forms, one view over ``views.PERSON_FORMS``.
    path("people/<int:pk>/tier/", views.person_edit, {"what": "tier"}, name="tier"),
    path("people/<int:pk>/frequency/", views.person_edit, {"what": "frequency"}, name="frequency"),
    path("people/<int:pk>/visitors/", views.person_edit, {"what": "assign"}, name="assign"),
    path("people/<int:pk>/contacts/", views.person_edit, {"what": "contact"}, name="contact"),
    path("people/<int:pk>/consents/", views.person_edit, {"what": "consent"}, name="consent"),
    path("people/<int:pk>/health/", views.person_edit, {"what": "health_note"}, name="health_note"),
    path("c/<slug:code>/", views.register, name="register"),
    path("c/<slug:code>/enroll/", views.enroll, name="enroll"),
    path("c/<slug:code>/event/", views.event_new, name="event_new"),
    path("c/<slug:code>/coverage/", views.coverage, name="coverage"),
    path("c/<slug:code>/unvisited/", views.unvisited, name="unvisited"),
    path("c/<slug:code>/export/", views.export, name="export"),
    path("c/<slug:code>/meals/", views.meals, name="meals"),
    path("c/<slug:code>/meals/deliver/", views.meal_deliver, name="meal_deliver"),
    path("c/<slug:code>/help/", views.help_new, name="help_new"),
]
