"""The search query builder needs no database: user text only ever becomes word tokens."""

import re

import pytest

from graph.cypher.search import lucene_query, search_entities

HOSTILE = [
    'AND ( ) " * ~ : / \\',
    "bank) OR (name:*",
    '"unclosed',
    "title:x^100",
    "*",
    "?~2",
    "a && b || !c",
    "{}[]^",
    "' OR 1=1 //",
    "MATCH (n) DETACH DELETE n",
]


CLAUSE = re.compile(r'\w+(\^2)?|\((\w+)\^3 OR \2\*( OR \2~1)?\)|"[\w ]+"\^4', re.UNICODE)


@pytest.mark.parametrize("text", HOSTILE)
def test_only_builder_clauses_survive(text):
    query = lucene_query(text)
    rest = CLAUSE.sub("", query)
    assert rest.strip() == "", f"unexpected syntax left in {query!r}: {rest!r}"
    assert not re.search(r"\b(AND|NOT)\b", query)


def test_latin_tokens_get_prefix_and_fuzzy():
    assert lucene_query("Bejing") == "(bejing^3 OR bejing* OR bejing~1)"


def test_short_tokens_are_not_fuzzy():
    assert lucene_query("BOB") == "(bob^3 OR bob*)"


def test_chinese_is_left_to_the_analyzer():
    assert lucene_query("北京银行") == "北京银行"


def test_phrase_boost_for_several_words():
    assert lucene_query("Bank of Beijing").endswith('"bank of beijing"^4')


def test_user_operators_lose_their_meaning():
    # Upper-case AND/OR/NOT from the user become lower-case terms, not operators.
    assert " AND " not in lucene_query("a AND b")
    assert "NOT" not in lucene_query("NOT x")


def test_only_punctuation_gives_empty_query():
    assert lucene_query("*** ()") == ""


def test_parameters_carry_the_text():
    query, params = search_entities("Bank", ["BANK"], 5)
    assert "$q" in query
    assert "$kinds" in query
    assert "Bank" not in query
    assert params["kinds"] == ["BANK"]
    assert params["first"] == 5
