"""Thin async functions: check arguments, call a Cypher builder, run it, shape the result."""
