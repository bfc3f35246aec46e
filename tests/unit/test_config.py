"""Settings.from_env (docs/configuration.md): defaults, aliases, the .env file and bad values."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from dynamic_mcp.config import MEMORY_ADMIN_EMAIL, Settings, SettingsError
from dynamic_mcp.metadata import package_version


@pytest.fixture
def no_dotenv(tmp_path: Path) -> Path:
    return tmp_path / "absent.env"


def load(no_dotenv: Path, **environ: str) -> Settings:
    return Settings.from_env(environ=environ, dotenv_path=no_dotenv)


def test_defaults_follow_the_spec(no_dotenv: Path) -> None:
    settings = load(no_dotenv)
    assert settings.port == 4001
    assert settings.host == "127.0.0.1"
    assert settings.mongodb_uri is None
    assert settings.storage == "memory"
    assert settings.mongodb_db == "dynamic-mcp-server"
    assert settings.admin_email == MEMORY_ADMIN_EMAIL == "admin@localhost"
    assert settings.admin_api_key is None
    assert settings.server_name == "dynamic-mcp-server"
    assert settings.server_version == package_version() == importlib.metadata.version("dynamic-mcp-server")
    assert settings.server_url == ""
    assert settings.omit_handlers == ()
    assert settings.log_level == "info"
    assert settings.single_session_per_user is False
    assert settings.session_idle_timeout_seconds == 3600
    assert settings.template_env_allowlist == ()
    assert settings.max_body_bytes == 1_048_576
    assert settings.validate_tool_input is True
    assert settings.allow_query_api_key is True


def test_an_empty_environment_gives_the_same_settings_as_the_constructor(no_dotenv: Path) -> None:
    assert load(no_dotenv) == Settings()


def test_server_version_is_the_package_version_unless_server_version_is_set(no_dotenv: Path) -> None:
    assert load(no_dotenv).server_version == importlib.metadata.version("dynamic-mcp-server")
    assert load(no_dotenv, SERVER_VERSION="2026.1").server_version == "2026.1"


def test_mongodb_uri_selects_mongo_and_requires_an_admin_email(no_dotenv: Path) -> None:
    with pytest.raises(SettingsError, match="MCP_ADMIN_EMAIL"):
        load(no_dotenv, MONGODB_URI="mongodb://db:27017")
    with pytest.raises(SettingsError, match="MCP_ADMIN_EMAIL"):
        load(no_dotenv, MONGODB_URI="mongodb://db:27017", MCP_ADMIN_EMAIL="   ")
    settings = load(no_dotenv, MONGODB_URI="mongodb://db:27017", MCP_ADMIN_EMAIL=" ops@x.io ")
    assert settings.storage == "mongo"
    assert settings.admin_email == "ops@x.io"


def test_mongo_uri_is_an_alias_and_mongodb_uri_wins(no_dotenv: Path) -> None:
    alias = load(no_dotenv, MONGO_URI="mongodb://alias", MCP_ADMIN_EMAIL="ops@x.io")
    assert alias.mongodb_uri == "mongodb://alias"
    both = load(no_dotenv, MONGO_URI="mongodb://alias", MONGODB_URI="mongodb://main", MCP_ADMIN_EMAIL="ops@x.io")
    assert both.mongodb_uri == "mongodb://main"
    with pytest.raises(SettingsError):
        load(no_dotenv, MONGO_URI="mongodb://alias")


def test_admin_email_may_be_chosen_in_memory(no_dotenv: Path) -> None:
    assert load(no_dotenv, MCP_ADMIN_EMAIL="me@x.io").admin_email == "me@x.io"
    assert load(no_dotenv, MCP_ADMIN_API_KEY="k-123" * 5).admin_api_key == "k-123" * 5


def test_server_name_falls_back_to_server_name_then_default(no_dotenv: Path) -> None:
    assert load(no_dotenv, SERVER_NAME="legacy").server_name == "legacy"
    assert load(no_dotenv, SERVER_NAME="legacy", MCP_SERVER_NAME="new").server_name == "new"


def test_lists_and_urls_are_normalised(no_dotenv: Path) -> None:
    settings = load(
        no_dotenv,
        OMIT_HANDLERS=" native, ,http ",
        TEMPLATE_ENV_ALLOWLIST="HOME,PATH",
        MCP_SERVER_URL="https://mcp.example.com/",
        LOG_LEVEL="DEBUG",
    )
    assert settings.omit_handlers == ("native", "http")
    assert settings.template_env_allowlist == ("HOME", "PATH")
    assert settings.server_url == "https://mcp.example.com"
    assert settings.log_level == "debug"


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("TRUE", True), ("1", True), ("yes", True), ("off", False), ("0", False)]
)
def test_booleans_accept_the_usual_spellings(no_dotenv: Path, raw: str, expected: bool) -> None:
    assert load(no_dotenv, SINGLE_SESSION_PER_USER=raw).single_session_per_user is expected
    assert load(no_dotenv, VALIDATE_TOOL_INPUT=raw).validate_tool_input is expected


@pytest.mark.parametrize("name", ["SINGLE_SESSION_PER_USER", "VALIDATE_TOOL_INPUT", "ALLOW_QUERY_API_KEY"])
def test_a_bad_boolean_is_a_settings_error_naming_the_variable(no_dotenv: Path, name: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load(no_dotenv, **{name: "maybe"})


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("PORT", "http"),
        ("PORT", "40.5"),
        ("PORT", "-1"),
        ("SESSION_IDLE_TIMEOUT_SECONDS", "an hour"),
        ("SESSION_IDLE_TIMEOUT_SECONDS", "-5"),
        ("MAX_BODY_BYTES", "0"),
        ("MAX_BODY_BYTES", "1MB"),
    ],
)
def test_a_bad_integer_is_a_settings_error_naming_the_variable(no_dotenv: Path, name: str, raw: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load(no_dotenv, **{name: raw})


def test_a_port_outside_the_tcp_range_is_a_settings_error(no_dotenv: Path) -> None:
    with pytest.raises(SettingsError, match="PORT"):
        load(no_dotenv, PORT="70000")


def test_integers_and_blank_values(no_dotenv: Path) -> None:
    settings = load(no_dotenv, PORT="8080", SESSION_IDLE_TIMEOUT_SECONDS="0", MAX_BODY_BYTES="10", HOST="")
    assert settings.port == 8080
    assert settings.session_idle_timeout_seconds == 0
    assert settings.max_body_bytes == 10
    assert settings.host == "127.0.0.1"
    assert load(no_dotenv, PORT=" ").port == 4001


def test_a_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("PORT=5000\nHOST=0.0.0.0\nMONGO_URI=mongodb://from-file\nMCP_ADMIN_EMAIL=file@x.io\n")
    settings = Settings.from_env(environ={"PORT": "6000"}, dotenv_path=dotenv)
    assert settings.port == 6000
    assert settings.host == "0.0.0.0"
    assert settings.mongodb_uri == "mongodb://from-file"
    assert settings.admin_email == "file@x.io"


def test_reading_settings_never_touches_the_process_environment(
    no_dotenv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORT", "9999")
    assert load(no_dotenv).port == 4001


def test_extra_roles_extend_the_built_in_ones(no_dotenv: Path) -> None:
    assert load(no_dotenv).allowed_roles == ("admin", "power-user", "user")
    settings = load(no_dotenv, EXTRA_ROLES=" auditor, billing ,auditor,admin")
    assert settings.extra_roles == ("auditor", "billing")
    assert settings.allowed_roles == ("admin", "power-user", "user", "auditor", "billing")
    with pytest.raises(SettingsError, match="EXTRA_ROLES"):
        load(no_dotenv, EXTRA_ROLES="two words")


def test_request_state_keys_are_a_list_of_long_secrets(no_dotenv: Path) -> None:
    keys = "a" * 32 + ", " + "b" * 40
    assert Settings.from_env({"REQUEST_STATE_KEYS": keys}).request_state_keys == ("a" * 32, "b" * 40)
    assert Settings.from_env({}).request_state_keys == ()
    with pytest.raises(SettingsError, match="REQUEST_STATE_KEYS"):
        Settings.from_env({"REQUEST_STATE_KEYS": "short"})
