"""Top-level URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from api.v1 import api as api_v1

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="exports:index", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("exports/", include("exports.urls")),
    path("tokens/", include("api.urls")),
    path("notices/", include("notices.urls")),
    path("api/v1/", api_v1.urls),
    path("", include("operations.urls")),
]

handler500 = "bufdir_site.errors.server_error"
