"""What each person asked for: delivery per kind of mail, specialties followed, and signed unsubscribe links."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select

from .kinds import KINDS, NEVER, SUMMARY
from .models import FollowedSpecialty, Preference

UNSUBSCRIBE_SALT = "pathway-review.notifications.unsubscribe"


def deliveries(session, user_id: int) -> dict[str, str]:
    """Every kind's delivery for this person, defaults filled in."""
    chosen = dict(session.execute(select(Preference.kind, Preference.delivery)
                                  .where(Preference.user_id == user_id)).all())
    return {name: chosen.get(name, kind.default) for name, kind in KINDS.items()}


def delivery(session, user_id: int, kind: str) -> str:
    return choice(session.scalar(select(Preference.delivery).where(Preference.user_id == user_id,
                                                                   Preference.kind == kind)), kind)


def choice(chosen: str | None, kind: str) -> str:
    """What a person's stored choice (None if they never chose) means for ``kind``."""
    if kind == SUMMARY:
        return chosen or "now"
    return chosen or KINDS[kind].default


def set_delivery(session, user_id: int, kind: str, value: str) -> None:
    row = session.scalar(select(Preference).where(Preference.user_id == user_id, Preference.kind == kind))
    if row is None:
        session.add(Preference(user_id=user_id, kind=kind, delivery=value))
    else:
        row.delivery = value


def followed(session, user_id: int) -> list[str]:
    return sorted(session.scalars(select(FollowedSpecialty.specialty).where(FollowedSpecialty.user_id == user_id)))


def set_followed(session, user_id: int, specialties: list[str]) -> None:
    session.execute(delete(FollowedSpecialty).where(FollowedSpecialty.user_id == user_id))
    session.add_all(FollowedSpecialty(user_id=user_id, specialty=s) for s in sorted(set(specialties)))


def followers(session, specialty: str) -> list[int]:
    return list(session.scalars(select(FollowedSpecialty.user_id).where(FollowedSpecialty.specialty == specialty)))


# ---- one-click unsubscribe ------------------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, kind: str) -> str:
    # No expiry: a mail read months later must still let its reader stop the next one.
    return _serializer().dumps({"u": user_id, "k": kind})


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return None
    kind = payload.get("k")
    if kind not in KINDS and kind != SUMMARY:
        return None
    return payload["u"], kind


def unsubscribe(session, user_id: int, kind: str) -> None:
    set_delivery(session, user_id, kind, NEVER)
