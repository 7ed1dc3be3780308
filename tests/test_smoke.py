def test_entity(gql):
    data = gql(
        '{ entity(id: "bank-of-beijing") { id name kind aliases properties provenance { paragraph locator source { title publishedOn authors } } relationships { type direction other { id name } } } }'
    )
    print(data)
    assert data["entity"]["name"] == "Bank of Beijing"
