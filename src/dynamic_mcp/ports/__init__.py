"""Ports: the typing.Protocol classes the core needs from the outside world."""
