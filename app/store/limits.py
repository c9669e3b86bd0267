"""Attempt limits in the database: one row per token bucket (app.classroom.access.TokenBucket).

Every change happens inside the caller's write transaction with the row locked (SELECT … FOR
UPDATE on PostgreSQL; SQLite's write lock is already exclusive), so concurrent attempts are
counted one after another and a limit of 30 lets exactly 30 through, on any number of app
processes. Callers lock buckets in one fixed order (browser, guesses, address, class), so two
attempts never wait on each other in a cycle.
"""
from __future__ import annotations

from sqlalchemy import Connection, delete, select, update

from app.classroom.access import TokenBucket
from app.store.engine import Store
from app.store.schema import rate_limits

IDLE_S = 86_400


def lock(conn: Connection, store: Store, bucket: str, policy: TokenBucket, now: float) -> float:
    """The bucket's level at `now`; its row stays locked until the transaction ends."""
    conn.execute(store.insert(rate_limits).values(bucket=bucket, tokens=policy.capacity,
                                                  updated_at=now)
                 .on_conflict_do_nothing(index_elements=["bucket"]))
    row = conn.execute(store.lock_for_update(
        select(rate_limits.c.tokens, rate_limits.c.updated_at)
        .where(rate_limits.c.bucket == bucket))).one()
    return policy.level(row.tokens, row.updated_at, now)


def save(conn: Connection, bucket: str, level: float, now: float) -> None:
    conn.execute(update(rate_limits).where(rate_limits.c.bucket == bucket)
                 .values(tokens=level, updated_at=now))


def spend(conn: Connection, store: Store, bucket: str, policy: TokenBucket,
          now: float) -> float | None:
    """Take one token: None when allowed, else the seconds to wait (the refusal is recorded,
    so with backoff the wait grows)."""
    allowed, left = policy.take(lock(conn, store, bucket, policy, now), now, now)
    save(conn, bucket, left, now)
    return None if allowed else policy.wait_seconds(left)


def peek(conn: Connection, buckets: dict[str, TokenBucket], now: float) -> float | None:
    """Without writing: None when every bucket has a token, else the longest wait."""
    rows = {r.bucket: r for r in conn.execute(
        select(rate_limits).where(rate_limits.c.bucket.in_(list(buckets))))}
    waits = [policy.wait_seconds(policy.level(rows[b].tokens if b in rows else None,
                                              rows[b].updated_at if b in rows else None, now))
             for b, policy in buckets.items()]
    worst = max(waits, default=0.0)
    return worst if worst > 0 else None


def forget_idle(conn: Connection, now: float) -> None:
    """Housekeeping: a bucket idle for a day is full again (or back within its backoff cap)."""
    conn.execute(delete(rate_limits).where(rate_limits.c.updated_at < now - IDLE_S))
