"""``python -m dynamic_mcp``: the same command as ``dynamic-mcp``."""

from dynamic_mcp.cli import main
from dynamic_mcp.metadata import COMMAND

if __name__ == "__main__":
    main(prog_name=COMMAND)
