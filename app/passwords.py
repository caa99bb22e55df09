"""Password hashing: Argon2id with OWASP's recommended minimum cost.

OWASP lists five Argon2id settings of equal defence (m=46 MiB t=1 … m=7 MiB t=5, all p=1). The
lowest memory one, m=7 MiB, t=5, p=1, costs the least CPU a check here (29 ms against 41 ms for
m=19 MiB, t=2, mostly fewer page faults), which matters when a class of 300 logs in within a few
minutes on two cores, while a stolen hash still costs an attacker a memory-hard guess each.
Hashes made with other settings keep verifying: each hash carries its own parameters.
"""

from __future__ import annotations

import ctypes
import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher(time_cost=5, memory_cost=7 * 1024, parallelism=1)

# argon2-cffi releases the GIL while it hashes, so a login does not hold up the worker's other
# threads; each check mallocs its memory (7 MiB) in the calling thread, though. glibc serves that
# from mmap only until the first free raises its adaptive threshold past the block's size, after
# which every thread's arena keeps such a block (with m=19 MiB, 4 threads grew a worker by 76 MB).
# A fixed threshold keeps such blocks in mmap, returned to the system after each check.
M_MMAP_THRESHOLD = -3
try:
    ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, 1 << 20)
except AttributeError:  # not glibc: no arenas to pin the blocks
    pass


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
