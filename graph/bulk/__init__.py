"""Bulk ingestion: files of facts (JSON Lines, CSV) checked whole, then written in batches.

    files ──read once (snapshot)──▶ records ──check (every row, before any write)──▶
          problems | rows ──batches of rows, ids mapped through redirects──▶
          one transaction per batch

`snapshot` copies each file as it is when first read, and both the check and the writing
read that copy, so what is written is what was checked; `jsonl` and `csvfile` read it
into `records`; `check` holds every row against the
declared domain (graph/facts.py) and against what the graph already has; `writer` sends a
batch through the upserts of graph/cypher/writes.py; `ingestion` runs the whole (the
graph's constraints and indexes first) and fills a `report`; the seed's JSON document
takes the same path (`document`); `command` is `python -m graph.cli ingest`. See
README.md, "Bulk ingestion".
"""
