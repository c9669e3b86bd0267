"""The class's answers to one question, tallied: how many gave each answer, how many are right,
and the most common wrong answers (what the teacher's live chart shows)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class AnswerCount:
    """One bar of the distribution: an answer label, how many gave it, and whether it is right."""

    label: str
    count: int
    correct: bool
    feedback: str = ""


@dataclass(frozen=True)
class Summary:
    """The class's latest answers to one question, as counts."""

    total: int
    correct: int
    distribution: tuple[AnswerCount, ...] = ()
    common_wrong: tuple[AnswerCount, ...] = ()

    @property
    def correct_share(self) -> float | None:
        return self.correct / self.total if self.total else None

    def __str__(self) -> str:
        share = f"{self.correct_share:.0%}" if self.total else "–"
        return f"{self.total} answers, {self.correct} correct ({share})"


def summarise(answers: Iterable[tuple[str, bool] | tuple[str, bool, str]],
              top_wrong: int = 3) -> Summary:
    """Count (label, correct[, feedback]) answers, one per student, into a Summary."""
    counts: Counter = Counter()
    verdict: dict[str, tuple[bool, str]] = {}
    for item in answers:
        label, correct = item[0], bool(item[1])
        counts[label] += 1
        verdict.setdefault(label, (correct, item[2] if len(item) > 2 else ""))
    dist = tuple(AnswerCount(label, n, verdict[label][0], verdict[label][1])
                 for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    total = sum(counts.values())
    correct = sum(a.count for a in dist if a.correct)
    return Summary(total, correct, dist, tuple(a for a in dist if not a.correct)[:top_wrong])
