"""Libraries pages: the list, adding a Plex server ("Test connection" lists its sections), music
and movie folders, one library's settings, its path mappings and the Plex path diagnostic.

Forms post and redirect (303); "Test connection" and the diagnostic are HTMX fragments that
also work as whole pages without JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.bootstrap import Container
from app.domain.errors import CrossfadeError, InvalidInput
from app.domain.library_records import LibraryRecord
from app.domain.ratings.profiles import PRESETS
from app.domain.ratings.resolution import ReadPolicyKind
from app.services.libraries.plex_check import (
    PlexCheckReport,
    check_library,
    linked_roots,
    server_sections,
)
from app.web.deps import ContainerDep
from app.web.forms import PresentFields, require
from app.web.responses import Pages, is_htmx, see

KIND_LABELS = {
    "plex_music": "Plex music",
    "music_folder": "Music folder",
    "movie_folder": "Movie folder",
}
LAYOUTS = ("auto", "plex", "jellyfin")
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
# The fields the settings form shows for each kind, besides the name (see library.html).
SETTINGS_FIELDS: dict[str, tuple[str, ...]] = {
    "plex_music": ("base_url", "section_ids", "account", "token"),
    "music_folder": ("root", "write_profile", "read_policy", "playlist_dir"),
}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def section_ids_of(text: str) -> list[int]:
    """``"1, 3"`` -> ``[1, 3]``; anything else is an InvalidInput."""
    parts = text.replace(",", " ").split()
    if not parts or not all(part.isdigit() and int(part) > 0 for part in parts):
        raise InvalidInput(f"section ids are positive numbers separated by commas, not {text!r}")
    return [int(part) for part in parts]


def folder_config(
    kind: str, *, root: str, write_profile: str, read_policy: str, playlist_dir: str, layout: str
) -> dict[str, Any]:
    if kind == "music_folder":
        config: dict[str, Any] = {
            "root": root.strip(),
            "write_profile": write_profile,
            "read_policy": read_policy,
        }
        if playlist_dir.strip():
            config["playlist_dir"] = playlist_dir.strip()
        return config
    return {"root": root.strip(), "layout": layout}


def build_libraries_router(pages: Pages) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def list_page(
        request: Request,
        container: Container,
        *,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        repository = container.domains.libraries.repository
        context.setdefault("form", {})
        return pages.render(
            request,
            "libraries.html",
            status_code=status_code,
            libraries=repository.libraries(),
            links=repository.links(),
            kind_labels=KIND_LABELS,
            presets=list(PRESETS),
            read_policies=[p.value for p in ReadPolicyKind],
            layouts=LAYOUTS,
            **context,
        )

    def library_page(
        request: Request,
        container: Container,
        library: LibraryRecord,
        *,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        repository = container.domains.libraries.repository
        names = {lib.id: lib.name for lib in repository.libraries()}
        links = [
            link
            for link in repository.links()
            if library.id in (link.library_a_id, link.library_b_id)
        ]
        context.setdefault("roots", "\n".join(linked_roots(repository, library.id)))
        context.setdefault("sample", 50)
        return pages.render(
            request,
            "library.html",
            status_code=status_code,
            library=library,
            links=links,
            names=names,
            kind_labels=KIND_LABELS,
            presets=list(PRESETS),
            read_policies=[p.value for p in ReadPolicyKind],
            layouts=LAYOUTS,
            **context,
        )

    @router.get("/libraries", response_class=HTMLResponse)
    def libraries(
        request: Request, container: ContainerDep, notice: str | None = None
    ) -> HTMLResponse:
        return list_page(request, container, notice=NOTICES.get(notice or ""))

    @router.post("/libraries/plex/test", response_class=HTMLResponse)
    def test_connection(
        request: Request,
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
        form = {"plex_name": name, "base_url": base_url, "token": token}
        return list_page(request, container, form=form, **context)

    @router.post("/libraries")
    def create_library(
        request: Request,
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
    ) -> Response:
        catalog = container.domains.libraries
        try:
            if kind == "plex_music":
                config: dict[str, Any] = {
                    "base_url": base_url.strip(),
                    "section_ids": section_ids or [],
                    "account": account.strip() or "owner",
                }
                library = catalog.add_library(
                    kind=kind, name=name, config=config, secret=token.strip() or None
                )
            else:
                config = folder_config(
                    kind,
                    root=root,
                    write_profile=write_profile,
                    read_policy=read_policy,
                    playlist_dir=playlist_dir,
                    layout=layout,
                )
                library = catalog.add_library(kind=kind, name=name, config=config)
        except CrossfadeError as exc:
            form = {
                "kind": kind,
                "name": name,
                "plex_name": name if kind == "plex_music" else "",
                "base_url": base_url,
                "root": root,
                "write_profile": write_profile,
                "read_policy": read_policy,
                "playlist_dir": playlist_dir,
                "layout": layout,
            }
            return list_page(request, container, status_code=422, error=str(exc), form=form)
        return see(f"/libraries/{library.id}?notice=created")

    @router.get("/libraries/{library_id}", response_class=HTMLResponse)
    def library(
        request: Request, library_id: int, container: ContainerDep, notice: str | None = None
    ) -> HTMLResponse:
        record = container.domains.libraries.repository.library(library_id)
        return library_page(request, container, record, notice=NOTICES.get(notice or ""))

    @router.post("/libraries/{library_id}")
    def update_library(
        request: Request,
        library_id: int,
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
    ) -> Response:
        """The settings form of the library's kind, whole: a field it shows that is missing is
        a 422 and the library stays as it was (an empty ``token`` keeps the stored one)."""
        catalog = container.domains.libraries
        record = catalog.repository.library(library_id)
        require(present, "name", *SETTINGS_FIELDS.get(record.kind, ("root", "layout")))
        try:
            if record.kind == "plex_music":
                config: dict[str, Any] = {
                    "base_url": base_url.strip(),
                    "section_ids": section_ids_of(section_ids),
                    "account": account.strip() or "owner",
                }
            else:
                config = folder_config(
                    record.kind,
                    root=root,
                    write_profile=write_profile,
                    read_policy=read_policy,
                    playlist_dir=playlist_dir,
                    layout=layout,
                )
                if record.kind == "music_folder" and not playlist_dir.strip():
                    config["playlist_dir"] = None
            catalog.update_library(
                library_id, name=name, config=config, secret=token.strip() or None
            )
        except CrossfadeError as exc:
            return library_page(request, container, record, status_code=422, error=str(exc))
        return see(f"/libraries/{library_id}?notice=saved")

    @router.post("/libraries/{library_id}/delete")
    def delete_library(request: Request, library_id: int, container: ContainerDep) -> Response:
        repository = container.domains.libraries.repository
        record = repository.library(library_id)
        try:
            repository.delete_library(library_id)
        except CrossfadeError as exc:
            return library_page(request, container, record, status_code=409, error=str(exc))
        return see("/libraries?notice=deleted")

    @router.post("/libraries/{library_id}/mappings")
    def change_mappings(
        request: Request,
        library_id: int,
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
        record = catalog.repository.library(library_id)
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
            return library_page(request, container, record, status_code=422, error=str(exc))
        return see(f"/libraries/{library_id}?notice={notice}#mappings")

    @router.get("/libraries/{library_id}/check", response_class=HTMLResponse)
    def diagnostic(
        request: Request,
        library_id: int,
        container: ContainerDep,
        roots: Annotated[str, Query(max_length=5000)] = "",
        sample: Annotated[int, Query(ge=1, le=MAX_SAMPLE)] = 50,
    ) -> HTMLResponse:
        """Sample the library's tracks and check their files here; propose mappings."""
        repository = container.domains.libraries.repository
        record = repository.library(library_id)
        report: PlexCheckReport | None = None
        error = None
        status_code = 200
        try:
            report = check_library(
                repository,
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
        return library_page(request, container, record, status_code=status_code, **context)

    return router
