"""Password hashing: Argon2id with OWASP's recommended minimum cost.

m=19 MiB, t=2, p=1 costs about 35 ms of CPU a check here: a third of werkzeug's default scrypt,
which matters when a class of 300 logs in within a few minutes on two cores, while a stolen hash
still costs an attacker a memory-hard guess each.
"""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    """A salted Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; False for a malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def verify_decoy(password: str) -> None:
    """Check ``password`` against a hash nobody's password matches, taking as long as a real check.

    Refusing an unknown username without it would answer in a fraction of the time a wrong
    password takes, which tells an attacker which usernames exist.
    """
    verify_password(_decoy_hash(), password)
