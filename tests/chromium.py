"""Headless Chromium over the DevTools protocol on a pipe: load a local page, time it, collect
its script errors and its text. No network, no websocket, no extra package.

Used by tests/test_picture_browser.py and benchmarks/graph_render.py.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    "--remote-debugging-pipe",
]  # fmt: skip

# Resolves once the viewer has marked the first frames after its layout as rendered.
RENDERED = """new Promise((resolve) => {
  const poll = () => document.body && document.body.getAttribute("data-render-ms")
    ? resolve(Number(document.body.getAttribute("data-render-ms")))
    : requestAnimationFrame(poll);
  poll();
})"""
SVG_TEXT = "Array.from(document.querySelectorAll('svg text')).map(t => t.textContent).join('\\n')"


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageLoad:
    render_ms: float  # the page's own mark: performance.now() after layout and two frames
    load_s: float  # navigate to rendered, measured here
    wall_s: float  # the whole browser process, start to exit
    errors: list[str] = field(default_factory=list)
    svg_text: str = ""
    body_attrs: dict[str, str] = field(default_factory=dict)
    value: Any = None  # what `script` evaluated to, if one was given


class _Pipe:
    """One browser process and its DevTools pipe (commands on fd 3, answers on fd 4)."""

    def __init__(self, binary: str, profile: str) -> None:
        cmd_r, self._cmd_w = os.pipe()
        self._resp_r, resp_w = os.pipe()

        def wire() -> None:  # runs in the child: the fds Chromium expects
            os.dup2(cmd_r, 3)
            os.dup2(resp_w, 4)

        self.proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=wire,
        )  # fmt: skip
        os.close(cmd_r)
        os.close(resp_w)
        self._buf = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict[str, Any]:  # fmt: skip
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._read(timeout))

    def _read(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._resp_r], [], [], max(left, 0))
            if not ready:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._resp_r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._cmd_w)
        os.close(self._resp_r)


def load(page: Path, screenshot: Path | None = None, size: tuple[int, int] = (1400, 900),
         binary: str | None = None, script: str | None = None) -> PageLoad:  # fmt: skip
    """Open a local page, wait until it says it is rendered, gather what the tests check;
    then evaluate `script` (an expression; a promise is awaited) and keep its value."""
    binary = binary or find_chromium()
    if binary is None:
        raise FileNotFoundError("chromium")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="droplint-chromium-") as profile:
        pipe = _Pipe(binary, profile)
        try:
            result = _visit(pipe, page.resolve().as_uri(), screenshot, size, script)
        finally:
            pipe.close()
    result.wall_s = time.monotonic() - started
    return result


def _visit(pipe: _Pipe, url: str, screenshot: Path | None, size: tuple[int, int],
           script: str | None) -> PageLoad:  # fmt: skip
    target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log"):
        pipe.send(f"{domain}.enable", session=session)
    metrics = {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False}
    pipe.send("Emulation.setDeviceMetricsOverride", metrics, session=session)
    begin = time.monotonic()
    pipe.send("Page.navigate", {"url": url}, session=session)
    pipe.wait_event("Page.loadEventFired")
    render_ms = _eval(pipe, session, RENDERED)
    result = PageLoad(float(render_ms), time.monotonic() - begin, 0.0)
    result.svg_text = _eval(pipe, session, SVG_TEXT)
    attrs = "Object.fromEntries(Array.from(document.body.attributes).map(a => [a.name, a.value]))"
    result.body_attrs = _eval(pipe, session, attrs)
    if script is not None:
        result.value = _eval(pipe, session, script)
    page_errors = _eval(pipe, session, "document.getElementById('dl-errors')?.textContent || ''")
    result.errors = _errors(pipe.events) + ([page_errors] if page_errors else [])
    if screenshot is not None:
        shot = pipe.send("Page.captureScreenshot", {"format": "png"}, session=session)
        screenshot.write_bytes(base64.b64decode(shot["data"]))
    return result


def _eval(pipe: _Pipe, session: str, expression: str) -> Any:
    reply = pipe.send(
        "Runtime.evaluate",
        {"expression": expression, "awaitPromise": True, "returnByValue": True},
        session=session,
    )
    if "exceptionDetails" in reply:
        raise RuntimeError(f"evaluating {expression[:40]!r}: {reply['exceptionDetails']}")
    return reply["result"].get("value")


def _errors(events: list[dict[str, Any]]) -> list[str]:
    """Uncaught exceptions, console.error calls and error log entries."""
    found = []
    for e in events:
        p = e.get("params", {})
        if e.get("method") == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            found.append(d.get("exception", {}).get("description") or d.get("text", "exception"))
        elif e.get("method") == "Runtime.consoleAPICalled" and p.get("type") == "error":
            found.append(" ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
        elif e.get("method") == "Log.entryAdded" and p["entry"].get("level") == "error":
            found.append(p["entry"].get("text", ""))
    return found
