"""Read lessons from content folders: lesson.md (front matter + Markdown), checker.py, teacher.md.

A lesson is a folder `<nn>_<slug>/` under app/lessons/content/ (or under a folder named in the
CAUSAL_CANVAS_LESSONS environment variable, so a teacher can add lessons without touching the
app). Anything wrong in a lesson's files becomes a LessonError that says which file, which line
and what to fix; the other lessons keep working. See app/lessons/content/README.md.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import re
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from app import settings
from app.errors import CausalCanvasError, LessonError
from app.exercises.model import KINDS, Exercise, format_number
from app.graph import CausalGraph

CONTENT_DIR = Path(__file__).resolve().parent / "content"
ENV_VAR = settings.ENV_LESSONS
FOLDER = re.compile(r"^(\d{1,3})_[a-z0-9][a-z0-9_]*$")
SECTION = re.compile(r"^##\s+(exercise|after)\s*:\s*([A-Za-z0-9_-]+)\s*$", re.IGNORECASE)
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\s*\}\}")
EXHIBIT_LINE = re.compile(r"^\s*\{\{\s*exhibit\s*:\s*([A-Za-z0-9_-]+)\s*\}\}\s*$")
EXERCISE_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
# front-matter key -> (type, required)
FIELDS: dict[str, tuple[type, bool]] = {
    "title": (str, True), "summary": (str, True), "sample": (str, False), "graph": (str, False),
    "minutes": (int, False), "goals": (list, False), "generated": (bool, False),
    "difficulty": (int, False),
}
MAX_FILE_BYTES = settings.MAX_LESSON_FILE_BYTES
SANDBOXED = False   # True inside the child process that tries a lesson first (app.lessons.sandbox)
DEFAULT_DIFFICULTY = 2
# Content code may fail in any way; SystemExit and KeyboardInterrupt too (sys.exit in a
# checker must not stop the server's script thread). GeneratorExit is left alone.
_CONTENT_FAILURES = (Exception, SystemExit, KeyboardInterrupt)


@dataclass(frozen=True)
class LessonInfo:
    """A lesson as listed in the picker; `error` is set when its files cannot be read."""

    slug: str
    number: int
    title: str
    summary: str = ""
    minutes: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Exhibit:
    """A table (DataFrame), chart (Altair) or Markdown text placed in a lesson with
    {{exhibit:name}} on a line of its own."""

    content: Any
    caption: str = ""


@dataclass(frozen=True)
class LessonContext:
    """What a checker module gets: the seed (generated lessons change it for a new exercise),
    the difficulty, and the lesson's sample and graph."""

    slug: str
    seed: int = 0
    difficulty: int = DEFAULT_DIFFICULTY
    sample_name: str | None = None
    graph_text: str | None = None

    def rng(self):
        """A fresh numpy Generator for this seed (same seed, same exercise)."""
        import numpy as np

        return np.random.default_rng(self.seed)

    @property
    def sample(self):
        if not self.sample_name:
            raise LessonError(f"Lesson '{self.slug}' uses a sample but names none.",
                              hint="Add `sample: <name>` to the front matter of lesson.md.")
        from app.samples import load_sample

        return load_sample(self.sample_name)

    @property
    def data(self):
        return self.sample.data

    @property
    def graph(self) -> CausalGraph:
        if self.graph_text:
            from app.io import parse_graph

            return parse_graph(self.graph_text)
        return self.sample.graph


@dataclass(frozen=True, eq=False)
class Lesson:
    """A lesson's parsed files; `build()` runs its checker into a ready-to-show LessonRun."""

    slug: str
    number: int
    title: str
    summary: str
    folder: Path
    intro: str
    sections: Mapping[str, str]
    after: Mapping[str, str]
    teacher_notes: str
    module: ModuleType = field(repr=False)
    sample: str | None = None
    graph_text: str | None = None
    minutes: int | None = None
    goals: tuple[str, ...] = ()
    generated: bool = False
    difficulty: int = DEFAULT_DIFFICULTY

    def info(self) -> LessonInfo:
        return LessonInfo(self.slug, self.number, self.title, self.summary, self.minutes)

    def build(self, seed: int = 0, difficulty: int | None = None) -> LessonRun:
        """Compute facts, exhibits, graph and exercises (checker.py) and fill in the text."""
        return _build(self, seed, self.difficulty if difficulty is None else difficulty)


@dataclass(frozen=True, eq=False)
class LessonRun:
    """A lesson ready to show: text with numbers filled in, graph, exhibits and exercises."""

    lesson: Lesson
    seed: int
    difficulty: int
    facts: Mapping[str, Any]
    graph: CausalGraph | None
    edge_labels: Mapping[tuple[str, str], str]
    exhibits: Mapping[str, Exhibit]
    exercises: tuple[Exercise, ...]
    intro: str
    sections: Mapping[str, str]
    after: Mapping[str, str]

    def exercise(self, exercise_id: str) -> Exercise:
        for e in self.exercises:
            if e.id == exercise_id:
                return e
        raise LessonError(f"Lesson '{self.lesson.slug}' has no exercise '{exercise_id}'.")

    def parts(self, text: str) -> list[str | Exhibit]:
        """Split text at {{exhibit:name}} lines into Markdown strings and exhibits, in order."""
        out: list[str | Exhibit] = []
        chunk: list[str] = []
        for line in text.splitlines():
            m = EXHIBIT_LINE.match(line)
            if m:
                if "\n".join(chunk).strip():
                    out.append("\n".join(chunk).strip("\n"))
                chunk = []
                out.append(self.exhibits[m.group(1)])
            else:
                chunk.append(line)
        if "\n".join(chunk).strip():
            out.append("\n".join(chunk).strip("\n"))
        return out


# ---- finding lessons -----------------------------------------------------------------------
def lesson_roots() -> list[Path]:
    """The built-in content folder, then any folders listed in CAUSAL_CANVAS_LESSONS."""
    extra = [Path(p).expanduser() for p in settings.env(ENV_VAR).split(os.pathsep) if p.strip()]
    return [CONTENT_DIR, *extra]


def _lesson_folders() -> tuple[dict[str, Path], list[LessonInfo]]:
    """slug → folder (a later root overrides an earlier one) and problems found while looking."""
    found: dict[str, Path] = {}
    problems: list[LessonInfo] = []
    for root in lesson_roots():
        if not root.is_dir():
            problems.append(LessonInfo(root.name or str(root), 999, str(root),
                                       error=f"The lesson folder {root} does not exist. Check the "
                                             f"{ENV_VAR} setting."))
            continue
        for d in sorted(root.iterdir()):
            if not d.is_dir() or d.name.startswith((".", "_")):
                continue
            if not FOLDER.match(d.name):
                if (d / "lesson.md").exists():
                    problems.append(LessonInfo(d.name, 999, d.name, error=(
                        f"The lesson folder '{d.name}' needs a name like '09_my_lesson' (a "
                        "number, an underscore, then lower-case letters, digits or _).")))
                continue
            found[d.name] = d
    return found, problems


def list_lessons() -> list[LessonInfo]:
    """Every lesson in order of its number; broken ones are listed with their error message."""
    folders, problems = _lesson_folders()
    out = list(problems)
    for slug, folder in folders.items():
        try:
            out.append(_load(folder, _signature(folder)).info())
        except LessonError as err:
            out.append(LessonInfo(slug, _number(slug), slug.split("_", 1)[1].replace("_", " "),
                                  error=err.user_message()))
    return sorted(out, key=lambda i: (i.number, i.slug))


def load_lesson(slug: str) -> Lesson:
    """Read one lesson's files (no checker code is run beyond importing it)."""
    folders, _ = _lesson_folders()
    folder = folders.get(slug)
    if folder is None:
        raise LessonError(f"There is no lesson called '{slug}'.",
                          hint="Pick a lesson from the list.")
    return _load(folder, _signature(folder))


def _number(slug: str) -> int:
    return int(slug.split("_", 1)[0])


def _signature(folder: Path) -> tuple:
    """Changes whenever a lesson file changes, so edited lessons are re-read."""
    sig = []
    for name in ("lesson.md", "checker.py", "teacher.md"):
        p = folder / name
        try:
            st = p.stat()
            sig.append((name, st.st_mtime_ns, st.st_size))
        except OSError:
            sig.append((name, None, None))
    return tuple(sig)


# ---- reading the files ---------------------------------------------------------------------
def _read(folder: Path, name: str, required: bool = True) -> str:
    path = folder / name
    if not path.exists():
        if required:
            raise LessonError(f"Lesson '{folder.name}' has no {name}.",
                              hint=f"Add {name} to the folder {folder}.")
        return ""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise LessonError(f"Lesson '{folder.name}': {name} is larger than "
                          f"{MAX_FILE_BYTES // 1000} kB.", hint="Split it into two lessons.")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise LessonError(f"Lesson '{folder.name}': {name} is not UTF-8 text.",
                          hint="Save the file as UTF-8 in your editor.") from None


@functools.lru_cache(maxsize=1)
def _yaml_loader() -> type:
    """A safe YAML loader without aliases (no 'billion laughs') and with a nesting limit."""
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise yaml.composer.ComposerError(
                    None, None, "anchors and aliases (& and *) are not allowed",
                    event.start_mark)
            self.depth += 1
            if self.depth > settings.MAX_YAML_NESTING:
                raise yaml.composer.ComposerError(
                    None, None, f"lists and fields nest more than {settings.MAX_YAML_NESTING} "
                    "deep", event.start_mark)
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return NoAliasLoader


def _safe_yaml(text: str) -> Any:
    """The YAML document in `text`, read with the safe, alias-free loader above."""
    loader = _yaml_loader()(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _short(value: Any) -> str:
    """A front-matter value for a message: its repr, cut short."""
    text = repr(value) if isinstance(value, (str, int, float, bool)) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "…"


def parse_front_matter(text: str, where: str = "lesson.md") -> tuple[dict[str, Any], str, int]:
    """(fields, body, line where the body starts) from '---' YAML front matter + Markdown."""
    import yaml

    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise LessonError(f"{where} must start with a front-matter block: a line '---', lines "
                          "like 'title: …' and 'summary: …', then another '---'.")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise LessonError(f"{where}: the front matter that starts on line 1 is never closed.",
                          hint="Add a line '---' after the last front-matter field.") from None
    try:
        doc = _safe_yaml("\n".join(lines[1:end])) or {}
    except (ValueError, RecursionError, OverflowError) as err:   # e.g. a 5,000-digit number
        raise LessonError(f"{where}: the front matter holds a value that cannot be read "
                          f"({str(err).split(':')[0][:80]}).",
                          hint="Use ordinary numbers (like 20) and short text.") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" line {mark.line + 2}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise LessonError(f"{where}{line}: the front matter is not valid ({problem}).",
                          hint="Each field is 'name: value' on its own line; put text with a "
                               "colon in quotes.") from None
    if not isinstance(doc, dict):
        raise LessonError(f"{where}: the front matter must be 'name: value' lines.")
    unknown = sorted(set(map(str, doc)) - set(FIELDS))
    if unknown:
        raise LessonError(f"{where}: unknown front-matter field '{unknown[0]}'.",
                          hint="Allowed fields: " + ", ".join(FIELDS) + ".")
    for key, (typ, required) in FIELDS.items():
        if key not in doc or doc[key] is None:
            if required:
                raise LessonError(f"{where}: the front matter needs a '{key}' field.")
            doc.pop(key, None)
            continue
        if typ is int and isinstance(doc[key], bool) or not isinstance(doc[key], typ):
            raise LessonError(f"{where}: '{key}' must be {typ.__name__} "
                              f"({'a number' if typ is int else 'true or false' if typ is bool else 'a list' if typ is list else 'text'}), "
                              f"not {_short(doc[key])}.")
    if not 1 <= doc.get("minutes", 1) <= settings.MAX_LESSON_MINUTES:
        raise LessonError(f"{where}: 'minutes' must be between 1 and "
                          f"{settings.MAX_LESSON_MINUTES}, not {_short(doc['minutes'])}.")
    return doc, "\n".join(lines[end + 1:]), end + 2


def split_sections(body: str, where: str = "lesson.md") -> tuple[str, dict[str, str], dict[str, str]]:
    """Intro text, then '## Exercise: id' (shown above the exercise) and '## After: id' (shown
    once it is solved or revealed) sections."""
    intro: list[str] = []
    sections: dict[str, str] = {}
    after: dict[str, str] = {}
    current, buf = None, intro
    for line in body.splitlines():
        m = SECTION.match(line.strip())
        if m:
            if current is not None:
                current[1][current[0]] = "\n".join(buf).strip("\n")
            target = sections if m.group(1).lower() == "exercise" else after
            if m.group(2) in target:
                raise LessonError(f"{where}: two '## {m.group(1).title()}: {m.group(2)}' sections.")
            current, buf = (m.group(2), target), []
            continue
        buf.append(line)
    if current is not None:
        current[1][current[0]] = "\n".join(buf).strip("\n")
    return "\n".join(intro).strip("\n"), sections, after


def _import_checker(folder: Path) -> ModuleType:
    path = folder / "checker.py"
    if not path.exists():
        raise LessonError(f"Lesson '{folder.name}' has no checker.py.",
                          hint="Every lesson needs a checker.py with an exercises(ctx) function "
                               "(see app/lessons/content/README.md).")
    name = f"causal_canvas_lesson_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        raise LessonError(f"Lesson '{folder.name}': checker.py line {err.lineno}: {err.msg}.",
                          hint="Fix the Python syntax in checker.py; the other lessons still "
                               "work.") from None
    except _CONTENT_FAILURES as err:  # noqa: BLE001 - any failure in content code becomes a LessonError
        raise _content_error(folder, "checker.py (while loading)", err, path) from None
    if not callable(getattr(module, "exercises", None)):
        raise LessonError(f"Lesson '{folder.name}': checker.py has no exercises(ctx) function.",
                          hint="Define `def exercises(ctx): return [...]` returning the lesson's "
                               "exercises.")
    sys.modules.pop(name, None)
    return module


def _content_error(folder: Path, what: str, err: BaseException, path: Path | None = None
                   ) -> LessonError:
    """A LessonError naming the checker's line that failed (not the app's internals)."""
    path = path or folder / "checker.py"
    line = ""
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        if Path(frame.filename).resolve() == path.resolve():
            line = f" (checker.py line {frame.lineno})"
            break
    if isinstance(err, CausalCanvasError):
        detail = err.user_message()
    elif isinstance(err, (SystemExit, KeyboardInterrupt)):
        detail = (f"it tried to stop the program ({type(err).__name__}); a checker must return "
                  "or raise an ordinary error instead")
    elif isinstance(err, MemoryError):
        detail = "it ran out of memory (MemoryError)"
    else:
        detail = f"{type(err).__name__}: {str(err)[:300]}"
    return LessonError(f"Lesson '{folder.name}': {what} failed{line}: {detail}",
                       hint="Fix the lesson's checker.py; the other lessons still work.")


@functools.lru_cache(maxsize=128)
def _load(folder: Path, signature: tuple) -> Lesson:
    slug = folder.name
    text = _read(folder, "lesson.md")
    meta, body, _ = parse_front_matter(text, f"Lesson '{slug}': lesson.md")
    intro, sections, after = split_sections(body, f"Lesson '{slug}': lesson.md")
    if meta.get("sample"):
        from app.samples import list_samples

        names = [s.name for s in list_samples()]
        if meta["sample"] not in names:
            raise LessonError(f"Lesson '{slug}': lesson.md names an unknown sample "
                              f"'{meta['sample']}'.", hint="Samples: " + ", ".join(names) + ".")
    if meta.get("graph"):
        from app.io import parse_graph

        try:
            parse_graph(meta["graph"])
        except CausalCanvasError as err:
            raise LessonError(f"Lesson '{slug}': the graph in lesson.md cannot be read: "
                              f"{err.user_message()}") from None
    difficulty = int(meta.get("difficulty", DEFAULT_DIFFICULTY))
    if not 1 <= difficulty <= 5:
        raise LessonError(f"Lesson '{slug}': difficulty must be between 1 and 5.")
    _try_first(folder, 0, difficulty, build=False)
    return Lesson(
        slug=slug, number=_number(slug), title=meta["title"].strip(),
        summary=meta["summary"].strip(), folder=folder, intro=intro, sections=sections,
        after=after, teacher_notes=_read(folder, "teacher.md", required=False).strip(),
        module=_import_checker(folder), sample=meta.get("sample"), graph_text=meta.get("graph"),
        minutes=meta.get("minutes"), goals=tuple(str(g) for g in meta.get("goals", ())),
        generated=bool(meta.get("generated", False)), difficulty=difficulty)


# ---- building a lesson -----------------------------------------------------------------------
def _call(lesson: Lesson, name: str, ctx: LessonContext, default: Callable[[], Any]) -> Any:
    fn = getattr(lesson.module, name, None)
    if fn is None:
        return default()
    try:
        return fn(ctx)
    except _CONTENT_FAILURES as err:  # noqa: BLE001 - content code: report which function and line
        raise _content_error(lesson.folder, f"{name}()", err) from None


_SPEC_NUMBER = re.compile(r"\d+")


def _check_spec(spec: str, key: str, where: str) -> None:
    """Refuse a format spec whose width or precision passes MAX_FORMAT_WIDTH (memory bomb)."""
    limit = settings.MAX_FORMAT_WIDTH
    for digits in _SPEC_NUMBER.findall(spec):
        if len(digits) > len(str(limit)) or int(digits) > limit:
            raise LessonError(f"{where}: the format ':{spec[:30]}' for '{key}' asks for "
                              f"{digits[:12]}{'…' if len(digits) > 12 else ''} characters; "
                              f"widths and precisions go up to {limit}.",
                              hint="Use a Python format such as .2f, .1% or >8.")


def render(text: str, facts: Mapping[str, Any], where: str) -> str:
    """Fill {{name}} and {{name:format}} with facts (floats written as a student would)."""
    def sub(m: re.Match) -> str:
        key, spec = m.group(1), m.group(2)
        if key == "exhibit":
            return m.group(0)
        if key not in facts:
            known = ", ".join(sorted(facts)) or "none"
            raise LessonError(f"{where} uses {{{{{key}}}}} but facts() gives no '{key}'.",
                              hint=f"Known facts: {known}.")
        value = facts[key]
        if spec:
            _check_spec(spec, key, where)
            try:
                return format(value, spec.strip())
            except (ValueError, TypeError):
                raise LessonError(f"{where}: cannot format '{key}' with ':{spec}'.",
                                  hint="Use a Python format such as .2f, .1% or d.") from None
        return format_number(value) if isinstance(value, float) else str(value)
    return PLACEHOLDER.sub(sub, text)


def _declared_format(check: Any) -> bool:
    """True when an exercise's grader is one of the app's answer formats (app code, not content).

    Students' answers are graded on every click, in the server's process: only the app's own
    checkers (built from declared answers and graphs) may do that. See docs/decisions.md.
    """
    module = getattr(check, "__module__", None) or ""
    return module == "app" or module.startswith("app.")


def _validate(lesson: Lesson, exercises: Any) -> tuple[Exercise, ...]:
    where = f"Lesson '{lesson.slug}': exercises()"
    if not isinstance(exercises, (list, tuple)) or not exercises:
        raise LessonError(f"{where} must return a non-empty list of exercises.")
    seen: set[str] = set()
    for ex in exercises:
        if not isinstance(ex, Exercise):
            raise LessonError(f"{where} returned {type(ex).__name__}, not an Exercise.",
                              hint="Build exercises with app.lessons.checkers (e.g. "
                                   "number_exercise, adjustment_exercise).")
        if not EXERCISE_ID.match(ex.id) or ex.id in seen:
            raise LessonError(f"{where}: exercise id '{ex.id}' is "
                              + ("used twice." if ex.id in seen else "not a short plain name."))
        seen.add(ex.id)
        if ex.kind not in KINDS:
            raise LessonError(f"{where}: exercise '{ex.id}' has unknown kind '{ex.kind}'.",
                              hint="Kinds: " + ", ".join(KINDS) + ".")
        if not _declared_format(ex.check):
            raise LessonError(f"{where}: exercise '{ex.id}' grades answers with its own code.",
                              hint="Build exercises with app.lessons.checkers (choice, number, "
                                   "adjustment, independence, paths, instrument, front-door): "
                                   "answers are graded by the app, never by lesson code.")
        if ex.kind != "number" and (not ex.options or len(set(ex.options)) != len(ex.options)):
            raise LessonError(f"{where}: exercise '{ex.id}' needs distinct options to choose from.")
        try:
            verdict = ex.check(ex.answer)
        except _CONTENT_FAILURES as err:  # noqa: BLE001
            raise _content_error(lesson.folder, f"checking exercise '{ex.id}'", err) from None
        if not verdict.correct:
            raise LessonError(f"{where}: exercise '{ex.id}' rejects its own answer "
                              f"({ex.answer_text()}): {verdict.message}",
                              hint="Fix the exercise's answer or its checker.")
    for target, kind in ((lesson.sections, "Exercise"), (lesson.after, "After")):
        for key in target:
            if key not in seen:
                raise LessonError(f"Lesson '{lesson.slug}': lesson.md has a '## {kind}: {key}' "
                                  "section but no exercise with that id.",
                                  hint="Exercise ids: " + ", ".join(sorted(seen)) + ".")
    return tuple(exercises)


def _try_first(folder: Path, seed: int, difficulty: int, build: bool = True) -> None:
    """Run an added lesson's code in a limited child process before this process runs it."""
    if SANDBOXED or folder.resolve().is_relative_to(CONTENT_DIR):
        return   # the built-in lessons are part of the app and tested with it
    problem = _trial(folder, _signature(folder), seed, difficulty, build)
    if problem:
        raise LessonError(problem[0], hint=problem[1])


@functools.lru_cache(maxsize=256)
def _trial(folder: Path, signature: tuple, seed: int, difficulty: int,
           build: bool) -> tuple[str, str | None] | None:
    """The trial's verdict, kept per file version: a lesson that fails its trial (say, after
    5 s) is not tried again on every page run; editing its files tries it again."""
    from app.lessons.sandbox import probe

    return probe(folder, seed, difficulty, build=build)


@functools.lru_cache(maxsize=64)
def _build(lesson: Lesson, seed: int, difficulty: int) -> LessonRun:
    _try_first(lesson.folder, seed, difficulty)
    ctx = LessonContext(lesson.slug, int(seed), int(difficulty), lesson.sample, lesson.graph_text)
    facts = dict(_call(lesson, "facts", ctx, dict) or {})
    raw = dict(_call(lesson, "exhibits", ctx, dict) or {})
    exhibits = {k: v if isinstance(v, Exhibit) else Exhibit(v) for k, v in raw.items()}
    graph = _call(lesson, "graph", ctx, lambda: ctx.graph if (lesson.sample or lesson.graph_text)
                  else None)
    if graph is not None and not isinstance(graph, CausalGraph):
        raise LessonError(f"Lesson '{lesson.slug}': graph() must return a CausalGraph.")
    labels = dict(_call(lesson, "edge_labels", ctx, dict) or {})
    exercises = _validate(lesson, _call(lesson, "exercises", ctx, list))
    where = f"Lesson '{lesson.slug}': lesson.md"
    intro = render(lesson.intro, facts, where)
    sections = {k: render(v, facts, where) for k, v in lesson.sections.items()}
    after = {k: render(v, facts, where) for k, v in lesson.after.items()}
    for text in (intro, *sections.values(), *after.values()):
        for line in text.splitlines():
            m = EXHIBIT_LINE.match(line)
            if m and m.group(1) not in exhibits:
                raise LessonError(f"{where} shows {{{{exhibit:{m.group(1)}}}}} but exhibits() "
                                  f"gives no '{m.group(1)}'.",
                                  hint="Exhibits: " + (", ".join(sorted(exhibits)) or "none") + ".")
    return LessonRun(lesson, int(seed), int(difficulty), facts, graph, labels, exhibits,
                     exercises, intro, sections, after)


def teacher_guide() -> str:
    """Every lesson's teacher notes in one Markdown document (to print or share with tutors)."""
    parts = ["# Causal Canvas — teacher's guide"]
    for info in list_lessons():
        if info.error is None:
            notes = load_lesson(info.slug).teacher_notes or "_No notes for this lesson yet._"
            parts.append(f"## {info.number}. {info.title}\n\n{info.summary}\n\n{notes}")
    return "\n\n".join(parts) + "\n"


def build_lesson(slug: str, seed: int = 0, difficulty: int | None = None) -> LessonRun:
    """Load and build a lesson in one step (cached by its files' content, seed and difficulty)."""
    return load_lesson(slug).build(seed, difficulty)


__all__ = ["CONTENT_DIR", "ENV_VAR", "Exhibit", "Lesson", "LessonContext", "LessonInfo",
           "LessonRun", "build_lesson", "list_lessons", "lesson_roots", "load_lesson",
           "parse_front_matter", "render", "split_sections", "teacher_guide"]
