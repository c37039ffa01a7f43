"""outbox.requeued_at: when staff queued a failed row again (`loaso outbox retry --failed`),
from which its retry window for transient errors runs afresh (None: from created_at).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 18:30:00.000000
"""
import sqlalchemy as sa

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.add_column(sa.Column('requeued_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.drop_column('requeued_at')
