"""Discover page: background knowledge kept in the workspace is used by the run, edited through
the table, cleared with one undo step; a share link carries it to another session."""
from app.discovery import Knowledge
from app.discovery.knowledge_view import knowledge_of, share_extra, with_knowledge
from app.graph import CausalGraph
from app.workspace import Workspace, encode_share
from tests.ui.conftest import assert_no_exception, open_page, shown

K = Knowledge(required={("stone_size", "treatment")}, forbidden={("recovery", "treatment")},
              tiers=(("stone_size",), ("treatment",), ("recovery",)))


def _captions(at) -> str:
    return shown(" ".join(str(c.value) for c in at.caption))


def test_saved_knowledge_is_used_and_can_be_cleared_with_undo():
    at = open_page("pages/discover.py", sample="kidney_stones")
    history = at.session_state["cc_history"]
    history.push(with_knowledge(history.present, K), "draw knowledge")
    at.run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert "Background knowledge used: 1 required, 1 forbidden, 3 tiers" in _captions(at)
    before = history.present
    at.button(key="disc_k_clear").click().run()
    assert_no_exception(at)
    assert knowledge_of(history.present).is_empty
    assert history.past[-1] == (before, "clear background knowledge")
    assert "Background knowledge used" not in _captions(at)
    history.undo()
    at.run()
    assert knowledge_of(history.present) == K


def test_knowledge_about_unchosen_variables_is_kept_but_not_used():
    at = open_page("pages/discover.py", sample="kidney_stones")
    history = at.session_state["cc_history"]
    history.push(with_knowledge(history.present,
                                K.with_edge("stone_size", "ghost", "forbidden")), "draw")
    at.run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert "not chosen now" in _captions(at) and "ghost" in _captions(at)


def test_a_share_link_carries_the_knowledge():
    g = CausalGraph.from_edges([("stone_size", "treatment"), ("treatment", "recovery")])
    token = encode_share(g, sample="kidney_stones",
                         extra=share_extra(with_knowledge(Workspace(), K)))
    at = open_page("pages/discover.py", sample=None, query={"g": token})
    assert_no_exception(at)
    assert knowledge_of(at.session_state["cc_history"].present) == K
    assert "Background knowledge used: 1 required, 1 forbidden, 3 tiers" in _captions(at)
