"""Queries that nest deeply, through every kind of field the planner knows, shared by
the round-trip tests (one Cypher query per root field) and the execution tests (the
one-pass completion answers what the walk answers)."""

DEEP = """
query Deep($withPeople: Boolean!, $skipCredits: Boolean!) {
  entity(id: "bank-of-beijing") {
    ...Names
    provenance { paragraph source { title } }
    relationships(types: ["PARTY_TO", "LENT"], direction: OUT) {
      type
      provenance { paragraph }
      other {
        ...Names
        ... on Agreement {
          totalCredit { amount currency }
          parties(first: 10) {
            role
            party {
              ...Names
              ... on Organizational {
                people(first: 10) @include(if: $withPeople) { title person { name } }
                agreements(first: 10) { agreement { id } }
              }
            }
          }
        }
        ... on Credit {
          borrower {
            ...Names
            ... on Organization { patents(first: 10) { name
              ... on Patent { secures(first: 10) { id } } } }
          }
          lender @skip(if: $skipCredits) { id }
        }
      }
    }
    ... on Bank {
      creditsGranted(first: 10) { id
        ... on Credit { amount { amount } securedBy(first: 10) { name } } }
      alias: credits(first: 10) { id }
    }
  }
}
fragment Names on Entity { id name kind }
"""

# Relationship connections nested three levels deep, with filters, sorting, cursors,
# counts and aggregates at each level: still one query for the root field.
PAGED = """
query Paged($after: String) {
  banks(first: 5) {
    edges { node { name
      creditsGrantedConnection(first: 2, after: $after, orderBy: {key: AMOUNT, direction: DESC}) {
        totalCount pageInfo { hasNextPage endCursor }
        aggregate { count totals { currency amount count } dates { earliest } }
        edges { cursor provenance { paragraph } node { id ... on Credit {
          borrower { name }
          securedByConnection(first: 5) { totalCount edges { node { name
            ... on Patent { owner { name
              ... on Organization { patentsConnection(first: 1) { totalCount
                edges { node { id } } } } } } } } } } } } }
      agreementsConnection(edge: {role: {equals: "lender"}}, orderBy: {key: ROLE}) {
        totalCount edges { role node { name ... on Agreement {
          partiesConnection(orderBy: {key: ROLE, direction: DESC}, first: 3) {
            totalCount edges { role node { id } } }
          parties(first: 2, where: {kinds: [BANK]}) { role party { id } } } } } }
      relationshipsConnection(first: 3, types: ["PARTY_TO", "LENT"]) { totalCount
        edges { cursor node { type other { id } } } }
    } }
  }
}
"""

QUERIES = [
    (PAGED, {"after": None}),
    (DEEP, {"withPeople": True, "skipCredits": False}),
    (DEEP, {"withPeople": False, "skipCredits": True}),
    (
        """{ search(text: "Zhongguancun", first: 5) { score entity { id name
             relationships { type other { id ... on Organization { parent { name } } } } } } }""",
        None,
    ),
    (
        """{ shortestPath(fromId: "bank-of-china", toId: "potevio") { length
             nodes { id provenance { paragraph } relationships(first: 3) { type other { id } } }
             edges { type from to } } }""",
        None,
    ),
    (
        """{ neighborhood(id: "zhongguancun-ip-service-alliance-launch-ceremony", hops: 2) {
             truncated nodes { id ... on Person { positions { title organization { name
             ... on Organization { parent { name } } } } } } edges { type from to } } }""",
        None,
    ),
    (
        """{ people(first: 5, where: {related: [{type: "HOLDS_POSITION"}]}) { totalCount
             edges { node { name positions { title organization { name
             ... on Organizational { units(first: 10) { name } } } }
             comments { summary about { name } provenance { paragraph } } } } } }""",
        None,
    ),
    (
        """{ allShortestPaths(fromId: "bank-of-china", toId: "potevio") { length
             nodes { id relationships(first: 2) { other { id } } } }
           kShortestPaths(fromId: "bank-of-china", toId: "bank-of-beijing", k: 2) {
             nodes { id provenance { paragraph source { title } } } }
           connect(ids: ["potevio", "yu-yang", "bank-of-china"]) { nodes { id
             ... on Organizational { people { title person { name } } } } } }""",
        None,
    ),
    (
        """{ creditTotals(groupBy: LENDER) { total { amount currency }
             entity { name ... on Bank { agreements { role agreement { name } } } } }
           timeline(id: "zhongguancun-science-park") { date label
             entity { name ... on Event { organizers { name } place { name } } } }
           neighborhood(id: "bank-of-beijing", hops: 2, kinds: [BANK, AGREEMENT]) {
             nodes { id kind } } }""",
        None,
    ),
]
