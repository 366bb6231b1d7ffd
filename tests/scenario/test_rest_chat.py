"""The terminal chat (``python -m assistant chat``) against the running stack."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.stack


def run_chat(stack, username, stdin):
    env = dict(stack.env)
    return subprocess.run(
        [sys.executable, "-m", "assistant", "chat", "--as", username],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=str(stack.stack.root),
        timeout=180,
    )


def test_rest_chat_prompt_loop_answers_and_quits(stack):
    result = run_chat(stack, "n.jones", "hello\n/quit\nnever sent\n")
    assert result.returncode == 0, result.stderr
    assert "Chatting as n.jones" in result.stdout
    assert "assistant> " in result.stdout
    assert result.stdout.count("you> ") == 2  # the line after /quit is not read


def test_rest_chat_unknown_staff_told_not_signed_in(stack):
    result = run_chat(stack, "x.nobody", "hello\n")
    assert result.returncode == 1
    assert "not signed in" in result.stderr
