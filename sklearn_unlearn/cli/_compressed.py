"""Compressed CSV files: binary streams in and out, and their read errors.

The compression of a CSV file is inferred from its suffix, as pandas infers it
(``.csv.gz``, ``.csv.bz2``, ``.csv.xz``, ``.csv.zip``; a ZIP archive holds one
file). The tables module reads and writes the decompressed text exactly as it
does a plain CSV file, so a compressed input is read as text too and its
untouched columns are written back as read. Outputs are reproducible: the same
table gives the same bytes (no time stamp in a gzip header or a ZIP entry).
"""

import bz2
import contextlib
import gzip
import lzma
import zipfile
import zlib
from pathlib import Path

from sklearn_unlearn.cli._io import CLIError, compression, examples, table_stem

__all__ = ["READ_ERRORS", "open_read", "open_write", "read_error"]

#: What a decompressor raises on a corrupt or truncated file.
READ_ERRORS = (
    OSError,  # a bad gzip or bz2 stream (and a failing disk)
    EOFError,  # a truncated gzip, bz2 or xz stream
    lzma.LZMAError,
    zlib.error,
    zipfile.BadZipFile,
    NotImplementedError,  # a ZIP entry compressed in an unsupported way
)
#: Date of every ZIP entry written (the earliest ZIP date): reproducible bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _zip_member(archive: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    files = [info for info in archive.infolist() if not info.is_dir()]
    if len(files) != 1:
        names = examples([info.filename for info in files], width=40)
        raise CLIError(
            f"input: {path} is a ZIP archive of {len(files)} files"
            + (f" ({names})" if files else "")
            + "; it must hold exactly one CSV file"
        )
    return files[0]


@contextlib.contextmanager
def open_read(path: Path):
    """The decompressed bytes of ``path``, as a binary stream.

    Parameters
    ----------
    path : pathlib.Path
        A CSV file, compressed or not (:func:`~sklearn_unlearn.cli._io.compression`).

    Yields
    ------
    stream : binary file object
        Its (decompressed) content.
    """
    kind = compression(path)
    if kind == "zip":
        try:
            archive = zipfile.ZipFile(path)
        except READ_ERRORS as exc:
            raise read_error(path, exc) from exc
        with archive, archive.open(_zip_member(archive, path)) as stream:
            yield stream
        return
    opener = {None: open, "gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}[kind]
    with opener(path, "rb") as stream:
        yield stream


@contextlib.contextmanager
def open_write(tmp: str, target: Path):
    """A binary stream into ``tmp``, compressed as the name ``target`` says.

    Parameters
    ----------
    tmp : str
        The file to write (the temporary file of ``target``).
    target : pathlib.Path
        Where the output goes: its suffix chooses the compression, its name
        the name recorded inside (the gzip header, the ZIP entry).

    Yields
    ------
    stream : binary file object
        Bytes written to it are compressed into ``tmp``.
    """
    kind = compression(target)
    if kind is None:
        with open(tmp, "wb") as stream:
            yield stream
    elif kind == "gzip":
        with (
            open(tmp, "wb") as raw,
            gzip.GzipFile(target.name, "wb", fileobj=raw, mtime=0) as stream,
        ):
            yield stream
    elif kind == "zip":
        entry = zipfile.ZipInfo(f"{table_stem(target)}.csv", ZIP_DATE)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        with (
            zipfile.ZipFile(tmp, "w") as archive,
            archive.open(entry, "w", force_zip64=True) as stream,
        ):
            yield stream
    else:
        with (bz2.open if kind == "bz2" else lzma.open)(tmp, "wb") as stream:
            yield stream


def read_error(path: Path, exc: BaseException) -> CLIError:
    """The one-line input error for a file that cannot be decompressed or read.

    Parameters
    ----------
    path : pathlib.Path
        The input file.
    exc : BaseException
        What the decompressor (or the disk) raised.

    Returns
    -------
    error : CLIError
        ``input: PATH: cannot read it as gzip-compressed CSV (...)`` (exit 2).
    """
    kind = compression(path)
    what = f"{kind}-compressed CSV" if kind else "CSV"
    text = str(exc).strip().splitlines()
    reason = text[0] if text else type(exc).__name__
    hint = "; the file is corrupt or truncated" if kind else ""
    return CLIError(f"input: {path}: cannot read it as {what} ({reason}){hint}")
