"""The fold (graph/bulk/fold.py) without a database: what repeated rows add up to, what
a fact's bookkeeping holds, and conflicts. That it equals what the Cypher upserts leave
is tests/test_offline_import.py's part."""

from graph.bulk import fold
from graph.claims import SEP
from graph.facts import entity_row, relationship_row

CHANGES = {"create": "c-1", "update": "u-1"}


def org(aliases: list[str], source: str, paragraph: int, **props) -> dict:
    return entity_row(
        {
            "id": "acme",
            "kind": "ORGANIZATION",
            "name": "Acme",
            "aliases": aliases,
            "properties": props,
            "provenance": [{"source": source, "paragraph": paragraph}],
        }
    )


def test_a_new_entity_carries_its_bookkeeping():
    fact, written = fold.entity(None, "ORGANIZATION", org(["AC"], "s1", 2), "ingest", CHANGES)
    assert (written.created, written.changed, written.conflicts) == (True, True, [])
    assert fact["id"] == "acme"
    assert fact["kind"] == "ORGANIZATION"
    assert fact["aliases"] == ["AC"]
    assert fact["_search"] == "AC ; "
    assert fact["_sortName"] == "acme"
    assert fact["_prov"] == ["s1|2|"]
    assert fact["_setBy"] == ["name|s1|ingest"]
    assert fact["_changes"] == ["c-1"]
    assert fact["_dupKeys"]
    assert f'name{SEP}"Acme"{SEP}s1|2|' in fact["_claims"]


def test_no_aliases_no_empty_lists():
    fact, _ = fold.entity(None, "ORGANIZATION", org([], "s1", 1), "ingest", CHANGES)
    assert "aliases" not in fact
    assert "_search" not in fact


def test_repeated_rows_add_aliases_and_provenance_once():
    fact, _ = fold.entity(None, "ORGANIZATION", org(["AC"], "s1", 1), "ingest", CHANGES)
    fact, written = fold.entity(
        fact, "ORGANIZATION", org(["AC", "A.C."], "s2", 3), "ingest", CHANGES
    )
    assert (written.created, written.changed) == (False, True)
    assert fact["aliases"] == ["AC", "A.C."]
    assert fact["_prov"] == ["s1|1|", "s2|3|"]
    assert fact["_changes"] == ["c-1", "u-1"]
    assert fact["_setBy"] == ["name|s2|ingest"]
    # The same row again changes nothing and records nothing.
    again, written = fold.entity(
        dict(fact), "ORGANIZATION", org(["AC"], "s2", 3), "ingest", CHANGES
    )
    assert (written.created, written.changed) == (False, False)
    assert again == fact


def test_two_values_open_a_conflict_and_the_better_sourced_one_is_shown():
    fact, _ = fold.entity(
        None, "ORGANIZATION", org([], "s1", 1, orgType="company"), "ingest", CHANGES
    )
    fact, _ = fold.entity(
        fact, "ORGANIZATION", org([], "s2", 1, orgType="company"), "ingest", CHANGES
    )
    fact, written = fold.entity(
        fact, "ORGANIZATION", org([], "s3", 1, orgType="bank"), "ingest", CHANGES
    )
    assert fact["orgType"] == "company"  # two sources to one
    [conflict] = written.conflicts
    assert (conflict.id, conflict.property, conflict.values) == ("acme#orgType", "orgType", 2)
    assert (conflict.target, conflict.subject, conflict.object) == ("entity", "acme", None)


def test_a_relationship_folds_like_an_entity():
    def member(source: str, since: str) -> dict:
        return relationship_row(
            {
                "from": "acme",
                "type": "MEMBER_OF",
                "to": "alliance",
                "properties": {"since": since},
                "provenance": [{"source": source, "paragraph": 1}],
            }
        )

    fact, written = fold.relationship(
        None, "MEMBER_OF", member("s1", "2013-08-01"), "ingest", CHANGES
    )
    assert written.created
    assert str(fact["since"]) == "2013-08-01"
    assert fact["_setBy"] == ["since|s1|ingest"]
    fact, written = fold.relationship(
        fact, "MEMBER_OF", member("s2", "2012-05-01"), "ingest", CHANGES
    )
    assert str(fact["since"]) == "2012-05-01"  # a tie: the newest shows
    [conflict] = written.conflicts
    assert conflict.id == "acme|MEMBER_OF|alliance#since"
    assert (conflict.subject, conflict.object, conflict.kind) == ("acme", "alliance", "MEMBER_OF")
