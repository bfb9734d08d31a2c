"""`fv agent` driven as a person or a program would: a real process, statements on its stdin, text back."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from factoryverse.cli.agent import read_statements
from tests.servers._instance import running_instance

# Kernel start, binding and a walk on a loaded 2-core machine; a hang fails the test instead of the suite.
_PROCESS_TIMEOUT = 120


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    with running_instance(tmp_path_factory.mktemp("fv_home")) as inst:
        yield inst


def _fv_agent(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    # FACTORYVERSE_HOME is the fixture's (running_instance sets it), so the command finds the server by id.
    return subprocess.run([sys.executable, "-m", "factoryverse.cli", "agent", *args], input=stdin,
                          capture_output=True, text=True, timeout=_PROCESS_TIMEOUT, env=dict(os.environ))


def test_statements_on_stdin_run_in_order_with_state_and_top_level_await(instance):
    program = (
        "x = 2\n"
        "for i in range(3):\n"
        "    print(i * x)\n"
        "\n"
        "done = await agent.walk_to(3, 3)\n"
        "print(abs(done.position.x - 3) <= 1)\n"
        "x\n"
        "remote_view.query('SELECT count(*) > 0 AS any FROM resource_patch')\n"
        "1 / 0\n"
        "print('still here')\n"
    )
    result = _fv_agent("--server", str(instance.id), stdin=program)
    assert result.stdout == "0\n2\n4\nTrue\n2\n[{'any': True}]\nstill here\n"
    assert "ZeroDivisionError: division by zero" in result.stderr
    assert result.stderr.startswith("agent ") and f"on server {instance.id}" in result.stderr
    assert result.returncode == 1  # a statement failed: a script driving it can tell


def test_the_only_running_server_is_the_default_and_limits_apply(instance):
    result = _fv_agent("--timeout", "1", "--max-output", "50", "--no-remote-view",
                       stdin="print('y' * 500)\nwhile True: pass\nprint('next')\n")
    assert result.stdout.startswith("y" * 50 + "\n[stdout truncated: 451 more characters")
    assert result.stdout.endswith("next\n")
    assert "1 s time limit" in result.stderr


def test_an_unknown_server_or_agent_is_a_clear_error(instance):
    result = _fv_agent("--server", "42", stdin="")
    assert result.returncode == 1 and "no server with id 42" in result.stderr
    result = _fv_agent("--server", str(instance.id), "--agent", "4242", stdin="")
    assert result.returncode == 1 and "no agent 4242" in result.stderr


def test_statements_are_grouped_as_the_python_prompt_groups_them():
    text = ("a = 1\nif a:\n    b = 2\n\nc = (1,\n 2)\nawait f()\n\n\ndef g(:\nfor i in x:\n    pass\nelse:\n"
            "    pass\nwhile True: pass\nlast = 3")
    assert list(read_statements(io.StringIO(text), prompt=False)) == [
        "a = 1", "if a:\n    b = 2\n", "c = (1,\n 2)", "await f()", "def g(:",
        # A script's next statement ends a compound one without the prompt's blank line; `else:` continues it.
        "for i in x:\n    pass\nelse:\n    pass", "while True: pass", "last = 3",
    ]
