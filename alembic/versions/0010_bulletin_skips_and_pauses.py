"""Bulletins staff skip or pause from the console: bulletin_occurrences.skipped_by, and
bulletin_pauses.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 18:20:00.000000
"""
import sqlalchemy as sa

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bulletin_pauses',
    sa.Column('bulletin_id', sa.String(length=60), nullable=False),
    sa.Column('paused_by', sa.String(length=100), nullable=False),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('bulletin_id', name=op.f('pk_bulletin_pauses'))
    )
    with op.batch_alter_table('bulletin_occurrences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skipped_by', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('bulletin_occurrences', schema=None) as batch_op:
        batch_op.drop_column('skipped_by')
    op.drop_table('bulletin_pauses')
