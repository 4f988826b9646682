"""integration settings (MQTT, Apprise)

Adds ``integration_setting``: one row per outside integration the dashboard configures (MQTT
for Home Assistant, Apprise notifications), plain values as JSON and the secret part sealed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 04:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('integration_setting',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('secret', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_integration_setting'))
    )


def downgrade() -> None:
    op.drop_table('integration_setting')
