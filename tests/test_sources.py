"""`sources` (at most `first`) and `sourcesConnection` (pages to the end, counted): by
publication date, undated last, then id."""

from __future__ import annotations

from tests.commands import query

PAGE = """query ($a: String) { sourcesConnection(first: 2, after: $a) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }"""


def test_sources_page_to_the_end_in_their_order(gql, settings):
    # Three more sources: two dated the same day (ordered by id), one undated (last).
    query(
        settings,
        "UNWIND [['srcp-a', date('2020-01-01')], ['srcp-b', date('2020-01-01')], "
        "['srcp-c', null]] AS s CREATE (:Source {id: s[0], title: s[0], publishedOn: s[1]})",
    )
    try:
        everything = [s["id"] for s in gql("{ sources(first: 500) { id } }")["sources"]]
        assert everything.index("srcp-a") + 1 == everything.index("srcp-b")
        assert everything[-1] == "srcp-c"
        seen, after = [], None
        while True:
            page = gql(PAGE, {"a": after})["sourcesConnection"]
            assert page["totalCount"] == len(everything)
            seen += [edge["node"]["id"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == everything
        assert [s["id"] for s in gql("{ sources(first: 2) { id } }")["sources"]] == everything[:2]
        assert gql.error("{ sources(first: 501) { id } }")["extensions"]["code"] == "BAD_USER_INPUT"
    finally:
        query(settings, "MATCH (s:Source) WHERE s.id STARTS WITH 'srcp-' DELETE s")
