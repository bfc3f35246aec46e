"""Built-in tool definitions, kept identical to the original server's (SPEC §10.2).

Names, argument names, rolesPermitted, alwaysVisible and annotation hints are preserved exactly so
existing clients and prompts keep working. ``add-tool`` is new (SPEC §10.3.9).
"""

from __future__ import annotations

from typing import Any

USER_MANAGEMENT_TOOLS: list[dict[str, Any]] = [
    {
        "name": "list-users",
        "description": "List all users",
        "inputSchema": {
            "type": "object",
            "properties": {
                "nameContains": {"type": "string", "description": "Filter users by name (case-insensitive)"},
                "skip": {"type": "number", "description": "Skip N users"},
                "limit": {"type": "number", "description": "Limit number of users returned"},
            },
        },
        "annotations": {
            "title": "List Users",
            "readOnlyHint": True,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": True,
        },
        "handler": {"type": "user-management", "config": {"action": "list"}},
        "rolesPermitted": ["user", "power-user", "admin"],
        "alwaysVisible": False,
    },
    {
        "name": "add-user",
        "description": "Add a new user",
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {"type": "string", "description": "User email"},
                "name": {"type": "string", "description": "User name"},
                "roles": {
                    "type": "array",
                    "items": {"type": "string", "enum": ["user", "power-user", "admin"]},
                    "description": "User roles",
                },
            },
            "required": ["email"],
        },
        "annotations": {
            "title": "Add User",
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": False,
            "openWorldHint": False,
        },
        "handler": {"type": "user-management", "config": {"action": "add"}},
        "rolesPermitted": ["admin"],
        "alwaysVisible": False,
    },
    {
        "name": "update-user",
        "description": "Update an existing user",
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": "User email (required). If the email is unknown, "
                    "use the list-users tool to find a user by name.",
                },
                "name": {"type": "string", "description": "User name"},
                "roles": {
                    "type": "array",
                    "items": {"type": "string", "enum": ["user", "power-user", "admin"]},
                    "description": "User roles",
                },
                "sharedTools": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "toolId": {"type": "string", "description": "Tool ID"},
                            "sharedBy": {"type": "string", "description": "Who shared the tool"},
                            "accessLevel": {"type": "string", "enum": ["read", "write"], "description": "Access level"},
                            "sharedAt": {
                                "type": "string",
                                "format": "date-time",
                                "description": "When the tool was shared",
                            },
                        },
                        "required": ["toolId", "sharedBy", "accessLevel", "sharedAt"],
                    },
                    "description": "List of shared tools with access details. "
                    "Use the list-tools tool to get a list of "
                    "valid tools before executing this tool.",
                },
            },
            "required": ["email"],
        },
        "annotations": {
            "title": "Update User",
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": False,
        },
        "handler": {"type": "user-management", "config": {"action": "update"}},
        "rolesPermitted": ["admin"],
        "alwaysVisible": False,
    },
    {
        "name": "delete-user",
        "description": "Delete a user",
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": "User email (required). If the email is unknown, "
                    "use the list-users tool to find a user by name.",
                }
            },
            "required": ["email"],
        },
        "annotations": {
            "title": "Delete User",
            "readOnlyHint": False,
            "destructiveHint": True,
            "idempotentHint": True,
            "openWorldHint": False,
        },
        "handler": {"type": "user-management", "config": {"action": "delete"}},
        "rolesPermitted": ["admin"],
        "alwaysVisible": False,
    },
    {
        "name": "share-tool",
        "description": "Share a tool with another user (adds to their sharedTools array)",
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": "Recipient user's email. Use list-users to find the user if needed.",
                },
                "toolId": {
                    "type": "string",
                    "description": "Tool name/ID to share. Use list-tools to get valid tool names.",
                },
                "accessLevel": {
                    "type": "string",
                    "enum": ["read", "write"],
                    "description": "Access level to grant (read or write)",
                },
            },
            "required": ["email", "toolId", "accessLevel"],
        },
        "annotations": {
            "title": "Share Tool",
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": False,
            "openWorldHint": False,
        },
        "handler": {"type": "user-management", "config": {"action": "share-tool"}},
        "rolesPermitted": ["admin", "power-user"],
        "alwaysVisible": False,
    },
    {
        "name": "unshare-tool",
        "description": "Unshare a tool from a user (removes from their sharedTools array)",
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": "Recipient user's email. Use list-users to find the user if needed.",
                },
                "toolId": {
                    "type": "string",
                    "description": "Tool name/ID to unshare. Use list-tools to get valid tool names.",
                },
            },
            "required": ["email", "toolId"],
        },
        "annotations": {
            "title": "Unshare Tool",
            "readOnlyHint": False,
            "destructiveHint": True,
            "idempotentHint": True,
            "openWorldHint": False,
        },
        "handler": {"type": "user-management", "config": {"action": "unshare-tool"}},
        "rolesPermitted": ["admin", "power-user"],
        "alwaysVisible": False,
    },
    {
        "name": "remove-user",
        "description": "Remove (delete) a user by email. This action is irreversible. You must confirm with the "
        "user that they want to remove the user before actually calling this tool.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": "User email (required). If the email is unknown, "
                    "use the list-users tool to find a user by name.",
                }
            },
            "required": ["email"],
        },
        "annotations": {
            "title": "Remove User",
            "readOnlyHint": False,
            "destructiveHint": True,
            "idempotentHint": True,
            "openWorldHint": False,
        },
        "handler": {"type": "user-management", "config": {"action": "delete"}},
        "rolesPermitted": ["admin"],
        "alwaysVisible": False,
    },
    {
        "name": "user-info",
        "description": "Retrieve information about a user. If email is omitted, returns the current user's info. "
        "Admins get full info for any user. Non-admins get only existence and name for other users.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": "User email (optional). If omitted, returns info for the current user.",
                }
            },
        },
        "annotations": {
            "title": "User Info",
            "readOnlyHint": True,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": True,
        },
        "handler": {"type": "user-management", "config": {"action": "user-info"}},
        "rolesPermitted": ["user", "power-user", "admin"],
        "alwaysVisible": False,
    },
    {
        "name": "hide-tool",
        "description": "Hide one or more tools for the current user",
        "inputSchema": {
            "type": "object",
            "properties": {
                "toolId": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "An array of tool names/IDs to hide.  Always use "
                    "list-tools to get a list of valid tools before "
                    "executing this tool.",
                }
            },
            "required": ["toolId"],
        },
        "annotations": {
            "title": "Hide Tool",
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": False,
            "openWorldHint": True,
        },
        "handler": {"type": "user-management", "config": {"action": "hide-tool"}},
        "rolesPermitted": ["user", "power-user", "admin"],
        "alwaysVisible": False,
    },
    {
        "name": "unhide-tool",
        "description": "Unhide one or more tools for the current user (removes from hiddenTools array)",
        "inputSchema": {
            "type": "object",
            "properties": {
                "toolId": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "An array of tool names/IDs to unhide.  Always "
                    "use list-tools to get a list of valid tools "
                    "before executing this tool.",
                }
            },
            "required": ["toolId"],
        },
        "annotations": {
            "title": "Unhide Tool",
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": False,
            "openWorldHint": True,
        },
        "handler": {"type": "user-management", "config": {"action": "unhide-tool"}},
        "rolesPermitted": ["user", "power-user", "admin"],
        "alwaysVisible": True,
    },
    {
        "name": "reset-api-key",
        "description": "Reset a user's API key and email the new key to the user. Always call this tool first with "
        "userConfirmed: false (or omitted). Only set userConfirmed: true after the user has "
        "explicitly confirmed. Non-admin users can reset only their own API key.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": "User email (optional, admin only). Only admins "
                    "can reset another user's API key; omit it to "
                    "reset your own.",
                },
                "userConfirmed": {
                    "type": "boolean",
                    "description": "Always call this tool first with "
                    "userConfirmed: false (or omitted). Only "
                    "set userConfirmed: true after the user "
                    "has explicitly confirmed they want to "
                    "reset their API key. The LLM should first "
                    "confirm with the user before proceeding, "
                    "then call this tool again with "
                    "userConfirmed: true.",
                },
            },
        },
        "annotations": {
            "title": "Reset API Key",
            "readOnlyHint": False,
            "destructiveHint": True,
            "idempotentHint": True,
            "openWorldHint": False,
        },
        "handler": {"type": "user-management", "config": {"action": "reset-api-key"}},
        "rolesPermitted": ["user", "power-user", "admin"],
        "alwaysVisible": False,
    },
]

TOOL_MANAGEMENT_TOOLS: list[dict[str, Any]] = [
    {
        "name": "list-tools",
        "description": "List all tools",
        "inputSchema": {
            "type": "object",
            "properties": {
                "nameContains": {"type": "string", "description": "Filter tools by name (case-insensitive)"}
            },
        },
        "annotations": {
            "title": "List Tools",
            "readOnlyHint": True,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": True,
        },
        "handler": {"type": "tool-management", "config": {"action": "list"}},
        "rolesPermitted": ["user", "power-user", "admin"],
        "alwaysVisible": True,
    },
    {
        "name": "delete-tool",
        "description": "Delete a tool",
        "inputSchema": {
            "type": "object",
            "properties": {"name": {"type": "string", "description": "The name of the tool"}},
        },
        "annotations": {
            "title": "Delete Tool",
            "readOnlyHint": False,
            "destructiveHint": True,
            "idempotentHint": True,
            "openWorldHint": True,
        },
        "handler": {"type": "tool-management", "config": {"action": "delete"}},
        "rolesPermitted": ["admin", "power-user"],
        "alwaysVisible": False,
    },
    {
        "name": "update-tool",
        "description": "Update an existing tool's definition or properties",
        "inputSchema": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "The name of the tool to update"},
                "updates": {
                    "type": "object",
                    "description": "The fields to update in the tool definition (excluding name)",
                },
            },
            "required": ["name", "updates"],
        },
        "annotations": {
            "title": "Update Tool",
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": True,
        },
        "handler": {"type": "tool-management", "config": {"action": "update"}},
        "rolesPermitted": ["admin", "power-user"],
        "alwaysVisible": False,
    },
]

PROMPT_MANAGEMENT_TOOLS: list[dict[str, Any]] = [
    {
        "name": "list-prompts",
        "description": "List all available prompts for the current user",
        "inputSchema": {
            "type": "object",
            "properties": {
                "nameContains": {"type": "string", "description": "Filter prompts by name (case-insensitive)"}
            },
        },
        "annotations": {
            "title": "List Prompts",
            "readOnlyHint": True,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": True,
        },
        "handler": {"type": "prompt-management", "config": {"action": "list"}},
        "rolesPermitted": ["user", "power-user", "admin"],
        "alwaysVisible": True,
    },
    {
        "name": "add-prompt",
        "description": "Add a new prompt to the system",
        "inputSchema": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "The unique name for the prompt"},
                "description": {"type": "string", "description": "A description of what the prompt does"},
                "arguments": {
                    "type": "array",
                    "description": "Array of argument definitions for the prompt",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string", "description": "Argument name"},
                            "description": {"type": "string", "description": "Argument description"},
                            "required": {"type": "boolean", "description": "Whether argument is required"},
                        },
                        "required": ["name"],
                    },
                },
                "handler": {
                    "type": "object",
                    "description": "Handler configuration for the prompt",
                    "properties": {
                        "type": {"type": "string", "description": "Handler type"},
                        "config": {"type": "object", "description": "Handler configuration"},
                    },
                    "required": ["type", "config"],
                },
                "rolesPermitted": {
                    "type": "array",
                    "description": "Array of roles permitted to use this prompt",
                    "items": {"type": "string", "enum": ["user", "power-user", "admin"]},
                },
                "alwaysVisible": {"type": "boolean", "description": "Whether the prompt is visible to all users"},
            },
            "required": ["name", "handler"],
        },
        "annotations": {
            "title": "Add Prompt",
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": False,
            "openWorldHint": True,
        },
        "handler": {"type": "prompt-management", "config": {"action": "add"}},
        "rolesPermitted": ["admin", "power-user"],
        "alwaysVisible": False,
    },
    {
        "name": "update-prompt",
        "description": "Update an existing prompt's definition or properties",
        "inputSchema": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "The name of the prompt to update"},
                "updates": {
                    "type": "object",
                    "description": "The fields to update in the prompt definition (excluding name)",
                    "properties": {
                        "description": {"type": "string"},
                        "arguments": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string"},
                                    "description": {"type": "string"},
                                    "required": {"type": "boolean"},
                                },
                            },
                        },
                        "handler": {
                            "type": "object",
                            "properties": {"type": {"type": "string"}, "config": {"type": "object"}},
                        },
                        "rolesPermitted": {
                            "type": "array",
                            "items": {"type": "string", "enum": ["user", "power-user", "admin"]},
                        },
                        "alwaysVisible": {"type": "boolean"},
                    },
                },
            },
            "required": ["name", "updates"],
        },
        "annotations": {
            "title": "Update Prompt",
            "readOnlyHint": False,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": True,
        },
        "handler": {"type": "prompt-management", "config": {"action": "update"}},
        "rolesPermitted": ["admin", "power-user"],
        "alwaysVisible": False,
    },
    {
        "name": "delete-prompt",
        "description": "Delete a prompt from the system",
        "inputSchema": {
            "type": "object",
            "properties": {"name": {"type": "string", "description": "The name of the prompt to delete"}},
            "required": ["name"],
        },
        "annotations": {
            "title": "Delete Prompt",
            "readOnlyHint": False,
            "destructiveHint": True,
            "idempotentHint": True,
            "openWorldHint": True,
        },
        "handler": {"type": "prompt-management", "config": {"action": "delete"}},
        "rolesPermitted": ["admin", "power-user"],
        "alwaysVisible": False,
    },
]
