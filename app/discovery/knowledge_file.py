"""Read and write background knowledge in Tetrad's knowledge file format.

The format, as Tetrad reads it (SimpleDataLoader.loadKnowledge) and writes it
(DataWriter.saveKnowledge) in github.com/cmu-phil/tetrad; facts taken over, code written here:

    /knowledge
    addtemporal
    1 age sex
    2* smoking drinking        <- `*`: no edge between two members of this tier
    3- tar                     <- `-`: this tier causes only the next tier
    4 cancer

    forbiddirect
    cancer smoking

    requiredirect
    smoking tar

- the `/knowledge` header is optional; section names are case-insensitive; blank lines and lines
  starting with `//` (Tetrad's comment marker) are skipped;
- a tier line is its number (tiers are ordered by it; Tetrad writes 0, 1, 2 and its manual 1, 2,
  3: both read the same) followed by the names in it, separated by whitespace; a name with
  spaces is written in double quotes;
- `forbiddirect` / `requiredirect` lines are `from to`; `forbiddengroup` / `requiredgroup` are
  pairs of lines (the "from" names, then the "to" names) meaning every from → to edge.

Anything else is a ParseError with its line number. The text is budgeted (MAX_KNOWLEDGE_TEXT
characters, MAX_EDGES statements after group expansion, MAX_NODES names) before it is built.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from app.discovery.knowledge import Knowledge
from app.errors import CausalCanvasError, ParseError
from app.graph import show_name
from app.settings import MAX_EDGES, MAX_KNOWLEDGE_TEXT, MAX_NODES

SECTIONS = ("addtemporal", "forbiddirect", "requiredirect", "forbiddengroup", "requiredgroup")
_TIER = re.compile(r"(\d{1,6})(\*?)(-?)\Z")
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')


class KnowledgeFileError(ParseError):
    """A Tetrad knowledge file that cannot be read or written (`line` is 1-based, or None)."""

    title = "Could not read the knowledge file"

    def __init__(self, message: str, line: int | None = None, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.line = line
        if line is not None:
            self.message = f"Line {line}: {message}"
            self.args = (self.message,)


def _fail(message: str, line: int, hint: str | None = None) -> KnowledgeFileError:
    return KnowledgeFileError(message, line, hint=hint)


def _names(text: str, line: int) -> list[str]:
    out = []
    pos = 0
    for m in _TOKEN.finditer(text):
        between = text[pos:m.start()]
        if between.strip():
            raise _fail("A quotation mark is not closed.", line)
        pos = m.end()
        name = m.group(1) if m.group(1) is not None else m.group(2)
        if m.group(2) is not None and '"' in name:
            raise _fail(f"The name {show_name(name)} has a stray quotation mark.", line)
        if not name.strip():
            raise _fail("A quoted name is empty.", line)
        out.append(name.strip())
    if text[pos:].strip():
        raise _fail("A quotation mark is not closed.", line)
    return out


def read_tetrad_knowledge(text: str, variables: Iterable[str] | None = None) -> Knowledge:
    """Knowledge from the text of a Tetrad knowledge file. With `variables`, a name outside
    them is an error on its line (Tetrad would silently add it as a new variable)."""
    if not isinstance(text, str):
        raise KnowledgeFileError("A knowledge file must be text.")
    if len(text) > MAX_KNOWLEDGE_TEXT:
        raise KnowledgeFileError(
            f"This knowledge file has {len(text):,} characters; at most "
            f"{MAX_KNOWLEDGE_TEXT:,} are read (app.settings.MAX_KNOWLEDGE_TEXT).")
    known = None if variables is None else {str(v) for v in variables}
    tiers: dict[int, list[str]] = {}
    within: set[int] = set()
    next_only: set[int] = set()
    required: set[tuple[str, str]] = set()
    forbidden: set[tuple[str, str]] = set()
    placed: dict[str, int] = {}
    seen_names: set[str] = set()
    section = None
    group_from: tuple[list[str], int] | None = None
    n_statements = 0

    def check(names: list[str], line: int) -> list[str]:
        for n in names:
            if known is not None and n not in known:
                raise _fail(f"{show_name(n)} is not a variable of this data.", line,
                            hint="Rename it in the file, or choose the variable first.")
            seen_names.add(n)
        if len(seen_names) > MAX_NODES:
            raise _fail(f"The file names more than {MAX_NODES:,} variables "
                        "(app.settings.MAX_NODES).", line)
        return names

    def add(target: set, pairs: list[tuple[str, str]], line: int) -> None:
        nonlocal n_statements
        n_statements += len(pairs)
        if n_statements > MAX_EDGES:
            raise _fail(f"The file states more than {MAX_EDGES:,} edges "
                        "(app.settings.MAX_EDGES).", line)
        for a, b in pairs:
            if a == b:
                raise _fail(f"An edge from {show_name(a)} to itself.", line)
        target.update(pairs)

    first = True
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if first and line.lower().startswith("/knowledge"):
            if line.lower() != "/knowledge":
                raise _fail("The header should be '/knowledge' alone on its line.", number)
            first = False
            continue
        first = False
        keyword = line.lower()
        if keyword in SECTIONS or keyword == "addtemp":
            if group_from is not None:
                raise _fail("A group's 'from' line has no 'to' line after it.", group_from[1])
            section = "addtemporal" if keyword == "addtemp" else keyword
            continue
        if section is None:
            raise _fail(f"Expected a section name ({', '.join(SECTIONS[:3])}), not "
                        f"{show_name(line[:40])}.", number,
                        hint="A Tetrad knowledge file starts with '/knowledge', then sections.")
        if section == "addtemporal":
            head, rest = (re.split(r"\s+", line, maxsplit=1) + [""])[:2]
            m = _TIER.match(head)
            if not m:
                raise _fail(f"A tier line starts with the tier's number (such as '1' or '2*'), "
                            f"not {show_name(head[:40])}.", number)
            t = int(m.group(1))
            if m.group(2):
                within.add(t)
            if m.group(3):
                next_only.add(t)
            for n in check(_names(rest, number), number):
                if n in placed and placed[n] != t:
                    raise _fail(f"{show_name(n)} is already in tier {placed[n]}.", number)
                if n not in placed:
                    placed[n] = t
                    tiers.setdefault(t, []).append(n)
            tiers.setdefault(t, [])
        elif section in ("forbiddirect", "requiredirect"):
            names = check(_names(line, number), number)
            if len(names) != 2:
                raise _fail(f"An edge line has two names (from, to), not {len(names)}.", number)
            add(forbidden if section == "forbiddirect" else required, [tuple(names)], number)
        else:
            names = check(_names(line, number), number)
            if group_from is None:
                group_from = (names, number)
                continue
            froms, _ = group_from
            group_from = None
            if len(froms) * len(names) + n_statements > MAX_EDGES:
                raise _fail(f"This group states {len(froms) * len(names):,} edges; at most "
                            f"{MAX_EDGES:,} in all (app.settings.MAX_EDGES).", number)
            add(forbidden if section == "forbiddengroup" else required,
                [(a, b) for a in froms for b in names], number)
    if group_from is not None:
        raise _fail("A group's 'from' line has no 'to' line after it.", group_from[1])
    order = sorted(tiers)
    both = required & forbidden
    if both:
        a, b = sorted(both)[0]
        raise KnowledgeFileError(f"The edge {show_name(a)} → {show_name(b)} is both required "
                                 "and forbidden in this file.")
    try:
        return Knowledge(frozenset(required), frozenset(forbidden),
                         tuple(tuple(tiers[t]) for t in order),
                         forbidden_within=frozenset(i for i, t in enumerate(order) if t in within),
                         next_tier_only=frozenset(i for i, t in enumerate(order)
                                                  if t in next_only))
    except CausalCanvasError as err:
        raise KnowledgeFileError("This knowledge contradicts itself: " + err.message,
                                 hint=err.hint) from None


def _quote(name: str) -> str:
    if '"' in name or "\n" in name or "\r" in name:
        raise KnowledgeFileError(f"The name {show_name(name)} has a quotation mark or a line "
                                 "break, which a Tetrad knowledge file cannot hold.",
                                 hint="Rename the variable first.")
    plain = name and not any(c.isspace() for c in name) and not name.startswith("//") \
        and name.lower() not in (*SECTIONS, "addtemp", "/knowledge")
    return name if plain else f'"{name}"'


def write_tetrad_knowledge(k: Knowledge) -> str:
    """The knowledge as a Tetrad knowledge file (tiers numbered from 1, as in Tetrad's manual)."""
    lines = ["/knowledge", "addtemporal"]
    for i, tier in enumerate(k.tiers):
        marks = ("*" if i in k.forbidden_within else "") + ("-" if i in k.next_tier_only else "")
        lines.append(f"{i + 1}{marks} " + " ".join(_quote(n) for n in tier))
    lines += ["", "forbiddirect"]
    lines += [f"{_quote(a)} {_quote(b)}" for a, b in sorted(k.forbidden)]
    lines += ["", "requiredirect"]
    lines += [f"{_quote(a)} {_quote(b)}" for a, b in sorted(k.required)]
    return "\n".join(lines) + "\n"
