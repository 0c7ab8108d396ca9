"""Where a batch's items are read: a local process pool (the default) or a Dask cluster.

Both run the same reader (``process_item``) in a process of its own with the item time limit
and the memory limit (pebble), so an item that hangs, explodes or kills its reader is reported
the same way wherever it ran. The parent sends small items in chunks (one task per chunk of up
to ``CHUNK_ITEMS``): the per-task cost of a pool is then paid once per chunk, not per
document. A chunk that times out or whose reader dies is sent again item by item, so the item
at fault is reported with its own outcome and the others are read.

With Dask (``--executor dask --scheduler tcp://HOST:PORT``), a chunk is one Dask task; on the
worker it runs in a local pebble pool of as many readers as the worker has threads, so time
and memory limits hold there too. Workers must read the input paths at the same place as the
parent (shared storage) and must be allowed to start processes
(``DASK_DISTRIBUTED__WORKER__DAEMON=False``). A Dask worker that dies has its tasks moved to
another by the scheduler; a task that killed ``allowed-failures`` workers is retried item by
item here and the item at fault reported. Nothing is written by workers: the parent writes.
"""

from __future__ import annotations

import os
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from seoulrec.errors import UsageError

CHUNK_ITEMS = 32
#: Items up to this size travel in chunks; bigger ones get a task of their own.
CHUNK_BYTES = 2**20
EXECUTORS = ("local", "dask")


def failed(item, outcome: str, message: str) -> dict:
    return {
        "path": item.path,
        "sha256": None,
        "outcome": outcome,
        "message": message,
        "records": [],
    }


def error_result(item, exc: BaseException, timeout: float) -> dict:
    """The result of an item whose reader did not answer: timed out, died, or failed to run."""
    from pebble.common import ProcessExpired

    name = Path(item.path).name
    if isinstance(exc, FutureTimeout):
        return failed(item, "timeout", f"{name}: reading took longer than {timeout:g} s")
    if isinstance(exc, ProcessExpired):
        outcome = "too_large" if exc.exitcode in (-9, 137) else "corrupt"
        return failed(item, outcome, f"{name}: the reader process died (exit code {exc.exitcode})")
    return failed(item, "corrupt", f"{name}: {type(exc).__name__}: {exc}")


def read_items(items: list, worker_options: dict, catalog_path: str | None) -> list[dict]:
    """A chunk, read in one reader process (the local pool's task)."""
    from seoulrec.inputs.reading import process_item

    return [process_item(item, worker_options, catalog_path) for item in items]


def take_chunk(items, jobs: int) -> list:
    """The next task's items from the queue ``items``: one big item alone, or up to
    ``CHUNK_ITEMS`` small ones (fewer while the queue is short, so every worker gets work)."""
    first = items.popleft()
    if not _small(first):
        return [first]
    limit = max(1, min(CHUNK_ITEMS, len(items) // (jobs * 4)))
    chunk = [first]
    while items and len(chunk) < limit and _small(items[0]):
        chunk.append(items.popleft())
    return chunk


def _small(item) -> bool:
    return item.kind == "package_dir" or 0 <= getattr(item, "size", -1) <= CHUNK_BYTES


def read_in_fresh_process(item, worker_options: dict, catalog_path: str | None, options) -> dict:
    """Read one item again in a new reader process (a reader can be left broken by an earlier
    item, a C library after a MemoryError, before this one failed 'unexpectedly')."""
    from pebble import ProcessPool

    from seoulrec.inputs.reading import init_worker, process_item, worker_context

    with ProcessPool(
        max_workers=1,
        initializer=init_worker,
        initargs=(options["memory_mb"], options.get("cwd")),
        context=worker_context(),
    ) as pool:
        try:
            result = pool.schedule(
                process_item, args=(item, worker_options, catalog_path), timeout=options["timeout"]
            ).result()
        except Exception as exc:  # noqa: BLE001 - timeouts and deaths are this item's failure
            result = failed(item, "corrupt", f"{Path(item.path).name}: {type(exc).__name__}: {exc}")
    result.pop("unexpected", None)
    return result


class LocalExecutor:
    """A pebble process pool on this machine (forkserver: readers do not inherit the caller)."""

    name = "local"

    def __init__(self, jobs: int, timeout: float, memory_mb: int):
        self.slots = jobs
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.pool: Any = None

    def __enter__(self) -> "LocalExecutor":
        from pebble import ProcessPool

        from seoulrec.inputs.reading import init_worker, worker_context

        self.pool = ProcessPool(
            max_workers=self.slots,
            initializer=init_worker,
            initargs=(self.memory_mb, None),
            context=worker_context(),
        )
        return self

    def __exit__(self, *exc_info) -> None:
        self.pool.close()
        self.pool.join()

    def submit(self, items: list, worker_options: dict, catalog_path: str | None):
        return self.pool.schedule(
            read_items, args=(items, worker_options, catalog_path), timeout=self.timeout
        )

    def wait(self, future, seconds: float) -> bool:
        """Whether ``future`` is done within ``seconds``."""
        import concurrent.futures

        return bool(concurrent.futures.wait([future], timeout=seconds).done)

    def collect(self, future, items: list) -> list[dict]:
        return future.result()

    def fresh(self, item, worker_options: dict, catalog_path: str | None) -> dict:
        return read_in_fresh_process(
            item,
            worker_options,
            catalog_path,
            {"memory_mb": self.memory_mb, "timeout": self.timeout},
        )

    def stop(self) -> None:
        self.pool.stop()


# -- Dask ---------------------------------------------------------------------------------------

_WORKER_POOLS: dict = {}


def _worker_pool(memory_mb: int, cwd: str, slots: int):
    """The pebble pool of this Dask worker process, made on first use."""
    from pebble import ProcessPool

    from seoulrec.inputs.reading import init_worker, worker_context

    key = (memory_mb, cwd, slots)
    pool = _WORKER_POOLS.get(key)
    if pool is None or not pool.active:
        pool = ProcessPool(
            max_workers=slots,
            initializer=init_worker,
            initargs=(memory_mb, cwd),
            context=worker_context(),
        )
        _WORKER_POOLS[key] = pool
    return pool


def dask_read_items(
    items: list,
    worker_options: dict,
    catalog_path: str | None,
    cwd: str,
    timeout: float,
    memory_mb: int,
) -> list[dict]:
    """A chunk, read on a Dask worker: each item in a reader process with the limits."""
    from seoulrec.inputs.reading import process_item

    try:
        from distributed import get_worker

        slots = get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):
        slots = 1
    pool = _worker_pool(memory_mb, cwd, slots)
    # The chunk in one reader task, as the local pool does; if it times out or its reader
    # dies, each item again on its own so the one at fault gets its own outcome.
    try:
        chunk = pool.schedule(
            read_items, args=(items, worker_options, catalog_path), timeout=timeout
        ).result()
        futures = [(item, _Done(result)) for item, result in zip(items, chunk)]
    except Exception as exc:  # noqa: BLE001 - read again item by item below
        if len(items) == 1:
            return [error_result(items[0], exc, timeout)]
        futures = [
            (
                item,
                pool.schedule(
                    process_item, args=(item, worker_options, catalog_path), timeout=timeout
                ),
            )
            for item in items
        ]
    results = []
    for item, future in futures:
        try:
            result = future.result()
        except Exception as exc:  # noqa: BLE001 - the item's outcome
            result = error_result(item, exc, timeout)
        if result.pop("unexpected", False):
            result = read_in_fresh_process(
                item,
                worker_options,
                catalog_path,
                {"memory_mb": memory_mb, "timeout": timeout, "cwd": cwd},
            )
        results.append(result)
    return results


def close_worker_pools() -> int:
    """Stop this Dask worker's reader processes (run on every worker at the end of a batch)."""
    pools = list(_WORKER_POOLS.values())
    _WORKER_POOLS.clear()
    for pool in pools:
        pool.stop()
        pool.join()
    return len(pools)


class _Done:
    """A result already read, shaped like a future."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def _worker_facts(paths: list[str]) -> dict:
    import multiprocessing

    return {
        "daemon": bool(multiprocessing.current_process().daemon),
        "missing": [p for p in paths if not os.path.lexists(p)],
    }


class DaskExecutor:
    """Chunks as tasks on a Dask distributed cluster; results come back to this process."""

    name = "dask"
    CONNECT_SECONDS = 10.0

    def __init__(self, scheduler: str, timeout: float, memory_mb: int, inputs: list[str]):
        self.scheduler = scheduler
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.inputs = inputs
        self.client: Any = None
        self.slots = 1
        self.cwd = os.getcwd()
        self.futures: list = []

    def __enter__(self) -> "DaskExecutor":
        try:
            from distributed import Client
        except ImportError:
            raise UsageError(
                "--executor dask needs the 'distributed' package: pip install 'seoulrec[dask]'"
            ) from None
        try:
            self.client = Client(self.scheduler, timeout=self.CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(
                f"the Dask scheduler at {self.scheduler} does not answer ({type(exc).__name__}: {exc}); "
                "check the address and that `dask scheduler` runs there"
            ) from None
        try:
            self._check_workers()
        except BaseException:
            self.client.close()
            raise
        return self

    def _check_workers(self) -> None:
        try:
            self.client.wait_for_workers(1, timeout=self.CONNECT_SECONDS)
        except (OSError, TimeoutError) as exc:
            raise UsageError(
                f"the Dask scheduler at {self.scheduler} has no workers ({exc}); start `dask worker {self.scheduler}`"
            ) from None
        workers = self.client.scheduler_info(n_workers=-1)["workers"]
        self.slots = max(1, sum(w.get("nthreads", 1) for w in workers.values()))
        paths = [os.path.abspath(p) for p in self.inputs]
        facts = self.client.run(_worker_facts, paths)
        daemonic = sorted(a for a, f in facts.items() if f["daemon"])
        if daemonic:
            raise UsageError(
                f"Dask workers {', '.join(daemonic)} are daemonic processes and cannot start reader "
                "processes with the time and memory limits; start them with "
                "DASK_DISTRIBUTED__WORKER__DAEMON=False"
            )
        blind = {a: f["missing"] for a, f in facts.items() if f["missing"]}
        if blind:
            address, missing = next(iter(sorted(blind.items())))
            raise UsageError(
                f"Dask worker {address} cannot see {missing[0]}: workers read the inputs from "
                "shared storage at the same path as this machine"
            )

    def __exit__(self, *exc_info) -> None:
        try:
            self.stop()
            self.client.run(close_worker_pools)
        except Exception:  # noqa: BLE001 - a worker gone already has no readers left
            pass
        self.client.close()

    def submit(self, items: list, worker_options: dict, catalog_path: str | None):
        self.futures = [f for f in self.futures if not f.done()]
        future = self.client.submit(
            dask_read_items,
            items,
            worker_options,
            catalog_path,
            self.cwd,
            self.timeout,
            self.memory_mb,
            pure=False,
        )
        self.futures.append(future)
        return future

    def wait(self, future, seconds: float) -> bool:
        import threading

        if future.done():
            return True
        done = threading.Event()
        future.add_done_callback(lambda _: done.set())
        return done.wait(seconds)

    def collect(self, future, items: list) -> list[dict]:
        # Each item has its own limit on the worker; this only catches a task that never ends
        # (a worker that hangs outside the reader).
        return future.result(timeout=self.timeout * (len(items) + 2) + 60)

    def fresh(self, item, worker_options: dict, catalog_path: str | None) -> dict:
        # Already read again in a fresh process on the worker.
        return failed(item, "corrupt", f"{Path(item.path).name}: the reader failed")

    def stop(self) -> None:
        self.client.cancel([f for f in self.futures if not f.done()])


def make_executor(options, inputs: list) -> Any:
    if options.executor == "dask":
        if not options.scheduler:
            raise UsageError(
                "--executor dask needs --scheduler tcp://HOST:PORT (or [ingest] scheduler)"
            )
        return DaskExecutor(
            options.scheduler, options.timeout, options.memory_mb, [str(p) for p in inputs]
        )
    if options.executor != "local":
        raise UsageError(
            f"--executor must be one of {', '.join(EXECUTORS)}, not {options.executor!r}"
        )
    return LocalExecutor(options.worker_jobs(), options.timeout, options.memory_mb)
