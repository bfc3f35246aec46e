"""Handler packages that ship with the server and do I/O (plugins behind the HandlerPackage shape)."""
