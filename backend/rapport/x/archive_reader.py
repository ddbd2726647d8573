"""Reading an X data archive: the zip X sends, or the folder it unpacks to.

Each data file is one JavaScript assignment, `window.YTD.<name>.partN = [ ...records... ]`; the
manifest (`data/manifest.js`, `window.__THAR_CONFIG = {...}`) names the files of each data type,
because the tweets may be in `tweet.js`, `tweets.js` or `tweets-part1.js`, `tweets-part2.js`, ...
Files are read one at a time, so only one file's records are ever in memory, and an `on_file`
callback hears of each file before it is read (to report progress by the files' sizes). A file that
cannot be read or parsed raises `ArchiveError` naming it. ../shared/x-archive-format.md describes
the format.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST = "data/manifest.js"

# The files of each data type when the manifest is absent (or does not list the type), as name
# patterns under data/: a single file or numbered parts.
KNOWN_FILES: dict[str, tuple[str, ...]] = {
    "account": ("account",),
    "tweets": ("tweets", "tweet"),
    "following": ("following",),
    "follower": ("follower",),
    "directMessages": ("direct-messages", "direct-message"),
    "directMessagesGroup": ("direct-messages-group", "direct-message-group"),
    "like": ("like",),
    "listsCreated": ("lists-created",),
    "listsMember": ("lists-member",),
    "listsSubscribed": ("lists-subscribed",),
}
_PART = re.compile(r"-part(\d+)\.js\Z")


class ArchiveError(Exception):
    """The archive is missing, not an X archive, or holds a file that cannot be parsed."""


def _part_number(name: str) -> int:
    match = _PART.search(name)
    return int(match.group(1)) if match else 0


def parse_assignment(text: str, name: str) -> Any:
    """The JSON value assigned in one archive file (`window.YTD.x.part0 = [...]`)."""
    text = text.lstrip("\ufeff").strip()
    if not text.startswith(("[", "{")):
        head, sep, rest = text.partition("=")
        if not sep or not head.strip().startswith("window."):
            raise ArchiveError(
                f"{name} is not an X archive file: it does not start with 'window.YTD.<name> = '."
            )
        text = rest.strip().removesuffix(";")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise ArchiveError(f"{name} is damaged: it is not valid JSON ({error}).") from None


class Archive:
    """An open archive (zip or folder); use as a context manager.

    `on_file(data_type, name)`, when given, is called before each data file is read.
    """

    def __init__(
        self, path: str | Path, *, on_file: Callable[[str, str], None] | None = None
    ) -> None:
        self.path = Path(path)
        self.on_file = on_file
        self._zip: zipfile.ZipFile | None = None
        self._names: dict[str, str] = {}  # "data/x.js" -> name inside the zip or folder
        if self.path.is_dir():
            root = self.path
            if not (root / "data").is_dir() and self.path.name == "data":
                root = self.path.parent
            self._root = root
            data = root / "data"
            if data.is_dir():
                for file in data.rglob("*.js"):
                    self._names[file.relative_to(root).as_posix()] = str(file)
        elif self.path.is_file():
            try:
                self._zip = zipfile.ZipFile(self.path)
            except (zipfile.BadZipFile, OSError) as error:
                raise ArchiveError(f"{self.path} is not a zip file: {error}.") from None
            for info in self._zip.infolist():
                parts = PurePosixPath(info.filename).parts
                if "data" in parts and info.filename.endswith(".js"):
                    # The archive may sit inside a top folder of the zip.
                    inner = PurePosixPath(*parts[parts.index("data") :]).as_posix()
                    self._names.setdefault(inner, info.filename)
        else:
            raise ArchiveError(f"{self.path} does not exist.")
        if not self._names:
            raise ArchiveError(
                f"{self.path} is not an X data archive: it has no data/ folder of .js files."
            )
        self.manifest = self._manifest()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def size(self, name: str) -> int:
        """The size in bytes of the data file `name` ("data/x.js"), uncompressed."""
        source = self._names[name]
        return self._zip.getinfo(source).file_size if self._zip else Path(source).stat().st_size

    def _read(self, name: str) -> str:
        source = self._names[name]
        try:
            raw = self._zip.read(source) if self._zip else Path(source).read_bytes()
            return raw.decode("utf-8")
        except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as error:
            raise ArchiveError(f"{name} cannot be read: {error}.") from None

    def _manifest(self) -> dict[str, Any] | None:
        if MANIFEST not in self._names:
            return None
        value = parse_assignment(self._read(MANIFEST), MANIFEST)
        if not isinstance(value, dict):
            raise ArchiveError(f"{MANIFEST} is damaged: it does not hold an object.")
        return value

    def files(self, data_type: str) -> list[str]:
        """The files (as "data/x.js") holding `data_type`, in part order; [] when it has none."""
        data_types = (self.manifest or {}).get("dataTypes")
        # A manifest of another shape lists nothing: the files are found by their usual names.
        listed = data_types.get(data_type) if isinstance(data_types, dict) else None
        if isinstance(listed, dict) and isinstance(listed.get("files"), list):
            names = [
                item["fileName"].lstrip("./")
                for item in listed["files"]
                if isinstance(item, dict) and isinstance(item.get("fileName"), str)
            ]
            found = [name for name in names if name in self._names]
            missing = [name for name in names if name not in self._names]
            if missing:
                raise ArchiveError(
                    f"The archive's manifest lists {', '.join(missing)}, which the archive lacks."
                )
            return sorted(found, key=_part_number)
        for stem in KNOWN_FILES.get(data_type, ()):
            single = f"data/{stem}.js"
            parts = [
                name
                for name in self._names
                if name.startswith(f"data/{stem}-part") and _PART.search(name)
            ]
            found = ([single] if single in self._names else []) + sorted(parts, key=_part_number)
            if found:
                return found
        return []

    def file_records(self, data_type: str) -> Iterator[tuple[str, list[Any]]]:
        """(file name, its records) for each file of `data_type`, one file at a time."""
        for name in self.files(data_type):
            if self.on_file is not None:
                self.on_file(data_type, name)
            value = parse_assignment(self._read(name), name)
            if not isinstance(value, list):
                raise ArchiveError(f"{name} is damaged: it does not hold a list of records.")
            yield name, value

    def records(self, data_type: str, key: str) -> Iterator[tuple[str, int, dict[str, Any]]]:
        """(file name, index, record) for each record of `data_type`, unwrapped from its
        `{key: {...}}` envelope; a record of another shape raises ArchiveError."""
        for name, items in self.file_records(data_type):
            for index, item in enumerate(items):
                inner = item.get(key) if isinstance(item, dict) else None
                if not isinstance(inner, dict):
                    raise ArchiveError(
                        f"{name} is damaged: record {index} is not a {{{key!r}: {{...}}}} object."
                    )
                yield name, index, inner
