"""The web chat channel: sessions handed to browsers and each conversation's history.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 18:30:00.000000
"""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webchat_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_webchat_sessions')),
    sa.UniqueConstraint('address', name=op.f('uq_webchat_sessions_address'))
    )
    op.create_table('webchat_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('author', sa.String(length=8), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webchat_messages')),
    sa.UniqueConstraint('address', 'event_id', name=op.f('uq_webchat_messages_address_event_id'))
    )
    with op.batch_alter_table('webchat_messages', schema=None) as batch_op:
        batch_op.create_index('ix_webchat_messages_address_id', ['address', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('webchat_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_webchat_messages_address_id')
    op.drop_table('webchat_messages')
    op.drop_table('webchat_sessions')
