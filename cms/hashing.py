"""How every bearer secret (invitation links, calendar tokens, lockout keys) is stored and looked up: its SHA-256.

The secrets are long random strings, so a fast unsalted hash is enough to make a leaked table useless, and a
digest is an exact-match index key (constant-time enough: the database compares digests, not the secret).
"""

import hashlib


def secret_digest(secret: str) -> str:
    # surrogatepass: hostile input with lone surrogates hashes (and matches nothing) instead of raising.
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
