"""Listing a Plex section in a child process.

Parsing a listing is CPU-bound Python (about 35 µs a track: expat callbacks and records), and
in the job's process it holds the GIL that the music folder's walk and tag reads need at the
same time: the two then take as long as one after the other. A child process parses on the
other core and sends the tracks back as plain tuples, a thousand at a time (unpickling 20,000
takes ~0.03 s, against ~0.3 s for the records themselves); they become :class:`PlexTrack`
records here while the child lists the next ones.

The child gets a copy of the client (same server, account and retry settings; its own
connection): retries, timeouts and error translation are the client's, and a
:class:`PlexError` comes back as itself. A run that is cancelled while the child lists
terminates it; the child dies with its parent (``follow_parent``). Where no child process can
be started, the listing happens in-process.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, Final

from app.adapters.gc_pause import paused_gc
from app.adapters.plex.client import PlexServerClient
from app.adapters.plex.records import PlexTrack
from app.adapters.processes import follow_parent, worker_context
from app.domain.errors import PlexError, PlexUnavailable

log = logging.getLogger(__name__)

POLL_S: Final = 0.1
BATCH: Final = 1000  # tracks per message from the child
_FIELDS: Final = tuple(field.name for field in dataclasses.fields(PlexTrack))

Row = tuple[Any, ...]  # PlexTrack's fields, in order


def track_row(track: PlexTrack) -> Row:
    return tuple(getattr(track, name) for name in _FIELDS)


def track_of(row: Row) -> PlexTrack:
    return PlexTrack(*row)


def _list_in_child(
    connection: Connection, client: PlexServerClient, section_id: int, parent_pid: int
) -> None:
    """The child: list, sending ``("rows", rows)`` every ``BATCH`` tracks (the parent builds
    its items while the child goes on), then ``("done", None)`` or ``("error", PlexError)``."""
    follow_parent(parent_pid)
    with paused_gc():  # a short life that only allocates: collections would only walk the rows
        try:
            with client:
                rows: list[Row] = []
                for track in client.iter_tracks(section_id):
                    rows.append(track_row(track))
                    if len(rows) == BATCH:
                        connection.send(("rows", rows))
                        rows = []
            if rows:
                connection.send(("rows", rows))
            connection.send(("done", None))
        except PlexError as error:
            connection.send(("error", error))
        finally:
            connection.close()


class ListingCancelled(Exception):
    """The caller asked to stop while the child was listing; the child was terminated."""


def iter_tracks_in_child(
    client: PlexServerClient,
    section_id: int,
    *,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[PlexTrack]:
    """Every track of the section, as ``client.iter_tracks(section_id)`` lists them, parsed in
    a child process and received a batch at a time. ``should_stop`` is asked every 0.1 s while
    waiting; when it says yes the child is terminated and :class:`ListingCancelled` raised. A
    child that dies without finishing is :class:`PlexUnavailable`."""
    try:
        context = worker_context()
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(
            target=_list_in_child,
            args=(sender, client, section_id, os.getpid()),
            name="crossfade-plex-listing",
            daemon=True,
        )
        child.start()
    except (OSError, ImportError, NotImplementedError) as exc:
        log.warning("no listing process here (%s); listing in-process", exc)
        yield from client.iter_tracks(section_id)
        return
    sender.close()
    finished = False
    try:
        while True:
            while not receiver.poll(POLL_S):
                if should_stop():
                    raise ListingCancelled(f"listing of section {section_id} stopped")
                if not child.is_alive() and not receiver.poll(0):
                    raise _died(client, section_id, child.exitcode)
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise _died(client, section_id, child.exitcode) from None
            if kind == "rows":
                yield from map(track_of, payload)
            elif kind == "error":
                raise payload
            else:
                finished = True
                return
    finally:
        receiver.close()
        if finished:
            child.join(timeout=5.0)  # it has sent everything and is closing
        if child.is_alive():
            child.terminate()
        child.join()


def _died(client: PlexServerClient, section_id: int, exit_code: int | None) -> PlexUnavailable:
    return PlexUnavailable(
        f"the listing process ended without finishing (exit {exit_code})",
        server=client.base_url,
        key=f"/library/sections/{section_id}/all",
    )
