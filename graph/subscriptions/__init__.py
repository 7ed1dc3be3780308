"""Live updates: the change feed each worker polls from Neo4j (`feed`), in commit order."""
