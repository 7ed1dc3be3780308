"""HTTP: the Starlette app and everything that knows about requests and responses.

`app` assembles it (`create_app`); `view` is GraphQL over HTTP at /graphql (batching,
content negotiation, persisted queries from `persisted`, the `playground` page);
`middleware` gives each request its id, access log line and `metrics`; `body_limit`
refuses bodies over MAX_BODY_BYTES; `responses` is the one place an error becomes an
HTTP response; `serving` runs the app with uvicorn. Nothing outside this package (but
graph/cli.py) imports it.
"""
