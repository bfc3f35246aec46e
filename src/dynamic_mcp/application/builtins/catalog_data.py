"""Built-in tool definitions: the management tools every server has.

Names, argument names, defaults, rolesPermitted, alwaysVisible and annotation hints match the original
TypeScript server exactly, so existing clients and prompts keep working (docs/compatibility.md);
tests/unit/test_builtin_catalog.py holds them to a frozen copy. The descriptions are this project's
own, written to help a model pick the right tool and fill in its arguments. ``add-tool`` lives in
tool_management.py.
"""

from __future__ import annotations

from typing import Any

USER_MANAGEMENT_TOOLS: list[dict[str, Any]] = [
    {
        "name": "list-users",
        "description": (
            "Find users of this server by name. Returns each match's email and display name only (never roles"
            " or keys), sorted by email, 20 per page by default. Open to every role. Use it to get the email "
            "address that user-info, share-tool and the admin tools expect."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "nameContains": {
                    "type": "string",
                    "description": (
                        "Keep only users whose name contains this text, ignoring case (plain text, not a "
                        "pattern). Omit to list everyone."
                    ),
                },
                "skip": {
                    "type": "number",
                    "description": "How many matches to pass over before the page starts (for paging; default 0).",
                },
                "limit": {
                    "type": "number",
                    "description": "Largest number of users to return (default 20, at most 1000).",
                },
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
        "description": (
            "Create a user account and issue its API key (admins only). The key is in this result and nowhere"
            " else: hand it to the person, who puts it in their MCP client. If the server is configured to "
            "send email, the person also gets their connection details by email. Fails if the email is "
            "already registered."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": (
                        "Email address of the new user; it is their identity on this server and cannot be "
                        "changed later."
                    ),
                },
                "name": {
                    "type": "string",
                    "description": "Display name shown in user lists (optional).",
                },
                "roles": {
                    "type": "array",
                    "items": {"type": "string", "enum": ["user", "power-user", "admin"]},
                    "description": (
                        "Roles to grant: user (call tools), power-user (also create and share their own "
                        "tools), admin (manage everything). Omit for an account with no role."
                    ),
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
        "description": (
            "Change another user's name, roles or received shares (admins only). Only the fields you pass "
            "change. Passing sharedTools replaces that user's whole list of received shares."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": (
                        "Email of the user to change. If you only know the person's name, find the email with"
                        " list-users first."
                    ),
                },
                "name": {
                    "type": "string",
                    "description": "New display name.",
                },
                "roles": {
                    "type": "array",
                    "items": {"type": "string", "enum": ["user", "power-user", "admin"]},
                    "description": (
                        "The complete new set of roles (user, power-user, admin); it replaces the current roles."
                    ),
                },
                "rateLimits": {
                    "type": ["object", "null"],
                    "description": "Admins: this user's own limits per minute (0 turns one off); null "
                    "restores the server defaults",
                    "properties": {
                        "toolCalls": {"type": "integer", "minimum": 0},
                        "api": {"type": "integer", "minimum": 0},
                        "sessions": {"type": "integer", "minimum": 0},
                    },
                    "additionalProperties": False,
                },
                "sharedTools": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "toolId": {
                                "type": "string",
                                "description": "Namespaced id (creator:name) or plain name of the shared tool.",
                            },
                            "sharedBy": {
                                "type": "string",
                                "description": "Email of the user who shares it.",
                            },
                            "accessLevel": {
                                "type": "string",
                                "enum": ["read", "write"],
                                "description": "read lets the user call the tool; write also lets them edit it.",
                            },
                            "sharedAt": {
                                "type": "string",
                                "format": "date-time",
                                "description": "When the share was made (ISO 8601 date and time).",
                            },
                        },
                        "required": ["toolId", "sharedBy", "accessLevel", "sharedAt"],
                    },
                    "description": (
                        "The complete new list of tools shared with this user, replacing the current one. "
                        "Take tool ids from list-tools."
                    ),
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
        "description": (
            "Delete a user account for good (admins only): their key stops working and their open MCP "
            "sessions are closed. An admin cannot delete their own account. Ask for confirmation before "
            "calling: this cannot be undone."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": (
                        "Email of the user to delete. If you only know the person's name, find the email with"
                        " list-users first."
                    ),
                },
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
        "description": (
            "Give another user access to a tool (power users for their own tools, admins for any tool). read "
            "lets the recipient call it; write also lets them change its description, schema and handler. "
            "Sharing the same tool again with the same person replaces the access level. The recipient's tool"
            " list updates at once."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": (
                        "Email of the person who gets access. If you only know the person's name, find the "
                        "email with list-users first."
                    ),
                },
                "toolId": {
                    "type": "string",
                    "description": (
                        "The tool to share: its name, or its namespaced id creator:name when several tools "
                        "have that name (list-tools shows both)."
                    ),
                },
                "accessLevel": {
                    "type": "string",
                    "enum": ["read", "write"],
                    "description": "read (may call the tool) or write (may call and edit it).",
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
        "description": (
            "Take back a tool you shared with someone (power users and admins). Removes your share of that "
            "tool with that person; an admin removes every share of it with them. The tool leaves their list "
            "at once unless they can still reach it another way (a role, another share)."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": (
                        "Email of the person who should lose access. If you only know the person's name, find"
                        " the email with list-users first."
                    ),
                },
                "toolId": {
                    "type": "string",
                    "description": "The tool: its name or its namespaced id creator:name, as list-tools shows it.",
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
        "description": (
            "The same action as delete-user, under the name older clients use: deletes a user account for "
            "good and closes their sessions (admins only; not your own account). Ask for confirmation before "
            "calling."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": (
                        "Email of the user to delete. If you only know the person's name, find the email with"
                        " list-users first."
                    ),
                },
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
        "description": (
            "Show a user's record. Without an email: your own record (email, name, roles, received shares, "
            "hidden tools, and only the first characters of your key). Admins see anyone's full record; "
            "everyone else sees only whether another user exists and their name. Open to every role."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": "Email of the user to look up; omit to see yourself.",
                },
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
        "description": (
            "Declutter your own tool list: the given tools stop appearing in your tools/list, on every client"
            " you use. They stay callable by name, and unhide-tool brings them back. Tools marked always "
            "visible cannot be hidden. Affects only you; open to every role."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "toolId": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": (
                        "Names or namespaced ids (creator:name) of the tools to hide, as list-tools shows them."
                    ),
                },
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
        "description": (
            "Bring hidden tools back into your tool list (see hide-tool). Affects only you; open to every "
            "role, and always listed so you can undo a hide."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "toolId": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": (
                        "Names or namespaced ids of the tools to show again; list-tools lists the ones you hid."
                    ),
                },
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
        "description": (
            "Replace an API key with a new one, in two steps. Step 1: call without userConfirmed (or with "
            "false); nothing changes, and the result asks you to confirm with the person. Step 2: only after "
            "they agreed, call again with userConfirmed: true; the old key stops working at once and your "
            "open MCP sessions are closed; the new key is in the result (and emailed when the server sends "
            "email). Anyone may reset their own key; admins may reset anyone's."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "email": {
                    "type": "string",
                    "description": "Whose key to reset; omit for your own. Only admins may name someone else.",
                },
                "userConfirmed": {
                    "type": "boolean",
                    "description": (
                        "false or omitted: only ask for confirmation (step 1). true: really reset the key "
                        "(step 2); send it only after the person explicitly agreed, because every client "
                        "using the old key will have to be reconfigured."
                    ),
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
        "description": (
            "List the tools you can use: your own, those shared with you and those open to your roles. Shows "
            "which ones you hid and warns when several tools share a name (then call them by namespaced id, "
            "creator:name). Open to every role and always listed."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "nameContains": {
                    "type": "string",
                    "description": (
                        "Keep only tools whose name contains this text, ignoring case. Omit to list them all."
                    ),
                },
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
        "description": (
            "Delete a tool (power users: their own tools; admins: any tool except those a handler package "
            "provides). It disappears from every user's list at once and from their hidden lists. Ask for "
            "confirmation first: this cannot be undone."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "name": {
                    "type": "string",
                    "description": (
                        "The tool's name, or its namespaced id creator:name when several tools share the name."
                    ),
                },
            },
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
        "description": (
            "Change some fields of an existing tool (power users: their own tools and tools shared with them "
            "for writing; admins: any tool except package tools). Only the fields in updates change; the name"
            " and creator never do. Users who can reach the tool see the change at once."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "name": {
                    "type": "string",
                    "description": "The tool's name, or its namespaced id creator:name.",
                },
                "updates": {
                    "type": "object",
                    "description": (
                        "The fields to change, with their new values: description, inputSchema, annotations, "
                        "handler ({type, config}), rolesPermitted, alwaysVisible, outputSchema, title, icons."
                    ),
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
        "description": (
            "List the MCP prompts you may use (yours, those open to your roles, always-visible ones; admins "
            "see all). Admins and each prompt's creator also see its handler configuration. Open to every "
            "role and always listed."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "nameContains": {
                    "type": "string",
                    "description": (
                        "Keep only prompts whose name contains this text, ignoring case. Omit to list them all."
                    ),
                },
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
        "description": (
            "Create an MCP prompt that clients can fetch with prompts/get (power users and admins). The "
            "prompt's handler package produces its messages. A name already in use is refused, never "
            "overwritten. Users who may see the new prompt are notified."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "name": {
                    "type": "string",
                    "description": "Unique name of the prompt.",
                },
                "description": {
                    "type": "string",
                    "description": "What the prompt is for, shown to users picking a prompt (required).",
                },
                "arguments": {
                    "type": "array",
                    "description": "The values a user fills in when using the prompt.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": {
                                "type": "string",
                                "description": "Name of the argument.",
                            },
                            "description": {
                                "type": "string",
                                "description": "What the argument means, shown to the user.",
                            },
                            "required": {
                                "type": "boolean",
                                "description": "true if the prompt cannot be used without it (default false).",
                            },
                        },
                        "required": ["name"],
                    },
                },
                "handler": {
                    "type": "object",
                    "description": "Which handler package renders the prompt, and its settings.",
                    "properties": {
                        "type": {
                            "type": "string",
                            "description": "Name of a registered handler package.",
                        },
                        "config": {
                            "type": "object",
                            "description": "Settings passed to that package; their meaning depends on the package.",
                        },
                    },
                    "required": ["type", "config"],
                },
                "rolesPermitted": {
                    "type": "array",
                    "description": "Roles that may see and use the prompt (default: user).",
                    "items": {"type": "string", "enum": ["user", "power-user", "admin"]},
                },
                "alwaysVisible": {
                    "type": "boolean",
                    "description": "true to show the prompt to every user regardless of role (default false).",
                },
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
        "description": (
            "Change some fields of an existing prompt (its creator, or an admin for any prompt except package"
            " prompts). Only the fields in updates change; the name never does. Users who may see it are "
            "notified."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "name": {
                    "type": "string",
                    "description": "Name of the prompt to change.",
                },
                "updates": {
                    "type": "object",
                    "description": (
                        "The fields to change, with their new values: description, arguments, handler, "
                        "rolesPermitted, alwaysVisible."
                    ),
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
        "description": (
            "Delete a prompt (its creator, or an admin for any prompt except package prompts). Users who "
            "could see it are notified. Ask for confirmation first: this cannot be undone."
        ),
        "inputSchema": {
            "type": "object",
            "properties": {
                "name": {
                    "type": "string",
                    "description": "Name of the prompt to delete.",
                },
            },
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
