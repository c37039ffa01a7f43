"""Wrong invite codes per resident (invite_attempts), so that /vaitro cannot be used to guess
codes: five wrong in an hour and the resident waits.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 18:30:00.000000
"""
import sqlalchemy as sa

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invite_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invite_attempts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite_attempts'))
    )
    with op.batch_alter_table('invite_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invite_attempts_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('invite_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invite_attempts_user_id'))

    op.drop_table('invite_attempts')
