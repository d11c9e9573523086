"""'Did you mean' over a fleet: the bounded search answers as comparing every name does, or
better, and a slip of a name among 8,000 finds that name."""

from __future__ import annotations

import difflib
import random

import pytest

from k8sdsl.core._suggest import Suggester, Suggestions, _norm, suggest

WORDS = ["web", "api", "cache", "db", "queue", "worker", "config", "data", "logs", "frontend"]


def _fleet(rng: random.Random, n: int) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        names.add(f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{rng.randint(0, 99999)}")
    return sorted(names)


def _brute_force(name: str, candidates: list[str]) -> str | None:
    by_norm: dict[str, str] = {}
    for option in sorted(set(candidates)):
        by_norm.setdefault(_norm(option), option)  # one spelling per key in these tests
    wanted = _norm(name)
    if wanted in by_norm:
        return by_norm[wanted]
    close = difflib.get_close_matches(wanted, list(by_norm), n=1, cutoff=0.75)
    return by_norm[close[0]] if close else None


def _slip(rng: random.Random, name: str) -> str:
    i = rng.randrange(len(name) - 1)
    kind = rng.choice(["drop", "double", "swap"])
    if kind == "drop":
        return name[:i] + name[i + 1 :]
    if kind == "double":
        return name[:i] + name[i] + name[i:]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def test_few_names_are_all_compared() -> None:
    names = ["data-claim", "logs-claim", "cache"]
    assert Suggester(names)._postings is None
    for wanted in ["data-clam", "Data_Claim", "log-claim", "nothing-like-it", ""]:
        assert suggest(wanted, names) == _brute_force(wanted, names)


def test_a_slip_among_a_fleet_finds_its_name() -> None:
    rng = random.Random(7)
    names = _fleet(rng, 8000)
    suggester = Suggester(names)
    assert suggester._postings is not None  # the bounded search is the one under test
    found = agrees = 0
    trials = 120
    for _ in range(trials):
        name = rng.choice(names)
        wanted = _slip(rng, name)
        answer = suggester.suggest(wanted)
        brute = _brute_force(wanted, names)
        found += answer == name
        # where the bounded answer differs from comparing every name, it is the name the
        # slip was made from
        assert answer == brute or answer == name, (wanted, answer, brute, name)
        agrees += answer == brute
    assert found >= 0.95 * trials
    assert agrees >= 0.95 * trials


def test_exact_up_to_case_and_separators_is_found_in_a_fleet() -> None:
    names = _fleet(random.Random(3), 5000)
    suggester = Suggester(names)
    assert suggester.suggest(names[1234].upper().replace("-", "_")) == names[1234]


def test_nothing_close_is_none() -> None:
    suggester = Suggester(_fleet(random.Random(5), 1000))
    assert suggester.suggest("zzzzzzzz-qqqq") is None
    assert Suggester([]).suggest("x") is None


def test_suggestions_per_group_are_built_once() -> None:
    groups = {"one": ["data-claim"], "two": ["logs-claim"]}
    found = Suggestions(groups)
    assert found.suggest("one", "data-clam") == "data-claim"
    assert found.suggest("two", "data-clam") is None
    assert found.suggest("three", "data-clam") is None
    assert set(found._built) == {"one", "two", "three"}


@pytest.mark.parametrize("n", [10, 250])
def test_the_answer_does_not_depend_on_candidate_order(n: int) -> None:
    rng = random.Random(n)
    names = _fleet(rng, n)
    wanted = _slip(rng, names[n // 2])
    shuffled = names[:]
    rng.shuffle(shuffled)
    assert Suggester(names).suggest(wanted) == Suggester(shuffled).suggest(wanted)


def test_names_equal_but_for_case_give_the_one_written_like_the_wanted_name() -> None:
    names = ["nat-outgoing", "natOutgoing"]
    assert suggest("natOutgoin", names) == "natOutgoing"
    assert suggest("nat-outgoin", names) == "nat-outgoing"
    assert suggest("NATOUTGOING", names) in names
