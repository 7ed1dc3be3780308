"""Names as the duplicate finder reads them.

A name is folded (Unicode compatibility forms, case, accents, punctuation), cut into
Latin-script tokens and runs of CJK characters, and stripped of legal-form suffixes
("Co., Ltd.", "Corporation", "有限公司"): "Bank of Beijing Co., Ltd." and "bank of
beijing" read the same.

Blocking keys are short strings that two spellings of one name are likely to share, so
that only entities sharing a key are ever compared (never every pair of the graph):

    =<words>     the words, sorted (word order and stop words do not matter)
    -<words>     for a name of 3 to 6 words without digits, its words with one left out:
                 met by the `=` key of the shorter name ("Zhongke Technology" meets
                 "Beijing Zhongke Technology"; a number is never left out, so "Agreement
                 of 2013" and "Agreement of 2014" stay apart)
    ~<skeleton>  the words run together with vowels and doubled letters dropped
                 ("Bank of Bejing" and "Bank of Beijing" are both ~bnkbjng): typos
    #<initials>  the initials of a name of 2 or more words ("Bank of Beijing" #bob and
                 #bb), met by
    @<word>      a single short word, maybe an abbreviation ("BOB" @bob)
    zh:<chars>   a name in CJK script, legal suffix stripped (北京银行)

A name in both scripts ("Intel（苏州）有限公司") has one key, `=` its words and its CJK
characters together: its Latin part or its Chinese part alone is not its name.

A `-` key meets only `=` keys and a `#` key only `@` keys (graph.matching.candidates):
two long names that share all but one word, or their initials, are not alike for that.

An entity's keys are those of its name, each alias and its Chinese name (`nameZh`), so a
Chinese alias of one entity meets the Chinese name of another: the link across scripts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

# Legal forms, dropped from the end of a name (never its only word).
LEGAL_FORMS = frozenset(
    {
        "co",
        "company",
        "ltd",
        "limited",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "llc",
        "llp",
        "lp",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "bv",
        "nv",
        "pte",
        "group",
        "holdings",
    }
)
# Words that carry no identity: left out of word sets, kept for initials ("Bank of
# Beijing" is BOB).
STOP_WORDS = frozenset(
    {"of", "the", "and", "for", "in", "at", "on", "to", "a", "an", "de", "la", "le", "du"}
)
# Legal forms in Chinese, longest first, dropped from the end of a CJK name.
CJK_LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团公司",
    "集团",
    "公司",
)

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]+|(?:(?![{_CJK}])[^\W_])+")
_IS_CJK = re.compile(rf"[{_CJK}]")
_ASCII_TOKEN = re.compile(r"[a-z0-9]+")
_APOSTROPHES = str.maketrans("", "", "'’`´")
_NO_VOWELS = str.maketrans("", "", "aeiouy")
_DIGIT = re.compile(r"\d")

# The rules below, as a number: a store whose keys were made by other rules has them
# all made again (graph/bulk/keys.py). Raise it with any change that alters a key.
KEYS_VERSION = 2

# Names of more words than this give no one-word-left-out keys (and are rare).
MAX_DELETION_WORDS = 6
# Shorter skeletons say too little ("Wang Jun" and "Wang Jin" are both wngjn).
MIN_SKELETON = 6
# A one-word name this short may be an abbreviation ("BOB", "ICBC", "BOCOM").
MAX_ABBREVIATION = 8


@dataclass(frozen=True)
class Name:
    """One name, read: `tokens` in order (legal forms dropped, stop words kept), `words`
    the tokens that are not stop words, `cjk` its CJK characters (legal form dropped)."""

    text: str
    tokens: tuple[str, ...]
    words: tuple[str, ...]
    cjk: str

    @property
    def empty(self) -> bool:
        return not self.words and not self.cjk


def fold(text: str) -> str:
    """Compatibility forms (full-width brackets and letters), case and accents folded;
    apostrophes removed ("People's" is "peoples"), "&" read as "and"."""
    if text.isascii():
        text = text.lower()
        if "'" in text or "`" in text:
            text = text.translate(_APOSTROPHES)
        return text.replace("&", " and ") if "&" in text else text
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFD", text)
    if len(decomposed) != len(text):  # accents (or Hangul, which recomposes)
        kept = "".join(c for c in decomposed if not unicodedata.combining(c))
        text = unicodedata.normalize("NFC", kept)
    return text.replace("&", " and ")


def _strip_cjk_legal_form(chars: str) -> str:
    for form in CJK_LEGAL_FORMS:
        if chars.endswith(form) and len(chars) > len(form):
            return chars[: -len(form)]
    return chars


@lru_cache(maxsize=65536)
def read(text: str) -> Name:
    tokens: list[str] = []
    cjk: list[str] = []
    folded = fold(text)
    if folded.isascii():
        tokens = _ASCII_TOKEN.findall(folded)
    else:
        for token in _TOKEN.findall(folded):
            (cjk if _IS_CJK.match(token) else tokens).append(token)
    while len(tokens) > 1 and tokens[-1] in LEGAL_FORMS:
        tokens.pop()
    if len(tokens) > 1 and tokens[0] == "the":
        tokens.pop(0)
    words = tuple(t for t in tokens if t not in STOP_WORDS) or tuple(tokens)
    return Name(text, tuple(tokens), words, _strip_cjk_legal_form("".join(cjk)))


def skeleton(word: str) -> str:
    """The word without vowels after its first letter and without doubled letters."""
    return "".join(c for c, _ in groupby(word[:1] + word[1:].translate(_NO_VOWELS)))


def initials(tokens: tuple[str, ...]) -> str:
    return "".join(t[0] for t in tokens)


def has_digits(name: Name) -> bool:
    return _DIGIT.search(name.text) is not None


def exact_key(name: Name) -> str:
    """The key every spelling of this very name shares: its words sorted (`=`), its CJK
    characters (`zh:`), or both for a name in both scripts ("Intel（苏州）有限公司" is
    `=intel 苏州`: neither its Latin word nor its city alone is its name)."""
    if name.words and name.cjk:
        return "=" + " ".join(sorted(name.words)) + " " + name.cjk
    if name.words:
        return "=" + " ".join(sorted(name.words))
    return "zh:" + name.cjk


def name_keys(name: Name) -> frozenset[str]:
    """The blocking keys of one name (see the module's docstring)."""
    if name.empty:
        return frozenset()
    keys = {exact_key(name)}
    words = name.words
    if words and not name.cjk:
        numbered = has_digits(name)
        if 3 <= len(words) <= MAX_DELETION_WORDS and not numbered:
            for i in range(len(words)):
                keys.add("-" + " ".join(sorted(words[:i] + words[i + 1 :])))
        run = skeleton("".join(words))
        if len(run) >= MIN_SKELETON:
            keys.add("~" + run)
        if not numbered:
            if len(name.tokens) >= 2:
                for letters in (initials(name.tokens), initials(words)):
                    if len(letters) >= 2:
                        keys.add("#" + letters)
            elif 2 <= len(words[0]) <= MAX_ABBREVIATION:
                keys.add("@" + words[0])
    return frozenset(keys)


@lru_cache(maxsize=65536)
def text_keys(text: str) -> frozenset[str]:
    return name_keys(read(text))


def entity_keys(name: str, aliases: list[str] | tuple[str, ...], name_zh: str | None) -> list[str]:
    """The blocking keys of an entity: those of its name, aliases and Chinese name,
    sorted (stored on the entity as `_dupKeys`)."""
    keys: set[str] = set()
    for text in (name, *aliases, *([name_zh] if name_zh else [])):
        if text:
            keys |= text_keys(text)
    return sorted(keys)
