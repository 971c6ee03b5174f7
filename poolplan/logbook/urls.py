from django.urls import path

from poolplan.logbook import views

urlpatterns = [
    path("log/", views.quick_entry, name="log_entry_quick"),
    path("log/<int:entry_id>/", views.log_entry_change, name="log_entry_change"),
    path("children/<int:child_id>/ledger/", views.ledger_current, name="child_ledger_current"),
    path("children/<int:child_id>/ledger/<str:month>/", views.ledger, name="child_ledger"),
    path("children/<int:child_id>/ledger/<str:month>/sign/", views.ledger_sign,
         name="child_ledger_sign"),
]
