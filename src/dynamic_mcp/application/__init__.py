"""Use cases: the only code that applies the domain rules to stored state."""
