"""Pages as a person reads and fills them: labels and Dutch formats, empty fields, typed theme names,
errors beside the field, the PDF of a dossier, and the record → dossier link."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from plein.core import labels
from plein.core.models import Establishment, Organisation, Record


def test_labels_and_formats() -> None:
    assert labels.label("geen_overtreding") == "geen overtreding"
    assert labels.label("thematische_tafel") == "thematische tafel"
    assert labels.label("PHONE_NUMBER") == "telefoonnummer"
    assert labels.label("iets_onbekends") == "iets onbekends"
    assert labels.number(1234567) == "1.234.567" and labels.number(3.5, 2) == "3,50"
    assert labels.plural(1, "vestiging", "vestigingen") == "1 vestiging"
    assert labels.plural(2000, "vestiging", "vestigingen") == "2.000 vestigingen"
    assert labels.date(dt.date(2024, 3, 9)) == "09-03-2024" and labels.date("2024-03-09") == "09-03-2024"
    summer = dt.datetime(2024, 7, 1, 22, 30, tzinfo=dt.UTC)  # 00:30 the next day in Amsterdam (CEST)
    assert labels.moment(summer) == "02-07-2024 00:30" and labels.date(summer) == "02-07-2024"
    assert labels.reason("regel prijs_onder_markt: Prijs ver onder de markt") == "Prijs ver onder de markt"
    assert labels.reason("tekstmodel: kans 0.83") == "tekstmodel: kans 0,83"


def test_empty_fields_mean_not_given_and_a_theme_may_be_typed(seeded_client: TestClient) -> None:
    empty = seeded_client.get("/zoeken/bulk?plaats=Amsterdam&gemeente=&postcodeVan=&thema=&soort=&van=&tot=")
    assert empty.status_code == 200 and 'id="aantal-registraties"' in empty.text
    assert seeded_client.get("/audit?van=&tot=").status_code in (200, 403)  # no 400 for empty dates
    api = seeded_client.get("/v1/registraties?thema=")  # the API is left as sent
    assert api.status_code in (200, 400)
    typed = seeded_client.get("/registraties?thema=Afval")
    assert typed.status_code == 200 and '<option value="afval" selected' in typed.text
    wrong = seeded_client.get("/registraties?thema=Geen%20thema")
    assert wrong.status_code == 400 and 'id="thema-fout"' in wrong.text and 'name="doel"' in wrong.text
    assert "bestaat niet" in wrong.text


def test_a_wrong_value_keeps_the_form_and_the_input(seeded_client: TestClient) -> None:
    page = seeded_client.get("/zoeken/bulk?plaats=Amsterdam&postcodeVan=12")
    assert page.status_code == 400
    assert 'id="postcodeVan-fout"' in page.text and 'value="12"' in page.text and 'value="Amsterdam"' in page.text
    assert "postcodeVan:" not in page.text.split('id="postcodeVan-fout">')[1][:40]


def test_pdf_record_and_paging(seeded_client: TestClient, seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        org = session.scalars(select(Organisation.id).where(Organisation.code == "OD-NZKG")).one()
        record_id, establishment_id = session.execute(
            select(Record.id, Record.establishment_id)
            .join(Establishment, Establishment.id == Record.establishment_id)
            .where(Record.source_organisation_id == org)
            .order_by(Record.id)
            .limit(1)
        ).one()
    pdf = seeded_client.get(f"/dossier/{establishment_id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    record = seeded_client.get(f"/registraties/{record_id}")
    assert record.status_code == 200 and f'href="/dossier/{establishment_id}?doel=' in record.text
    listed = seeded_client.get("/registraties?volgorde=oudste&pagina=2")
    assert listed.status_code == 200 and "26 tot 50 van" in listed.text and 'rel="next"' in listed.text
    export = seeded_client.get("/registraties?thema=afval&formaat=csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert export.content.decode("utf-8-sig").splitlines()[0].startswith("Registratie;Soort;Thema")


def test_bulk_results_can_be_ordered_and_paged(seeded_client: TestClient) -> None:
    import re

    first_dates = {}
    for order in ("nieuwste", "oudste"):
        page = seeded_client.get(f"/zoeken/bulk?plaats=Amsterdam&volgorde={order}")
        assert page.status_code == 200 and 'rel="next"' in page.text and "1 tot 50 van" in page.text
        dates = re.findall(r'>(\d\d)-(\d\d)-(\d{4})</a></td><td class="utrecht-table__cell">', page.text)
        first_dates[order] = [(y, m, d) for d, m, y in dates]
    assert first_dates["nieuwste"] == sorted(first_dates["nieuwste"], reverse=True)
    assert (
        first_dates["oudste"] == sorted(first_dates["oudste"]) and first_dates["oudste"][0] < first_dates["nieuwste"][0]
    )


def test_name_hits_can_be_ordered_by_name_place_and_records_and_paged(seeded_client: TestClient) -> None:
    import itertools
    import re

    row = re.compile(
        r'<tr class="utrecht-table__row">\s*<td class="utrecht-table__cell"><a [^>]*>([^<]*)</a></td>\s*'
        r"<td[^>]*>[^<]*</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>"
    )
    found: dict[str, list[tuple[str, str, int]]] = {}
    for order in ("beste", "naam", "plaats", "registraties"):
        rows: list[tuple[str, str, int]] = []
        for number in itertools.count(1):
            page = seeded_client.get(f"/zoeken?q=transport&volgorde={order}&pagina={number}")
            assert page.status_code == 200
            rows += [(name, address, int(count.replace(".", ""))) for name, address, count in row.findall(page.text)]
            current = {"beste": "beste overeenkomst", "registraties": "aantal registraties"}.get(order, order)
            assert f'<strong aria-current="true">{current}</strong>' in page.text
            if 'rel="next"' not in page.text:
                break
            assert f"volgorde={order}&pagina={number + 1}" in page.text  # paging keeps the order
        found[order] = rows
    best = found["beste"]
    assert len(best) > 25  # more than one page
    for order, rows in found.items():
        assert sorted(rows) == sorted(best), order  # the same hits, only ordered otherwise
    counts = [count for _, _, count in found["registraties"]]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    cities = [address.rsplit(" ", 1)[-1] for _, address, _ in found["plaats"]]
    assert len([key for key, _ in itertools.groupby(cities)]) == len(set(cities))  # each place one block
    initials = [re.sub(r"\W", "", name).casefold()[:1] for name, _, _ in found["naam"]]
    assert initials == sorted(initials) and found["naam"] != best
    assert seeded_client.get("/zoeken?q=transport&volgorde=willekeurig").status_code == 400
