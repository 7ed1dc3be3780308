"""GraphQL types, without I/O: field resolvers delegate to `graph.resolvers`."""
