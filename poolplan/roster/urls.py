from django.urls import path

from poolplan.roster import views

urlpatterns = [
    path("children/<int:child_id>/", views.child_detail, name="child_detail"),
    path("children/<int:child_id>/need-profile/", views.need_profile_edit,
         name="need_profile_edit"),
    path("children/<int:child_id>/audit/", views.child_audit, name="child_audit"),
    path("assistants/<int:assistant_id>/", views.assistant_detail, name="assistant_detail"),
]
