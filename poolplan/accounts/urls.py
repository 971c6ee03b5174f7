from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.decorators.http import require_http_methods

from poolplan.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    # FormView would take PUT like POST; a login form only ever GETs and POSTs.
    path("login/", require_http_methods(["GET", "HEAD", "POST"])(
        auth_views.LoginView.as_view(redirect_authenticated_user=True)), name="login"),
    # Django's LogoutView accepts POST only (a link cannot log anyone out behind their back).
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
