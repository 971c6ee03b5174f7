"""The upload page: upload -> preview -> confirm -> result, for the coordinator only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from poolplan.imports.models import ImportFile, ImportUpload
from poolplan.roster.models import Period, PeriodKind, TimetableEntry
from tests.factories import make_world
from tests.imports.conftest import gpu_bytes

pytestmark = pytest.mark.django_db

ROWS = [(1, "5a", "A", "D", "R1", 1, 1, ""), (2, "7c", "B", "M", "R7", 1, 1, "")]


@pytest.fixture
def world(db):
    return make_world()


def upload(client, school, data=None, kind="timetable", name="GPU001.TXT"):
    file = SimpleUploadedFile(name, gpu_bytes(ROWS) if data is None else data)
    return client.post(reverse("import_start", args=[school.pk]),
                       {"kind": kind, "files": [file]})


def test_it_works(client, world):
    client.force_login(world.user("coordinator"))
    assert client.get(reverse("import_start", args=[world.school.pk])).status_code == 200
    response = upload(client, world.school)
    stored = ImportUpload.objects.get()
    assert response.url == reverse("import_preview", args=[world.school.pk, stored.pk])
    preview = client.get(response.url)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "7c" in html and 'action="/imports/' in html
    assert not TimetableEntry.objects.filter(school_class__name="7c").exists()
    confirm = client.post(reverse("import_confirm", args=[world.school.pk, stored.pk]))
    assert confirm.status_code == 302
    assert TimetableEntry.objects.filter(school_class__name="7c", subject="M").exists()
    stored.refresh_from_db()
    assert stored.applied_at is not None
    assert bytes(ImportFile.objects.get().content) == b""  # personal data not kept
    result = client.get(confirm.url)
    assert result.status_code == 200 and "7c" in result.content.decode()
    # A second confirmation does not import twice.
    again = client.post(reverse("import_confirm", args=[world.school.pk, stored.pk]))
    assert again.status_code == 302


def test_it_shows_problems_and_offers_no_confirmation(client, world):
    client.force_login(world.user("coordinator"))
    response = upload(client, world.school, gpu_bytes([(1, "5a", "A", "D", "R1", 1, 11, "")]))
    preview = client.get(response.url).content.decode()
    assert "GPU001.TXT" in preview and "11" in preview
    assert 'action="/imports/' not in preview
    stored = ImportUpload.objects.get()
    response = client.post(reverse("import_confirm", args=[world.school.pk, stored.pk]))
    assert response.status_code == 409
    assert ImportUpload.objects.get().applied_at is None


def test_it_confirms_what_was_previewed_even_if_the_school_changed(client, world):
    """The bell schedule changed between preview and confirm: the confirm re-checks."""
    client.force_login(world.user("coordinator"))
    response = upload(client, world.school)
    Period.objects.filter(school=world.school).delete()
    stored = ImportUpload.objects.get()
    response = client.post(reverse("import_confirm", args=[world.school.pk, stored.pk]))
    assert response.status_code == 409
    assert not TimetableEntry.objects.filter(school_class__name="7c").exists()


def test_it_refuses_a_file_over_the_limit(client, world, settings):
    settings.IMPORT_MAX_BYTES = 10
    client.force_login(world.user("coordinator"))
    response = upload(client, world.school)
    assert response.status_code == 400 and not ImportUpload.objects.exists()


def test_it_offers_the_templates(client, world):
    client.force_login(world.user("coordinator"))
    csv = client.get(reverse("import_template_csv", args=[world.school.pk, "children"]))
    assert csv.status_code == 200 and csv.content.startswith("\ufeffclass;".encode())
    xlsx = client.get(reverse("import_template_xlsx", args=[world.school.pk]))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert client.get(reverse("import_template_csv", args=[world.school.pk, "x"])
                      ).status_code == 404


def test_it_shows_a_class_timetable(client, world):
    client.force_login(world.user("coordinator"))
    Period.objects.create(school=world.school, weekday=2, label="b1", kind=PeriodKind.BREAK,
                          start="09:30", end="09:50")
    response = client.get(reverse("import_class_timetable",
                                  args=[world.school.pk, world.class_5a.pk]))
    assert response.status_code == 200 and "Maths" in response.content.decode()


@pytest.mark.parametrize("who,status", [
    ("other_coordinator", 404), ("assistant", 403), ("teacher", 403), ("parent", 403),
    ("provider", 403), ("other_provider", 404), ("reviewer", 403), ("other_reviewer", 403),
])
def test_it_validates_the_role(client, world, who, status):
    client.force_login(world.user(who))
    school = world.school
    assert client.get(reverse("import_start", args=[school.pk])).status_code == status
    assert upload(client, school).status_code == status
    assert client.get(reverse("import_template_xlsx", args=[school.pk])).status_code == status
    assert client.get(reverse("import_class_timetable", args=[school.pk, world.class_5a.pk])
                      ).status_code == status
    assert not ImportUpload.objects.exists()


def test_it_refuses_another_schools_upload(client, world):
    client.force_login(world.user("coordinator"))
    upload(client, world.school)
    stored = ImportUpload.objects.get()
    other = ImportUpload.objects.create(school=world.other_school, kind="timetable")
    assert client.get(reverse("import_preview", args=[world.school.pk, other.pk])
                      ).status_code == 404
    assert client.post(reverse("import_confirm", args=[world.other_school.pk, stored.pk])
                       ).status_code == 404


def test_it_requires_login(client, world):
    response = client.get(reverse("import_start", args=[world.school.pk]))
    assert response.status_code == 302 and "login" in response.url


def test_it_only_allows_post_to_confirm(client, world):
    client.force_login(world.user("coordinator"))
    upload(client, world.school)
    stored = ImportUpload.objects.get()
    assert client.get(reverse("import_confirm", args=[world.school.pk, stored.pk])
                      ).status_code == 405


def test_it_records_the_upload_and_its_confirmation_in_the_audit_trail(client, world):
    from poolplan.accounts.models import AuditAction, AuditEvent

    coordinator = world.user("coordinator")
    client.force_login(coordinator)
    upload(client, world.school)
    stored = ImportUpload.objects.get()
    created = AuditEvent.objects.get(object_type="importupload", action=AuditAction.CREATE)
    assert created.actor == coordinator and "GPU001.TXT" in created.summary
    assert not AuditEvent.objects.filter(object_type="importupload",
                                         action=AuditAction.UPDATE).exists()
    client.post(reverse("import_confirm", args=[world.school.pk, stored.pk]))
    confirmed = AuditEvent.objects.get(object_type="importupload", action=AuditAction.UPDATE)
    assert confirmed.object_id == str(stored.pk)
