"""Redaction measured on labelled comments (tests/fixtures/redaction): the targets of issue 11."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.redaction import FIXTURES, HELD_OUT, evaluate, load
from cpt_public.feedback.redact import MARKERS, redact

DIRECT = ("name", "phone", "email", "ssn", "address", "id")


@pytest.fixture(scope="module")
def development():
    return evaluate(load(FIXTURES))


@pytest.fixture(scope="module")
def held_out():
    return evaluate(load(HELD_OUT))


def test_the_labelled_set_is_as_large_as_promised():
    comments = load(FIXTURES)
    personal = [c for c in comments if c.identifiers]
    assert len(personal) >= 300 and len(comments) - len(personal) >= 100
    assert {c.language for c in personal} == {"en", "es"}
    assert {i.kind for c in personal for i in c.identifiers} >= set(DIRECT) | {"dob"}


@pytest.mark.parametrize("which", ["development", "held_out"])
def test_recall_on_direct_identifiers_is_at_least_95_percent(which, request):
    score = request.getfixturevalue(which)
    caught = sum(score.caught[k] for k in DIRECT)
    total = sum(score.total[k] for k in DIRECT)
    missed = [(i.kind, i.text) for _, i, _ in score.missed]
    assert caught / total >= 0.95, missed
    for kind in DIRECT:
        assert score.recall(kind) >= 0.9, (kind, missed)


@pytest.mark.parametrize("which", ["development", "held_out"])
def test_at_most_5_percent_of_clean_comments_change(which, request):
    score = request.getfixturevalue(which)
    assert score.clean_rate <= 0.05, [(c.text, out) for c, out in score.clean_changed]


def test_a_missed_identifier_is_counted_as_missed():
    """The scorer itself: a comment redaction cannot touch is a miss, not a catch."""
    from benchmarks.redaction import Comment, Identifier

    nothing = Comment("en", "we buried Junebug last week", (Identifier("name", "Junebug"),), "test")
    score = evaluate([nothing])
    assert score.recall("name") == 0 and len(score.missed) == 1


@pytest.mark.parametrize(
    "text,gone",
    [
        ("I'm Keisha and this is real", "Keisha"),
        ("this is darnell, I agree", "darnell"),
        ("MY CASEWORKER DONNA NEVER CALLED", "DONNA"),
        ("email kb1985 at yahoo dot com", "kb1985"),
        ("my social is 123456789", "123456789"),
        ("born 4/12/1979", "1979"),
        ("I live at 1423 Oak Hollow", "Oak"),
        ("mail to PO Box 442", "442"),
        ("booking number 22-004517", "004517"),
        ("inmate # A123456", "A123456"),
        ("nací el 14 de marzo de 1985", "1985"),
        ("mi hija ximena está enferma", "ximena"),
    ],
)
def test_ways_of_giving_details_that_used_to_be_stored_as_typed(text, gone):
    assert gone not in redact(text).text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=200))
def test_redacting_twice_changes_nothing_more(text):
    once = redact(text).text
    assert redact(once).text == once


def test_markers_are_left_alone():
    text = " ".join(MARKERS.values())
    assert redact(text).text == text


def test_redacted_comments_are_stable():
    """A redacted comment redacted again is unchanged: markers and the words around them are kept."""
    for comment in load(FIXTURES) + load(HELD_OUT):
        once = redact(comment.text).text
        assert redact(once).text == once, comment.source
