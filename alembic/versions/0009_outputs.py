"""One article, many outputs (issue 19): an announcement's priority (thường, ưu tiên, khẩn
cấp; a "khẩn cấp" one leads the loudspeaker bulletin), and per-day counts of residents who
arrived through a poster's QR code (the source tag and a number, nothing about the person).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 18:20:00.000000
"""
import sqlalchemy as sa

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.String(length=12), server_default='thuong',
                                      nullable=False))
    op.create_table('source_arrivals',
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('arrivals', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('source', 'day', name=op.f('pk_source_arrivals'))
    )


def downgrade() -> None:
    op.drop_table('source_arrivals')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_column('priority')
