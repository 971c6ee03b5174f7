from django.urls import path

from poolplan.imports import views

urlpatterns = [
    path("imports/<int:school_id>/", views.import_start, name="import_start"),
    path("imports/<int:school_id>/uploads/<int:upload_id>/", views.import_preview,
         name="import_preview"),
    path("imports/<int:school_id>/uploads/<int:upload_id>/confirm/", views.import_confirm,
         name="import_confirm"),
    path("imports/<int:school_id>/template/<str:kind>.csv", views.template_csv,
         name="import_template_csv"),
    path("imports/<int:school_id>/template.xlsx", views.template_xlsx,
         name="import_template_xlsx"),
    path("imports/<int:school_id>/classes/<int:class_id>/", views.class_timetable,
         name="import_class_timetable"),
]
