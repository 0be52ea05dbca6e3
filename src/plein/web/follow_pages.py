"""``/volglijst``: the subjects an analyst follows and what is new about them since her last visit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from plein.errors import ValidationError
from plein.follow import service
from plein.follow.models import FollowKind
from plein.policy.gate import Gate
from plein.policy.purposes import purposes_for
from plein.web.access import Auth, AuthDep, CsrfDep
from plein.web.requires import RecordsGate

router = APIRouter(include_in_schema=False)
KIND_CHOICES = tuple((k.value, k.label) for k in FollowKind if k is not FollowKind.VESTIGING)


def _back(terug: str, gate: Gate) -> str:
    """Only a path of plein itself (never another site); the volglijst by default."""
    if terug.startswith("/") and not terug.startswith("//") and "\\" not in terug:
        return terug
    return f"/volglijst?doel={gate.purpose.describe()}"


def _render(request: Request, gate: Gate, auth: Auth, form: dict[str, Any], status: int = 200) -> HTMLResponse:
    views = service.overview(gate, auth.user.id, mark_seen=status == 200)
    context = {
        "views": views,
        "form": form,
        "kinds": KIND_CHOICES,
        "doel": gate.purpose.describe(),
        "purposes": purposes_for(gate.session, auth.user.id, auth.role),
        "csrf_token": auth.csrf_token,
    }
    return request.app.state.templates.TemplateResponse(request, "follow/list.html", context, status_code=status)


@router.get("/volglijst", response_class=HTMLResponse)
def follow_list(request: Request, gate: RecordsGate, auth: AuthDep) -> HTMLResponse:
    """Wat u volgt, met wat er nieuw is sinds uw vorige bezoek; dit bezoek wordt het nieuwe 'vorige'."""
    return _render(request, gate, auth, {"soort": FollowKind.KVK.value, "waarde": "", "errors": {}})


@router.post("/volglijst")
def follow_add(
    request: Request,
    gate: RecordsGate,
    auth: AuthDep,
    _: CsrfDep,
    soort: Annotated[str, Form(max_length=20)] = "",
    waarde: Annotated[str, Form(max_length=80)] = "",
    terug: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Volg een vestiging, een KvK-nummer of een adres; bij een fout blijft het formulier staan."""
    try:
        service.follow(gate, auth.user.id, soort, waarde)
    except ValidationError as exc:
        form = {"soort": soort, "waarde": waarde, "errors": {"waarde": exc.message}}
        return _render(request, gate, auth, form, status=400)
    return RedirectResponse(_back(terug, gate), status_code=303)


@router.post("/volglijst/{item_id}/verwijderen")
def follow_remove(
    gate: RecordsGate,
    auth: AuthDep,
    _: CsrfDep,
    item_id: Annotated[int, Path(ge=1, le=2**62)],
    terug: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Niet meer volgen."""
    service.unfollow(gate, auth.user.id, item_id)
    return RedirectResponse(_back(terug, gate), status_code=303)
