"""A loopback HTTP server for the remote tests and benchmark: files of one folder, with Range
requests honoured and the bytes of every response body counted, and paths that misbehave on
purpose:

- /files/NAME        the file, a `Range: bytes=a-b` request gets 206 and those bytes only;
- /norange/NAME      ignores Range: 200 and the whole file, as some servers do;
- /drop/NAME         sends the headers, a first part of the body, then closes the connection;
- /denied/NAME       403 Forbidden.

Run alone (`python tests/remote_server.py FOLDER [PORT]`) it serves until stopped.
"""

from __future__ import annotations

import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RANGE = re.compile(r"bytes=(\d+)-(\d*)")
CHUNK = 1 << 20


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, folder: Path, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.folder = folder
        self.served = 0  # body bytes sent
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> Server:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def count(self, n: int) -> None:
        with self.lock:
            self.served += n


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        _, mode, name = [*self.path.split("?", 1)[0].split("/", 2), "", ""][:3]
        path = self.server.folder / name
        if mode == "denied":
            return self._status(403)
        if mode not in ("files", "norange", "drop") or not path.is_file() or ".." in name:
            return self._status(404)
        size = path.stat().st_size
        start, end = 0, size
        ranged = self.headers.get("Range")
        match = RANGE.fullmatch(ranged or "") if mode != "norange" else None
        if match:
            start = int(match[1])
            end = min(size, int(match[2]) + 1 if match[2] else size)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(end - start))
        if mode != "norange":  # such servers do not say so: they just send everything
            self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if body:
            self._send(path, start, end if mode != "drop" else start + max(1, (end - start) // 3))
        if body and mode == "drop":
            self.close_connection = True
            self.connection.shutdown(2)

    def _send(self, path: Path, start: int, end: int) -> None:
        """The body, read from the file in chunks (a 1 GiB model is never held whole)."""
        with path.open("rb") as f:
            f.seek(start)
            while start < end:
                chunk = f.read(min(CHUNK, end - start))
                if not chunk:
                    return
                try:
                    self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client had what it wanted
                self.server.count(len(chunk))
                start += len(chunk)

    def _status(self, code: int) -> None:
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()


if __name__ == "__main__":
    server = Server(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    print(server.url, flush=True)
    server.serve_forever()
