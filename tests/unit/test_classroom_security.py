"""Join codes, teacher keys, display names and the join rate limit (pure logic)."""
from __future__ import annotations

import math

import pytest

from app.classroom.access import (
    CODE_ALPHABET,
    JOIN_FAILURES_PER_IP,
    TokenBucket,
    clean_display_name,
    clean_title,
    format_code,
    hash_key,
    new_join_code,
    new_teacher_key,
    normalise_join_code,
    submission_key,
    verify_key,
)
from app.errors import ClassroomError


def test_join_codes_carry_40_bits_from_an_unambiguous_alphabet():
    assert len(CODE_ALPHABET) == 32 and not set("ILOU") & set(CODE_ALPHABET)
    assert 8 * math.log2(len(CODE_ALPHABET)) == 40
    codes = {new_join_code() for _ in range(2000)}
    assert len(codes) == 2000                                 # no collisions in 2,000 draws
    assert all(len(c) == 8 and set(c) <= set(CODE_ALPHABET) for c in codes)
    # every symbol shows up: the generator is not stuck on part of the alphabet
    assert set("".join(codes)) == set(CODE_ALPHABET)


def test_typed_codes_are_forgiving_about_case_dashes_and_look_alikes():
    assert normalise_join_code(" abcd-efgh ") == "ABCDEFGH"
    assert normalise_join_code("O1IL 2345") == "01112345"     # O→0, I/L→1
    assert format_code("ABCDEFGH") == "ABCD-EFGH"
    for bad in ("ABC", "ABCDEFGHJ", "ABCD-EFG!", "", None):
        with pytest.raises(ClassroomError):
            normalise_join_code(bad)


def test_teacher_key_is_stored_as_salted_hash_and_checked_in_constant_time():
    key = new_teacher_key()
    assert len(key.replace("-", "")) == 20
    salted = hash_key(key, "salt-a")
    assert salted != hash_key(key, "salt-b")                 # the salt matters
    assert key.replace("-", "") not in salted
    assert verify_key(key, "salt-a", salted)
    assert verify_key(key.lower().replace("-", " "), "salt-a", salted)   # as typed
    assert not verify_key(new_teacher_key(), "salt-a", salted)
    assert not verify_key("not a key", "salt-a", salted)
    assert not verify_key(None, "salt-a", salted)


@pytest.mark.parametrize("name,shown", [
    ("  Ada   Lovelace ", "Ada Lovelace"), ("Zoë", "Zoë"), ("O'Neil-Smith Jr.", "O'Neil-Smith Jr."),
    ("李小龙", "李小龙"), ("student_7", "student_7"), ("tab\there", "tab here"),
])
def test_display_names_are_tidied(name, shown):
    assert clean_display_name(name)[0] == shown


@pytest.mark.parametrize("name", [
    "<script>alert(1)</script>", "**bold**", "[x](javascript:alert(1))", "a\u202eb",
    "", "   ", "x" * 31, "---", "😀",
])
def test_display_names_with_markup_or_control_characters_are_refused(name):
    with pytest.raises(ClassroomError):
        clean_display_name(name)


def test_display_names_collide_ignoring_case_and_width():
    assert clean_display_name("ADA")[1] == clean_display_name("ada")[1]
    assert clean_display_name("ＡＤＡ")[1] == clean_display_name("Ada")[1]   # full-width forms


def test_class_titles_are_validated():
    assert clean_title("  Week  3 ") == "Week 3"
    with pytest.raises(ClassroomError):
        clean_title("")
    with pytest.raises(ClassroomError):
        clean_title("x" * 121)


def test_submission_keys_repeat_for_a_retry_and_change_for_a_new_attempt():
    a = submission_key("tok", 3, 0, "{Z}")
    assert a == submission_key("tok", 3, 0, "{Z}")
    assert a != submission_key("tok", 3, 1, "{Z}")            # same answer, later attempt
    assert a != submission_key("tok", 4, 0, "{Z}")
    assert a != submission_key("other", 3, 0, "{Z}")


def test_token_bucket_allows_a_burst_then_refills_at_its_rate():
    bucket = TokenBucket(capacity=3, per_second=0.5)
    tokens, at = None, None
    results = []
    for _ in range(4):                                         # four attempts at t=0
        ok, tokens = bucket.take(tokens, at, 0.0)
        at = 0.0
        results.append(ok)
    assert results == [True, True, True, False]
    assert bucket.wait_seconds(tokens) == pytest.approx(2.0)   # one token per 2 s
    ok, tokens = bucket.take(tokens, at, 1.9)
    assert not ok
    ok, tokens = bucket.take(tokens, 1.9, 2.0)
    assert ok
    ok, _ = bucket.take(0.0, 0.0, 10_000.0)
    assert ok                                                  # refills, capped at capacity


def test_ip_limit_makes_guessing_a_code_hopeless():
    # One address guessing for a year against 1,000 live classes: 2**40 codes.
    guesses = JOIN_FAILURES_PER_IP.capacity + 365 * 86400 * JOIN_FAILURES_PER_IP.per_second
    assert guesses * 1000 / 2**40 < 0.01
