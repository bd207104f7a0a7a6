"""The one order of a role's comments: the texts alone, alphabetically, never by answer."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from roles.comments import shown_comments
from workshops.domain import CHOICES


def test_comments_are_alphabetical_whatever_their_case() -> None:
    comments = [("no", "saknar skolan"), ("yes", "Bra"), ("discuss", "heter annat")]
    assert shown_comments(comments) == ("Bra", "heter annat", "saknar skolan")


def test_a_letter_typed_decomposed_sorts_with_the_same_letter_typed_whole() -> None:
    decomposed, whole = "A\u030arsmöte", "åtgärd"  # "Å" as "A" plus a combining ring
    assert shown_comments([("no", "b"), ("yes", decomposed), ("no", whole)]) == (
        "b",
        decomposed,
        whole,
    )


@given(
    st.lists(st.tuples(st.sampled_from(CHOICES), st.text(max_size=8)), min_size=1, max_size=8),
    st.randoms(use_true_random=False),
)
def test_the_order_tells_nothing_about_the_answers_or_when_comments_were_written(
    comments: list[tuple[str, str]], random
) -> None:
    # another order of writing and other answers to the same texts: the same list shown
    other = [(random.choice(CHOICES), text) for _choice, text in comments]
    random.shuffle(other)
    assert shown_comments(other) == shown_comments(comments)
    assert sorted(shown_comments(comments)) == sorted(text for _c, text in comments)
