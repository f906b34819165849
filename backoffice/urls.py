from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from backoffice.common.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # An invited staff member's one-time link to choose a password (orders.services.staff).
    path(
        "password/set/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_set.html",
            success_url=reverse_lazy("login"),
        ),
        name="password-set",
    ),
    path("healthz", healthz, name="healthz"),
    path("webhooks/", include("orders.urls")),
    path("tools/", include("tools.urls")),
    path("api/v1/", include("orders.api_urls")),
    path("", include("lifecycle.urls")),
]
