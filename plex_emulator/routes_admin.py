"""Endpoints that are not PMS: the emulator's own control (``/__emu``) and the three plex.tv
documents ``switchUser()`` needs (``/__plextv``, docs/PLEX.md §5), all for the owner's token."""

from __future__ import annotations

import json
from dataclasses import asdict

from plex_emulator.context import EmulatorContext
from plex_emulator.errors import bad_request, forbidden
from plex_emulator.http import Request, Response, xml
from plex_emulator.knobs import Fault
from plex_emulator.xmlrender import attrs, element

JSON = "application/json;charset=utf-8"
_KNOB_FIELDS = {
    "page_cap": (int, type(None)),
    "require_container_size": (bool,),
    "max_container_size": (int, type(None)),
    "over_max": (str,),
    "latency_s": (int, float),
    "scan_delay_s": (int, float),
    "scan_async": (bool,),
    "webhooks_sync": (bool,),
    "gzip": (bool,),
}


def _owner(req: Request) -> None:
    if not req.user.is_owner:
        raise forbidden("emulator control is for the owner")


def _json(value: object) -> Response:
    return Response(body=json.dumps(value).encode(), content_type=JSON)


def _body(req: Request) -> dict[str, object]:
    try:
        value = json.loads(req.body or b"{}")
    except ValueError:
        raise bad_request("body must be JSON") from None
    if not isinstance(value, dict):
        raise bad_request("body must be a JSON object")
    return value


def request_log(ctx: EmulatorContext, req: Request) -> Response:
    _owner(req)
    if req.method == "DELETE":
        ctx.log.clear()
        return _json({"cleared": True})
    return _json([asdict(e) for e in ctx.log.entries()])


def webhooks(ctx: EmulatorContext, req: Request) -> Response:
    _owner(req)
    if req.method == "POST":
        body = _body(req)
        url, account_id = body.get("url"), body.get("account_id")
        if not isinstance(url, str) or not (account_id is None or isinstance(account_id, int)):
            raise bad_request("url (string) and optional account_id (int) are required")
        ctx.webhooks.add_target(url, account_id)
    elif req.method == "DELETE":
        ctx.webhooks.clear_targets()
    return _json([asdict(t) for t in ctx.webhooks.targets()])


def knobs(ctx: EmulatorContext, req: Request) -> Response:
    _owner(req)
    current = ctx.knobs
    if req.method == "PUT":
        body = _body(req)
        for name, value in body.items():
            if name == "faults":
                if not isinstance(value, list):
                    raise bad_request("faults must be a list")
                current.clear_faults()
                for raw in value:
                    if not isinstance(raw, dict) or not isinstance(raw.get("path_pattern"), str):
                        raise bad_request("each fault needs a path_pattern")
                    methods = raw.get("methods")
                    current.add_fault(
                        Fault(
                            path_pattern=raw["path_pattern"],
                            status=raw.get("status"),
                            drop=bool(raw.get("drop", False)),
                            delay_s=float(raw.get("delay_s", 0.0)),
                            methods=frozenset(methods) if methods else None,
                            times=raw.get("times"),
                        )
                    )
                continue
            allowed = _KNOB_FIELDS.get(name)
            if allowed is None or not isinstance(value, allowed):
                raise bad_request(f"unknown knob or bad value: {name}")
            setattr(current, name, value)
    shown = {name: getattr(current, name) for name in _KNOB_FIELDS}
    shown["faults"] = [
        {"path_pattern": f.path_pattern, "status": f.status, "drop": f.drop, "times": f.times}
        for f in current.faults
    ]
    return _json(shown)


# --- plex.tv, for switchUser() through a rewriting transport adapter ----------------------


def plextv_user(ctx: EmulatorContext, req: Request) -> Response:
    account = req.user
    pairs = (
        ("id", account.account_id),
        ("uuid", f"{account.account_id:016x}"),
        ("username", account.name),
        ("title", account.name),
        ("email", f"{account.name}@example.com"),
        ("friendlyName", account.name),
        ("locale", "en"),
        ("confirmed", True),
        ("joinedAt", ctx.state.created_at),
        ("emailOnlyAuth", False),
        ("hasPassword", True),
        ("protected", False),
        ("thumb", f"https://plex.tv/users/{account.account_id:016x}/avatar"),
        ("authToken", account.token),
        ("mailingListActive", False),
        ("scrobbleTypes", "1,2"),
        ("country", "US"),
        ("home", False),
        ("guest", False),
        ("restricted", False),
        ("twoFactorEnabled", False),
    )
    children = element(
        "subscription", (("active", True), ("status", "Active"), ("plan", "lifetime"))
    ) + element(
        "profile",
        (
            ("autoSelectAudio", True),
            ("defaultAudioLanguage", "en"),
            ("defaultSubtitleLanguage", "en"),
            ("autoSelectSubtitle", 0),
            ("defaultSubtitleAccessibility", 0),
            ("defaultSubtitleForces", 0),
        ),
    )
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<user{attrs(pairs)}>{children}</user>\n'
    return Response(body=body.encode())


def plextv_users(ctx: EmulatorContext, req: Request) -> Response:
    _owner(req)
    state = ctx.state
    with state.lock:
        shared = [a for a in state.accounts.values() if not a.is_owner]
        section_count = len(state.sections)
    children = [
        element(
            "User",
            (
                ("id", a.account_id),
                ("title", a.name),
                ("username", a.name),
                ("email", f"{a.name}@example.com"),
                ("home", False),
                ("protected", False),
                ("allowSync", True),
            ),
            element(
                "Server",
                (
                    ("id", a.account_id),
                    ("serverId", 1),
                    ("machineIdentifier", state.machine_identifier),
                    ("name", state.friendly_name),
                    ("lastSeenAt", state.created_at),
                    ("numLibraries", len(a.section_ids) if a.section_ids else section_count),
                    ("allLibraries", a.section_ids is None),
                    ("owned", False),
                    ("pending", False),
                ),
            ),
        )
        for a in shared
    ]
    container = attrs(
        (
            ("friendlyName", "myPlex"),
            ("identifier", "com.plexapp.plugins.myplex"),
            ("machineIdentifier", state.machine_identifier),
            ("size", len(children)),
            ("totalSize", len(children)),
        )
    )
    return xml(container, children)


def plextv_shared_servers(ctx: EmulatorContext, req: Request) -> Response:
    _owner(req)
    state = ctx.state
    if req.match[0] != state.machine_identifier:
        return xml(attrs((("size", 0),)))
    with state.lock:
        shared = [a for a in state.accounts.values() if not a.is_owner]
    children = [
        element(
            "SharedServer",
            (
                ("id", a.account_id),
                ("username", a.name),
                ("email", f"{a.name}@example.com"),
                ("userID", a.account_id),
                ("accessToken", a.token),
                ("name", state.friendly_name),
                ("acceptedAt", state.created_at),
                ("owned", False),
            ),
        )
        for a in shared
    ]
    return xml(attrs((("size", len(children)),)), children)
