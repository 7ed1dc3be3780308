"""Access control: who is calling (a Principal, from an API key or a JWT) and what their
role allows. Reads are open unless READ_REQUIRES_TOKEN is on; writes need a role."""
