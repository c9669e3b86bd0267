"""Reading a student's answer: the one normaliser behind Learn, Practice and the classroom.

Widgets send option texts, lists of options or numbers; a typed answer or an API call may send
text. Both are read here, so '3/4', '−0.5' (Unicode minus), '= 1.9', '83%', '1,5', '{A, B}',
'A,B', 'none' and 'yes' mean the same wherever they are typed. Unreadable input raises
AnswerFormatError (it is not counted as a wrong answer).
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.exercises.model import Exercise

NO_SET = "No valid set exists"
# typed words for the empty set ("adjust for nothing"; "no path is open")
EMPTY_WORDS = frozenset({"none", "nothing", "∅", "empty", "empty set", "the empty set",
                         "no variables", "adjust for nothing", "no path", "no paths"})
NO_SET_WORDS = frozenset({NO_SET.casefold(), "no valid set", "no valid adjustment set",
                          "no valid adjustment set exists", "no set works", "impossible"})
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-"})
MAX_ANSWER_CHARS = 2000


class AnswerFormatError(ValueError):
    """An answer that cannot be read (e.g. 'abc' for a number, a variable not on offer)."""


def _clean(text: Any) -> str:
    """NFKC (full-width digits and letters), dashes unified, spaces collapsed."""
    s = unicodedata.normalize("NFKC", str(text))[:MAX_ANSWER_CHARS]
    return " ".join(s.translate(_DASHES).split())


def parse_number(text: object) -> float:
    """A typed number: '0.83', '83%', '3/4', '-1,5', '= 1.9', '−2' (Unicode minus), '1e-2'."""
    if isinstance(text, bool):
        raise AnswerFormatError("Type a number.")
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        s = _clean(text or "").replace(" ", "").lstrip("=≈~")
        if not s:
            raise AnswerFormatError("Type a number first.")
        percent = s.endswith("%")
        s = s.rstrip("%")
        if "," in s and "." not in s:
            s = s.replace(",", ".")
        try:
            if "/" in s:
                num, _, den = s.partition("/")
                if not (_NUMBER.match(num) and _NUMBER.match(den)):
                    raise ValueError
                value = float(Fraction(num) / Fraction(den))
            elif _NUMBER.match(s):
                value = float(s)
            else:
                raise ValueError
        except (ValueError, ZeroDivisionError, OverflowError):
            raise AnswerFormatError(
                f"Could not read '{str(text)[:40]}' as a number. Write it like 0.83, 83%, 3/4 "
                "or -1.5.") from None
        if percent:
            value /= 100.0
    if not math.isfinite(value):
        raise AnswerFormatError("Type a finite number.")
    return value


def _option(item: Any, options: Iterable[str]) -> str:
    """The option `item` names: exactly, or ignoring case and dashes when that is unambiguous."""
    options = tuple(options)
    if isinstance(item, str) and item in options:
        return item
    key = _clean(item).casefold()
    found = [o for o in options if _clean(o).casefold() == key]
    if len(found) == 1:
        return found[0]
    raise AnswerFormatError(f"'{str(item)[:40]}' is not one of the choices.")


def parse_set(raw: Any, options: Iterable[str]) -> frozenset[str]:
    """A set of options: a list from a widget, or text such as '{A, B}', 'A,B', 'none'."""
    options = tuple(options)
    if raw is None:
        return frozenset()
    if isinstance(raw, Mapping):              # the classroom's stored form
        if raw.get("none"):
            return frozenset({_option(NO_SET, options)})
        raw = raw.get("set", ())
    if isinstance(raw, str):
        text = _clean(raw)
        if text in options:
            items: list[Any] = [text]
        else:
            inner = text.strip("{}[]() ").strip()
            if not text:
                raise AnswerFormatError("Choose the variables (or type 'none' for none).")
            if not inner or inner.casefold() in EMPTY_WORDS:
                return frozenset()
            if inner.casefold() in NO_SET_WORDS:
                items = [NO_SET]
            else:
                items = [p.strip() for p in re.split(r"[,;]", inner) if p.strip()]
    elif isinstance(raw, (list, tuple, set, frozenset)):
        items = list(raw)
    else:
        raise AnswerFormatError("Choose from the list (or type the names, separated by commas).")
    return frozenset(_option(i, options) for i in items)


def parse_choice(raw: Any, options: Iterable[str], aliases: Mapping[Any, str] | None = None
                 ) -> str:
    """One option: its text, or a word for it ('yes' for 'Yes: independent', '−' for '-')."""
    aliases = dict(aliases or {})
    if isinstance(raw, bool):
        if raw in aliases:
            return aliases[raw]
        raise AnswerFormatError("Pick one of the choices.")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise AnswerFormatError("Pick one of the choices first.")
    try:
        return _option(raw, options)
    except AnswerFormatError:
        key = _clean(raw).casefold()
        for word, option in aliases.items():
            if isinstance(word, str) and _clean(word).casefold() == key:
                return option
        raise


def normalise_answer(exercise: Exercise, raw: Any) -> Any:
    """The answer as the exercise's checker expects it: option text, frozenset of options, or
    float; AnswerFormatError when it cannot be read."""
    if exercise.kind == "number":
        return parse_number(raw)
    if exercise.kind == "multi":
        return parse_set(raw, exercise.options)
    return parse_choice(raw, exercise.options, exercise.aliases)


__all__ = ["NO_SET", "AnswerFormatError", "parse_number", "parse_set", "parse_choice",
           "normalise_answer"]
