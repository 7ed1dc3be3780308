"""`authorize(info, role)`, the check mutations make, with a fake `info` carrying a real
Context (no database needed: the guard only reads the principal)."""

from types import SimpleNamespace

import pytest

from graph.auth.guard import authorize
from graph.auth.roles import ANONYMOUS, Principal, Role
from graph.errors import Forbidden, Unauthenticated
from graph.resolvers.context import Context


def info_for(principal: Principal) -> SimpleNamespace:
    return SimpleNamespace(context=Context(db=None, principal=principal))


async def test_editor_may_edit():
    editor = Principal(subject="api-key:1", role=Role.EDITOR, via="api-key")
    assert await authorize(info_for(editor), "editor") is editor


async def test_admin_may_edit():
    admin = Principal(subject="bob", role=Role.ADMIN, via="jwt")
    assert await authorize(info_for(admin), "editor") is admin


async def test_reader_is_forbidden():
    reader = Principal(subject="carol", role=Role.READER, via="jwt")
    with pytest.raises(Forbidden) as caught:
        await authorize(info_for(reader), "editor")
    assert caught.value.extensions == {"code": "FORBIDDEN"}


async def test_editor_is_forbidden_an_admin_operation():
    editor = Principal(subject="dan", role=Role.EDITOR, via="jwt")
    with pytest.raises(Forbidden):
        await authorize(info_for(editor), Role.ADMIN)


async def test_anonymous_is_unauthenticated():
    with pytest.raises(Unauthenticated) as caught:
        await authorize(info_for(ANONYMOUS), "reader")
    assert caught.value.extensions == {"code": "UNAUTHENTICATED"}


def test_a_context_is_anonymous_unless_told_otherwise():
    assert Context(db=None).principal is ANONYMOUS
