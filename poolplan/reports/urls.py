from django.urls import path

from poolplan.reports import views

urlpatterns = [
    path("reports/<int:school_id>/weeks/<str:week>/print/", views.week_plan_print,
         name="week_plan_print"),
]
