"""A time limit per plugin call, cheap enough to wrap every rule call in a sweep.

A watchdog thread checks the deadlines of the calls in progress; when one passes, it raises
`PluginTimeout` inside the thread running that call (CPython's `PyThreadState_SetAsyncExc`). Entering
and leaving a limit costs a dictionary write under a lock, so a sweep of 100k contracts barely notices.

Limits: the exception arrives when the call next runs Python code, so a call blocked inside C (a
socket read without timeout, `time.sleep`) is interrupted only when that returns. Rules are pure (no
I/O), which the plugin test kit checks, so a hang in a rule is a loop in Python: that is interrupted.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

POLL_SECONDS = 0.05


class PluginTimeout(Exception):
    """A plugin call took longer than its time limit."""


class _Watchdog:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.deadlines: dict[int, float] = {}
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self.watch, name="srr-plugin-watchdog", daemon=True)
                self.thread.start()

    def watch(self) -> None:
        while True:
            time.sleep(POLL_SECONDS)
            now = time.monotonic()
            with self.lock:
                late = [tid for tid, deadline in self.deadlines.items() if now > deadline]
                for tid in late:
                    del self.deadlines[tid]
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(tid), ctypes.py_object(PluginTimeout))


_watchdog = _Watchdog()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `PluginTimeout` in this thread if the block runs longer than `seconds` (None: no limit)."""
    if seconds is None:
        yield
        return
    _watchdog.start()
    tid = threading.get_ident()
    with _watchdog.lock:
        _watchdog.deadlines[tid] = time.monotonic() + seconds
    try:
        yield
    finally:
        with _watchdog.lock:
            _watchdog.deadlines.pop(tid, None)
