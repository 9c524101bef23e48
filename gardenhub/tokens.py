"""Signed, expiring tokens for links in messages (password reset, seat offers)."""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"gardenhub-{purpose}")


def make(purpose: str, payload) -> str:
    return _serializer(purpose).dumps(payload)


def read(purpose: str, token: str, *, max_age: int):
    """The payload, or None when the token is forged, for another purpose or expired."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
