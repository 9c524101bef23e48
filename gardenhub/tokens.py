"""Signed, expiring tokens for links in messages (password reset, seat offers),
and the random secrets of stored links (feed links, invitations), kept hashed."""

import hashlib
import secrets

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


def new_secret() -> str:
    """A random secret for a link (256 bits), shown once and never stored."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """What is stored of a link's secret: a database leak hands out hashes, not
    working links."""
    return hashlib.sha256(secret.encode()).hexdigest()
