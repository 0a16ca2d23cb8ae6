"""A first look at a path, shared by every format's recogniser: is it a folder, which files does
it hold, what are its first bytes. Formats are recognised by content (magic bytes, folder
contents), not by the file's extension."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from droplint.errors import UnreadableModel

HEAD_BYTES = 16
# A file Git LFS left in place of its content: three text lines, the first this.
LFS_POINTER = b"version https://git-lfs.github.com/spec/"


class Probe:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.is_dir = path.is_dir()

    @cached_property
    def head(self) -> bytes:
        """The file's first bytes (empty for a folder)."""
        if self.is_dir:
            return b""
        try:
            with self.path.open("rb") as f:
                return f.read(HEAD_BYTES)
        except OSError as exc:
            raise UnreadableModel(f"cannot open the file: {exc.strerror or exc}") from exc

    def bytes_at(self, offset: int, size: int) -> bytes:
        with self.path.open("rb") as f:
            f.seek(offset)
            return f.read(size)

    def has(self, name: str) -> bool:
        """A folder holds a file of this name."""
        return self.is_dir and (self.path / name).is_file()

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()

    def is_lfs_pointer(self) -> bool:
        """A Git LFS pointer: the file was never fetched (`git lfs pull`)."""
        if self.is_dir or not self.head.startswith(LFS_POINTER[: len(self.head)]):
            return False
        return self.bytes_at(0, len(LFS_POINTER)) == LFS_POINTER
