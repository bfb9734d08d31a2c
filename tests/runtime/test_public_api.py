"""The runtime's public API, read from the module."""

from __future__ import annotations

import subprocess
import sys

import factoryverse.runtime as runtime


def test_public_api():
    assert set(runtime.__all__) == {
        "AgentRuntime", "RunResult", "AgentRuntimeError", "RuntimeStartError", "RuntimeClosedError",
        "ProgramArgumentError", "DEFAULT_TIMEOUT", "DEFAULT_MAX_OUTPUT", "INTERRUPT_GRACE",
    }
    for name in runtime.__all__:
        assert getattr(runtime, name) is not None
    for error in (runtime.RuntimeStartError, runtime.RuntimeClosedError, runtime.ProgramArgumentError):
        assert issubclass(error, runtime.AgentRuntimeError)


def test_the_cli_does_not_load_jupyter_client_until_fv_agent_runs():
    # A fresh interpreter: this one may have loaded the kernel code for other tests already.
    code = ("import sys, factoryverse.cli, factoryverse.cli.agent, factoryverse.runtime\n"
            "print(sorted(m for m in sys.modules if m.startswith('jupyter_client') or m.endswith('runtime._kernel')))\n"
            "factoryverse.runtime.AgentRuntime\n"
            "print('jupyter_client' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    assert out == "[]\nTrue\n"
