"""Finding entities that are likely the same thing (issue 15, "Duplicate candidates"):
names normalised and cut into blocking keys (`names`), pairs scored with the reasons for
their scores (`scoring`). Pure code: no database, no framework."""
