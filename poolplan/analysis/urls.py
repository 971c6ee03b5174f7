from django.urls import path

from poolplan.analysis import views

urlpatterns = [
    path("analysis/", views.analysis_index, name="analysis_index"),
    path("analysis/<int:school_id>/", views.analysis_school, name="analysis_school"),
    path("analysis/runs/<int:run_id>/", views.analysis_run_status, name="analysis_run_status"),
]
