"""A GraphQL knowledge-graph service for intellectual-property finance, over Neo4j."""
