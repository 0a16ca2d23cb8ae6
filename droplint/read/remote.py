"""Models behind a URL (s3://, gs://, hf://, https://, memory://, ...), read through fsspec with
ranged reads: readers get a RemotePath that behaves like the few parts of pathlib.Path they use,
and files whose reads fetch only the byte ranges asked for, counted (`bytes_read` in the
report). fsspec and the package of each protocol are optional extras; credentials come from
where each protocol looks for them (environment, config files), and droplint never prints them.
"""

from __future__ import annotations

import io
import re
import stat
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from droplint.errors import UnreadableModel

URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
BLOCK = 64 * 1024  # bytes fetched at least per read: a few round trips for a model's structure
# The extra that brings a protocol's package, by protocol.
EXTRAS = {"s3": "s3", "s3a": "s3", "gs": "gcs", "gcs": "gcs", "hf": "hf", "http": "http",
          "https": "http", "az": "azure", "abfs": "azure", "abfss": "azure"}  # fmt: skip
GLOB = re.compile(r"[*?\[]")


def is_url(text: str) -> bool:
    return bool(URL.match(text))


@dataclass
class Fetched:
    """Bytes fetched for one input, over all the files its readers opened."""

    bytes: int = 0
    size: int | None = None  # the size of the input's file, when it is one file


_fetched: ContextVar[Fetched | None] = ContextVar("droplint_fetched", default=None)


def counting() -> Fetched:
    """Start counting the bytes fetched for the input about to be read."""
    fetched = Fetched()
    _fetched.set(fetched)
    return fetched


def filesystem(url: str) -> tuple[Any, str]:
    """(fsspec filesystem, path within it) for a URL; a missing package is one sentence that
    names the extra to install."""
    protocol = url.split("://", 1)[0].lower()
    extra = EXTRAS.get(protocol, "remote")
    try:
        import fsspec
    except ImportError:
        raise UnreadableModel(
            f"reading {protocol}:// URLs needs fsspec: pip install 'droplint[{extra}]'"
        ) from None
    try:
        fs, path = fsspec.core.url_to_fs(url)
    except ImportError as exc:
        raise UnreadableModel(
            f"reading {protocol}:// URLs needs a package that is not installed ({_first(exc)}): "
            f"pip install 'droplint[{extra}]'"
        ) from None
    except ValueError as exc:  # an unknown protocol
        raise UnreadableModel(f"cannot read {protocol}:// URLs: {_first(exc)}") from None
    return fs, path


class RemotePath:
    """A file or folder behind a URL, with the parts of pathlib.Path the readers use."""

    def __init__(self, url: str, fs: Any = None, path: str | None = None) -> None:
        if fs is None or path is None:
            fs, path = filesystem(url)
        self.url, self.fs, self.path = url, fs, path.rstrip("/") or path
        self._info: dict[str, Any] | None = None
        self._blocks: Blocks | None = None

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"RemotePath({self.url!r})"

    def __truediv__(self, name: str) -> RemotePath:
        return RemotePath(f"{self.url.rstrip('/')}/{name}", self.fs, f"{self.path}/{name}")

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def suffix(self) -> str:
        name = self.name
        return name[name.rfind(".") :] if "." in name.lstrip(".") else ""

    @property
    def parent(self) -> RemotePath:
        url, path = self.url.rstrip("/").rsplit("/", 1)[0], self.path.rsplit("/", 1)[0]
        return RemotePath(url, self.fs, path)

    def info(self) -> dict[str, Any]:
        if self._info is None:
            self._info = guarded(self.fs.info, self.path)
        return self._info

    def stat(self) -> Any:
        info = self.info()
        mode = stat.S_IFDIR if info.get("type") == "directory" else stat.S_IFREG
        return _Stat(mode | 0o444, int(info.get("size") or 0))

    def is_symlink(self) -> bool:
        return False

    def is_dir(self) -> bool:
        try:
            return self.info().get("type") == "directory"
        except UnreadableModel:
            return False

    def is_file(self) -> bool:
        try:
            return self.info().get("type") != "directory"
        except UnreadableModel:
            return False

    def open(self, mode: str = "rb") -> RangeFile:
        if mode != "rb":
            raise ValueError("remote models are read only")
        if self._blocks is None:
            size = self.stat().st_size
            fetched = _fetched.get()
            if fetched is not None and fetched.size is None:
                fetched.size = size
            self._blocks = Blocks(self.fs, self.path, size, fetched)
        return RangeFile(self._blocks)


@dataclass(frozen=True)
class _Stat:
    st_mode: int
    st_size: int


class Blocks:
    """A remote file's aligned blocks fetched so far, shared by every reader that opens it (the
    probe, the format's recogniser, its reader), at most MAX_BLOCKS of them."""

    MAX_BLOCKS = 256  # 16 MiB

    def __init__(self, fs: Any, path: str, size: int, fetched: Fetched | None) -> None:
        self.fs, self.path, self.size, self.fetched = fs, path, size, fetched
        self.kept: OrderedDict[int, bytes] = OrderedDict()
        self.handle: Any = None

    def read(self, start: int, end: int) -> bytes:
        first, last = start // BLOCK, (end - 1) // BLOCK
        k = first
        while k <= last:  # fetch each run of missing blocks with one ranged request
            if k in self.kept:
                self.kept.move_to_end(k)
                k += 1
                continue
            run = k
            while run + 1 <= last and run + 1 not in self.kept:
                run += 1
            data = self._fetch(k * BLOCK, min(self.size, (run + 1) * BLOCK))
            for j in range(k, run + 1):
                self.kept[j] = data[(j - k) * BLOCK : (j - k + 1) * BLOCK]
            k = run + 1
        out = b"".join(self.kept[j] for j in range(first, last + 1))
        while len(self.kept) > self.MAX_BLOCKS:
            self.kept.popitem(last=False)
        return out[start - first * BLOCK : end - first * BLOCK]

    def _fetch(self, start: int, end: int) -> bytes:
        if self.handle is None:  # no cache of fsspec's: every read is one ranged request
            self.handle = guarded(self.fs.open, self.path, "rb", block_size=BLOCK,
                                  cache_type="none")  # fmt: skip
        guarded(self.handle.seek, start)
        data = guarded(self.handle.read, end - start)
        if len(data) != end - start:
            raise UnreadableModel(
                f"the server sent {len(data)} bytes where {end - start} were asked for"
            )
        if self.fetched is not None:
            self.fetched.bytes += len(data)
        return bytes(data)


class RangeFile(io.RawIOBase):
    """A remote file read by byte ranges through its Blocks (never the whole file unless
    asked). Errors of the transport (a dropped connection, a server that ignores Range) are
    one sentence."""

    # Readers that scan (the ONNX skeleton) read ahead less, and read whole only small files:
    # every byte read is fetched.
    read_ahead = BLOCK
    whole_file = 1 << 20

    def __init__(self, blocks: Blocks) -> None:
        super().__init__()
        self.blocks, self.size, self.pos = blocks, blocks.size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def readinto(self, buffer: Any) -> int:
        end = min(self.size, self.pos + len(buffer))
        if end <= self.pos:
            return 0
        data = self.blocks.read(self.pos, end)
        buffer[: len(data)] = data
        self.pos += len(data)
        return len(data)


def guarded(call: Any, *args: Any, **kwargs: Any) -> Any:
    """A filesystem call whose failure is one sentence: no such object, access denied, or what
    the transport said."""
    try:
        return call(*args, **kwargs)
    except UnreadableModel:
        raise
    except FileNotFoundError as exc:
        status = _status(exc)
        if status in (401, 403):
            raise UnreadableModel(f"access denied (HTTP {status})") from None
        if status is not None and status != 404:
            raise UnreadableModel(f"the server answered HTTP {status}") from None
        cause = exc.__cause__
        if status is None and cause is not None and not isinstance(cause, FileNotFoundError):
            # fsspec's HTTP file system says "not found" for a server it cannot reach
            raise UnreadableModel(
                f"the read failed ({type(cause).__name__}: {_first(cause)})"
            ) from None
        raise UnreadableModel("no such file or folder at this URL") from None
    except PermissionError as exc:
        raise UnreadableModel(f"access denied ({_first(exc)})") from None
    except Exception as exc:
        raise UnreadableModel(f"the read failed ({type(exc).__name__}: {_first(exc)})") from None


def expand(url: str, suffixes: tuple[str, ...], markers: tuple[tuple[str, ...], ...]) -> list[str]:
    """The model inputs a URL names: itself when it is a file; the model files and model
    folders (a folder holding all the files of one of markers) below it when it is a folder,
    not searching inside model folders; the matches of a glob. A URL droplint cannot list
    stays an input, so that its report says why."""
    try:
        fs, path = filesystem(url)
        web = url.lower().startswith(("http://", "https://"))  # "?" starts a query there
        if not web and GLOB.search(path):
            found = guarded(fs.glob, path)
        elif guarded(fs.info, path).get("type") == "directory":  # (isdir would GET a web page)
            found = guarded(fs.find, path)
        else:
            return [url]
    except UnreadableModel:
        return [url]
    names: dict[str, set[str]] = {}
    for item in found:
        folder, _, name = item.rpartition("/")
        names.setdefault(folder, set()).add(name)
    models = sorted(f for f, held in names.items() if any(set(m) <= held for m in markers))
    hits = [fs.unstrip_protocol(f) for f in models]
    for item in sorted(found):
        inside = any(item.startswith(f + "/") for f in models)
        if not inside and item.rsplit("/", 1)[-1].lower().endswith(suffixes):
            hits.append(fs.unstrip_protocol(item))
    return hits


def _status(exc: BaseException) -> int | None:
    """The HTTP status behind an error, where a transport wrapped it (fsspec's HTTP file
    system reports 403 as not found, its cause holding the status)."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            return None
        status = getattr(seen, "status", None) or getattr(seen, "status_code", None)
        if isinstance(status, int):
            return status
        seen = seen.__cause__ or seen.__context__
    return None


def _first(exc: BaseException) -> str:
    """An exception's message on one line, short."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
