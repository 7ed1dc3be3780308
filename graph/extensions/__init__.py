"""Strawberry schema extensions: what happens around every operation, whichever way it
arrived (graph/schema.py lists them in order).

`limits` refuses documents over the abuse limits before Neo4j is touched; `documents`
remembers parsed and validated documents; `masking` is the GraphQL layer's error
boundary; `operations` notes each operation on the request (for the log and metrics).
None of them knows about HTTP: that is graph/http/.
"""
