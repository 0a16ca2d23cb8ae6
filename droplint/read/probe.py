"""A first look at a path, shared by every format's recogniser: is it a folder, which files does
it hold, what are its first bytes. Formats are recognised by content (magic bytes, folder
contents), not by the file's extension."""

from __future__ import annotations

import stat
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from droplint.errors import UnreadableModel

if TYPE_CHECKING:
    from droplint.read.remote import RemotePath

HEAD_BYTES = 16
# A file Git LFS left in place of its content: three text lines, the first this.
LFS_POINTER = b"version https://git-lfs.github.com/spec/"


# What a path is when it is neither a file nor a folder (stat.S_IFMT), in words.
KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a character device",
         stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}  # fmt: skip


def source(path: Any) -> Any:
    """What zipfile and h5py open: a local path as it is, a remote one as its ranged file."""
    return path if isinstance(path, Path) else path.open("rb")


class Probe:
    """A path that is a regular file or a folder (symlinks followed): anything else, such as a
    FIFO that would block the first read forever or /dev/urandom that never ends, is refused
    with one sentence before it is opened."""

    def __init__(self, path: Path | RemotePath) -> None:
        self.path = path
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            gone = " (a symbolic link to nothing)" if path.is_symlink() else ""
            raise UnreadableModel(f"no such file or folder{gone}") from None
        self.is_dir = stat.S_ISDIR(mode)
        if not self.is_dir and not stat.S_ISREG(mode):
            kind = KINDS.get(stat.S_IFMT(mode), "not a regular file")
            raise UnreadableModel(f"this is {kind}, not a file: droplint reads regular files")

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
        """A folder holds a (regular) file of this name."""
        return self.is_dir and (self.path / name).is_file()

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()

    def is_lfs_pointer(self) -> bool:
        """A Git LFS pointer: the file was never fetched (`git lfs pull`)."""
        if self.is_dir or not self.head.startswith(LFS_POINTER[: len(self.head)]):
            return False
        return self.bytes_at(0, len(LFS_POINTER)) == LFS_POINTER

    @cached_property
    def zip_names(self) -> list[str] | None:
        """The member names of a zip archive (its central directory only), or None when this
        is no readable zip. Several formats are zips: each tells its own by what it holds."""
        if self.is_dir or not self.head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            return None
        import zipfile

        try:
            with zipfile.ZipFile(source(self.path)) as zf:
                return zf.namelist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
            return None
