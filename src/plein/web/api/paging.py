"""Paging parameters and HAL-style links shared by list endpoints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import BaseModel, Field

MAX_PAGE_SIZE = 100


class Page(BaseModel):
    """Which page of a list is asked for."""

    pagina: int = Field(1, ge=1, le=1_000_000, description="Paginanummer, vanaf 1.")
    pagina_grootte: int = Field(20, ge=1, le=MAX_PAGE_SIZE, alias="paginaGrootte")

    @property
    def offset(self) -> int:
        return (self.pagina - 1) * self.pagina_grootte


def page_params(
    pagina: Annotated[int, Query(ge=1, le=1_000_000, description="Paginanummer, vanaf 1.")] = 1,
    pagina_grootte: Annotated[
        int, Query(alias="paginaGrootte", ge=1, le=MAX_PAGE_SIZE, description="Aantal per pagina.")
    ] = 20,
) -> Page:
    """Query parameters ``pagina`` and ``paginaGrootte``."""
    return Page(pagina=pagina, paginaGrootte=pagina_grootte)


def page_links(request: Request, page: Page, total: int) -> dict[str, Any]:
    """``_links`` with self, first, last, prev and next, as the NL API Design Rules' HAL style."""

    def at(number: int) -> dict[str, str]:
        return {"href": str(request.url.include_query_params(pagina=number))}

    last = max(1, -(-total // page.pagina_grootte))
    links: dict[str, Any] = {"self": at(page.pagina), "first": at(1), "last": at(last)}
    if page.pagina > 1:
        links["prev"] = at(page.pagina - 1)
    if page.pagina < last:
        links["next"] = at(page.pagina + 1)
    return links
