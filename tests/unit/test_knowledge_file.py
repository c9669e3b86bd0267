"""Tetrad's knowledge file format: reading, writing, round trips and hostile input.

Format reference: Tetrad's SimpleDataLoader.loadKnowledge and DataWriter.saveKnowledge
(github.com/cmu-phil/tetrad, tetrad-lib/src/main/java/edu/cmu/tetrad/data/), and the example
tetrad-lib/src/test/resources/avatarknowledge.txt, reproduced below as AVATAR."""
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.discovery import Knowledge
from app.discovery.knowledge_file import (
    KnowledgeFileError,
    read_tetrad_knowledge,
    write_tetrad_knowledge,
)
from app.errors import CausalCanvasError, ParseError
from app.settings import MAX_EDGES, MAX_KNOWLEDGE_TEXT

# Tetrad's own test resource (note the trailing spaces and 1-based tiers)
AVATAR = """/knowledge
addtemporal
1 Age DVT\x20
2 Gender Race\x20

forbiddirect
Weight DVT
CYP2C9 Race

requiredirect
Smoker Age
Race Smoker
VKORC1 AMI
"""

# what Tetrad's DataWriter.saveKnowledge writes: 0-based tiers, two spaces, `*` and `-` flags
TETRAD_WRITTEN = """/knowledge
addtemporal

0*  A B
1-  C
2  D

forbiddirect
A D

requiredirect
B C"""


def test_reads_tetrads_example_file():
    k = read_tetrad_knowledge(AVATAR)
    assert k.tiers == (("Age", "DVT"), ("Gender", "Race"))
    assert k.forbidden == {("Weight", "DVT"), ("CYP2C9", "Race")}
    assert k.required == {("Smoker", "Age"), ("Race", "Smoker"), ("VKORC1", "AMI")}
    assert k.is_forbidden("Race", "Age")         # later tier → earlier tier
    assert not k.is_forbidden("Age", "Race")


def test_reads_what_tetrad_writes_with_tier_flags():
    k = read_tetrad_knowledge(TETRAD_WRITTEN)
    assert k.tiers == (("A", "B"), ("C",), ("D",))
    assert k.forbidden_within == {0} and k.next_tier_only == {1}
    assert k.is_forbidden("A", "B") and k.is_forbidden("B", "A")   # `*`: none inside tier 0
    assert k.is_forbidden("C", "D") is False                       # next tier is allowed
    assert k.is_forbidden("A", "D")                                # listed
    assert not k.is_forbidden("A", "C")


def test_next_tier_only_forbids_skipping_a_tier():
    k = read_tetrad_knowledge("addtemporal\n1- A\n2 B\n3 C\n")
    assert k.is_forbidden("A", "C") and not k.is_forbidden("A", "B")
    assert not k.is_forbidden("B", "C")


def test_round_trip_keeps_everything():
    k = Knowledge(required={("a b", "c")}, forbidden={("c", "d"), ("forbiddirect", "a b")},
                  tiers=(("a b",), ("c", "d"), ("e",)), forbidden_within=frozenset({1}),
                  next_tier_only=frozenset({0}))
    text = write_tetrad_knowledge(k)
    assert '"a b"' in text and '"forbiddirect"' in text
    assert read_tetrad_knowledge(text) == k
    assert read_tetrad_knowledge(text).forbidden_within == {1}
    assert read_tetrad_knowledge(text).next_tier_only == {0}


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
                min_size=1, max_size=8).map(str.strip).filter(lambda s: s and '"' not in s)


@settings(max_examples=60, deadline=None)
@given(st.lists(names, min_size=2, max_size=8, unique=True), st.data())
def test_round_trip_property(vs, data):
    n = len(vs)
    cut = data.draw(st.integers(0, n))
    tiered, free = vs[:cut], vs[cut:]
    tiers = tuple((v,) for v in tiered)
    pairs = [(a, b) for a in free for b in free if a != b]
    forb = set(data.draw(st.lists(st.sampled_from(pairs), max_size=4))) if pairs else set()
    k = Knowledge(forbidden=forb, tiers=tiers,
                  forbidden_within=frozenset(data.draw(st.sets(st.integers(0, max(cut - 1, 0))))
                                             if cut else set()))
    assert read_tetrad_knowledge(write_tetrad_knowledge(k)) == k


def test_comments_blank_lines_and_case_are_accepted():
    k = read_tetrad_knowledge("// made by hand\n\n/knowledge\nAddTemporal\n1 X\n\n"
                              "// a comment\nFORBIDDIRECT\nX Y\n")
    assert k.tiers == (("X",),) and k.forbidden == {("X", "Y")}


def test_groups_expand_to_every_pair():
    k = read_tetrad_knowledge("/knowledge\nforbiddengroup\nA B\nC D\nrequiredgroup\nE\nF\n")
    assert k.forbidden == {("A", "C"), ("A", "D"), ("B", "C"), ("B", "D")}
    assert k.required == {("E", "F")}


def test_writes_an_empty_file_tetrad_can_read():
    text = write_tetrad_knowledge(Knowledge())
    assert text.splitlines()[:2] == ["/knowledge", "addtemporal"]
    assert read_tetrad_knowledge(text) == Knowledge()


@pytest.mark.parametrize("text, line, words", [
    ("/knowledge\nX Y\n", 2, "section"),
    ("/knowledge\naddtemporal\nfirst X Y\n", 3, "number"),
    ("/knowledge\naddtemporal\n-1 X\n", 3, "number"),
    ("/knowledge\nforbiddirect\nX Y Z\n", 3, "two names"),
    ("/knowledge\nforbiddirect\nX\n", 3, "two names"),
    ("/knowledge\nrequiredirect\nX X\n", 3, "itself"),
    ("/knowledge\nrequiredirect\n\"X Y\n", 3, "quotation"),
    ("/knowledge\naddtemporal\n1 X\n2 X\n", 4, "already in tier"),
    ("/knowledge\nforbiddengroup\nA B\n", 3, "no 'to' line"),
    ("/knowledgeX\naddtemporal\n", 1, "header"),
    ("/knowledge\nforbiddirect\nA Q\n", 3, "not a variable"),
])
def test_malformed_input_names_the_line(text, line, words):
    with pytest.raises(KnowledgeFileError) as info:
        read_tetrad_knowledge(text, variables=["A", "B", "X", "Y", "Z", "X Y"] if "Q" in text
                              else None)
    err = info.value
    assert isinstance(err, ParseError) and isinstance(err, CausalCanvasError)
    assert err.line == line, err.message
    assert err.message.startswith(f"Line {line}:") and words in err.message


def test_contradictions_are_refused_with_a_reason():
    with pytest.raises(KnowledgeFileError, match="both required and forbidden"):
        read_tetrad_knowledge("forbiddirect\nA B\nrequiredirect\nA B\n")
    with pytest.raises(KnowledgeFileError, match="later tier"):
        read_tetrad_knowledge("addtemporal\n1 A\n2 B\nrequiredirect\nB A\n")
    with pytest.raises(KnowledgeFileError, match="cycle"):
        read_tetrad_knowledge("requiredirect\nA B\nB A\n")


def test_huge_text_is_refused_before_it_is_read():
    t0 = time.perf_counter()
    with pytest.raises(KnowledgeFileError, match="MAX_KNOWLEDGE_TEXT"):
        read_tetrad_knowledge("forbiddirect\n" + "A B\n" * (MAX_KNOWLEDGE_TEXT // 4 + 1))
    assert time.perf_counter() - t0 < 1.0


def test_group_bomb_is_refused_before_it_is_expanded():
    row = " ".join(f"v{i}" for i in range(2_500))
    t0 = time.perf_counter()
    with pytest.raises(KnowledgeFileError, match="MAX_EDGES") as info:
        read_tetrad_knowledge(f"forbiddengroup\n{row}\n{row.replace('v', 'w')}\n")
    assert info.value.line == 3
    assert time.perf_counter() - t0 < 1.0
    assert 2_500 * 2_500 > MAX_EDGES


def test_names_a_tetrad_file_cannot_hold_are_refused_on_write():
    with pytest.raises(KnowledgeFileError, match="quotation mark"):
        write_tetrad_knowledge(Knowledge(forbidden={('say "hi"', "B")}))


def test_a_required_edge_inside_a_closed_tier_says_why():
    with pytest.raises(KnowledgeFileError, match="no edge between its own members"):
        read_tetrad_knowledge("addtemporal\n1* A B\nrequiredirect\nA B\n")


def test_cdnod_keeps_tier_flags_when_it_adds_its_own_rule():
    k = read_tetrad_knowledge("addtemporal\n1* A B\n2 C\n")
    extended = k.with_forbidden({("A", "site")})
    assert extended.forbidden_within == {0} and extended.is_forbidden("A", "site")
    assert extended.is_forbidden("B", "A")
