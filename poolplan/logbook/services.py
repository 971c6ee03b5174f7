"""Writes of the log book: entries, their corrections and the coordinator's month signature.

Every write validates, runs in a transaction and leaves an audit row. Rules:

- An entry's times are local (Europe/Berlin) on its date and stored as aware datetimes, so a
  session's minutes are real elapsed minutes, across the DST change too.
- One assistant cannot be in two places: a present entry may not overlap another present entry
  of the same assistant, except the entries of one group session (children named in `group`).
- Each entry carries a client-generated idempotency key. The same key with the same content
  returns the first entry (`created` False); the same key with other content is refused
  (`IdempotencyConflict`), never merged.
- Once a child's month is signed, its entries' key fields are locked and no entries are added:
  a change is a correction, a new entry with a reason that supersedes the old one.
"""

import datetime
import hashlib
import json
import uuid
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from poolplan.accounts.models import AuditAction, User
from poolplan.accounts.services import audit_record
from poolplan.logbook.models import LogEntry, MonthSignature, Presence, Strategy, SupportKind
from poolplan.roster.models import Assistant, Child

# Locked once the month is signed: everything the proof shows or the ledger counts.
KEY_FIELDS = ("child", "assistant", "date", "start", "end", "presence", "minutes_away", "kind",
              "group")
# A group larger than this is no support session but a class; refuse it as a typo.
MAX_GROUP = 9


class IdempotencyConflict(Exception):
    """The idempotency key was used before for an entry with other content."""

    def __init__(self, entry: LogEntry):
        self.entry = entry
        super().__init__(_("This idempotency key was already used for another log entry; "
                           "generate a new key for a new entry."))


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_label(month: datetime.date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    # In UTC: Python subtracts two datetimes of the same tzinfo as wall-clock times, which
    # would lose or gain an hour across the DST change.
    return datetime.datetime.combine(day, time, tzinfo=local_zone()).astimezone(datetime.UTC)


def month_signature_get(*, child: Child, day: datetime.date) -> MonthSignature | None:
    return MonthSignature.objects.filter(child=child, month=month_start(day)).first()


def _signed_refusal(child: Child, day: datetime.date) -> str:
    return _("%(month)s is signed for %(child)s, so its entries are locked. Add a correction "
             "with a reason instead.") % {"month": month_label(month_start(day)),
                                          "child": child.display_code}


def _payload_hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _payload(*, child, assistant, date, start, end, presence, minutes_away, kind, note, incident,
             group) -> dict:
    return {"child": child.pk, "assistant": assistant.pk, "date": date.isoformat(),
            "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M"),
            "presence": str(presence), "minutes_away": minutes_away, "kind": str(kind),
            "note": note, "incident": bool(incident), "group": sorted(c.pk for c in group)}


def _validate(*, child: Child, assistant: Assistant, date: datetime.date,
              start: datetime.datetime, end: datetime.datetime, presence: str,
              minutes_away: int, kind: str, group: list[Child],
              replaces: LogEntry | None = None) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if end <= start:
        add("end", _("The end must be after the start; check the times."))
    elif minutes_away > (end - start).total_seconds() // 60:
        add("minutes_away", _("Minutes away cannot be more than the session's length."))
    if presence not in Presence.values:
        add("presence", _("Choose one of: %(values)s.") % {"values": ", ".join(Presence.values)})
    if kind not in SupportKind.values:
        add("kind", _("Choose one of: %(values)s.") % {"values": ", ".join(SupportKind.values)})
    if child.archived_at is not None:
        add("child", _("%(child)s is archived; log sessions only for children in the pool.")
            % {"child": child.display_code})
    if not assistant.schools.filter(pk=child.school_id).exists():
        add("assistant", _("%(name)s is not a member of the pool at %(school)s.")
            % {"name": assistant.full_name, "school": child.school.name})
    if len(group) > MAX_GROUP:
        add("group", _("Name at most %(max)d other children.") % {"max": MAX_GROUP})
    for other in group:
        if other.pk == child.pk:
            add("group", _("The group lists the other children, not the child itself."))
        elif other.school_id != child.school_id:
            add("group", _("%(child)s is not a child of this school.")
                % {"child": other.display_code})
    if not errors and presence == Presence.PRESENT:
        clash = (LogEntry.objects
                 .filter(assistant=assistant, presence=Presence.PRESENT, superseded_by__isnull=True,
                         start__lt=end, end__gt=start)
                 .exclude(child__in=[c.pk for c in group]))
        if replaces is not None:
            clash = clash.exclude(pk=replaces.pk)
        clash = clash.select_related("child").first()
        if clash is not None:
            add("start", _("%(name)s already logged %(child)s from %(start)s to %(end)s; one "
                           "person cannot support two sessions at once. Name the other child in "
                           "the group if it was one session.") % {
                "name": assistant.full_name, "child": clash.child.display_code,
                "start": timezone.localtime(clash.start).strftime("%H:%M"),
                "end": timezone.localtime(clash.end).strftime("%H:%M")})
    if errors:
        raise ValidationError(errors)


def _replay(entry: LogEntry, digest: str) -> tuple[LogEntry, bool]:
    if entry.payload_hash != digest:
        raise IdempotencyConflict(entry)
    return entry, False


def log_entry_create(
    *,
    actor: User | None,
    child: Child,
    assistant: Assistant,
    date: datetime.date,
    start: datetime.time,
    end: datetime.time,
    kind: str,
    idempotency_key: str,
    presence: str = Presence.PRESENT,
    minutes_away: int = 0,
    note: str = "",
    incident: bool = False,
    group: Iterable[Child] = (),
) -> tuple[LogEntry, bool]:
    """Log one session. Returns (entry, created): a repeat with the same key and content returns
    the first entry and False.

    Raises:
        IdempotencyConflict: the key belongs to an entry with other content.
        ValidationError: end before start, an overlap, a signed month, ...
    """
    group = list(dict.fromkeys(group))
    key = (idempotency_key or "").strip()
    if not key:
        raise ValidationError({"idempotency_key": [_("Send an idempotency key (e.g. a UUID) "
                                                     "with each new entry.")]})
    digest = _payload_hash(_payload(child=child, assistant=assistant, date=date, start=start,
                                    end=end, presence=presence, minutes_away=minutes_away,
                                    kind=kind, note=note, incident=incident, group=group))
    existing = LogEntry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _replay(existing, digest)
    if month_signature_get(child=child, day=date) is not None:
        raise ValidationError({"date": [_(
            "%(month)s is signed for %(child)s; a late session can only be added by the "
            "coordinator as a correction with a reason.") % {
            "month": month_label(month_start(date)), "child": child.display_code}]})
    start_at, end_at = local_datetime(date, start), local_datetime(date, end)
    try:
        _validate(child=child, assistant=assistant, date=date, start=start_at, end=end_at,
                  presence=presence, minutes_away=minutes_away, kind=kind, group=group)
    except ValidationError:
        # A concurrent request with the same key may have committed the entry since the look
        # above: then this one "overlaps" its own twin and must get it back instead.
        existing = LogEntry.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _replay(existing, digest)
        raise
    entry = LogEntry(child=child, assistant=assistant, date=date, start=start_at, end=end_at,
                     presence=presence, minutes_away=minutes_away, kind=kind, note=note,
                     incident=incident, idempotency_key=key, payload_hash=digest,
                     created_by=actor if actor is not None and actor.is_authenticated else None)
    entry.full_clean(validate_unique=False)
    try:
        # A savepoint: when a concurrent request with the same key wins the race, the unique
        # index refuses this row and the winner's entry is returned instead.
        with transaction.atomic():
            entry.save()
            entry.group.set(group)
            audit_record(actor=actor, action=AuditAction.CREATE, obj=entry, child=child,
                         summary=f"Logged {entry.delivered_minutes} min for {child.display_code} "
                                 f"on {date.isoformat()} ({presence})")
    except IntegrityError:
        existing = LogEntry.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return _replay(existing, digest)
    return entry, True


def _current(entry: LogEntry) -> None:
    if LogEntry.objects.filter(supersedes=entry).exists():
        raise ValidationError(_("This entry was corrected already; change the correction "
                                "instead."))


class EntryChanged(ValidationError):
    """The entry changed since the form or request that edits it was made."""


def log_entry_version(entry: LogEntry) -> str:
    """A short hash of what an edit can change: an edit names the version it was made on, so
    two people editing one entry cannot overwrite each other unnoticed."""
    return hashlib.sha256(json.dumps([
        entry.date.isoformat(), entry.start.astimezone(datetime.UTC).isoformat(),
        entry.end.astimezone(datetime.UTC).isoformat(), entry.presence, entry.minutes_away,
        entry.kind, entry.note, entry.incident, entry.assistant_id,
        sorted(c.pk for c in entry.group.all())]).encode()).hexdigest()[:16]


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(KEY_FIELDS) - {"note", "incident"}
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    if "child" in fields:
        # Moving a session to another child would change two children's proofs at once.
        raise ValueError("An entry's child cannot be changed; log the other child's session.")


@transaction.atomic
def log_entry_update(*, actor: User, entry: LogEntry, version: str | None = None,
                     **fields) -> LogEntry:
    """Change an entry in place, before its month is signed (key fields); the note and the
    incident flag stay editable after signing (the proof shows neither).

    Args:
        version: `log_entry_version` of the entry the change was made on; a newer entry
            (someone else changed it meanwhile) is refused. None: no check (scripts).

    Raises:
        EntryChanged: the entry is no longer at `version`.
        ValidationError: a signed month, an overlap, ...
    """
    _check_fields(fields)
    entry = LogEntry.objects.select_for_update().get(pk=entry.pk)
    _current(entry)
    if version is not None and version != log_entry_version(entry):
        raise EntryChanged(_("Someone changed this entry meanwhile; reload it and make your "
                             "change again."))
    locked = [name for name in fields if name in KEY_FIELDS]
    if locked:
        for day in {entry.date, fields.get("date", entry.date)}:
            if month_signature_get(child=entry.child, day=day) is not None:
                raise ValidationError(_signed_refusal(entry.child, day))
    before = {name: str(getattr(entry, name)) for name in fields if name != "group"}
    group = list(fields.pop("group", entry.group.all()))
    if "start" in fields or "end" in fields or "date" in fields:
        day = fields.pop("date", entry.date)
        start = fields.pop("start", timezone.localtime(entry.start).time())
        end = fields.pop("end", timezone.localtime(entry.end).time())
        entry.date, entry.start, entry.end = day, local_datetime(day, start), local_datetime(
            day, end)
    for name, value in fields.items():
        setattr(entry, name, value)
    _validate(child=entry.child, assistant=entry.assistant, date=entry.date, start=entry.start,
              end=entry.end, presence=entry.presence, minutes_away=entry.minutes_away,
              kind=entry.kind, group=group, replaces=entry)
    entry.full_clean(validate_unique=False)
    entry.save()
    entry.group.set(group)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=entry, child=entry.child,
                 summary=f"Changed log entry of {entry.child.display_code} on {entry.date}",
                 changes={"before": before})
    return entry


def log_entry_correct(*, actor: User, entry: LogEntry, reason: str,
                      idempotency_key: str | None = None, **changes) -> tuple[LogEntry, bool]:
    """A correction: a new entry with `changes` applied and a reason, which supersedes `entry`.
    The old entry stays as it was (the proof of a signed month shows both). Returns
    (correction, created): a repeat with the same idempotency key and content returns the
    first correction and False.

    Raises:
        IdempotencyConflict: the key belongs to another entry or other content.
        ValidationError: no reason, the entry was corrected already, an overlap, ...
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"correction_reason": [_("Say why the entry is corrected.")]})
    _check_fields(changes)
    key = (idempotency_key or "").strip() or f"correction-{uuid.uuid4()}"
    with transaction.atomic():
        entry = LogEntry.objects.select_for_update().get(pk=entry.pk)
        values = {
            "child": entry.child, "assistant": entry.assistant, "date": entry.date,
            "start": timezone.localtime(entry.start).time(),
            "end": timezone.localtime(entry.end).time(), "presence": entry.presence,
            "minutes_away": entry.minutes_away, "kind": entry.kind, "note": entry.note,
            "incident": entry.incident, "group": list(entry.group.all()),
        }
        values.update(changes)
        digest = _payload_hash({**_payload(**values), "supersedes": entry.pk, "reason": reason})
        existing = LogEntry.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _replay(existing, digest)
        _current(entry)
        start_at = local_datetime(values["date"], values["start"])
        end_at = local_datetime(values["date"], values["end"])
        _validate(child=values["child"], assistant=values["assistant"], date=values["date"],
                  start=start_at, end=end_at, presence=values["presence"],
                  minutes_away=values["minutes_away"], kind=values["kind"],
                  group=values["group"], replaces=entry)
        correction = LogEntry(
            child=values["child"], assistant=values["assistant"], date=values["date"],
            start=start_at, end=end_at, presence=values["presence"],
            minutes_away=values["minutes_away"], kind=values["kind"], note=values["note"],
            incident=values["incident"], supersedes=entry, correction_reason=reason,
            idempotency_key=key, payload_hash=digest, created_by=actor)
        correction.full_clean(validate_unique=False)
        correction.save()
        correction.group.set(values["group"])
        audit_record(
            actor=actor, action=AuditAction.UPDATE, obj=correction, child=entry.child,
            summary=f"Corrected log entry {entry.pk} of {entry.child.display_code} on "
                    f"{entry.date}: {reason}",
            changes={"supersedes": entry.pk, "reason": reason,
                     "changed": sorted(name for name in changes)})
    return correction, True


def entries_content_hash(entries: Iterable[LogEntry]) -> str:
    """SHA-256 over the key fields of a month's current entries, in a fixed order."""
    rows = sorted(
        [e.pk, e.date.isoformat(), e.start.astimezone(datetime.UTC).isoformat(),
         e.end.astimezone(datetime.UTC).isoformat(), e.presence, e.minutes_away, e.kind,
         e.assistant_id, sorted(c.pk for c in e.group.all())]
        for e in entries)
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def month_entries(*, child: Child, month: datetime.date):
    """The month's current entries (none superseded)."""
    first = month_start(month)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return (LogEntry.objects.filter(child=child, date__gte=first, date__lt=following,
                                    superseded_by__isnull=True)
            .select_related("assistant", "supersedes").prefetch_related("group"))


@transaction.atomic
def month_sign(*, actor: User, child: Child, month: datetime.date) -> MonthSignature:
    """Sign a child's month: the signer, the time and the hash of the entries are stored and
    the entries' key fields lock."""
    first = month_start(month)
    if first > timezone.localdate():
        raise ValidationError(_("%(month)s has not begun; sign a month once it is delivered.")
                              % {"month": month_label(first)})
    if MonthSignature.objects.select_for_update().filter(child=child, month=first).exists():
        raise ValidationError(_("%(month)s is already signed for %(child)s.")
                              % {"month": month_label(first), "child": child.display_code})
    signature = MonthSignature(
        child=child, month=first, signed_by=actor,
        signed_by_name=actor.get_full_name() or actor.get_username(),
        signed_at=timezone.now(),
        content_hash=entries_content_hash(month_entries(child=child, month=first)))
    signature.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError:
        raise ValidationError(_("%(month)s is already signed for %(child)s.")
                              % {"month": month_label(first), "child": child.display_code}
                              ) from None
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=signature, child=child,
                 summary=f"Signed the proof of service of {child.display_code} for "
                         f"{first:%Y-%m}", changes={"content_hash": signature.content_hash})
    return signature


@transaction.atomic
def strategy_create(*, actor: User, child: Child, text: str) -> Strategy:
    """Share what works for a child (the team meeting's "strategies added this week")."""
    strategy = Strategy(child=child, text=(text or "").strip(), created_by=actor)
    if not strategy.text:
        raise ValidationError({"text": [_("Write what works for the child, in a sentence.")]})
    strategy.full_clean()
    strategy.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=strategy, child=child,
                 summary=f"Strategy for {child.display_code} added")
    return strategy
