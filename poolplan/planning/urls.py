from django.urls import path

from poolplan.planning import views

urlpatterns = [
    path("plans/", views.plan_index, name="plan_index"),
    path("plans/<int:school_id>/sick/", views.sick_call, name="sick_call"),
    path("plans/<int:school_id>/<str:week>/", views.plan_board, name="plan_board"),
    path("plans/<int:school_id>/<str:week>/solve/", views.plan_solve, name="plan_solve"),
    path("plans/<int:school_id>/<str:week>/publish/", views.plan_publish, name="plan_publish"),
    path("plans/<int:school_id>/<str:week>/draft/", views.plan_draft, name="plan_draft"),
    path("plans/<int:school_id>/<str:week>/assignment/", views.plan_assignment_edit,
         name="plan_assignment"),
    path("plans/jobs/<int:job_id>/", views.solve_job_status, name="solve_job_status"),
    path("plans/<int:school_id>/proposals/<str:date>/", views.proposal, name="proposal"),
    path("plans/<int:school_id>/day/<str:date>/print/", views.morning_print,
         name="morning_print"),
    path("me/day/", views.my_day, name="my_day"),
    path("me/sick/", views.my_sick, name="my_sick"),
    path("me/calendar/", views.calendar_token, name="calendar_token"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("classes/<int:class_id>/plan/", views.class_plan, name="class_plan"),
    path("notifications/", views.notification_list, name="notifications"),
]
