"""URLs of the export pages."""
from django.urls import path

from exports import organisation_views, views

app_name = "exports"
urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("status/", views.status, name="status"),
    path("<int:audit_id>/cancel", views.cancel, name="cancel"),
    path("<int:audit_id>/download", views.download, name="download"),
    path("organisation/", organisation_views.switch_organisation, name="switch_organisation"),
    path("for/<str:slug>/", organisation_views.open_for_organisation, name="for_organisation"),
]
