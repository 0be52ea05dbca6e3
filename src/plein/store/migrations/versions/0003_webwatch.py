"""webwatch: crawls, fetched pages, offers, observations and analysts' labels

Revision ID: 0003_webwatch
Revises: 0001_foundation
Create Date: 2026-11-23 13:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_webwatch"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("webwatch",)
depends_on: str | Sequence[str] | None = None

TABLES = ("webwatch_observation", "webwatch_label", "webwatch_offer", "webwatch_page", "webwatch_crawl")


def upgrade() -> None:
    op.create_table(
        "webwatch_crawl",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("start_urls", sa.JSON(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("import_batch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_batch_id"], ["import_batch.id"], name=op.f("fk_webwatch_crawl_import_batch_id_import_batch")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_webwatch_crawl_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webwatch_crawl")),
    )
    op.create_table(
        "webwatch_page",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("crawl_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("warc_file", sa.Text(), nullable=False),
        sa.Column("warc_offset", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("offers_found", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["crawl_id"], ["webwatch_crawl.id"], name=op.f("fk_webwatch_page_crawl_id_webwatch_crawl")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webwatch_page")),
        sa.UniqueConstraint("crawl_id", "url_hash", name="uq_webwatch_page_crawl_url"),
    )
    op.create_index(op.f("ix_webwatch_page_crawl_id"), "webwatch_page", ["crawl_id"], unique=False)
    op.create_index(op.f("ix_webwatch_page_url_hash"), "webwatch_page", ["url_hash"], unique=False)
    op.create_table(
        "webwatch_offer",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("theme_code", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("urls", sa.JSON(), nullable=False),
        sa.Column("platform", sa.String(length=200), nullable=False),
        sa.Column("platforms", sa.JSON(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=False),
        sa.Column("sku", sa.String(length=120), nullable=False),
        sa.Column("mpn", sa.String(length=120), nullable=False),
        sa.Column("brand", sa.String(length=200), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("availability", sa.String(length=60), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("image_urls", sa.JSON(), nullable=False),
        sa.Column("seller_name", sa.String(length=200), nullable=False),
        sa.Column("seller_type", sa.String(length=20), nullable=False),
        sa.Column("seller_pseudonym", sa.String(length=40), nullable=False),
        sa.Column("seller_kvk", sa.String(length=8), nullable=False),
        sa.Column("seller_vat", sa.String(length=14), nullable=False),
        sa.Column("legal_entity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("personal_data_removed", sa.JSON(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_crawl_id", sa.String(length=64), nullable=False),
        sa.Column("last_page_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reappeared", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rule_score", sa.Float(), nullable=False),
        sa.Column("model_score", sa.Float(), nullable=True),
        sa.Column("likely_violation", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("rules_hit", sa.JSON(), nullable=False),
        sa.Column("label", sa.Boolean(), nullable=True),
        sa.Column("source_system", sa.String(length=80), nullable=False),
        sa.Column("crawl_id", sa.String(length=64), nullable=True),
        sa.Column("source_key", sa.String(length=120), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_organisation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("import_batch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_batch_id"], ["import_batch.id"], name=op.f("fk_webwatch_offer_import_batch_id_import_batch")
        ),
        sa.ForeignKeyConstraint(
            ["last_page_id"], ["webwatch_page.id"], name=op.f("fk_webwatch_offer_last_page_id_webwatch_page")
        ),
        sa.ForeignKeyConstraint(
            ["legal_entity_id"], ["legal_entity.id"], name=op.f("fk_webwatch_offer_legal_entity_id_legal_entity")
        ),
        sa.ForeignKeyConstraint(
            ["source_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_webwatch_offer_source_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(["theme_code"], ["theme.code"], name=op.f("fk_webwatch_offer_theme_code_theme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webwatch_offer")),
        sa.UniqueConstraint("theme_code", "fingerprint", name="uq_webwatch_offer_theme_fingerprint"),
    )
    op.create_index(op.f("ix_webwatch_offer_gtin"), "webwatch_offer", ["gtin"], unique=False)
    op.create_index(op.f("ix_webwatch_offer_import_batch_id"), "webwatch_offer", ["import_batch_id"], unique=False)
    op.create_index(op.f("ix_webwatch_offer_likely_violation"), "webwatch_offer", ["likely_violation"], unique=False)
    op.create_index(op.f("ix_webwatch_offer_platform"), "webwatch_offer", ["platform"], unique=False)
    op.create_index(op.f("ix_webwatch_offer_seller_kvk"), "webwatch_offer", ["seller_kvk"], unique=False)
    op.create_index(op.f("ix_webwatch_offer_seller_pseudonym"), "webwatch_offer", ["seller_pseudonym"], unique=False)
    op.create_index(
        op.f("ix_webwatch_offer_source_organisation_id"), "webwatch_offer", ["source_organisation_id"], unique=False
    )
    op.create_index(op.f("ix_webwatch_offer_theme_code"), "webwatch_offer", ["theme_code"], unique=False)
    op.create_index("ix_webwatch_offer_theme_score", "webwatch_offer", ["theme_code", "score"], unique=False)
    op.create_table(
        "webwatch_label",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("offer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("theme_code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("analyst", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["webwatch_offer.id"],
            name=op.f("fk_webwatch_label_offer_id_webwatch_offer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webwatch_label")),
    )
    op.create_index(op.f("ix_webwatch_label_offer_id"), "webwatch_label", ["offer_id"], unique=False)
    op.create_index(op.f("ix_webwatch_label_theme_code"), "webwatch_label", ["theme_code"], unique=False)
    op.create_table(
        "webwatch_observation",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("offer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("crawl_id", sa.String(length=64), nullable=False),
        sa.Column("page_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["crawl_id"], ["webwatch_crawl.id"], name=op.f("fk_webwatch_observation_crawl_id_webwatch_crawl")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["webwatch_offer.id"],
            name=op.f("fk_webwatch_observation_offer_id_webwatch_offer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["page_id"], ["webwatch_page.id"], name=op.f("fk_webwatch_observation_page_id_webwatch_page")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webwatch_observation")),
        sa.UniqueConstraint("offer_id", "crawl_id", "page_id", name="uq_webwatch_observation"),
    )
    op.create_index(op.f("ix_webwatch_observation_crawl_id"), "webwatch_observation", ["crawl_id"], unique=False)
    op.create_index(op.f("ix_webwatch_observation_offer_id"), "webwatch_observation", ["offer_id"], unique=False)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
