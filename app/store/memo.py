"""The store's in-process memory, all in one place.

Each map is bounded (the least recently used entry goes first) and holds only facts that never
change once written, so it can never serve a stale answer: a question's parsed body, a seat's
student and class, a question's class, and secrets this process has already accepted (kept as
SHA-256 only). Everything that can change (a question's status, answers) is read from the
database every time.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A thread-safe map of at most `size` entries, least recently used evicted first."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[K, V] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class Verified:
    """Secrets this process has already accepted (teacher keys per class, library keys).

    A teacher's screen sends the key with every refresh. Those calls skip the guess limit once
    the key was accepted here, so someone hammering wrong keys cannot lock out the signed-in
    teacher (or a library's owner); the guesser, lacking the key, is never in this memory.
    """

    def __init__(self, size: int = 4096) -> None:
        self._seen: Lru[str, bool] = Lru(size)

    @staticmethod
    def _entry(scope: str, secret: str) -> str:
        return hashlib.sha256(f"{scope}\x1f{secret}".encode()).hexdigest()

    def add(self, scope: str, secret: str) -> None:
        self._seen.put(self._entry(scope, secret), True)

    def __contains__(self, item: tuple[str, str]) -> bool:
        return bool(self._seen.get(self._entry(*item)))


QUESTIONS: Lru = Lru(512)           # (database, question id) → parsed Question
SEATS: Lru = Lru(4096)              # (database, seat token hash) → (student id, class id)
QUESTION_CLASS: Lru = Lru(4096)     # (database, question id) → class id
VERIFIED = Verified()
