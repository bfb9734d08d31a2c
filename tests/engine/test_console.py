"""The server console as RCON drives it: Lua commands and their aliases, /help, unknown commands, chat."""

from __future__ import annotations

import pytest

from factoryverse.engine.engine import Engine


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(seed=1, mods=[], starting_chunks=1)


@pytest.mark.parametrize("verb", ["c", "command", "sc", "silent-command"])
def test_every_lua_command_alias_runs_lua(engine, verb):
    assert engine.execute_command(f"/{verb} rcon.print('ran ' .. 1)") == "ran 1"


def test_reply_joins_every_rcon_print_line(engine):
    assert engine.execute_command("/sc rcon.print('a') rcon.print('b')") == "a\nb"


def test_rcon_print_outside_a_command_goes_nowhere(engine):
    engine.execute_command("/sc script.on_nth_tick(1, function() rcon.print('from a tick') end)")
    engine.step()
    assert engine.execute_command("/sc rcon.print('only me')") == "only me"
    engine.execute_command("/sc script.on_nth_tick(nil)")


def test_blank_and_whitespace_lines_do_nothing(engine):
    assert engine.execute_command("") == ""
    assert engine.execute_command("   ") == ""


def test_help_for_one_builtin_and_an_unknown_one(engine):
    assert engine.execute_command("/help sc").startswith("/sc - Executes a Lua command")
    assert engine.execute_command("/help nothing_here") == 'Unknown command "nothing_here".'


def test_unknown_command_message(engine):
    assert engine.execute_command("/teleportx") == 'Unknown command "teleportx". Type /help for a list of commands.'


def test_syntax_error_in_a_command(engine):
    reply = engine.execute_command("/sc rcon.print(")
    assert reply.startswith("Cannot execute command. Error: [string \"rcon.print(\"]:1:")


def test_console_state_persists_between_commands(engine):
    engine.execute_command("/sc my_global = 41")
    assert engine.execute_command("/sc rcon.print(my_global + 1)") == "42"
