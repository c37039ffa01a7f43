"""The console's content edits (content_edits): versions of pack files laid over the pack.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 18:30:00.000000
"""
import sqlalchemy as sa

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('content_edits',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('base_sha256', sa.String(length=64), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('edited_by', sa.String(length=100), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['staff_accounts.id'], name=op.f('fk_content_edits_account_id_staff_accounts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_edits')),
    sa.UniqueConstraint('path', 'version', name=op.f('uq_content_edits_path_version'))
    )
    with op.batch_alter_table('content_edits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_edits_path'), ['path'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('content_edits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_edits_path'))

    op.drop_table('content_edits')
