"""A file is read once: checking and writing both read its snapshot, so a file changed,
replaced or removed in between changes nothing of what a run writes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from graph.bulk.command import file_input
from graph.bulk.snapshot import Snapshot

ROW = {
    "id": "acme",
    "kind": "ORGANIZATION",
    "name": "Acme",
    "provenance": [{"source": "s1", "paragraph": 2}],
}


def _records(origin) -> list:
    return [(item.line, item.data) for item in origin.read()]


@pytest.mark.parametrize(
    ("name", "text", "changed"),
    [
        ("facts.jsonl", json.dumps(ROW) + "\n", json.dumps({**ROW, "name": "Other"}) + "\n"),
        (
            "facts.csv",
            "id,kind,name,source,paragraph\nacme,ORGANIZATION,Acme,s1,2\n",
            "id,kind,name,source,paragraph\nacme,ORGANIZATION,Other,s1,2\nnew,PLACE,X,s1,1\n",
        ),
    ],
)
def test_every_read_sees_the_file_as_it_was_first_read(tmp_path: Path, name, text, changed):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    origin = file_input(path)
    try:
        checked = _records(origin)
        path.write_text(changed, encoding="utf-8")  # edited between check and write
        assert _records(origin) == checked
        path.unlink()  # or gone
        assert _records(origin) == checked
        assert [data["name"] for _, data in checked] == ["Acme"]
    finally:
        origin.close()


def test_readers_of_one_snapshot_do_not_move_each_other(tmp_path: Path):
    path = tmp_path / "big.bin"
    data = bytes(range(256)) * 20_000  # several read buffers long
    path.write_bytes(data)
    snapshot = Snapshot(path)
    try:
        assert snapshot.sha256 == hashlib.sha256(data).hexdigest()
        first, second = snapshot.open(), snapshot.open()
        head = first.read(1000)
        assert second.read() == data
        assert head + first.read() == data
    finally:
        snapshot.close()
