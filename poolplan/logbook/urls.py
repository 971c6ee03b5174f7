from django.urls import path

from poolplan.logbook import views

urlpatterns = [
    path("log/", views.quick_entry, name="log_entry_quick"),
    path("log/<int:entry_id>/", views.log_entry_change, name="log_entry_change"),
    path("children/<int:child_id>/ledger/", views.ledger_current, name="child_ledger_current"),
    path("children/<int:child_id>/ledger/<str:month>/", views.ledger, name="child_ledger"),
    path("children/<int:child_id>/ledger/<str:month>/sign/", views.ledger_sign,
         name="child_ledger_sign"),
    path("schools/<int:school_id>/ledger/", views.pool_ledger_current,
         name="pool_ledger_current"),
    path("schools/<int:school_id>/ledger/<str:month>/", views.pool_ledger, name="pool_ledger"),
    path("schools/<int:school_id>/team-meeting/", views.team_meeting_current,
         name="team_meeting_current"),
    path("schools/<int:school_id>/team-meeting/<str:week>/", views.team_meeting,
         name="team_meeting"),
    path("schools/<int:school_id>/team-meeting/<str:week>/strategies/", views.strategy_add,
         name="strategy_add"),
    path("schools/<int:school_id>/evaluation/", views.evaluation_dashboard, name="evaluation"),
]
