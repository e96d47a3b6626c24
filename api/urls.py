"""URLs of the personal API token page."""
from django.urls import path

from api import views

app_name = "api_tokens"
urlpatterns = [
    path("", views.tokens, name="list"),
    path("new/", views.create, name="create"),
    path("<int:token_id>/revoke/", views.revoke, name="revoke"),
]
