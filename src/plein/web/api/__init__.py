"""The /v1 API. Each resource has its own module; all are mounted on one router."""

from fastapi import APIRouter

from plein.web.api import organisations

router = APIRouter(prefix="/v1")
router.include_router(organisations.router)

__all__ = ["router"]
