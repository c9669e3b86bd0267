"""A learner's progress in this session: exercises tried and solved, hints and reveals used,
practice score by rung. A plain dataclass the Learn page keeps in its page state.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MAX_SEEN = 5000   # fingerprints kept to avoid repeating a practice question in one session
TICKS = {"done": "✓", "started": "◐", "new": "○"}


@dataclass
class ExerciseRecord:
    """What happened on one exercise: attempts, whether it was solved, and the help used."""

    attempts: int = 0
    solved: bool = False
    solved_first_try: bool = False
    hints: int = 0
    revealed: bool = False

    @property
    def status(self) -> str:
        if self.solved:
            return "solved"
        return "tried" if self.attempts or self.revealed else "new"


@dataclass
class RungScore:
    answered: int = 0
    correct: int = 0


@dataclass
class Progress:
    """Progress per lesson (slug → exercise id → record) and in the practice generator."""

    lessons: dict[str, dict[str, ExerciseRecord]] = field(default_factory=dict)
    exercise_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)   # seen on screen
    practice: dict[str, RungScore] = field(default_factory=dict)
    streak: int = 0
    best_streak: int = 0
    seen: list[str] = field(default_factory=list)

    def register(self, lesson: str, exercises: Iterable[str]) -> None:
        """Remember which exercises a lesson has (known once it has been opened)."""
        self.exercise_ids[lesson] = tuple(exercises)

    def record(self, lesson: str, exercise: str) -> ExerciseRecord:
        return self.lessons.setdefault(lesson, {}).setdefault(exercise, ExerciseRecord())

    def attempt(self, lesson: str, exercise: str, correct: bool) -> ExerciseRecord:
        """Count one checked answer; the first correct one marks the exercise solved."""
        rec = self.record(lesson, exercise)
        rec.attempts += 1
        if correct and not rec.solved:
            rec.solved = True
            rec.solved_first_try = rec.attempts == 1 and not rec.revealed and not rec.hints
        return rec

    def hint(self, lesson: str, exercise: str) -> int:
        rec = self.record(lesson, exercise)
        rec.hints += 1
        return rec.hints

    def reveal(self, lesson: str, exercise: str) -> None:
        self.record(lesson, exercise).revealed = True

    def solved(self, lesson: str, exercises: Iterable[str]) -> int:
        recs = self.lessons.get(lesson, {})
        return sum(1 for e in exercises if e in recs and recs[e].solved)

    def lesson_status(self, lesson: str, exercises: Iterable[str] | None = None) -> str:
        """'done' (every exercise solved), 'started' or 'new'."""
        ids = list(self.exercise_ids.get(lesson, ()) if exercises is None else exercises)
        recs = self.lessons.get(lesson, {})
        if ids and all(e in recs and recs[e].solved for e in ids):
            return "done"
        return "started" if any(r.status != "new" for r in recs.values()) else "new"

    def practice_answer(self, rung: str, correct: bool, fingerprint: str | None = None) -> None:
        """Score one practice answer (only the first answer to a question should be scored)."""
        score = self.practice.setdefault(rung, RungScore())
        score.answered += 1
        score.correct += int(correct)
        self.streak = self.streak + 1 if correct else 0
        self.best_streak = max(self.best_streak, self.streak)
        if fingerprint:
            self.mark_seen(fingerprint)

    def mark_seen(self, fingerprint: str) -> None:
        if fingerprint not in self.seen:
            self.seen.append(fingerprint)
            del self.seen[:-MAX_SEEN]

    def has_seen(self, fingerprint: str) -> bool:
        return fingerprint in self.seen

    @property
    def practice_answered(self) -> int:
        return sum(s.answered for s in self.practice.values())

    @property
    def practice_correct(self) -> int:
        return sum(s.correct for s in self.practice.values())

    def summary(self, lessons: Mapping[str, tuple[int, bool]]) -> str:
        """One line for the page: lessons done and a tick per lesson (slug → (number, broken))."""
        ticks = {slug: "!" if broken else TICKS[self.lesson_status(slug)]
                 for slug, (_, broken) in lessons.items()}
        done = sum(t == TICKS["done"] for t in ticks.values())
        return (f"Your progress: {done} of {len(ticks)} lessons done — "
                + "  ".join(f"{t} {lessons[s][0]}" for s, t in ticks.items())
                + f"  ·  practice {self.practice_correct}/{self.practice_answered} right first "
                  "time  (✓ done, ◐ started, ○ not started)")

    def rows(self, titles: dict[str, str] | None = None) -> list[dict]:
        """One row per exercise tried, then one per practice rung (for a CSV download)."""
        titles = titles or {}
        out = []
        for slug, recs in self.lessons.items():
            for ex, r in recs.items():
                out.append({"lesson": titles.get(slug, slug), "exercise": ex,
                            "status": r.status, "attempts": r.attempts,
                            "first_try": r.solved_first_try, "hints": r.hints,
                            "revealed": r.revealed})
        for rung, s in self.practice.items():
            out.append({"lesson": "Practice", "exercise": rung, "status": f"{s.correct} correct",
                        "attempts": s.answered, "first_try": None, "hints": None,
                        "revealed": None})
        return out


__all__ = ["ExerciseRecord", "Progress", "RungScore"]
