"""Reading JSON Lines and CSV files into records: shapes, typing, line numbers, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.bulk.csvfile import parse_cell, read_csv
from graph.bulk.jsonl import read_jsonl
from graph.bulk.records import ENTITY, RELATIONSHIP, SOURCE, Problem, Record

ENTITY_LINE = {
    "id": "acme",
    "kind": "ORGANIZATION",
    "name": "Acme",
    "aliases": ["ACME Corp"],
    "properties": {"memberCount": 3},
    "provenance": [{"source": "s1", "paragraph": 2}],
}
RELATIONSHIP_LINE = {
    "from": "jane",
    "type": "HOLDS_POSITION",
    "to": "acme",
    "properties": {"title": "CEO"},
    "provenance": [{"source": "s1", "locator": "p. 4"}],
}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _jsonl(tmp_path: Path, *lines: object) -> list[Record | Problem]:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    return list(read_jsonl(_write(tmp_path, "facts.jsonl", text + "\n")))


# --- JSON Lines ---------------------------------------------------------------------


def test_jsonl_tells_entities_relationships_and_sources_apart(tmp_path):
    source = {"record": "source", "id": "s1", "title": "A report"}
    items = _jsonl(tmp_path, source, ENTITY_LINE, RELATIONSHIP_LINE)
    assert [(i.type, i.line) for i in items] == [(SOURCE, 1), (ENTITY, 2), (RELATIONSHIP, 3)]
    assert items[0].data == {"id": "s1", "title": "A report"}  # "record" is not data
    assert items[1].data == ENTITY_LINE
    assert items[2].data == RELATIONSHIP_LINE


def test_jsonl_record_field_overrides_inference(tmp_path):
    [item] = _jsonl(tmp_path, {"record": "entity", **ENTITY_LINE, "type": "odd"})
    assert item.type == ENTITY


def test_jsonl_line_numbers_count_blank_lines(tmp_path):
    items = _jsonl(tmp_path, ENTITY_LINE, "", "   ", RELATIONSHIP_LINE)
    assert [i.line for i in items] == [1, 4]


def test_jsonl_reads_a_span_of_lines_without_parsing_the_rest(tmp_path):
    broken = '{"id": "x", "kind": '  # outside the span: never parsed, so no problem
    text = "\n".join([broken, json.dumps(ENTITY_LINE), "", json.dumps(RELATIONSHIP_LINE), broken])
    path = _write(tmp_path, "facts.jsonl", text + "\n")
    items = list(read_jsonl(path, first=2, last=4))
    assert [(i.type, i.line) for i in items] == [(ENTITY, 2), (RELATIONSHIP, 4)]
    assert [i.line for i in read_jsonl(path, first=4, last=4)] == [4]
    assert [type(i) for i in read_jsonl(path)] == [Problem, Record, Record, Problem]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"id": "x", "kind": ', "not valid JSON"),
        ("[1, 2]", "one JSON object"),
        ('"text"', "one JSON object"),
        (
            {"record": "person", "id": "x"},
            "record must be source, entity or relationship, got 'person'",
        ),
        ({"name": "no id, no ends"}, "neither an entity"),
    ],
)
def test_jsonl_lines_that_are_not_records_are_problems_at_their_line(tmp_path, line, expected):
    items = _jsonl(tmp_path, ENTITY_LINE, line)
    problem = items[1]
    assert isinstance(problem, Problem)
    assert problem.line == 2
    assert problem.where == "facts.jsonl line 2"
    assert expected in problem.reason


def test_jsonl_invalid_utf8_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(json.dumps(ENTITY_LINE).encode() + b'\n{"id": "\xff"}\n')
    items = list(read_jsonl(path))
    assert isinstance(items[0], Record)
    assert isinstance(items[1], Problem)
    assert items[1].line == 2


# --- CSV ----------------------------------------------------------------------------

ENTITY_HEADER = "id,kind,name,aliases,source,paragraph,locator"


def _csv(tmp_path: Path, text: str, name: str = "facts.csv") -> list[Record | Problem]:
    return list(read_csv(_write(tmp_path, name, text)))


def test_csv_entities_typed_by_the_kind_of_each_row(tmp_path):
    text = (
        f"{ENTITY_HEADER},memberCount,anonymous,date,attendeeGroups,totalCredit,description\n"
        "acme,ORGANIZATION,Acme,ACME Corp| Acme Inc ,s1,2,,53,,,,,Makers\n"
        "jane,PERSON,Jane Doe,,s1,,headline,,true,,,,\n"
        "launch,EVENT,Launch,,s1,3,,,,2024-05-01,banks|firms,,\n"
        "deal,AGREEMENT,Deal,,s1,4,,,,,,26000000000,\n"
    )
    acme, jane, launch, deal = _csv(tmp_path, text)
    assert acme.type == ENTITY
    assert acme.line == 2
    assert acme.data == {
        "id": "acme",
        "kind": "ORGANIZATION",
        "name": "Acme",
        "aliases": ["ACME Corp", "Acme Inc"],
        "properties": {"memberCount": 53, "description": "Makers"},
        "provenance": [{"source": "s1", "paragraph": 2}],
    }
    assert jane.data["properties"] == {"anonymous": True}
    assert jane.data["provenance"] == [{"source": "s1", "locator": "headline"}]
    assert launch.data["properties"] == {"date": "2024-05-01", "attendeeGroups": ["banks", "firms"]}
    assert deal.data["properties"] == {"totalCredit": 26000000000.0}


def test_csv_relationships_typed_by_their_type(tmp_path):
    text = (
        "from,type,to,source,paragraph,locator,title,since\n"
        "jane,HOLDS_POSITION,acme,s1,,p. 4,CEO,\n"
        "acme,MEMBER_OF,alliance,s1,5,,,2013-07-30\n"
    )
    holds, member = _csv(tmp_path, text, "relationships.csv")
    assert holds.type == RELATIONSHIP
    assert holds.data == {
        "from": "jane",
        "type": "HOLDS_POSITION",
        "to": "acme",
        "properties": {"title": "CEO"},
        "provenance": [{"source": "s1", "locator": "p. 4"}],
    }
    assert member.data["properties"] == {"since": "2013-07-30"}


@pytest.mark.parametrize(
    ("text", "declared", "expected"),
    [
        ("53", "int", 53),
        ("-2", "int", -2),
        ("5.5", "int", "5.5"),  # left as text: the domain check reports "must be int"
        ("1e3", "float", 1000.0),
        ("nan", "float", "nan"),
        ("TRUE", "bool", True),
        ("no", "bool", False),
        ("maybe", "bool", "maybe"),
        ("2024-02-30", "date", "2024-02-30"),  # checked as a date later
        ("a| b ||c", "string[]", ["a", "b", "c"]),
        ("x", "string", "x"),
        ("x", None, "x"),
    ],
)
def test_cells_are_read_as_their_declared_type(text, declared, expected):
    assert parse_cell(text, declared) == expected


def test_csv_line_numbers_follow_quoted_newlines_and_blank_lines(tmp_path):
    text = f'{ENTITY_HEADER},description\na,PLACE,A,,s1,1,,"two\nlines"\n\nb,PLACE,B,,s1,1,,\n'
    a, b = _csv(tmp_path, text)
    assert (a.line, b.line) == (2, 5)
    assert a.data["properties"] == {"description": "two\nlines"}


def test_csv_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(f"\ufeff{ENTITY_HEADER}\na,PLACE,A,,s1,1,\n".encode())
    [item] = read_csv(path)
    assert item.data["id"] == "a"


def test_csv_rows_of_the_wrong_width_are_problems(tmp_path):
    items = _csv(tmp_path, f"{ENTITY_HEADER}\na,PLACE,A,,s1,1\nb,PLACE,B,,s1,1,\n")
    assert isinstance(items[0], Problem)
    assert (items[0].line, items[0].reason) == (2, "6 cells where the header has 7")
    assert items[1].data["id"] == "b"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f"{ENTITY_HEADER},colour", "column 'colour' is neither a field (id, kind, "),
        ("from,type,to,source,paragraph,locator,memberCount", "column 'memberCount' is neither"),
        (f"{ENTITY_HEADER},name", "column 'name' appears more than once"),
        ("name,value", "the header must name the columns"),
        ("", "the header must name the columns"),
    ],
)
def test_a_bad_header_is_one_problem_at_line_1_and_no_rows(tmp_path, header, expected):
    items = _csv(tmp_path, f"{header}\na,PLACE,A,,s1,1,,x\n")
    [problem] = items
    assert isinstance(problem, Problem)
    assert problem.line == 1
    assert expected in problem.reason
