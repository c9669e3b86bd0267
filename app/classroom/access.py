"""Who may enter a class and how often: join codes, teacher keys, seat tokens, display names
and the attempt limits that make codes and keys impractical to guess.

Pure logic, no database: ``app.store.classes`` keeps the buckets in the database (one row each,
updated under a row lock) so a limit holds across sessions, reloads, app replicas and restarts,
and never depends on the client's IP address (often unknown: loopback, proxies).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from app.errors import ClassroomError

# ---- codes, keys and names ---------------------------------------------------------------------
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"   # Crockford base32: no I, L, O, U
CODE_LENGTH = 8                                       # 32**8 = 2**40 codes
KEY_LENGTH = 20                                       # 2**100 teacher keys
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
NAME_MAX = 30
_NAME_PUNCT = set(" -'._")


def random_code(length: int) -> str:
    """`length` random characters from the unambiguous alphabet (5 bits each)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(text: Any, length: int, what: str) -> str:
    """Upper-case, drop dashes/spaces, read O/I/L as 0/1/1; ClassroomError when malformed."""
    if not isinstance(text, str):
        raise ClassroomError(f"Type the {what}.")
    code = re.sub(r"[\s\-]", "", text).upper().translate(_CONFUSABLE)
    if len(code) != length or any(c not in CODE_ALPHABET for c in code):
        raise ClassroomError(f"A {what} has {length} letters and digits, like "
                             f"{format_code(random_code(length))}.",
                             hint="Check it with your teacher; dashes and spaces do not matter.")
    return code


def new_join_code() -> str:
    """A random 8-character class code (40 bits: guessing one at random takes ~10¹² tries)."""
    return random_code(CODE_LENGTH)


def normalise_join_code(text: Any) -> str:
    """'abcd-efgh' → 'ABCDEFGH'; O/I/L typed by mistake read as 0/1/1."""
    return normalise_code(text, CODE_LENGTH, "class code")


def format_code(code: str) -> str:
    """Groups of four for reading aloud: 'ABCD-EFGH'."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def new_teacher_key() -> str:
    """A random teacher key, 20 characters (100 bits), shown once in groups of four."""
    return format_code(random_code(KEY_LENGTH))


def normalise_teacher_key(text: Any) -> str:
    return normalise_code(text, KEY_LENGTH, "teacher key")


def hash_key(key: str, salt: str) -> str:
    """SHA-256 of salt and the normalised key. The key is random with 100 bits, so a slow
    password hash would add nothing: nobody can try 2**100 keys against a leaked hash."""
    return hashlib.sha256(f"{salt}:{normalise_teacher_key(key)}".encode()).hexdigest()


def verify_key(key: Any, salt: str, expected_hash: str) -> bool:
    """Constant-time comparison of a typed teacher key with the stored hash."""
    try:
        candidate = hash_key(key, salt)
    except ClassroomError:
        return False
    return hmac.compare_digest(candidate, expected_hash)


def token_hash(token: str) -> str:
    """Stored form of a random secret token (library key, session key, student seat)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def clean_display_name(name: Any) -> tuple[str, str]:
    """(name as shown, key for uniqueness) for a student's display name, or ClassroomError.

    Letters, digits, spaces and - ' . _ only, 1–30 characters: nothing a page could render as
    markup, and look-alike forms (ＡＢＣ vs ABC, case) collide in the key.
    """
    if not isinstance(name, str):
        raise ClassroomError("Type a display name.")
    text = " ".join(unicodedata.normalize("NFC", name).split())
    if not text:
        raise ClassroomError("Type a display name (a first name or a nickname).")
    if len(text) > NAME_MAX:
        raise ClassroomError(f"A display name can have up to {NAME_MAX} characters.")
    bad = [c for c in text if not (unicodedata.category(c)[0] in "LMN" or c in _NAME_PUNCT)]
    if bad:
        raise ClassroomError(f"A display name cannot contain '{bad[0]}'.",
                             hint="Use letters, digits, spaces, and - ' . _ only.")
    if not any(unicodedata.category(c)[0] in "LN" for c in text):
        raise ClassroomError("A display name needs at least one letter or digit.")
    return text, unicodedata.normalize("NFKC", text).casefold()


def clean_title(title: Any) -> str:
    """A class title: 1–120 printable characters (shown escaped)."""
    text = " ".join(str(title or "").split())
    if not text:
        raise ClassroomError("Give the class a title, e.g. 'Causal inference, week 3'.")
    if len(text) > 120:
        raise ClassroomError("A class title can have up to 120 characters.")
    if any(unicodedata.category(c)[0] == "C" for c in text):
        raise ClassroomError("The class title contains a control character.")
    return text


def submission_key(seat_token: str, question_id: int, attempt: int, label: str) -> str:
    """Idempotency key of one submission: a retry of the same click sends the same key. The UI
    passes as `attempt` the id of the stored answer this one replaces (0 for the first), so a
    change (or the first answer again after a change) gets a new key even in a new session."""
    raw = f"{seat_token}|{question_id}|{attempt}|{label}".encode()
    return hashlib.sha256(raw).hexdigest()[:40]



SEAT_TOKEN_LENGTH = 32                                # 160 bits
BROWSER_ID_LENGTH = 26                                # 130 bits


def new_seat_token() -> str:
    """A student's secret seat token. Our own alphabet, so a cookie can carry it unescaped."""
    return random_code(SEAT_TOKEN_LENGTH)


def new_browser_id() -> str:
    """A random id for one browser (kept in a cookie): its join allowance survives a reload."""
    return random_code(BROWSER_ID_LENGTH)


def is_own_code(text: Any, length: int) -> bool:
    """True for a value we generated (right length, our alphabet): safe to put in a cookie."""
    return isinstance(text, str) and len(text) == length and set(text) <= set(CODE_ALPHABET)


# ---- attempt limits ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TokenBucket:
    """A token bucket: `capacity` attempts at once, refilled at `per_second` tokens a second.

    With `backoff`, every attempt refused while the bucket is empty doubles the debt (the level
    goes to 2·level − 1), so hammering a closed door makes the wait grow exponentially, up to
    `max_wait` seconds; waiting quietly lets it refill as usual.
    """

    capacity: float
    per_second: float
    backoff: bool = False
    max_wait: float = 900.0

    def level(self, tokens: float | None, updated_at: float | None, now: float) -> float:
        """The bucket's level at `now` (a new bucket starts full)."""
        if tokens is None or updated_at is None:
            return self.capacity
        return min(self.capacity, tokens + max(0.0, now - updated_at) * self.per_second)

    def take(self, tokens: float | None, updated_at: float | None, now: float,
             cost: float = 1.0) -> tuple[bool, float]:
        """(allowed, level after) for an attempt costing `cost` tokens."""
        level = self.level(tokens, updated_at, now)
        if level + 1e-9 >= cost:
            return True, level - cost
        return False, self.refused(level, cost)

    def refused(self, level: float, cost: float = 1.0) -> float:
        """The level after a refused attempt: unchanged, or deeper in debt with backoff."""
        if not self.backoff:
            return level
        floor = cost - self.max_wait * self.per_second
        return max(floor, 2 * min(level, 0.0) - cost)

    def wait_seconds(self, level: float, cost: float = 1.0) -> float:
        """Seconds until an attempt costing `cost` is allowed again."""
        return max(0.0, (cost - level) / self.per_second)


# Every join attempt from one browser (a cookie; the Streamlit session when cookies are off):
# 10 at once, then one every 6 s, with backoff.
JOIN_PER_BROWSER = TokenBucket(10, 1 / 6, backoff=True)
# Failed joins (unknown or ended class) from the whole server, counted before the code is looked
# up, so a guesser learns nothing faster by changing browser, session or address: 60 at once, then
# one every 2 s. With 2**40 codes and 1,000 live classes, a year of guessing at that rate finds
# one with probability ~1.4 %. A sustained guessing attack also slows mistyped joins for everyone
# to that rate: answering valid codes faster would tell the guesser which codes are valid.
JOIN_GUESSES = TokenBucket(60, 1 / 2)
# Failed joins from one IP address, when the server knows it (a second, finer layer).
JOIN_FAILURES_PER_IP = TokenBucket(30, 1 / 5)
# Join attempts reaching one live class (seats taken, names refused): a lecture of 200 joins in a
# burst, then two a second. Stops a code holder from filling the class with fake seats.
JOIN_PER_CLASS = TokenBucket(200, 2.0)
# Wrong teacher keys for one class: 10, then one a minute, with backoff (up to 15 minutes).
KEY_GUESSES_PER_CLASS = TokenBucket(10, 1 / 60, backoff=True)
# Wrong teacher keys (or codes given with a key) server-wide: 100, then one a second.
KEY_GUESSES = TokenBucket(100, 1.0)
# Library keys that open no library, server-wide: 30, then one every 5 s.
LIBRARY_MISSES = TokenBucket(30, 1 / 5)

