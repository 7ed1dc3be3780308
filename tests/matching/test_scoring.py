"""A pair's score and the signals it is made of."""

from __future__ import annotations

from dataclasses import replace

from graph import claims
from graph.matching.scoring import (
    DEFAULT_THRESHOLD,
    Neighbours,
    Side,
    best_name_match,
    neighbour_weight,
    property_signal,
    score,
)

MONEY = ((("amount", "currency"), ("convertedAmount", "convertedCurrency")),)


def signals(result) -> dict[str, float]:
    return {s.name: s.contribution for s in result.signals}


def test_an_abbreviation_of_the_same_bank_with_shared_lenders_is_a_candidate():
    a = Side("bob", "BANK", "BOB", degree=2)
    b = Side("bank-of-beijing", "BANK", "Bank of Beijing", ("北京银行",), degree=40)
    result = score(
        a,
        b,
        Neighbours(
            (("Potevio credit", 3), ("Alliance", 12)),
        ),
    )
    assert result.value >= DEFAULT_THRESHOLD
    assert signals(result)["name"] == 0.63
    assert signals(result)["neighbours"] > 0
    detail = {s.name: s.detail for s in result.signals}
    assert "initials" in detail["name"]
    assert "'Potevio credit'" in detail["neighbours"]


def test_a_chinese_name_links_across_scripts_through_an_alias():
    a = Side("a", "BANK", "北京银行")
    b = Side("b", "BANK", "Bank of Beijing", ("北京银行",))
    evidence = best_name_match(a, b)
    assert evidence.match.similarity == 1.0
    assert evidence.b == ("alias", "北京银行")


def test_a_common_name_counts_for_less():
    a = Side("a", "PERSON", "Wang Jian", ("王建",))
    b = Side("b", "PERSON", "Wang Jian", ("王建",))
    rare = best_name_match(a, b)
    assert signals(score(a, b, Neighbours(), name=rare))["name"] == 0.7
    counts = {"=jian wang": 8, "zh:王建": 4}
    common = best_name_match(a, b, lambda key: counts[key])
    assert common.b == ("alias", "王建")  # the rarer of the two names they share
    result = score(a, b, Neighbours(), name=common)
    assert signals(result)["name"] == 0.35
    assert "4 entities of this kind carry that name" in result.signals[0].detail


def test_conflicting_dates_and_money_outweigh_an_identical_name():
    a = Side(
        "a",
        "CREDIT",
        "Loan to X",
        properties={"amount": 1e6, "currency": "CNY", "date": "2013-01-01"},
        degree=2,
    )
    b = Side(
        "b",
        "CREDIT",
        "Loan to X",
        properties={"amount": 2e6, "currency": "CNY", "date": "2014-01-01"},
        degree=2,
    )
    result = score(a, b, Neighbours((("X", 4),)), money=MONEY)
    assert result.value < DEFAULT_THRESHOLD
    detail = {s.name: s.detail for s in result.signals}["properties"]
    assert "amount CNY 1,000,000 / CNY 2,000,000" in detail
    assert "date" in detail


def test_money_in_another_currency_is_not_a_conflict():
    a = Side("a", "CREDIT", "Loan", properties={"amount": 1e6, "currency": "CNY"})
    b = Side("b", "CREDIT", "Loan", properties={"amount": 163200.0, "currency": "USD"})
    assert signals(score(a, b, Neighbours(), money=MONEY))["properties"] == 0.0


def test_money_compares_through_a_conversion():
    a = Side("a", "CREDIT", "Loan", properties={"amount": 3.52e6, "currency": "USD"})
    b = Side(
        "b",
        "CREDIT",
        "Loan",
        properties={
            "amount": 9.01e6,
            "currency": "CNY",
            "convertedAmount": 1470432.0,
            "convertedCurrency": "USD",
        },
    )
    result = score(a, b, Neighbours(), money=MONEY)
    assert signals(result)["properties"] == -0.25
    assert "amount USD 3,520,000 / USD 1,470,432" in result.signals[2].detail
    same = Side("c", "CREDIT", "Loan", properties={"amount": 1470432.0, "currency": "USD"})
    assert signals(score(same, b, Neighbours(), money=MONEY))["properties"] == 0.05


def test_agreeing_properties_add_a_little():
    props = {"nameZh": "北京银行", "bankType": "city commercial bank"}
    a = Side("a", "BANK", "Bank of Beijing", properties=props)
    b = Side("b", "BANK", "Bank of Bejing", properties=props)
    # An equal Chinese name counts in the name signal, not again here.
    assert signals(score(a, b, Neighbours()))["properties"] == 0.02


def test_a_chinese_name_in_conflict_weighs():
    a = Side("a", "BANK", "Bank of Beijing", properties={"nameZh": "北京银行"})
    b = Side("b", "BANK", "Bank of Bejing", properties={"nameZh": "南京银行"})
    assert signals(score(a, b, Neighbours()))["properties"] == -0.25


def test_a_relationship_between_them_says_two_things():
    a = Side("a", "ORGANIZATION", "Zhongguancun Park Committee", degree=3)
    b = Side("b", "ORGANIZATION", "Zhongguancun Park Committee", degree=3)
    result = score(a, b, Neighbours((), ("ADMINISTERS",)))
    assert signals(result)["link"] < 0
    assert "ADMINISTERS" in result.signals[-1].detail


def test_sharing_nothing_while_both_have_relationships_counts_against():
    a = Side("a", "PERSON", "Wang Jian", degree=4)
    b = Side("b", "PERSON", "Wang Jian", degree=3)
    assert signals(score(a, b, Neighbours()))["neighbours"] < 0
    c = Side("c", "PERSON", "Wang Jian", degree=0)
    assert signals(score(a, c, Neighbours()))["neighbours"] == 0


def test_the_score_stays_within_0_and_1():
    a = Side("a", "BANK", "Bank of Beijing", properties={"nameZh": "北京银行", "x": 1}, degree=1)
    b = Side("b", "BANK", "Bank of Beijing", properties={"nameZh": "北京银行", "x": 1}, degree=1)
    assert score(a, b, Neighbours((("n", 1),))).value == 1.0
    c = Side("c", "BANK", "Bank of Nanjing", properties={"nameZh": "南京银行", "x": 2}, degree=1)
    assert score(a, c, Neighbours((), ("PART_OF",))).value == 0.0


def test_an_abbreviation_of_its_own_entitys_name_is_not_evidence_for_another():
    ccb = Side("ccb", "BANK", "China Construction Bank", ("CCB",))
    citic = Side("citic", "BANK", "China CITIC Bank")
    assert best_name_match(ccb, citic).value <= 0.3
    only_abbreviation = Side("ccb", "BANK", "CCB", ("China Construction Bank",))
    evidence = best_name_match(only_abbreviation, Side("citic", "BANK", "China CITIC Bank"))
    assert evidence.match.similarity <= 0.3
    assert "also the initials of 'China Construction Bank'" in evidence.match.reason


def test_initials_many_names_share_count_for_less():
    bob = Side("bob", "BANK", "BOB")
    beijing = Side("b", "BANK", "Bank of Beijing")
    assert best_name_match(bob, beijing).value == 0.9
    shared = best_name_match(bob, beijing, lambda key: 3 if key == "#bob" else 2)
    assert shared.value == 0.3
    assert (
        "3 names of this kind have those initials"
        in score(bob, beijing, Neighbours(), name=shared).signals[0].detail
    )


def test_hubs_count_for_less():
    assert neighbour_weight(3) == 1.0
    assert neighbour_weight(1000) < 0.35


def test_a_value_claimed_for_both_agrees_even_when_another_is_shown():
    # a shows 53 members (one source) and has 60 from another; b shows 60.
    a = Side(
        "a",
        "ORGANIZATION",
        "Zhongguancun IP Alliance",
        properties={"memberCount": 53},
        claimed={("memberCount",): ((53,), (60,))},
    )
    b = Side("b", "ORGANIZATION", "ZGC IP Alliance", properties={"memberCount": 60})
    result = property_signal(a, b)
    assert result.contribution == 0.05
    assert result.detail == (
        "agree on memberCount (60 claimed for both, not the value shown on both)"
    )
    # Compared on the values shown only, the same pair conflicts.
    shown_only = property_signal(replace(a, claimed={}), b)
    assert shown_only.contribution == -0.25
    assert shown_only.detail == "conflict on memberCount 53 / 60"


def test_claimed_values_with_none_in_common_conflict_and_are_all_named():
    a = Side(
        "a",
        "ORGANIZATION",
        "X",
        properties={"memberCount": 53},
        claimed={("memberCount",): ((53,), (60,))},
    )
    b = Side("b", "ORGANIZATION", "X", properties={"memberCount": 70})
    result = property_signal(a, b)
    assert result.contribution == -0.25
    assert result.detail == "conflict on memberCount 53 or 60 / 70"


def test_money_agrees_on_a_claimed_amount_and_conflicts_when_none_is_shared():
    a = Side(
        "a",
        "CREDIT",
        "Loan",
        properties={"amount": 1.2e8, "currency": "CNY"},
        claimed={("amount", "currency"): ((120_000_000, "CNY"), (100_000_000, "CNY"))},
    )
    b = Side("b", "CREDIT", "Loan", properties={"amount": 1e8, "currency": "CNY"})
    result = property_signal(a, b, MONEY)
    assert result.contribution == 0.05
    assert "amount (CNY 100,000,000 claimed for both" in result.detail
    c = Side("c", "CREDIT", "Loan", properties={"amount": 9e7, "currency": "CNY"})
    result = property_signal(a, c, MONEY)
    assert result.contribution == -0.25
    assert result.detail == (
        "conflict on amount CNY 120,000,000 or CNY 100,000,000 / CNY 90,000,000"
    )


def test_claims_read_from_a_stored_entity_leave_out_rejected_values():
    entries = []
    for count, prov in ((53, "s1||"), (60, "s2||")):
        for c in claims.row_claims("ORGANIZATION", {"memberCount": count}, [prov], name="X"):
            entries += c["entries"]
    stored = {"kind": "ORGANIZATION", "name": "X", "memberCount": 60, "_claims": entries}
    assert claims.claimed_columns(stored, "ORGANIZATION") == {("memberCount",): ((53,), (60,))}
    pinned = {**stored, "_pinned": [f"memberCount{claims.SEP}60"]}
    assert claims.claimed_columns(pinned, "ORGANIZATION") == {("memberCount",): ((60,),)}
