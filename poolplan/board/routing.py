from django.urls import path

from poolplan.board import consumers

websocket_urlpatterns = [
    path("ws/board/<int:school_id>/", consumers.BoardConsumer.as_asgi()),
    path("ws/cards/class/<int:class_id>/", consumers.ClassCardsConsumer.as_asgi()),
    path("ws/cards/device/", consumers.DeviceCardsConsumer.as_asgi()),
]
