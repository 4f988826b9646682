"""write-ahead journal

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 01:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('playlist_pair', schema=None) as batch_op:
        batch_op.add_column(sa.Column('a_held', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('b_held', sa.String(length=64), nullable=True))
    op.create_table('playlist_journal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=True),
    sa.Column('side', sa.String(length=1), nullable=False),
    sa.Column('ref', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by_job_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_playlist_journal_job_id_job'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pair_id'], ['playlist_pair.id'], name=op.f('fk_playlist_journal_pair_id_playlist_pair'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playlist_journal'))
    )
    with op.batch_alter_table('playlist_journal', schema=None) as batch_op:
        batch_op.create_index('ix_playlist_journal_job_id', ['job_id'], unique=False)

    with op.batch_alter_table('journal', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('state', sa.String(length=16), server_default='done', nullable=False)
        )
        batch_op.add_column(sa.Column('baseline_after', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            'ix_journal_item_key_created_at', ['item_key', 'created_at'], unique=False
        )
    # Rows journaled before: verified writes whose pair agreed on the value written.
    op.execute(sa.text('UPDATE journal SET baseline_after = "after"'))


def downgrade() -> None:
    with op.batch_alter_table('playlist_pair', schema=None) as batch_op:
        batch_op.drop_column('b_held')
        batch_op.drop_column('a_held')
    with op.batch_alter_table('playlist_journal', schema=None) as batch_op:
        batch_op.drop_index('ix_playlist_journal_job_id')
    op.drop_table('playlist_journal')
    with op.batch_alter_table('journal', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_item_key_created_at')
        batch_op.drop_column('settled_at')
        batch_op.drop_column('baseline_after')
        batch_op.drop_column('state')
