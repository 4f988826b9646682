"""The ``integration_setting`` table: settings of the outside integrations the dashboard edits
(MQTT for Home Assistant, Apprise notifications), one row per integration.

``value`` holds the plain settings as JSON; ``secret`` what must not be readable at rest (the
MQTT password, the Apprise URLs, which carry tokens), sealed by the installation's
:class:`~app.adapters.secret_box.SecretBox`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String, Text
from sqlmodel import Field, SQLModel

from app.adapters.db.models import _created

__all__ = ["IntegrationSetting"]


class IntegrationSetting(SQLModel, table=True):
    __tablename__ = "integration_setting"

    key: str = Field(sa_column=Column(String(32), primary_key=True))
    value: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON(), nullable=False))
    secret: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))
    updated_at: datetime = _created()
