"""Libraries pages: the list, adding a Plex server ("Test connection" lists its sections), music
and movie folders, one library's settings, its path mappings and the Plex path diagnostic.

Forms post and redirect (303); "Test connection" and the diagnostic are HTMX fragments that
also work as whole pages without JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.bootstrap import Container
from app.domain.errors import CrossfadeError, InvalidInput
from app.domain.kinds import LibraryKind
from app.domain.library_records import LibraryRecord
from app.services.libraries.plex_check import (
    PlexCheckReport,
    check_library,
    linked_roots,
    server_sections,
)
from app.web.deps import ContainerDep
from app.web.forms import PresentFields, require
from app.web.library_forms import config_of, secret_of, settings_fields
from app.web.page_deps import PagesDep, ProvidePages
from app.web.responses import Pages, is_htmx, see

TEST_TIMEOUT_S = 10.0
MAX_SAMPLE = 500

NOTICES = {
    "created": "Library added.",
    "saved": "Changes saved.",
    "deleted": "Library deleted.",
    "mapping-added": "Path mapping added.",
    "mapping-removed": "Path mapping removed.",
    "mapping-applied": "Proposed mapping applied. Run the diagnostic again to see its effect.",
}

TextForm = Annotated[str, Form(max_length=1000)]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def list_page(
    request: Request,
    pages: Pages,
    container: Container,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    catalog = container.domains.libraries
    context.setdefault("form", {})
    return pages.render(
        request,
        "libraries.html",
        status_code=status_code,
        libraries=catalog.libraries(),
        links=catalog.links(),
        kinds=catalog.kinds,
        kind_labels=catalog.kinds.display_names(),
        **context,
    )


def library_page(
    request: Request,
    pages: Pages,
    container: Container,
    library: LibraryRecord,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    catalog = container.domains.libraries
    names = {lib.id: lib.name for lib in catalog.libraries()}
    links = [
        link for link in catalog.links() if library.id in (link.library_a_id, link.library_b_id)
    ]
    context.setdefault("roots", "\n".join(linked_roots(catalog.repository, library.id)))
    context.setdefault("sample", 50)
    return pages.render(
        request,
        "library.html",
        status_code=status_code,
        library=library,
        entry=catalog.kinds.entry(library.kind),
        links=links,
        names=names,
        kind_labels=catalog.kinds.display_names(),
        **context,
    )


def libraries(
    request: Request, pages: PagesDep, container: ContainerDep, notice: str | None = None
) -> HTMLResponse:
    return list_page(request, pages, container, notice=NOTICES.get(notice or ""))


def plex_connection_test(
    request: Request,
    pages: PagesDep,
    container: ContainerDep,
    base_url: TextForm = "",
    token: TextForm = "",
    name: TextForm = "",
) -> HTMLResponse:
    """List the server's sections; a fragment for HTMX, the whole page otherwise."""
    error = None
    sections: tuple[Any, ...] = ()
    try:
        sections = server_sections(
            container.domains.sides.plex_client, base_url, token, timeout_s=TEST_TIMEOUT_S
        )
    except CrossfadeError as exc:
        error = str(exc)
    context: dict[str, Any] = {"sections": sections, "test_error": error, "tested": True}
    if is_htmx(request):
        return pages.render(request, "partials/plex_sections.html", **context)
    form = {"kind": LibraryKind.PLEX_MUSIC.value, "name": name, "base_url": base_url,
            "token": token}  # fmt: skip
    return list_page(request, pages, container, form=form, **context)


def create_library(
    request: Request,
    pages: PagesDep,
    container: ContainerDep,
    kind: Annotated[str, Form(max_length=32)],
    name: TextForm = "",
    base_url: TextForm = "",
    token: TextForm = "",
    section_ids: Annotated[list[int] | None, Form()] = None,
    account: TextForm = "owner",
    root: TextForm = "",
    write_profile: TextForm = "musicbee",
    read_policy: TextForm = "priority",
    playlist_dir: TextForm = "",
    layout: TextForm = "auto",
    database: TextForm = "",
    mediamonkey_closed: TextForm = "false",
    file_tags: TextForm = "mediamonkey",
    backup_dir: TextForm = "",
    write_mode: TextForm = "",
    popm_email: TextForm = "",
    read_priority: TextForm = "",
    pinned_scale: TextForm = "",
    user: TextForm = "",
    password: TextForm = "",
    api_key: TextForm = "",
    real_paths: TextForm = "",
    music_root: TextForm = "",
    starred: TextForm = "",
) -> Response:
    """Add a library of ``kind`` from its add form (the fields of its registry entry)."""
    catalog = container.domains.libraries
    values: dict[str, object] = {
        "base_url": base_url, "token": token, "section_ids": section_ids or [],
        "account": account, "root": root, "write_profile": write_profile,
        "read_policy": read_policy, "playlist_dir": playlist_dir, "layout": layout,
        "database": database, "mediamonkey_closed": mediamonkey_closed,
        "file_tags": file_tags, "backup_dir": backup_dir,
    }  # fmt: skip
    values.update(_tag_writing(write_mode, popm_email, read_priority, pinned_scale))
    values.update(_server_fields(user, password, api_key, real_paths, music_root, starred))
    try:
        entry = catalog.kinds.entry(kind)
        library = catalog.add_library(
            kind=kind,
            name=name,
            config=config_of(entry, values),
            secret=secret_of(entry, values),
        )
    except CrossfadeError as exc:
        form = {**values, "kind": kind, "name": name, "token": "", "password": "", "api_key": ""}
        return list_page(request, pages, container, status_code=422, error=str(exc), form=form)
    return see(f"/libraries/{library.id}?notice=created")


def library(
    request: Request,
    library_id: int,
    pages: PagesDep,
    container: ContainerDep,
    notice: str | None = None,
) -> HTMLResponse:
    record = container.domains.libraries.library(library_id)
    return library_page(request, pages, container, record, notice=NOTICES.get(notice or ""))


def update_library(
    request: Request,
    library_id: int,
    pages: PagesDep,
    container: ContainerDep,
    present: PresentFields,
    name: TextForm = "",
    base_url: TextForm = "",
    token: TextForm = "",
    section_ids: TextForm = "",
    account: TextForm = "",
    root: TextForm = "",
    write_profile: TextForm = "",
    read_policy: TextForm = "",
    playlist_dir: TextForm = "",
    layout: TextForm = "",
    database: TextForm = "",
    mediamonkey_closed: TextForm = "",
    file_tags: TextForm = "",
    backup_dir: TextForm = "",
    write_mode: TextForm = "",
    popm_email: TextForm = "",
    read_priority: TextForm = "",
    pinned_scale: TextForm = "",
    user: TextForm = "",
    password: TextForm = "",
    api_key: TextForm = "",
    real_paths: TextForm = "",
    music_root: TextForm = "",
    starred: TextForm = "",
) -> Response:
    """The settings form of the library's kind, whole: a field it shows that is missing is
    a 422 and the library stays as it was (an empty ``token`` keeps the stored one)."""
    catalog = container.domains.libraries
    record = catalog.library(library_id)
    entry = catalog.kinds.entry(record.kind)
    require(present, "name", *settings_fields(entry))
    values: dict[str, object] = {
        "base_url": base_url, "token": token, "section_ids": section_ids,
        "account": account, "root": root, "write_profile": write_profile,
        "read_policy": read_policy, "playlist_dir": playlist_dir, "layout": layout,
        "database": database, "mediamonkey_closed": mediamonkey_closed,
        "file_tags": file_tags, "backup_dir": backup_dir,
    }  # fmt: skip
    values.update(_tag_writing(write_mode, popm_email, read_priority, pinned_scale))
    values.update(_server_fields(user, password, api_key, real_paths, music_root, starred))
    try:
        catalog.update_library(
            library_id,
            name=name,
            config=config_of(entry, values),
            secret=secret_of(entry, values),
        )
    except CrossfadeError as exc:
        return library_page(request, pages, container, record, status_code=422, error=str(exc))
    return see(f"/libraries/{library_id}?notice=saved")


def delete_library(
    request: Request, library_id: int, pages: PagesDep, container: ContainerDep
) -> Response:
    catalog = container.domains.libraries
    record = catalog.library(library_id)
    try:
        catalog.delete_library(library_id)
    except CrossfadeError as exc:
        return library_page(request, pages, container, record, status_code=409, error=str(exc))
    return see("/libraries?notice=deleted")


def change_mappings(
    request: Request,
    library_id: int,
    pages: PagesDep,
    container: ContainerDep,
    present: PresentFields,
    plex_prefix: TextForm = "",
    local_prefix: TextForm = "",
    remove: Annotated[int | None, Form(ge=0)] = None,
    apply: Annotated[bool, Form()] = False,
) -> Response:
    """Add a mapping (or apply a proposed one: the same, from the diagnostic) or remove
    the one at position ``remove``; adding needs both prefixes (422 otherwise)."""
    if remove is None:
        require(present, "plex_prefix", "local_prefix")
    catalog = container.domains.libraries
    record = catalog.library(library_id)
    pairs = list(record.path_mappings)
    if remove is not None:
        pairs = [pair for index, pair in enumerate(pairs) if index != remove]
        notice = "mapping-removed"
    else:
        pair = (plex_prefix.strip(), local_prefix.strip())
        if pair not in pairs:
            pairs.append(pair)
        notice = "mapping-applied" if apply else "mapping-added"
    try:
        catalog.update_library(
            library_id,
            path_mappings=[{"plex_prefix": p, "local_prefix": q} for p, q in pairs],
        )
    except CrossfadeError as exc:
        return library_page(request, pages, container, record, status_code=422, error=str(exc))
    return see(f"/libraries/{library_id}?notice={notice}#mappings")


def diagnostic(
    request: Request,
    library_id: int,
    pages: PagesDep,
    container: ContainerDep,
    roots: Annotated[str, Query(max_length=5000)] = "",
    sample: Annotated[int, Query(ge=1, le=MAX_SAMPLE)] = 50,
) -> HTMLResponse:
    """Sample the library's tracks and check their files here; propose mappings."""
    catalog = container.domains.libraries
    record = catalog.library(library_id)
    report: PlexCheckReport | None = None
    error = None
    status_code = 200
    try:
        report = check_library(
            catalog.repository,
            container.domains.sides.plex_client,
            library_id,
            roots=_lines(roots),
            sample_size=sample,
        )
    except InvalidInput as exc:
        error, status_code = str(exc), 422
    except CrossfadeError as exc:
        error = str(exc)
    context: dict[str, Any] = {
        "report": report,
        "check_error": error,
        "roots": roots,
        "sample": sample,
    }
    if is_htmx(request):
        return pages.render(
            request,
            "partials/plex_check.html",
            library=record,
            status_code=status_code,
            **context,
        )
    return library_page(request, pages, container, record, status_code=status_code, **context)


def build_libraries_router(pages: Pages) -> APIRouter:
    """The libraries area: its routes, handed ``pages`` through :class:`ProvidePages`."""
    router = APIRouter(include_in_schema=False, dependencies=[Depends(ProvidePages(pages))])
    router.add_api_route("/libraries", libraries, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(
        "/libraries/plex/test", plex_connection_test, methods=["POST"], response_class=HTMLResponse
    )
    router.add_api_route("/libraries", create_library, methods=["POST"])
    router.add_api_route(
        "/libraries/{library_id}", library, methods=["GET"], response_class=HTMLResponse
    )
    router.add_api_route("/libraries/{library_id}", update_library, methods=["POST"])
    router.add_api_route("/libraries/{library_id}/delete", delete_library, methods=["POST"])
    router.add_api_route("/libraries/{library_id}/mappings", change_mappings, methods=["POST"])
    router.add_api_route(
        "/libraries/{library_id}/check", diagnostic, methods=["GET"], response_class=HTMLResponse
    )
    return router


def _tag_writing(
    write_mode: str, popm_email: str, read_priority: str, pinned_scale: str
) -> dict[str, object]:
    """A music folder's tag-writing and reading choices as posted (empty: the preset's)."""
    return {
        "write_mode": write_mode,
        "popm_email": popm_email,
        "read_priority": read_priority,
        "pinned_scale": pinned_scale,
    }


def _server_fields(
    user: str, password: str, api_key: str, real_paths: str, music_root: str, starred: str
) -> dict[str, object]:
    """A Subsonic or Jellyfin server's fields as posted (the kinds' forms name them; an
    empty one not shown by the form takes the field's default)."""
    posted = {
        "user": user,
        "password": password,
        "api_key": api_key,
        "real_paths": real_paths,
        "music_root": music_root,
        "starred": starred,
    }
    return {name: value for name, value in posted.items() if value}
