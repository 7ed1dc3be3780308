"""Who a request acts as, from its `Authorization` header.

No header: the anonymous principal. `Bearer kg_...`: an API key. `Bearer <anything
else>`: a JWT. A header that is present but not valid is refused (UNAUTHENTICATED),
never downgraded to anonymous, so a client with a broken token finds out at once.
"""

from __future__ import annotations

from graph.auth import keys
from graph.auth.roles import ANONYMOUS, Principal
from graph.auth.tokens import JwtVerifier
from graph.db import Database
from graph.errors import Unauthenticated
from graph.settings import Settings

# Far longer than any key or sensible JWT; refuses junk before any work is done.
MAX_TOKEN_LENGTH = 8192


class Authenticator:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.jwt = JwtVerifier.from_settings(settings)

    async def authenticate(self, authorization: str | None) -> Principal:
        if authorization is None:
            return ANONYMOUS
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise Unauthenticated("The Authorization header must be 'Bearer <token>'.")
        if len(token) > MAX_TOKEN_LENGTH:
            raise Unauthenticated("The token is too long.")
        if keys.looks_like_api_key(token):
            return await keys.verify_key(self.db, token)
        if self.jwt is None:
            raise Unauthenticated("Only API keys (kg_...) are accepted here.")
        return self.jwt.verify(token)
