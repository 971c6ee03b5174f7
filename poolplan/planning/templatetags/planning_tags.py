from django import template

from poolplan.planning import selectors

register = template.Library()


@register.simple_tag
def unread_notification_count(user) -> int:
    """Unread in-app notifications of the logged-in user (the header's count)."""
    return selectors.notification_unread_count(user=user)
