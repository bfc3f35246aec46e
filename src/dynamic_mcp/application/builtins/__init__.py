"""Built-in handler packages: the management tools of SPEC §4, as data plus one handler each."""
