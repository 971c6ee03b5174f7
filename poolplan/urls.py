from django.contrib import admin
from django.urls import include, path

from poolplan.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # Django's set_language view: the language switch in the page header posts here.
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("poolplan.accounts.urls")),
    path("", include("poolplan.roster.urls")),
    path("", include("poolplan.logbook.urls")),
    path("", include("poolplan.board.urls")),
    path("", include("poolplan.imports.urls")),
    path("", include("poolplan.analysis.urls")),
    path("", include("poolplan.reports.urls")),
    path("", include("poolplan.planning.urls")),
]
