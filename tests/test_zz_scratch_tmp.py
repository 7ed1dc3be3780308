def test_dump(gql):
    for t in [
        "SIPO",
        "BOB",
        "Bank of China",
        "北京银行",
        "Bank of Bejing",
        "Potevo",
        "Zhongguancun",
        "中关村",
    ]:
        d = gql(
            "query($t:String!){ search(text:$t, first: 8){ score entity { id name aliases } } }",
            {"t": t},
        )
        print("\n==", t)
        for h in d["search"]:
            print(round(h["score"], 3), h["entity"]["id"], h["entity"]["aliases"])
