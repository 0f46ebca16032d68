"""Where a lazy dask array is written, block by block: a raw file, Parquet, Zarr.

:func:`store` writes a 2-D dask array into ``folder`` and returns the bytes
written. The sinks:

- ``"raw"``: a binary file written with ``os.pwrite`` (no memory map: written
  pages do not count in the process's resident memory, so the peak measures
  what the computation holds);
- ``"parquet"``: ``dask.dataframe.to_parquet`` (needs pyarrow), one file per
  chunk;
- ``"zarr"``: ``dask.array.to_zarr`` (needs zarr).
"""

import os
from pathlib import Path

import numpy as np

SINKS = ("raw", "parquet", "zarr")


class RawFile:
    """A ``da.store`` target writing row blocks to a file with ``os.pwrite``."""

    def __init__(self, path, n_columns, dtype):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        self.row_bytes = n_columns * np.dtype(dtype).itemsize
        self.dtype = dtype

    def __setitem__(self, key, value):
        rows = key[0] if isinstance(key, tuple) else key
        block = np.ascontiguousarray(value, dtype=self.dtype)
        os.pwrite(self.fd, block.tobytes(), rows.start * self.row_bytes)

    def close(self):
        os.close(self.fd)


def missing(sink):
    """The package ``sink`` needs and lacks, or None."""
    need = {"parquet": "pyarrow", "zarr": "zarr"}.get(sink)
    if need is None:
        return None
    try:
        __import__(need)
    except ImportError:
        return need
    return None


def folder_bytes(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def store(array, sink, folder):
    """Compute ``array`` (n x d dask) into ``folder`` with ``sink``; bytes written."""
    import dask.array as da

    folder = Path(folder)
    if sink == "raw":
        target = RawFile(folder / "repaired.bin", array.shape[1], array.dtype)
        try:
            da.store(array, target, lock=False)
        finally:
            target.close()
    elif sink == "parquet":
        import dask.dataframe as dd

        columns = [f"x{j}" for j in range(array.shape[1])]
        dd.from_dask_array(array, columns=columns).to_parquet(
            folder / "repaired.parquet", write_index=False
        )
    elif sink == "zarr":
        da.to_zarr(array, str(folder / "repaired.zarr"))
    else:
        raise ValueError(f"sink must be one of {SINKS}, got {sink!r}")
    return folder_bytes(folder)


def refusal(error):
    """Whether ``error`` is an estimator refusing dask input (not a bug)."""
    return isinstance(error, (ValueError, TypeError, NotImplementedError)) and (
        "dask" in str(error).lower()
    )


def fit_and_store(estimator, X, y, s, sink, folder, workers=2):
    """``estimator.fit(X, y, sensitive_features=s)`` then its lazy ``transform``
    stored with ``sink``, on dask's threaded scheduler with ``workers``.

    Returns the seconds of both steps, the bytes written and the process's
    peak resident memory during the call (sampled), or ``{"refused": message}``
    when the estimator does not take dask input.
    """
    import time

    import dask

    from _harness.timing import RSSPeak

    out = {}
    with dask.config.set(scheduler="threads", num_workers=workers), RSSPeak() as rss:
        start = time.perf_counter()
        try:
            estimator.fit(X, y, sensitive_features=s)
        except Exception as error:
            if not refusal(error):
                raise
            return {"refused": f"{type(error).__name__}: {error}"}
        out["fit"] = time.perf_counter() - start
        start = time.perf_counter()
        out["written"] = store(
            estimator.transform(X, sensitive_features=s), sink, folder
        )
        out["transform"] = time.perf_counter() - start
    out["peak_rss_mb"], out["rss_before_mb"] = rss.peak_mib, rss.start_mib
    return out
