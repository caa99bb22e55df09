"""The tool's own RSA key pairs: the newest one signs, every stored one is published in the JWKS.

Rotating adds a key and retires the old one from signing; the old key stays published until an
admin removes it, so platforms that cached it can still check what it signed.
"""

from __future__ import annotations

import logging
from typing import Any

from jwcrypto.jwk import JWK
from pylti1p3.registration import Registration
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import LtiToolKey, utcnow

KEY_SIZE = 2048
log = logging.getLogger(__name__)


class SigningKeyRemoval(ValueError):
    """The key that signs cannot be removed; rotate first."""


def create_key(db: Session) -> LtiToolKey:
    """Generate a key pair and make it the signing key; older keys stay published."""
    pair = JWK.generate(kty="RSA", size=KEY_SIZE)
    public_pem = pair.export_to_pem().decode()
    key = LtiToolKey(
        kid=Registration.get_jwk(public_pem)["kid"],
        private_key_pem=pair.export_to_pem(private_key=True, password=None).decode(),
        public_key_pem=public_pem,
    )
    db.execute(update(LtiToolKey).where(LtiToolKey.retired_at.is_(None)).values(retired_at=utcnow()))
    db.add(key)
    db.flush()
    log.info("LTI tool key %s created; it signs from now on", key.kid)
    return key


def signing_key(db: Session) -> LtiToolKey:
    """The key that signs messages and assertions, created on first use."""
    key = db.scalar(select(LtiToolKey).where(LtiToolKey.retired_at.is_(None)).order_by(LtiToolKey.id.desc()).limit(1))
    return key if key is not None else create_key(db)


def all_keys(db: Session) -> list[LtiToolKey]:
    """Every published key, the signing one first."""
    return list(db.scalars(select(LtiToolKey).order_by(LtiToolKey.id.desc())))


def jwks(db: Session) -> dict[str, Any]:
    """The public key set platforms fetch from the tool key-set URL."""
    signing_key(db)
    return {"keys": [Registration.get_jwk(key.public_key_pem) for key in all_keys(db)]}


def remove_key(db: Session, key: LtiToolKey) -> None:
    """Stop publishing a retired key."""
    if key.retired_at is None:
        raise SigningKeyRemoval("This key signs: rotate to a new key before removing it.")
    db.delete(key)
    log.info("LTI tool key %s removed from the key set", key.kid)
