"""URLs of the personal API token page: the organisation a token is made for is in the URL."""

from django.urls import path

from api import views

app_name = "api_tokens"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:slug>/", views.tokens, name="list"),
    path("<str:slug>/new/", views.create, name="create"),
    path("<str:slug>/<int:token_id>/revoke/", views.revoke, name="revoke"),
]
