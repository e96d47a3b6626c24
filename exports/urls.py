"""URLs of the export pages: every page and request that acts for an organisation names it in its URL."""

from django.urls import path

from exports import organisation_views, submission_views, views

app_name = "exports"
urlpatterns = [
    path("", views.index, name="index"),
    path("organisation/", organisation_views.switch_organisation, name="switch_organisation"),
    path("for/<str:slug>/", organisation_views.open_for_organisation, name="for_organisation"),
    path("<int:audit_id>/download", views.download, name="download"),
    path("<str:slug>/", views.page, name="page"),
    path("<str:slug>/start/", views.start, name="start"),
    path("<str:slug>/status/", views.status, name="status"),
    path("<str:slug>/deviations/", views.deviations, name="deviations"),
    path("<str:slug>/<int:audit_id>/cancel", views.cancel, name="cancel"),
    path("<str:slug>/<int:audit_id>/submit", submission_views.mark, name="submit"),
    path("<str:slug>/submissions/<int:submission_id>/confirm", submission_views.confirm, name="confirm_submission"),
    path("<str:slug>/submissions/<int:submission_id>/withdraw", submission_views.withdraw, name="withdraw_submission"),
]
