"""The command line's progress bars, fed by the progress callback."""

from __future__ import annotations

import io

from rich.console import Console

from salesmetrics.cli.progress import progress_bars


def _console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=terminal, width=80), buffer


def test_no_callback_when_quiet_or_not_a_terminal() -> None:
    terminal, _ = _console(terminal=True)
    pipe, buffer = _console(terminal=False)
    with progress_bars(terminal, quiet=True) as quiet:
        assert quiet is None
    with progress_bars(pipe, quiet=False) as piped:
        assert piped is None
    assert buffer.getvalue() == ""


def test_each_step_gets_its_own_labelled_bar() -> None:
    console, buffer = _console(terminal=True)
    with progress_bars(console, quiet=False, label=lambda step: f"<{step}>") as report:
        assert report is not None
        report("reading a.csv", 5, 10)
        report("reading a.csv", 10, 10)
        report("converting", 50, 100)
        console.file.flush()
    shown = buffer.getvalue()
    assert "<reading a.csv>" in shown
    assert "<converting>" in shown
