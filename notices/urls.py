"""URLs of the notice preferences."""

from django.urls import path

from notices import views

app_name = "notices"
urlpatterns = [path("preference/", views.preference, name="preference")]
