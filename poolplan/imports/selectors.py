"""Who may import into a school."""

from django.core.exceptions import PermissionDenied

from poolplan.accounts.models import Role, User
from poolplan.imports.models import ImportUpload
from poolplan.roster import selectors as roster_selectors
from poolplan.roster.models import School


def import_school_get(*, user: User, school_id: int) -> School:
    """The school, if the user coordinates its pool. Importing replaces timetables and
    enters children's records: the pool's coordinator's job only. A school the user cannot
    see is a 404 (not revealed); one they see but may not import into is a 403."""
    school = roster_selectors.school_get(user=user, school_id=school_id)
    if user.role != Role.COORDINATOR or not roster_selectors.school_can_manage(
            user=user, school=school):
        raise PermissionDenied("Only the pool's coordinator may import data.")
    return school


def upload_get(*, school: School, upload_id: int) -> ImportUpload:
    from django.http import Http404

    try:
        return school.import_uploads.get(pk=upload_id)
    except ImportUpload.DoesNotExist:
        raise Http404("No such upload.") from None
