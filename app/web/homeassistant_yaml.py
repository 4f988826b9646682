"""The REST/YAML way to Home Assistant, for people without MQTT: ready-to-paste YAML for a
``rest_command`` that starts a run, a ``rest`` sensor on ``GET /api/v1/status``, and an
automation triggered by Crossfade's outgoing webhooks, filled in with this instance's URL (as
the browser reached it) and its links.

The README's "Home Assistant" section shows the same text for ``README_BASE_URL``
(``snippets(README_BASE_URL, [])``); a test keeps the two equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

README_BASE_URL = "http://crossfade.local:8080"
AUTH_ENTRY = "crossfade_auth"
WEBHOOK_ID = "crossfade-CHANGE-ME-to-a-long-random-id"

# The fields of GET /api/v1/status a sensor can use (app/api/status.py).
STATUS_FIELDS: tuple[tuple[str, str], ...] = (
    ("state", "idle, running (a job is queued or running) or failed (the last job failed)"),
    ("progress", "percent done of the current job, or null"),
    ("phase", "what the current job is doing, or null"),
    ("pending_conflicts", "rating conflicts waiting in the inbox"),
    ("matches_to_review", "weak matches waiting for a person"),
    ("last_run_status", "succeeded, failed, cancelled or interrupted"),
    ("last_run_at", "when the last job finished (ISO 8601)"),
    ("jobs_running", "jobs running now"),
    ("jobs_queued", "jobs waiting for a worker"),
    ("jobs_failed", "jobs that failed or were interrupted, ever"),
    ("libraries", "libraries configured"),
    ("links", "links configured"),
    ("current_job", "object: id, kind, link_id, status, phase, done, total, percent, eta_s"),
    ("last_run", "object: id, kind, link_id, status, finished_at, duration_s, errors, counters"),
)


@dataclass(frozen=True, slots=True)
class Snippets:
    secrets: str
    rest_command: str
    rest_sensor: str
    automation: str


def command_name(link_id: int) -> str:
    return f"crossfade_sync_link_{link_id}"


def snippets(base_url: str, link_ids: Sequence[int]) -> Snippets:
    """The YAML for an instance at ``base_url`` with ratings links ``link_ids`` (link 1 as the
    example when there is none yet)."""
    base = base_url.rstrip("/")
    secrets = (
        '# secrets.yaml: a Crossfade API token with the trigger scope, after "Bearer "\n'
        f'{AUTH_ENTRY}: "Bearer cf_PASTE_YOUR_TOKEN_HERE"\n'
    )
    commands = ["# configuration.yaml: start a run of a link", "rest_command:"]
    for link_id in link_ids or [1]:
        commands += [
            f"  {command_name(link_id)}:",
            f'    url: "{base}/api/v1/jobs"',
            "    method: post",
            "    headers:",
            f"      authorization: !secret {AUTH_ENTRY}",
            '    content_type: "application/json"',
            f'    payload: \'{{"link": {link_id}, "mode": "sync", "dry_run": false}}\'',
        ]
    sensor = "\n".join(
        [
            "# configuration.yaml: Crossfade's state, polled every 30 seconds",
            "rest:",
            f'  - resource: "{base}/api/v1/status"',
            "    headers:",
            f"      authorization: !secret {AUTH_ENTRY}",
            "    scan_interval: 30",
            "    sensor:",
            '      - name: "Crossfade"',
            "        unique_id: crossfade_state",
            '        value_template: "{{ value_json.state }}"',
            "        json_attributes:",
            "          - progress",
            "          - phase",
            "          - pending_conflicts",
            "          - matches_to_review",
            "          - last_run_status",
            "          - last_run_at",
            '      - name: "Crossfade pending conflicts"',
            "        unique_id: crossfade_pending_conflicts",
            '        value_template: "{{ value_json.pending_conflicts }}"',
            '      - name: "Crossfade progress"',
            "        unique_id: crossfade_progress",
            '        value_template: "{{ value_json.progress | default(0, true) }}"',
            '        unit_of_measurement: "%"',
        ]
    )
    automation = "\n".join(
        [
            "# automations.yaml: Crossfade POSTs to this webhook (add the URL below as an",
            "# outgoing webhook in Crossfade: Webhooks page, events job_failed and",
            "# conflicts_pending):",
            f"#   http://YOUR-HOME-ASSISTANT:8123/api/webhook/{WEBHOOK_ID}",
            '- alias: "Crossfade needs attention"',
            "  triggers:",
            "    - trigger: webhook",
            f'      webhook_id: "{WEBHOOK_ID}"',
            "      allowed_methods: [POST]",
            "      local_only: true",
            "  conditions:",
            "    - condition: template",
            "      value_template: >-",
            "        {{ trigger.json.event in ['job_failed', 'conflicts_pending'] }}",
            "  actions:",
            "    - action: persistent_notification.create",
            "      data:",
            '        title: "Crossfade"',
            "        message: >-",
            "          {{ trigger.json.message }}:",
            f"          {base}/jobs/{{{{ trigger.json.job_id }}}}",
        ]
    )
    return Snippets(
        secrets=secrets,
        rest_command="\n".join(commands) + "\n",
        rest_sensor=sensor + "\n",
        automation=automation + "\n",
    )


def readme_section() -> str:
    """The body of the README's "Home Assistant" section (what ``tests/web`` compares)."""
    text = snippets(README_BASE_URL, [])
    return "\n".join(
        f"```yaml\n{block}```\n"
        for block in (text.secrets, text.rest_command, text.rest_sensor, text.automation)
    )
