"""Role order and the `require` check, without a database."""

import pytest

from graph.auth.roles import ANONYMOUS, Principal, Role, require
from graph.errors import Forbidden, Unauthenticated


def test_roles_are_ordered():
    assert Role.READER < Role.EDITOR < Role.ADMIN


@pytest.mark.parametrize("name", ["reader", "Editor", " ADMIN "])
def test_parse_known_names(name):
    assert Role.parse(name).label == name.strip().lower()


@pytest.mark.parametrize("value", ["root", "", None, 2])
def test_parse_refuses_anything_else(value):
    with pytest.raises(ValueError, match="unknown role"):
        Role.parse(value)


@pytest.mark.parametrize(
    ("has", "needs", "allowed"),
    [
        (Role.READER, "reader", True),
        (Role.READER, "editor", False),
        (Role.EDITOR, "editor", True),
        (Role.EDITOR, "admin", False),
        (Role.ADMIN, "editor", True),
        (Role.ADMIN, "admin", True),
    ],
)
def test_require_by_rank(has, needs, allowed):
    principal = Principal(subject="s", role=has, via="api-key")
    if allowed:
        assert require(principal, needs) is principal
    else:
        with pytest.raises(Forbidden, match=f"needs the {needs} role"):
            require(principal, needs)


def test_anonymous_is_unauthenticated_not_forbidden():
    with pytest.raises(Unauthenticated, match="Authorization: Bearer"):
        require(ANONYMOUS, "reader")
