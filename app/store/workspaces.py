"""Saved workspaces in a private library, and one autosave slot per browser session.

A library is named by a random library key (16 characters, ~80 bits) that only its owner
knows; the database stores the key's SHA-256, so one person's workspaces are invisible to
everyone else on a shared server. The content is a ``.ccw`` file (app.workspace_file).
Keys that open nothing are throttled server-wide (app.classroom.access.LIBRARY_MISSES).
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from app import settings
from app.classroom import access
from app.classroom.access import format_code, normalise_code, random_code, token_hash
from app.errors import StoreError
from app.store import limits, memo
from app.store.engine import Store, get_store
from app.store.schema import autosaves, workspaces
from app.workspace_file import clean_workspace_name, human_size

LIBRARY_KEY_LENGTH = 16
MAX_WORKSPACE_BYTES = settings.MAX_STORED_WORKSPACE_BYTES
MAX_WORKSPACES = settings.MAX_STORED_WORKSPACES
AUTOSAVE_KEEP_DAYS = 30
_MIN_SESSION_KEY = 16


@dataclass(frozen=True)
class SavedWorkspace:
    """A library entry (without its content): id, name, size in bytes and times (Unix s)."""

    id: int
    name: str
    size: int
    created_at: float
    updated_at: float

    def __str__(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.updated_at))
        return f"{self.name} ({self.size / 1024:,.0f} KB, saved {when})"


def new_library_key() -> str:
    """A fresh private library key, e.g. 'K3QZ-8RTM-0VXA-5N2D'."""
    return format_code(random_code(LIBRARY_KEY_LENGTH))


def _owner(library_key: str) -> str:
    try:
        return token_hash(normalise_code(library_key, LIBRARY_KEY_LENGTH, "library key"))
    except Exception as err:  # ClassroomError: say it in library terms
        raise StoreError(getattr(err, "message", str(err)),
                         hint="Check the key you wrote down, or start a new library.") from None


def _check_content(content: bytes) -> bytes:
    if not isinstance(content, (bytes, bytearray)) or not content:
        raise StoreError("There is nothing to save.")
    if len(content) > MAX_WORKSPACE_BYTES:
        raise StoreError(f"This workspace is {human_size(len(content))}; the library keeps "
                         f"files up to {human_size(MAX_WORKSPACE_BYTES)}.",
                         hint="Download it as a file instead.")
    if bytes(content[:4]) != b"PK\x03\x04":
        raise StoreError("Only workspace files (.ccw) can be saved in the library.")
    return bytes(content)


def _entry(row) -> SavedWorkspace:
    return SavedWorkspace(row.id, row.name, row.size, row.created_at, row.updated_at)


_COLUMNS = (workspaces.c.id, workspaces.c.name, workspaces.c.size, workspaces.c.created_at,
            workspaces.c.updated_at)


def save_workspace(library_key: str, name: str, content: bytes, *, overwrite: bool = False,
                   store: Store | None = None) -> SavedWorkspace:
    """Save `content` (a .ccw file) under `name`; an existing name is replaced only if asked."""
    store = store or get_store()
    owner, name, content = _owner(library_key), clean_workspace_name(name), _check_content(content)
    key, now = name.casefold(), time.time()
    digest = hashlib.sha256(content).hexdigest()
    with store.write() as conn:
        existing = conn.execute(store.lock_for_update(
            select(workspaces.c.id).where(workspaces.c.owner == owner,
                                          workspaces.c.name_key == key))).scalar()
        if existing is not None:
            if not overwrite:
                raise StoreError(f"A workspace called '{name}' already exists.",
                                 hint="Choose another name, or tick 'replace' to overwrite it.")
            conn.execute(update(workspaces).where(workspaces.c.id == existing).values(
                name=name, content=content, content_hash=digest, size=len(content),
                updated_at=now))
            wid = existing
        else:
            count = conn.execute(select(func.count()).select_from(workspaces)
                                 .where(workspaces.c.owner == owner)).scalar()
            if count >= MAX_WORKSPACES:
                raise StoreError(f"Your library holds {count} workspaces, the most it can.",
                                 hint="Delete some you no longer need.")
            wid = conn.execute(workspaces.insert().values(
                owner=owner, name=name, name_key=key, content=content, content_hash=digest,
                size=len(content), created_at=now, updated_at=now)
                .returning(workspaces.c.id)).scalar_one()
        row = conn.execute(select(*_COLUMNS).where(workspaces.c.id == wid)).one()
    memo.VERIFIED.add(f"{store.url}|library", owner)
    return _entry(row)


_MISSES = "library:miss"


def _gate(store: Store, owner: str, now: float) -> bool:
    """True when this library was opened before in this process (no limit applies); raises
    when the server-wide allowance of keys that opened nothing is used up."""
    scope = f"{store.url}|library"
    if (scope, owner) in memo.VERIFIED:
        return True
    with store.read() as conn:
        wait = limits.peek(conn, {_MISSES: access.LIBRARY_MISSES}, now)
    if wait is not None:
        raise StoreError(f"Too many library keys were tried. Wait {max(1, round(wait))} s and "
                         "try again.", hint="Check the key you wrote down.")
    return False


def _opened(store: Store, owner: str, found: bool, now: float) -> None:
    if found:
        memo.VERIFIED.add(f"{store.url}|library", owner)
    else:
        store.batched_write(lambda conn: limits.spend(conn, store, _MISSES,
                                                      access.LIBRARY_MISSES, now))


def list_workspaces(library_key: str, *, store: Store | None = None,
                    now: float | None = None) -> list[SavedWorkspace]:
    """The library's workspaces, most recently saved first.

    A key whose library is empty counts as a miss against the guess limit (the page does not
    list a key it has just made up)."""
    store = store or get_store()
    owner, now = _owner(library_key), time.time() if now is None else now
    known = _gate(store, owner, now)
    with store.read() as conn:
        rows = conn.execute(select(*_COLUMNS).where(workspaces.c.owner == owner)
                            .order_by(workspaces.c.updated_at.desc(), workspaces.c.id.desc()))
        found = [_entry(r) for r in rows]
    if not known:
        _opened(store, owner, bool(found), now)
    return found


def _not_found() -> StoreError:
    return StoreError("That workspace is not in your library (it may have been deleted).")


def open_workspace(library_key: str, workspace_id: int, *, store: Store | None = None) -> bytes:
    """The saved file's bytes (open them with app.workspace_file.read_workspace_file)."""
    store = store or get_store()
    owner, now = _owner(library_key), time.time()
    known = _gate(store, owner, now)
    with store.read() as conn:
        content = conn.execute(select(workspaces.c.content).where(
            workspaces.c.id == int(workspace_id), workspaces.c.owner == owner)).scalar()
    if not known or content is None:
        _opened(store, owner, content is not None, now)
    if content is None:
        raise _not_found()
    return bytes(content)


def rename_workspace(library_key: str, workspace_id: int, new_name: str, *,
                     store: Store | None = None) -> SavedWorkspace:
    """Give a saved workspace another name (unique within the library)."""
    store = store or get_store()
    owner, name = _owner(library_key), clean_workspace_name(new_name)
    with store.write() as conn:
        clash = conn.execute(select(workspaces.c.id).where(
            workspaces.c.owner == owner, workspaces.c.name_key == name.casefold(),
            workspaces.c.id != int(workspace_id))).scalar()
        if clash is not None:
            raise StoreError(f"A workspace called '{name}' already exists.",
                             hint="Choose another name.")
        done = conn.execute(update(workspaces).where(
            workspaces.c.id == int(workspace_id), workspaces.c.owner == owner).values(
            name=name, name_key=name.casefold(), updated_at=time.time())).rowcount
        if not done:
            raise _not_found()
        row = conn.execute(select(*_COLUMNS).where(workspaces.c.id == int(workspace_id))).one()
    return _entry(row)


def delete_workspace(library_key: str, workspace_id: int, *, store: Store | None = None) -> None:
    """Delete a saved workspace from the library (there is no undo)."""
    store = store or get_store()
    with store.write() as conn:
        done = conn.execute(delete(workspaces).where(
            workspaces.c.id == int(workspace_id),
            workspaces.c.owner == _owner(library_key))).rowcount
    if not done:
        raise _not_found()


# ---- autosave --------------------------------------------------------------------------------
def _session(session_key: str) -> str:
    if not isinstance(session_key, str) or len(session_key) < _MIN_SESSION_KEY:
        raise StoreError("An autosave needs a random session key of at least 16 characters.")
    return token_hash(session_key)


def autosave(session_key: str, content: bytes, *, store: Store | None = None) -> bool:
    """Keep `content` (a .ccw file) as this session's autosave; False when it was unchanged.

    One slot per session: each call replaces the previous autosave. Cheap when nothing
    changed (one indexed read, no write).
    """
    store = store or get_store()
    session, content = _session(session_key), _check_content(content)
    digest = hashlib.sha256(content).hexdigest()
    with store.read() as conn:
        current = conn.execute(select(autosaves.c.content_hash)
                               .where(autosaves.c.session == session)).scalar()
    if current == digest:
        return False
    values = {"content": content, "content_hash": digest, "size": len(content),
              "updated_at": time.time()}
    with store.write() as conn:
        conn.execute(store.insert(autosaves).values(session=session, **values)
                     .on_conflict_do_update(index_elements=["session"], set_=values))
    return True


def restore_autosave(session_key: str, *, store: Store | None = None) -> bytes | None:
    """This session's last autosave (a .ccw file), or None when there is none."""
    store = store or get_store()
    with store.read() as conn:
        content = conn.execute(select(autosaves.c.content)
                               .where(autosaves.c.session == _session(session_key))).scalar()
    return None if content is None else bytes(content)


def clear_autosave(session_key: str, *, store: Store | None = None) -> None:
    store = store or get_store()
    with store.write() as conn:
        conn.execute(delete(autosaves).where(autosaves.c.session == _session(session_key)))


def purge_autosaves(older_than_days: float = AUTOSAVE_KEEP_DAYS, *,
                    store: Store | None = None) -> int:
    """Delete autosaves nobody has touched for `older_than_days`; returns how many."""
    store = store or get_store()
    cutoff = time.time() - older_than_days * 86400
    with store.write() as conn:
        return conn.execute(delete(autosaves).where(autosaves.c.updated_at < cutoff)).rowcount
