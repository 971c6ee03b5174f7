from django.urls import path

from poolplan.board import views

urlpatterns = [
    path("board/", views.board_index, name="board_index"),
    path("board/<int:school_id>/", views.board, name="board"),
    path("board/<int:school_id>/state/", views.board_state, name="board_state"),
    path("board/<int:school_id>/devices/", views.devices, name="devices"),
    path("board/devices/<int:device_id>/revoke/", views.device_revoke, name="device_revoke"),
    path("cards/<int:child_id>/set/", views.card_set, name="card_set"),
    path("cards/<int:child_id>/acknowledge/", views.card_acknowledge, name="card_acknowledge"),
    path("cards/<int:child_id>/done/", views.card_done, name="card_done"),
    path("cards/mine/", views.teacher_cards, name="teacher_cards"),
    path("cards/class/<int:class_id>/state/", views.class_cards_state,
         name="class_cards_state"),
    path("tablet/", views.device_cards, name="device_cards"),
    path("tablet/state/", views.device_cards_state, name="device_cards_state"),
    path("tablet/pair/", views.device_pair, name="device_pair"),
    path("tablet/unpair/", views.device_unpair, name="device_unpair"),
]
