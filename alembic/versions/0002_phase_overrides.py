"""Phase overrides: staff pin the campaign to a phase, with who and when.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'phase_overrides',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('phase_id', sa.String(length=40), nullable=False),
        sa.Column('stage_id', sa.String(length=40), nullable=True),
        sa.Column('set_by', sa.String(length=100), nullable=False),
        sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('cleared_by', sa.String(length=100), nullable=True),
        sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phase_overrides')),
    )


def downgrade() -> None:
    op.drop_table('phase_overrides')
