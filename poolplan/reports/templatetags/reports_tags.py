from django import template

register = template.Library()


@register.filter
def when(value: str | None) -> str:
    """An export's ISO time ("2026-11-23T08:05:00+01:00") as people read it: 2026-11-23 08:05.
    The JSON keeps the exact value with its offset; the PDF shows the local wall clock."""
    if not value:
        return "–"
    return value[:16].replace("T", " ")
