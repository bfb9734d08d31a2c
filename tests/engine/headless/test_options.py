"""The command line as the game's parser takes it: value forms, flags, the game's texts for what it refuses."""

from __future__ import annotations

import pytest

from factoryverse.engine.headless import OptionError, parse_options, usage


def test_values_come_in_every_form_the_game_takes():
    opts = parse_options(["--create", "a.zip", "--map-gen-seed=12", "-c", "cfg.ini", "--rcon-port", "27015",
                          "--start-server-load-latest"])
    assert opts.value("create") == "a.zip"
    assert opts.integer("map-gen-seed", low=0, high=2**32 - 1) == 12
    assert opts.value("config") == "cfg.ini"
    assert opts.flag("start-server-load-latest") and not opts.flag("help")
    assert opts.argv[0] == "--create"


def test_an_unknown_option_gets_the_games_text():
    with pytest.raises(OptionError) as e:
        parse_options(["--start-server", "a.zip", "--game-port", "3"])
    assert str(e.value) == "Option ‘game-port’ does not exist"
    with pytest.raises(OptionError, match="Option ‘x’ does not exist"):
        parse_options(["-x"])


def test_a_missing_value_and_a_value_on_a_flag_are_refused():
    with pytest.raises(OptionError, match="Option ‘rcon-password’ is missing an argument"):
        parse_options(["--start-server", "a", "--rcon-password"])
    with pytest.raises(OptionError, match="does not take an argument"):
        parse_options(["--start-server-load-latest=yes"])
    with pytest.raises(OptionError, match="Unexpected argument ‘stray’"):
        parse_options(["--start-server", "a", "stray"])


def test_one_action_at_a_time():
    assert parse_options(["--start-server", "a"]).action == "start-server"
    assert parse_options(["--port", "1"]).action is None
    with pytest.raises(OptionError, match="--create and --start-server cannot be used together"):
        parse_options(["--create", "a", "--start-server", "b"]).action


def test_a_number_out_of_range_names_the_option():
    opts = parse_options(["--rcon-port", "70000", "--port", "abc"])
    with pytest.raises(OptionError, match="--rcon-port 70000: give a whole number from 0 to 65535"):
        opts.integer("rcon-port", low=0, high=65535)
    with pytest.raises(OptionError, match="Argument ‘abc’ failed to parse"):
        opts.integer("port", low=0, high=65535)


def test_usage_lists_every_group_and_the_server_flags():
    text = usage()
    assert text.startswith("Usage:\n  factorio [OPTION...]")
    for flag in ("--start-server-load-scenario [MOD/]NAME", "--rcon-bind ADDRESS:PORT", "-c, --config PATH",
                 "--map-gen-settings FILE", "--server-settings FILE", "--mod-directory PATH"):
        assert flag in text
