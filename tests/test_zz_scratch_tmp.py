def test_dump(gql):
    d = gql('{ neighborhood(id: "zhongguancun-science-park", hops: 3, limit: 1000) { truncated nodes { id } edges { type } } }')["neighborhood"]
    print("\nNB", len(d["nodes"]), len(d["edges"]), d["truncated"])
