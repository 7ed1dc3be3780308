"""Names as the duplicate finder reads them, and the blocking keys they give."""

from __future__ import annotations

import pytest

from graph.matching.names import entity_keys, fold, name_keys, read


@pytest.mark.parametrize(
    "text",
    [
        "Bank of Beijing",
        "BANK OF BEIJING",
        "Bank of Beijing Co., Ltd.",
        "bank of beijing, limited",
        "The Bank of Beijing",
        "Ｂａｎｋ　ｏｆ　Ｂｅｉｊｉｎｇ",
    ],
)
def test_case_punctuation_width_and_legal_forms_fold_away(text):
    assert read(text).words == ("bank", "beijing")
    assert read(text).tokens == ("bank", "of", "beijing")


def test_a_legal_form_alone_is_still_a_name():
    assert read("Group").words == ("group",)


def test_accents_and_apostrophes_fold():
    assert fold("Société Générale") == "societe generale"
    assert read("People's Daily").words == ("peoples", "daily")
    assert read("Xi'an").words == ("xian",)


def test_chinese_legal_forms_fold_away():
    assert read("北京银行股份有限公司").cjk == "北京银行"
    assert read("北京中科恒泰科技有限公司").cjk == "北京中科恒泰科技"
    assert read("公司").cjk == "公司"


def test_mixed_scripts_keep_both():
    name = read("Siemens（北京）有限公司")
    assert name.words == ("siemens",)
    assert name.cjk == "北京"


def test_keys_of_a_name():
    keys = name_keys(read("Bank of Beijing Co., Ltd."))
    assert "=bank beijing" in keys
    assert "~bnkbjng" in keys
    assert {"#bob", "#bb"} <= keys


def test_a_misspelling_keeps_the_skeleton():
    assert "~bnkbjng" in name_keys(read("Bank of Bejing"))
    assert "~bnkbjng" not in name_keys(read("Bank of Nanjing"))


def test_a_single_short_word_may_be_an_abbreviation():
    assert "@bob" in name_keys(read("BOB"))
    assert not any(k.startswith("@") for k in name_keys(read("Bank of Beijing")))


def test_word_order_does_not_matter():
    assert "=jianguo wang" in name_keys(read("Wang Jianguo")) & name_keys(read("Jianguo Wang"))


def test_one_word_left_out_meets_the_shorter_name():
    longer = name_keys(read("Beijing Zhongke Technology Co., Ltd."))
    assert "-technology zhongke" in longer
    assert "=technology zhongke" in name_keys(read("Zhongke Technology"))


def test_numbers_are_never_left_out():
    keys = name_keys(read("Wuhan patent licensing agreement of 2009"))
    assert not any(k.startswith("-") for k in keys)
    assert not any(k.startswith("#") for k in keys)


def test_an_entity_is_keyed_by_its_aliases_and_chinese_name():
    keys = entity_keys("Bank of Beijing", ["BOB"], "北京银行")
    assert {"=bank beijing", "@bob", "zh:北京银行"} <= set(keys)
    assert keys == sorted(keys)
    assert "zh:北京银行" in entity_keys("北京银行股份有限公司", [], None)
