"""Pure Cypher builders: each returns `(query, params)` and never touches the driver."""
