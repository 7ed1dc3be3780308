"""How alike two names are, and why."""

from __future__ import annotations

import pytest

from graph.matching.similarity import compare, edit_distance


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("Bank of Beijing", "Bank of Beijing Co., Ltd.", 1.0, 1.0),
        ("Wang Jianguo", "Jianguo Wang", 1.0, 1.0),
        ("北京银行", "北京银行股份有限公司", 1.0, 1.0),
        ("Beijing Zhongke Technology", "Beijing Zhong Ke Technology", 0.95, 0.95),
        ("Bank of Beijing", "BOB", 0.9, 0.9),
        ("Industrial and Commercial Bank of China", "ICBC", 0.9, 0.9),
        ("Bank of Beijing", "Bank of Bejing", 0.9, 0.99),
        ("Zhongguancun Science Park", "Zhongguangcun Science Park", 0.9, 0.99),
        ("Beijing Zhongke Technology", "Zhongke Technology", 0.3, 0.6),
        ("Bank of Beijing", "Bank of Nanjing", 0.01, 0.2),
        ("Wang Jian", "Wang Jun", 0.01, 0.2),
        ("Agreement of 2013", "Agreement of 2014", 0.05, 0.15),
        ("Zhang Fangyan", "Zheng Fengyan", 0.0, 0.0),
        ("北京银行", "南京银行", 0.0, 0.0),
        ("Bank of Beijing", "北京银行", 0.0, 0.0),
    ],
)
def test_similarity(a, b, low, high):
    match = compare(a, b)
    assert low <= match.similarity <= high, match
    assert compare(b, a).similarity == match.similarity


def test_each_match_says_why():
    assert "initials" in compare("BOB", "Bank of Beijing").reason
    assert "beijing/bejing" in compare("Bank of Beijing", "Bank of Bejing").reason
    assert "'beijing' and 'nanjing'" in compare("Bank of Beijing", "Bank of Nanjing").reason
    assert "2013" in compare("Agreement of 2013", "Agreement of 2014").reason


def test_only_the_same_name_is_exact():
    assert compare("Bank of Beijing", "Bank of Beijing Co., Ltd.").exact
    assert not compare("Bank of Beijing", "Bank of Bejing").exact
    assert not compare("Bank of Beijing", "BOB").exact


def test_codes_are_the_same_only_when_equal():
    assert compare("CN113732230B", "CN111373230B").similarity == 0.0
    assert compare("CN113732230B", "cn113732230b").similarity == 1.0


def test_edit_distance():
    assert edit_distance("beijing", "bejing", 2) == 1
    assert edit_distance("beijing", "biejing", 2) == 1  # a swap
    assert edit_distance("beijing", "nanjing", 2) == 3  # past the limit
    assert edit_distance("", "ab", 2) == 2
