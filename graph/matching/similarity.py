"""How alike two names are, with the reason, in words.

Compared after `names.read` (case, punctuation, accents and legal forms folded away):

| the two names                                            | similarity |
|----------------------------------------------------------|------------|
| the same words, in any order                             | 1.0        |
| the same Chinese name                                    | 1.0        |
| the same letters spaced differently (Zhongke, Zhong Ke)  | 0.95       |
| one is the other's initials (BOB, Bank of Beijing)       | 0.9        |
| the same words, some misspelt (Bejing, Beijing)          | 0.8 to 1   |
| one Chinese name inside the other                        | 0.7        |
| one's words all in the other (Zhongke Technology, ...)   | 0.9 x share of words in common |
| some words differ on both sides (Beijing, Nanjing)       | 0.4 x share of words in common |
| different numbers (agreement of 2013, of 2014)           | 0.1        |
| nothing in common                                        | 0          |

Two words are taken for one misspelt word when their Jaro-Winkler similarity is at least
`SAME_WORD` and both are longer than 3 letters (short words differ in one letter and are
different words: "Jun", "Jin").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from graph.matching.names import Name, initials, read

# Words of this many letters may differ by one typo, of `LONG_WORD` by two; shorter
# words differ in one letter and are different words ("Jun", "Jin").
MIN_FUZZY_WORD = 5
LONG_WORD = 9
_DIGIT = re.compile(r"\d")
# What the share of words in common counts for when one name has words the other lacks
# ("Zhongke Technology", "Beijing Zhongke Technology": maybe one thing), and when both
# do ("Bank of Beijing", "Bank of Nanjing": two things, usually).
SUBSET = 0.6
DIFFERING = 0.3
ABBREVIATION = 0.9


@dataclass(frozen=True)
class NameMatch:
    similarity: float
    reason: str
    exact: bool  # the same name once folded (its frequency then matters, see scoring)
    abbreviation: str | None = None  # the single word taken for the other's initials


NO_MATCH = NameMatch(0.0, "no names alike", False)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insertions, deletions, substitutions and
    swaps of neighbours), or `limit + 1` once it is known to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _typos_allowed(word: str) -> int:
    if len(word) >= LONG_WORD:
        return 2
    return 1 if len(word) >= MIN_FUZZY_WORD else 0


def _word_similarity(a: str, b: str) -> float:
    """1 for the same word, 1 - typos / length for a misspelling of it, else 0. Words
    with digits (numbers, codes) are the same only when equal."""
    if a == b:
        return 1.0
    allowed = min(_typos_allowed(a), _typos_allowed(b))
    if not allowed or _DIGIT.search(a) or _DIGIT.search(b):
        return 0.0
    typos = edit_distance(a, b, allowed)
    return 0.0 if typos > allowed else 1 - typos / max(len(a), len(b))


def _align(
    xs: tuple[str, ...], ys: tuple[str, ...]
) -> tuple[list[tuple[str, str, float]], list, list]:
    """Pairs of words taken for the same word (best first), and the words left over on
    each side."""
    scored = sorted(
        (
            (s, i, j)
            for i, x in enumerate(xs)
            for j, y in enumerate(ys)
            if (s := _word_similarity(x, y)) > 0
        ),
        reverse=True,
    )
    used_x: set[int] = set()
    used_y: set[int] = set()
    pairs = []
    for s, i, j in scored:
        if i in used_x or j in used_y:
            continue
        used_x.add(i)
        used_y.add(j)
        pairs.append((xs[i], ys[j], s))
    left_x = [x for i, x in enumerate(xs) if i not in used_x]
    left_y = [y for j, y in enumerate(ys) if j not in used_y]
    return pairs, left_x, left_y


def _quoted(words: list[str] | tuple[str, ...]) -> str:
    return "'" + " ".join(words) + "'"


def _compare_cjk(x: Name, y: Name) -> NameMatch:
    if x.cjk == y.cjk:
        return NameMatch(1.0, f"the same Chinese name {x.cjk}", True)
    short, long = sorted((x.cjk, y.cjk), key=len)
    if len(short) >= 2 and short in long:
        return NameMatch(0.7, f"{short} is part of {long}", False)
    return NO_MATCH


def abbreviates(word: str, text: str) -> bool:
    """Whether `word` is the initials of the name `text` (stop words in or out)."""
    name = read(text)
    return len(name.tokens) >= 2 and word in (initials(name.tokens), initials(name.words))


def _abbreviation(x: Name, y: Name) -> NameMatch | None:
    for short, long in ((x, y), (y, x)):
        if len(short.tokens) == 1 and len(long.tokens) >= 2:
            word = short.tokens[0]
            if not word.isalpha():
                continue
            if word in (initials(long.tokens), initials(long.words)):
                return NameMatch(
                    ABBREVIATION, f"{word.upper()} is the initials of {long.text!r}", False, word
                )
    return None


def _compare_words(x: Name, y: Name) -> NameMatch:
    xs, ys = x.words, y.words
    if sorted(xs) == sorted(ys):
        if xs == ys:
            return NameMatch(
                1.0,
                f"the same name {_quoted(xs)} once case, punctuation and legal form are set aside",
                True,
            )
        return NameMatch(1.0, f"the same words {_quoted(sorted(xs))} in another order", True)
    if "".join(xs) == "".join(ys):
        return NameMatch(
            0.95, f"the same letters spaced differently ({x.text!r}, {y.text!r})", False
        )
    abbreviation = _abbreviation(x, y)
    if abbreviation is not None:
        return abbreviation
    pairs, left_x, left_y = _align(xs, ys)
    if not pairs:
        return NO_MATCH
    numbered_x = [w for w in left_x if any(c.isdigit() for c in w)]
    numbered_y = [w for w in left_y if any(c.isdigit() for c in w)]
    if numbered_x and numbered_y:
        return NameMatch(
            0.1, f"different numbers ({' '.join(numbered_x)} and {' '.join(numbered_y)})", False
        )
    if len(pairs) > 1 and all(s < 1.0 for _, _, s in pairs):
        # Every word misspelt is another name ("Zhang Fangyan", "Zheng Fengyan").
        left_x += [a for a, _, _ in pairs]
        left_y += [b for _, b, _ in pairs]
        return NameMatch(0.0, f"they differ in {_quoted(left_x)} and {_quoted(left_y)}", False)
    share = 2 * len(pairs) / (len(xs) + len(ys))
    spelling = min(s for _, _, s in pairs)
    misspelt = [f"{a}/{b}" for a, b, s in pairs if s < 1.0]
    if not left_x and not left_y:
        return NameMatch(
            round(0.75 + 0.25 * spelling, 3),
            "the same words, spelt differently: " + ", ".join(misspelt),
            False,
        )
    if left_x and left_y:
        return NameMatch(
            round(DIFFERING * share * spelling, 3),
            f"they differ in {_quoted(left_x)} and {_quoted(left_y)}",
            False,
        )
    extra = left_x or left_y
    longer = x if left_x else y
    return NameMatch(
        round(SUBSET * share * spelling, 3),
        f"{longer.text!r} has the words of the other and {_quoted(extra)}",
        False,
    )


def compare(a: str, b: str) -> NameMatch:
    """How alike two names are (either may be in Chinese, or in both scripts)."""
    x, y = read(a), read(b)
    cjk = _compare_cjk(x, y) if x.cjk and y.cjk else None
    latin = _compare_words(x, y) if x.words and y.words else None
    if cjk is not None and latin is not None:
        # Both in both scripts: alike as far as the less alike part.
        worse = min(cjk, latin, key=lambda m: m.similarity)
        return replace(worse, exact=cjk.exact and latin.exact)
    return cjk or latin or NO_MATCH
