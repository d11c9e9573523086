"""'Did you mean' over a fleet: the bounded search answers as comparing every name does, or
better, and a slip of a name among 8,000 finds that name."""

from __future__ import annotations

import difflib
import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from itertools import chain

import pytest

from k8sdsl.core._suggest import (
    Suggester,
    Suggestions,
    _letter_bits,
    _may_pass,
    _norm,
    _some_may_pass,
    _trigrams,
    suggest,
)

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


# the first stage: the keys within one edit of the wanted name, from the deletion index

APPS = ["web", "api", "postgres", "redis", "kafka", "payments", "checkout", "search", "auth"]
PARTS = ["data", "logs", "config", "cache", "env", "tls", "backup", "wal"]
ENVS = ["prod", "staging", "dev", "canary"]
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _k8s_names(rng: random.Random, n: int) -> list[str]:
    """Names shaped like a fleet's: StatefulSet claims (``data-postgres-3``), versioned
    ConfigMaps, per-environment Services and hashed names; distinct up to case and ``-``, so
    each key has one spelling."""
    by_key: dict[str, str] = {}
    while len(by_key) < n:
        shape = rng.randrange(4)
        app, part = rng.choice(APPS), rng.choice(PARTS)
        if shape == 0:
            name = f"{part}-{app}-{rng.randint(0, 30)}"
        elif shape == 1:
            name = f"{app}-{part}-v{rng.randint(1, 400)}"
        elif shape == 2:
            name = f"{rng.choice(ENVS)}-{app}-{part}-{rng.randint(0, 99)}"
        else:
            name = f"{app}-" + "".join(rng.choice(ALPHABET[:16]) for _ in range(6))
        by_key.setdefault(_norm(name), name)
    return sorted(by_key.values())


def _one_edit_ball(word: str) -> set[str]:
    """Every string within one edit of ``word`` over the keys' alphabet, written out."""
    ball = {word}
    for i in range(len(word) + 1):
        ball.update(word[:i] + c + word[i:] for c in ALPHABET)
    for i in range(len(word)):
        ball.add(word[:i] + word[i + 1 :])
        ball.update(word[:i] + c + word[i + 1 :] for c in ALPHABET)
    for i in range(len(word) - 1):
        ball.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return ball


def _edit(rng: random.Random, name: str, kind: str) -> str:
    i = rng.randrange(len(name) - 1)
    c = rng.choice(ALPHABET)
    if kind == "insert":
        return name[:i] + c + name[i:]
    if kind == "delete":
        return name[:i] + name[i + 1 :]
    if kind == "substitute":
        return name[:i] + c + name[i + 1 :]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


EDITS = ["insert", "delete", "substitute", "swap"]


def test_a_one_edit_slip_finds_the_one_name_within_one_edit() -> None:
    rng = random.Random(11)
    names = _k8s_names(rng, 4000)
    by_key = {_norm(n): n for n in names}
    suggester = Suggester(names)
    unique = ambiguous = 0
    for trial in range(600):
        name = rng.choice(names)
        slip = _edit(rng, name, EDITS[trial % len(EDITS)])
        wanted = _norm(slip)
        near = _one_edit_ball(wanted) & by_key.keys()
        assert _norm(name) in near  # an edit of a '-' is none of the key
        assert set(suggester._one_edit(wanted)) == near, slip
        answer = suggester.suggest(slip)
        if wanted in by_key:
            assert answer == by_key[wanted]
        elif near == {_norm(name)}:
            unique += 1
            assert answer == name, (slip, answer)
        else:
            ambiguous += 1
            assert answer is not None and _norm(answer) in near, (slip, answer, near)
    # both cases were met (names like data-postgres-3 have neighbours one digit away)
    assert unique >= 300
    assert ambiguous >= 5


def test_a_slip_nowhere_near_one_name_is_answered_by_the_trigram_shortlist() -> None:
    rng = random.Random(12)
    names = _k8s_names(rng, 4000)
    keys = {_norm(n) for n in names}
    suggester = Suggester(names)
    trigram_only = Suggester(names)
    trigram_only._neighbours = None
    fallbacks = 0
    for _ in range(400):
        name = rng.choice(names)
        slip = _edit(rng, _edit(rng, name, rng.choice(EDITS)), rng.choice(EDITS))
        if rng.random() < 0.3:
            # a letter dropped at the front and one added at the end: the slip and the name
            # share a deletion (``abcd``, ``bcde`` -> ``bcd``) though two edits apart
            slip = name[1:] + rng.choice(ALPHABET)
        wanted = _norm(slip)
        near = _one_edit_ball(wanted) & keys
        assert set(suggester._one_edit(wanted)) == near, slip
        if not near:
            fallbacks += 1
            assert suggester.suggest(slip) == trigram_only.suggest(slip), slip
    assert fallbacks >= 200


class _CountingIndex(dict[str, "int | list[int]"]):
    """The deletion index, counting its lookups and the key indexes they read."""

    lookups = 0
    read = 0

    def get(self, key: str, default: None = None) -> int | list[int] | None:  # type: ignore[override]
        self.lookups += 1
        found = super().get(key, default)
        self.read += 0 if found is None else 1 if isinstance(found, int) else len(found)
        return found


def _cost(n: int, questions: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, int, int]:
    """Lookups, index entries read and difflib comparisons for ``questions`` among the
    benchmark's ``data-{i}`` claims."""
    suggester = Suggester(f"data-{i}" for i in range(n))
    assert suggester._neighbours is not None
    index = suggester._neighbours = _CountingIndex(suggester._neighbours)

    def no_trigrams(wanted: str) -> list[str]:
        raise AssertionError(f"{wanted!r} went past the first stage")

    monkeypatch.setattr(suggester, "_shortlist", no_trigrams)
    compared = 0
    real_quick_ratio = difflib.SequenceMatcher.real_quick_ratio

    def counted(self: difflib.SequenceMatcher[str]) -> float:
        # get_close_matches asks this first of each name it compares
        nonlocal compared
        compared += 1
        return real_quick_ratio(self)

    with monkeypatch.context() as patch:
        patch.setattr(difflib.SequenceMatcher, "real_quick_ratio", counted)
        for question in questions:
            lookups = index.lookups
            assert suggester.suggest(question) == question.replace("dats", "data")
            assert index.lookups - lookups <= len(_norm(question)) + 1
    return index.lookups, index.read, compared


def test_a_question_costs_the_same_among_1000_or_8000_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the benchmark's slips: claim dats-{i} where data-{i} exists
    questions = [f"dats-{i}" for i in random.Random(13).sample(range(1000), 200)]
    small = _cost(1000, questions, monkeypatch)
    large = _cost(8000, questions, monkeypatch)
    assert small == large
    lookups, read, compared = large
    assert read <= 2 * lookups
    assert compared == len(questions)  # one name within one edit each: one comparison


def test_a_name_too_long_for_the_deletion_index_is_found_by_trigrams() -> None:
    long_name = "payments-" + "ledger-" * 9 + "archive"  # 66 letters and digits
    names = [*_k8s_names(random.Random(14), 500), long_name]
    suggester = Suggester(names)
    slip = long_name.replace("archive", "archve")
    assert len(_norm(slip)) >= Suggester.LONG
    assert suggester._one_edit(_norm(slip)) == []
    assert suggester.suggest(slip) == long_name


def test_answers_over_a_fleet_do_not_depend_on_the_order_names_come_in() -> None:
    rng = random.Random(15)
    names = _k8s_names(rng, 3000)
    names += [n.replace("-", "_").upper() for n in rng.sample(names, 50)]  # same keys
    questions = [_edit(rng, rng.choice(names), rng.choice(EDITS)) for _ in range(300)]
    questions += [_edit(rng, _edit(rng, rng.choice(names), "swap"), "insert") for _ in range(100)]
    shuffled = names[:]
    rng.shuffle(shuffled)
    forward, backward, mixed = Suggester(names), Suggester(reversed(names)), Suggester(shuffled)
    for question in questions:
        answer = forward.suggest(question)
        assert backward.suggest(question) == answer == mixed.suggest(question), question


# the shortlist's bounds: difflib compares only the keys whose ratio may reach the cutoff


def _ratio(wanted: str, key: str) -> float:
    """The ratio get_close_matches computes (the key as sequence 1, the wanted name as 2)."""
    return difflib.SequenceMatcher(None, key, wanted).ratio()


def _random_word(rng: random.Random, alphabet: str, low: int = 0, high: int = 9) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def test_a_key_ruled_out_by_its_letters_would_not_pass_the_cutoff() -> None:
    rng = random.Random(21)
    ruled_out = passed = 0
    for _ in range(20000):
        alphabet = ALPHABET[: rng.choice([2, 3, 5, 8, 36])]
        wanted = _random_word(rng, alphabet)
        key = _random_word(rng, alphabet) if rng.random() < 0.5 else _edit_twice(rng, wanted)
        may = _may_pass(len(wanted), _letter_bits(wanted), len(key), _letter_bits(key))
        if not may:
            ruled_out += 1
            assert _ratio(wanted, key) < 0.75, (wanted, key)
        passed += _ratio(wanted, key) >= 0.75
    assert ruled_out >= 2000 and passed >= 2000
    # a key that shares no trigram may pass: no trigram count can rule it out
    assert _ratio("abcd", "acbd") >= 0.75 and not _trigrams("abcd") & _trigrams("acbd")


def _edit_twice(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word + rng.choice(ALPHABET)
    return _edit(rng, _edit(rng, word, rng.choice(EDITS)), rng.choice(EDITS))


def test_keys_ruled_out_by_the_letters_they_can_have_would_not_pass_the_cutoff() -> None:
    rng = random.Random(22)
    ruled_out = 0
    for _ in range(3000):
        wanted = _random_word(rng, ALPHABET[:12], 1, 10)
        reach_letters = rng.sample(ALPHABET[:12], rng.randint(1, 12))
        reach = _letter_bits("".join(reach_letters))
        if _some_may_pass(len(wanted), _letter_bits(wanted), reach):
            continue
        ruled_out += 1
        for _ in range(20):
            key = _random_word(rng, "".join(reach_letters), 0, 2 * len(wanted) + 2)
            assert not _may_pass(len(wanted), _letter_bits(wanted), len(key), _letter_bits(key))
            assert _ratio(wanted, key) < 0.75, (wanted, key)
    assert ruled_out >= 500


def _previous_answer(suggester: Suggester, name: str) -> str | None:
    """The answer as the shortlist gave it before its bounds: difflib over the
    ``SHORTLIST`` keys that share the most trigrams (ties to the first met), less those
    sharing more than 2 fewer than the best."""
    wanted = _norm(name)
    if wanted in suggester._by_norm:
        return suggester.suggest(name)  # the exact match is not under test
    near = suggester._one_edit(wanted)
    close = difflib.get_close_matches(wanted, near, n=1, cutoff=0.75) if near else []
    if not close:
        postings = suggester._postings
        assert postings is not None
        grams = sorted(
            (g for g in _trigrams(wanted) if postings.get(g)), key=lambda g: (len(postings[g]), g)
        )
        lists = [postings[g] for g in grams]
        taken: list[list[int]] = []
        budget = Suggester.BUDGET
        for post in lists:
            if budget <= 0:
                break
            taken.append(post[:budget])
            budget -= len(post)
        best = Counter(chain.from_iterable(taken)).most_common(Suggester.SHORTLIST)
        top = best[0][1] if best else 0
        shortlist = [suggester._keys[i] for i, count in best if count >= top - 2]
        close = difflib.get_close_matches(wanted, shortlist, n=1, cutoff=0.75)
    return suggester._by_norm[close[0]][0] if close else None


def test_the_bounded_shortlist_answers_as_the_unbounded_one() -> None:
    rng = random.Random(23)
    names = _k8s_names(rng, 3000) + [f"svc-{i}" for i in range(2000)]
    suggester = Suggester(names)
    fallbacks = answered = 0
    for trial in range(3000):
        shape = trial % 4
        if shape == 0:
            question = _edit_twice(rng, rng.choice(names))
        elif shape == 1:
            question = f"db-{rng.randrange(3000)}x"  # nothing like any name
        elif shape == 2:
            question = _random_word(rng, ALPHABET[:16] + "-", 4, 14)
        else:
            question = rng.choice(names)[rng.randint(0, 3) :] + _random_word(rng, ALPHABET, 0, 3)
        wanted = _norm(question)
        if wanted not in suggester._by_norm and not suggester._one_edit(wanted):
            fallbacks += 1
        answer = suggester.suggest(question)
        assert answer == _previous_answer(suggester, question), question
        answered += answer is not None
    assert fallbacks >= 1500
    assert 300 <= answered <= 2700


def test_a_slip_two_edits_from_every_name_costs_the_same_among_1000_or_8000(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the benchmark's StatefulSets: serviceName db-{i}x among Services svc-{i}; among 8,000
    # names db-123x shares trigram 123 with svc-1230 .. svc-1239 and more, which difflib
    # compared letter by letter (8 per question, 1 among 1,000)
    questions = [f"db-{i}x" for i in random.Random(24).sample(range(1000), 200)]
    compared = counted = 0
    real_quick_ratio = difflib.SequenceMatcher.real_quick_ratio

    def compare(self: difflib.SequenceMatcher[str]) -> float:
        nonlocal compared
        compared += 1
        return real_quick_ratio(self)

    class CountingCounter(Counter[int]):
        def __init__(self, entries: Iterable[int]) -> None:
            nonlocal counted
            entries = list(entries)
            counted += len(entries)
            super().__init__(entries)

    costs = []
    for n in (1000, 8000):
        suggester = Suggester(f"svc-{i}" for i in range(n))
        compared = counted = 0
        with monkeypatch.context() as patch:
            patch.setattr(difflib.SequenceMatcher, "real_quick_ratio", compare)
            patch.setattr("k8sdsl.core._suggest.Counter", CountingCounter)
            assert [suggester.suggest(q) for q in questions] == [None] * len(questions)
        costs.append((compared, counted))
    assert costs == [(0, 0), (0, 0)]


def test_answers_do_not_depend_on_the_string_hash() -> None:
    """Trigrams are a set, whose order follows the string hash (another in each process):
    names tied on shared trigrams must still give one answer in every process (these slips
    gave three different answer lists under four seeds before the order was fixed)."""
    script = """
import json, random
from k8sdsl.core._suggest import Suggester
rng = random.Random(7)
names = [f"{rng.choice(['web', 'api', 'db'])}-{rng.randint(0, 99999)}" for _ in range(3000)]
s = Suggester(names)
slips = (
    [f"z{n}z" for n in names[:300]]
    + [n[1:-1] for n in names[300:600]]
    + [n[:3] + "-" + n[-3:] + "zz" for n in names[600:900]]
    + ["wab-" + str(i) for i in range(300)]
)
print(json.dumps([s.suggest(slip) for slip in slips]))
"""
    answers = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(answers) == 1
    assert sum(a is not None for a in json.loads(answers.pop())) > 300
