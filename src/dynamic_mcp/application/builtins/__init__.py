"""Built-in handler packages: the management tools of docs/access.md, as data plus one handler each."""
