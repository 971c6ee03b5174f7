"""ASGI entry point: HTTP through Django, WebSockets through Channels (routes added by the
apps that need them)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poolplan.settings")

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from django.conf import settings  # noqa: E402

if settings.DEBUG:
    # uvicorn has no runserver magic: in development Django serves the apps' static files.
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

    django_asgi_app = ASGIStaticFilesHandler(django_asgi_app)

from channels.auth import AuthMiddlewareStack  # noqa: E402

from poolplan.board.routing import websocket_urlpatterns as board_websockets  # noqa: E402

websocket_urlpatterns: list = [*board_websockets]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
