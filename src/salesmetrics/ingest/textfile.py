"""Byte-level facts about a delimited text file: hash, encoding, delimiter, header, blank records.

Everything here streams the file in large chunks (never row by row in Python):

* one pass hashes the bytes (sha256) and checks that they are UTF-8, noting whether the file has
  quotes and may have blank lines;
* a file that is not UTF-8 (UTF-16 with or without BOM, or a legacy 8-bit encoding) is transcoded
  to a temporary UTF-8 file first. Legacy files are read as Windows-1252 when every byte is valid
  there (it has the euro sign and curly quotes where Latin-1 has control codes), else as Latin-1,
  which accepts any byte. A UTF-8 file with a few broken bytes stays UTF-8: those rows are
  quarantined by the reader instead of garbling every accented letter of the file;
* the delimiter is chosen among ``,`` ``;`` tab ``|`` by parsing a sample with each and keeping the
  one giving the most columns consistently;
* blank records (which DuckDB's CSV reader skips) are located with numpy, tracking quote parity so
  that a blank line inside a quoted cell is not mistaken for one, so that file row numbers stay
  exact.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from salesmetrics.errors import UserError

CHUNK = 8 << 20
SAMPLE = 1 << 20
CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
#: The longest header line read (in characters): the csv module's own field limit. A longer one
#: is refused as too long rather than reported as missing.
MAX_HEADER_CHARS = 131_072
Advance = Callable[[int], None]


@dataclass
class TextInfo:
    """What one pass over the bytes found."""

    sha256: str
    size: int
    encoding: str
    """``utf-8``, ``utf-8-sig``, ``utf-16`` (``-le``/``-be``), ``cp1252`` or ``latin-1``."""
    has_quotes: bool = False
    maybe_blank: bool = False
    """A blank line may exist (only looked for in files with quotes; see :meth:`records`)."""
    newlines: int = 0
    ends_with_newline: bool = True
    notes: list[str] = field(default_factory=list)

    def records(self) -> int | None:
        """Number of records when the file has no quotes (then every line break ends one)."""
        if self.has_quotes:
            return None
        return self.newlines + (0 if self.ends_with_newline else 1)

    @property
    def needs_transcoding(self) -> bool:
        """True unless the file can be read as UTF-8 as it is."""
        return self.encoding not in ("utf-8", "utf-8-sig")


def _looks_utf16(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _mostly_utf8(chunk: bytes) -> bool:
    text = chunk.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    return good > 0 and good >= bad


def _shape(info: TextInfo, chunk: bytes, tail: bytes) -> None:
    """Update quote, blank-line and line-break facts with one more chunk."""
    info.newlines += chunk.count(b"\n")
    info.ends_with_newline = chunk.endswith(b"\n")
    if not info.has_quotes and b'"' in chunk:
        info.has_quotes = True
        if tail:  # earlier chunks were not searched for blank lines
            info.maybe_blank = True
    # Searching for two-byte patterns is slow: only files with quotes need it (in the others
    # blank lines are found by counting, see TextInfo.records).
    if info.has_quotes and not info.maybe_blank:
        edge = tail + chunk[:2]
        info.maybe_blank = any(p in edge or p in chunk for p in (b"\n\n", b"\n\r\n"))


def scan(path: Path, encoding: str | None = None, advance: Advance | None = None) -> TextInfo:
    """Hash ``path`` and find its encoding (``encoding`` forces one) in one streaming pass."""
    sha = hashlib.sha256()
    size = 0
    info = TextInfo(sha256="", size=0, encoding=encoding or "utf-8")
    decoder: codecs.IncrementalDecoder | None = None
    tail = b""
    with path.open("rb") as fh:
        first = True
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
            if advance is not None:
                advance(len(chunk))
            if first:
                first = False
                if chunk.startswith(b"\n") or chunk.startswith(b"\r\n"):
                    info.maybe_blank = True
                if encoding is None:
                    if chunk.startswith(codecs.BOM_UTF8):
                        info.encoding = "utf-8-sig"
                    elif chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                        info.encoding = "utf-16"
                    elif (guess := _looks_utf16(chunk)) is not None:
                        info.encoding = guess
                    else:
                        if b"\x00" in chunk[:SAMPLE]:
                            raise UserError(
                                f"{path}: not a text file (it holds NUL bytes: a program, an"
                                " archive or a spreadsheet saved under a text name?)"
                            )
                        decoder = codecs.getincrementaldecoder("utf-8")()
            if decoder is not None and (not chunk.isascii() or decoder.getstate()[0]):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    decoder = None
                    if _mostly_utf8(chunk):
                        info.notes.append(
                            "some bytes are not valid UTF-8: those rows are quarantined"
                        )
                    else:
                        info.encoding = "cp1252"
            if not info.needs_transcoding:
                _shape(info, chunk, tail)
                tail = chunk[-2:]
    if size == 0:
        raise UserError(f"{path}: the file is empty")
    info.sha256 = sha.hexdigest()
    info.size = size
    return info


def sha256(path: Path) -> str:
    """The sha256 of ``path``'s bytes (streamed)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def transcode(path: Path, info: TextInfo, directory: Path | None = None) -> Path:
    """Write ``path`` as UTF-8 to a temporary file (streaming); update ``info``'s shape flags."""
    encodings = [info.encoding] if info.encoding != "cp1252" else ["cp1252", "latin-1"]
    for enc in encodings:
        fd, name = tempfile.mkstemp(suffix=".csv", prefix="salesmetrics-", dir=directory)
        out = Path(name)
        tail = b""
        shape = TextInfo(sha256="", size=0, encoding="utf-8")
        try:
            with (
                path.open("r", encoding=enc, errors="strict", newline="") as src,
                os.fdopen(fd, "wb") as dst,
            ):
                first = True
                while text := src.read(CHUNK // 4):
                    if first:
                        text = text.removeprefix("\ufeff")
                        first = False
                        shape.maybe_blank = text.startswith(("\n", "\r\n"))
                    data = text.encode("utf-8")
                    _shape(shape, data, tail)
                    tail = data[-2:]
                    dst.write(data)
        except UnicodeDecodeError as err:
            out.unlink(missing_ok=True)
            if enc == encodings[-1]:
                raise UserError(
                    f"{path}: cannot be read as {enc} (byte {err.start}); pass --encoding"
                ) from None
            continue
        except LookupError:
            out.unlink(missing_ok=True)
            raise UserError(f"{path}: unknown encoding {enc!r}") from None
        info.encoding = enc
        info.has_quotes, info.maybe_blank = shape.has_quotes, shape.maybe_blank
        info.newlines, info.ends_with_newline = shape.newlines, shape.ends_with_newline
        return out
    raise AssertionError("unreachable")


def _records(sample: str, delimiter: str, complete: bool) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, quotechar='"')
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= 200:
                break
    except csv.Error:
        pass
    if not complete and len(rows) > 1 and len(rows) < 200:
        rows.pop()  # possibly cut in the middle
    return rows


def sniff(path: Path, preferred: str | None = None) -> tuple[str, list[str]]:
    """(delimiter, header cells) of the UTF-8 file ``path``; ``preferred`` forces the delimiter."""
    with path.open("rb") as fh:
        raw = fh.read(SAMPLE)
        complete = not fh.read(1)
    sample = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    body = sample.lstrip("\r\n")
    end = body.find("\n")
    if end < 0 and not complete:
        raise UserError(
            f"{path}: the header line is longer than {len(body):,} characters, more than the"
            f" limit of {MAX_HEADER_CHARS:,}; is it a text file of rows?"
        )
    length = len(body if end < 0 else body[:end].rstrip("\r"))
    if length > MAX_HEADER_CHARS:
        raise UserError(
            f"{path}: the header line is {length:,} characters long, more than the limit of"
            f" {MAX_HEADER_CHARS:,}"
        )
    candidates = (preferred,) if preferred else CANDIDATE_DELIMITERS
    best: tuple[float, int, int] | None = None
    chosen: tuple[str, list[str]] | None = None
    for rank, delim in enumerate(candidates):
        rows = [r for r in _records(sample, delim, complete) if any(c.strip() for c in r)]
        if not rows:
            continue
        header = rows[0]
        width = len(header)
        data = rows[1:]
        consistent = sum(1 for r in data if len(r) == width) / len(data) if data else 1.0
        score = (consistent if width > 1 else 0.0, width, -rank)
        if best is None or score > best:
            best, chosen = score, (delim, header)
    if chosen is None:
        raise UserError(f"{path}: the file has no header row (it is empty or blank)")
    return chosen


def blank_records(path: Path, has_quotes: bool) -> list[int]:
    """1-based record numbers of the blank records of UTF-8 file ``path`` (header = record 1)."""
    blanks: list[int] = []
    base = 0  # record-ending newlines seen before this chunk
    offset = 0  # byte offset of this chunk
    prev_end = -1  # absolute position of the last record-ending newline
    prev_byte = -1  # last byte of the previous chunk
    quotes = 0  # quote characters seen before this chunk
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            buf = np.frombuffer(chunk, dtype=np.uint8)
            nl = np.flatnonzero(buf == 10)
            if has_quotes:
                q = np.flatnonzero(buf == 34)
                parity = (quotes + np.searchsorted(q, nl)) & 1
                quotes += len(q)
                nl = nl[parity == 0]
            if len(nl):
                ends = nl + offset
                starts = np.concatenate(([prev_end], ends[:-1]))
                gap = ends - starts
                before = np.where(nl > 0, buf[np.maximum(nl - 1, 0)], prev_byte)
                blank = (gap == 1) | ((gap == 2) & (before == 13))
                blanks.extend((base + np.flatnonzero(blank) + 1).tolist())
                base += len(nl)
                prev_end = int(ends[-1])
            offset += len(chunk)
            prev_byte = int(buf[-1])
    return blanks
