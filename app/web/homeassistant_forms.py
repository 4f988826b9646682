"""The forms of the Home Assistant page: MQTT settings and "test", Apprise URLs per event and
"send test", and the signing secret of an outgoing webhook.

Secrets are never put back into a page: the MQTT password field stays empty (empty keeps the
stored one), Apprise URLs are listed by scheme only (a non-empty box replaces that event's
URLs, "clear" removes them), and a webhook's signing secret is shown only in the answer to the
administrator's explicit request.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from app import __version__
from app.bootstrap import Container
from app.domain.clock import utc_now
from app.domain.errors import CrossfadeError
from app.domain.homeassistant import (
    DeviceInfo,
    EntityRow,
    LinkEntity,
    Topics,
    discovery_documents,
    entity_rows,
)
from app.domain.hooks import MAX_ID
from app.domain.integrations import NotifyEvent
from app.web.deps import ContainerDep
from app.web.homeassistant_yaml import STATUS_FIELDS, command_name, snippets
from app.web.page_deps import PagesDep
from app.web.responses import see

NOTICES = {
    "mqtt-saved": "MQTT settings saved.",
    "notify-saved": "Notification settings saved.",
}
Checkbox = Annotated[bool, Form()]
Text = Annotated[str, Form(max_length=2000)]


def shown_urls(urls: tuple[str, ...]) -> list[str]:
    """Apprise URLs as a page may show them: the scheme only."""
    return [f"{url.partition('://')[0]}://…" for url in urls]


def integrations_context(container: Container) -> dict[str, Any]:
    settings = container.integrations.settings
    mqtt = settings.mqtt()
    notify = settings.notify()
    return {
        "mqtt": mqtt,
        "mqtt_password_set": bool(mqtt.password),
        "mqtt_secret_error": settings.mqtt_secret_error(),
        "mqtt_running": container.integrations.mqtt.running,
        "mqtt_connected": container.integrations.mqtt.connected,
        "notify": notify,
        "notify_events": list(NotifyEvent),
        "notify_shown": {event: shown_urls(notify.urls_for(event)) for event in NotifyEvent},
        "outgoing": container.hooks.outgoing.hooks(),
    }


def entities(container: Container, topics: Topics, public_url: str | None) -> list[EntityRow]:
    """The entities Home Assistant lists for this installation (from the discovery data)."""
    links = [
        LinkEntity(id=summary.link.id, kind=summary.link.kind, title=summary.title)
        for summary in container.insights.overview(now=utc_now()).links
    ]
    device = DeviceInfo(version=__version__, configuration_url=public_url)
    return entity_rows(discovery_documents(topics, device, links))


def page_context(request: Request, container: Container) -> dict[str, Any]:
    """Everything the page shows: the MQTT and notification settings (secrets as "set"),
    the entities Home Assistant gets, and the YAML for this instance's address and links."""
    base_url = str(request.base_url).rstrip("/")
    links = container.domains.libraries.links(kind="ratings")
    mqtt = container.integrations.settings.mqtt()
    return integrations_context(container) | {
        "base_url": base_url,
        "links": links,
        "snippets": snippets(base_url, [link.id for link in links]),
        "status_fields": STATUS_FIELDS,
        "command_names": {link.id: command_name(link.id) for link in links},
        "entities": entities(container, mqtt.topics, mqtt.public_url),
    }


def _page(
    request: Request, pages: PagesDep, container: Container, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    context = page_context(request, container) | extra
    return pages.render(request, "homeassistant.html", status_code=status_code, **context)


def save_mqtt(
    pages: PagesDep,
    request: Request,
    container: ContainerDep,
    broker_url: Text,
    base_topic: Annotated[str, Form(max_length=200)] = "crossfade",
    discovery_prefix: Annotated[str, Form(max_length=200)] = "homeassistant",
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=500)] = "",
    public_url: Annotated[str, Form(max_length=500)] = "",
    enabled: Checkbox = False,
    commands_enabled: Checkbox = False,
    forget_password: Checkbox = False,
) -> Response:
    try:
        container.integrations.settings.save_mqtt(
            enabled=enabled,
            broker_url=broker_url,
            username=username,
            password=password or None,
            base_topic=base_topic,
            discovery_prefix=discovery_prefix,
            commands_enabled=commands_enabled,
            public_url=public_url,
            keep_password=not forget_password,
        )
    except CrossfadeError as exc:
        return _page(request, pages, container, status_code=422, mqtt_error=str(exc))
    container.integrations.mqtt.restart()
    return see("/homeassistant?notice=mqtt-saved#mqtt")


def test_mqtt(pages: PagesDep, request: Request, container: ContainerDep) -> HTMLResponse:
    error = container.integrations.mqtt.test()
    if error is None:
        return _page(request, pages, container, mqtt_notice="The broker accepted the connection.")
    return _page(request, pages, container, mqtt_error=f"Test failed: {error}")


async def save_notify(pages: PagesDep, request: Request, container: ContainerDep) -> Response:
    form = await request.form()
    settings = container.integrations.settings
    current = settings.notify()
    urls: dict[NotifyEvent, list[str]] = {}
    for event in NotifyEvent:
        typed = [line.strip() for line in str(form.get(f"urls_{event.value}", "")).splitlines()]
        if form.get(f"clear_{event.value}"):
            urls[event] = []
        elif any(typed):
            urls[event] = typed
        else:
            urls[event] = list(current.urls_for(event))
    try:
        threshold = int(str(form.get("ratings_threshold", current.ratings_threshold)))
        settings.save_notify(
            urls=urls,
            ratings_threshold=threshold,
            public_url=str(form.get("public_url", "")),
        )
    except ValueError:
        return _page(
            request, pages, container, status_code=422, notify_error="The threshold is a number."
        )
    except CrossfadeError as exc:
        return _page(request, pages, container, status_code=422, notify_error=str(exc))
    return see("/homeassistant?notice=notify-saved#notifications")


def test_notify(pages: PagesDep, request: Request, container: ContainerDep) -> HTMLResponse:
    error = container.integrations.notifications.send_test()
    if error is None:
        return _page(request, pages, container, notify_notice="Test notification sent.")
    return _page(request, pages, container, notify_error=f"Test failed: {error}")


def signing_secret(
    pages: PagesDep,
    request: Request,
    container: ContainerDep,
    hook_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> HTMLResponse:
    hook = container.hooks.outgoing.get(hook_id)
    secret = container.hooks.outgoing.signing_secret(hook_id)
    return _page(request, pages, container, revealed={"name": hook.name, "secret": secret})
