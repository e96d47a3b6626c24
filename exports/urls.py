"""URLs of the export pages."""
from django.urls import path

from exports import views

app_name = "exports"
urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("status/", views.status, name="status"),
    path("<int:audit_id>/cancel", views.cancel, name="cancel"),
    path("<int:audit_id>/download", views.download, name="download"),
]
