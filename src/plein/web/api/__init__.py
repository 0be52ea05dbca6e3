"""The /v1 API. Each resource has its own module; all are mounted on one router."""

from fastapi import APIRouter

from plein.web.api import collaborations, ingest, organisations, records, resolve, search, webwatch

router = APIRouter(prefix="/v1")
router.include_router(organisations.router)
router.include_router(search.router)  # before records: /registraties/_zoek-… must win over /{id}
router.include_router(records.router)
router.include_router(collaborations.router)
router.include_router(ingest.router)
router.include_router(resolve.router)
router.include_router(webwatch.router)

__all__ = ["router"]
