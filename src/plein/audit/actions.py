"""The registry of audit actions: every name the verwerkingenlogboek may carry, with its Dutch description.

The values are the names stored in ``audit_entry.name``; they are part of the HMAC chain, so a value
never changes once written (old entries must keep verifying and keep matching the viewer's filter).
Add a member for a new action; rename only the member, never its value.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    """One kind of processing action in the audit log; ``description`` is what the viewer shows."""

    description: str

    def __new__(cls, value: str, description: str) -> AuditAction:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member

    # accounts and sessions
    LOGIN = "inloggen", "Inloggen"
    LOGIN_SSO = "inloggen.sso", "Inloggen via single sign-on"
    LOGOUT = "uitloggen", "Uitloggen"
    TOKEN_CREATE = "token.aanmaken", "API-token aangemaakt"
    TOKEN_REVOKE = "token.intrekken", "API-token ingetrokken"
    CSRF_CHECK = "csrf.controle", "CSRF-controle van een formulier"
    # the gate's own checks
    PURPOSE_CHECK = "doel.controleren", "Doel controleren (doelbinding, rol, samenwerking, periode)"
    RECORDS_FILTER = "registraties.filteren", "Registraties filteren op need-to-know"
    SUBJECTS_FILTER = "subjecten.filteren", "Bedrijven en personen filteren op need-to-know"
    # records and subjects
    RECORDS_READ = "registraties.lezen", "Registraties lezen"
    RECORD_READ = "registratie.lezen", "Eén registratie lezen"
    RECORDS_COUNT = "registraties.tellen", "Registraties tellen"
    SUBJECT_READ = "subject.lezen", "Eén bedrijf of persoon lezen"
    AGGREGATE_READ = "aggregaat.lezen", "Geaggregeerde aantallen lezen"
    OVERVIEW_COUNT = "overzicht.tellen", "Aantallen op de startpagina tellen"
    RECORD_WRITE = "registratie.schrijven", "Registratie vastleggen of wijzigen"
    RECORD_SHARE = "registratie.delen", "Registratie delen in een samenwerking"
    DATA_DELIVER = "gegevens.aanleveren", "Gegevens aanleveren (Wgs-controle)"
    # partner imports
    RECORDS_IMPORT = "registraties.importeren", "Import van registraties gestart"
    RECORDS_IMPORT_DONE = "registraties.importeren.voltooid", "Import van registraties afgerond"
    SOURCES_OPEN = "bronnen.openen", "Bronnenbeheer openen"
    SOURCES_VIEW = "bronnen.bekijken", "Bronnen bekijken"
    SOURCE_VIEW = "bron.bekijken", "Eén bron bekijken"
    SOURCE_REGISTER = "bron.registreren", "Bron registreren"
    SOURCE_MAPPING_CHANGE = "bron.mapping.wijzigen", "Mapping van een bron wijzigen"
    SOURCE_IMPORT = "bron.importeren", "Bestand van een bron importeren"
    SOURCE_QUALITY_VIEW = "bron.kwaliteit.bekijken", "Kwaliteitsrapport van een bron bekijken"
    QUARANTINE_REPROCESS = "quarantaine.herverwerken", "Regel uit quarantaine opnieuw verwerken"
    QUARANTINE_VIEW = "quarantaine.bekijken", "Regels in quarantaine bekijken"
    TAXONOMY_VIEW = "taxonomie.bekijken", "Taxonomie bekijken"
    TAXONOMY_CHANGE = "taxonomie.wijzigen", "Taxonomie wijzigen"
    # entity resolution
    RESOLUTION_READ = "entiteitsresolutie.lezen", "Registraties lezen voor entiteitsresolutie"
    RESOLUTION_START = "entiteitsresolutie.gestart", "Entiteitsresolutie gestart"
    RESOLUTION_DONE = "entiteitsresolutie.voltooid", "Entiteitsresolutie voltooid"
    REVIEW_QUEUE = "resolutie.wachtrij", "Wachtrij van koppelingen filteren"
    REVIEW_QUEUE_VIEW = "resolutie.wachtrij.bekijken", "Wachtrij van koppelingen bekijken"
    REVIEW_DECIDE = "resolutie.beoordelen", "Koppeling beoordelen"
    # search and dossier
    SEARCH_SUBJECTS = "zoeken.subjecten", "Bedrijven en personen zoeken"
    SEARCH_COUNT = "zoeken.tellen", "Registraties per zoekresultaat tellen"
    SEARCH_BULK = "zoeken.bulk", "Registraties zoeken in een gebied"
    SEARCH_MAP = "zoeken.kaart", "Registraties zoeken op de kaart"
    SEARCH_KVK_LIST = "zoeken.kvk-lijst", "Registraties zoeken bij een lijst KvK-nummers"
    SEARCH_EXPORT = "zoeken.export", "Zoekresultaat exporteren"
    RECORDS_EXPORT = "registraties.export", "Lijst van registraties exporteren"
    DOSSIER_OPEN = "dossier.openen", "Dossier openen"
    DOSSIER_SUGGEST = "dossier.voorstellen", "Een eerste dossier voorstellen op de startpagina"
    DOSSIER_LINK = "dossier.verwijzen", "Verwijzing naar het dossier van een bedrijf bepalen"
    DOSSIER_READ = "dossier.lezen", "Dossier lezen"
    DOSSIER_PDF = "dossier.pdf", "Dossier als pdf downloaden"
    DOSSIER_WEB_OFFERS = "dossier.webaanbod", "Webaanbod in een dossier filteren"
    # volglijst
    FOLLOW_ADD = "volglijst.volgen", "Bedrijf, KvK-nummer of adres volgen"
    FOLLOW_REMOVE = "volglijst.ontvolgen", "Niet meer volgen"
    FOLLOW_VIEW = "volglijst.bekijken", "Volglijst bekijken (wat is er nieuw)"
    # internet supervision
    WEB_CRAWL_START = "webwatch.crawl.starten", "Crawl starten"
    WEB_CRAWLS_READ = "webwatch.crawls.lezen", "Crawls lezen"
    WEB_OFFER_STORE = "webwatch.aanbod.vastleggen", "Webaanbod vastleggen uit een crawl"
    WEB_OFFERS_READ = "webwatch.aanbod.lezen", "Webaanbod lezen"
    WEB_EVIDENCE_READ = "webwatch.bewijs.lezen", "Bewijs (opgeslagen webpagina) lezen"
    WEB_EVIDENCE_RAW_READ = "webwatch.bewijs.onbewerkt-lezen", "Onbewerkte webpagina inzien als bewijs (met reden)"
    WEB_MARKET_READ = "webwatch.marktbeeld.lezen", "Marktbeeld lezen"
    WEB_LABEL_CORRECT = "webwatch.label.corrigeren", "Beoordeling van webaanbod corrigeren"
    WEB_WORKLIST_EXPORT = "webwatch.werklijst.exporteren", "Werklijst exporteren"
    # administration
    ADMIN_OPEN = "beheer.openen", "Beheer openen"
    ADMIN_USERS_VIEW = "beheer.gebruikers.bekijken", "Gebruikers bekijken"
    ADMIN_USER_CREATE = "beheer.gebruiker.aanmaken", "Gebruiker aanmaken"
    ADMIN_USER_ACTIVATE = "beheer.gebruiker.activeren", "Gebruiker activeren"
    ADMIN_USER_DEACTIVATE = "beheer.gebruiker.deactiveren", "Gebruiker deactiveren"
    ADMIN_USER_UNBLOCK = "beheer.gebruiker.deblokkeren", "Gebruiker deblokkeren"
    ADMIN_USER_VIEW = "beheer.gebruiker.bekijken", "Eén gebruiker bekijken"
    ADMIN_USER_ROLE_CHANGE = "beheer.gebruiker.rol-wijzigen", "Rol en rubricering van een gebruiker wijzigen"
    ADMIN_USER_PASSWORD_RESET = "beheer.gebruiker.wachtwoord-instellen", "Nieuw wachtwoord voor een gebruiker ingesteld"
    ADMIN_ORGANISATIONS_VIEW = "beheer.organisaties.bekijken", "Organisaties bekijken"
    ADMIN_ORGANISATION_CREATE = "beheer.organisatie.aanmaken", "Organisatie aanmaken"
    ADMIN_MATRIX_VIEW = "beheer.matrix.bekijken", "Grondslagenmatrix bekijken"
    ADMIN_BASIS_RECORD = "beheer.grondslag.vastleggen", "Rechtsgrondslag vastleggen"
    ADMIN_BASIS_REVOKE = "beheer.grondslag.intrekken", "Rechtsgrondslag intrekken"
    ADMIN_BASIS_VALIDATE = "beheer.grondslag.valideren", "Onzekere rechtsgrondslag gevalideerd"
    ADMIN_READING_VALIDATE = "beheer.grondslag.lezing-valideren", "Lezing van een onduidelijke matrixrij gevalideerd"
    ADMIN_PRIVACY_VIEW = "beheer.privacy.bekijken", "Bewaartermijnen en DPIA's bekijken (beheer)"
    ADMIN_RETENTION_CHANGE = "beheer.bewaartermijn.wijzigen", "Bewaartermijn wijzigen"
    ADMIN_DPIA_RECORD = "beheer.dpia.vastleggen", "DPIA vastleggen"
    ADMIN_COLLABORATIONS_VIEW = "beheer.samenwerkingen.bekijken", "Samenwerkingen bekijken"
    ADMIN_COLLABORATION_VIEW = "beheer.samenwerking.bekijken", "Eén samenwerking bekijken"
    ADMIN_COLLABORATION_CREATE = "beheer.samenwerking.aanmaken", "Samenwerking aanmaken"
    ADMIN_COLLABORATION_PARTICIPANT = "beheer.samenwerking.deelnemer", "Deelnemer aan een samenwerking toevoegen"
    ADMIN_COLLABORATION_MEMBER = "beheer.samenwerking.lid", "Lid aan een samenwerking toevoegen"
    ADMIN_COLLABORATION_EXTEND = "beheer.samenwerking.verlengen", "Handhavingsknelpunt verlengen"
    # the audit log itself
    AUDIT_OPEN = "audit.openen", "Verwerkingenlogboek openen"
    AUDIT_CONSULT = "audit.raadplegen", "Verwerkingenlogboek raadplegen"
    AUDIT_EXPORT = "audit.exporteren", "Verwerkingenlogboek exporteren (CSV of XLSX)"
    AUDIT_SUBJECT = "audit.betrokkene", "Verwerkingen van één betrokkene opzoeken"
    AUDIT_VERIFY = "audit.verifieren", "Hash-keten van het logboek controleren"
    AUDIT_PRIVACY_VIEW = "audit.privacy.bekijken", "Bewaartermijnen en DPIA's inzien (privacy officer)"
    # storage limitation
    RETENTION_RUN = "bewaartermijnen.uitvoeren", "Bewaartermijnen toegepast (verwijderd of gepseudonimiseerd)"
    RETENTION_OFFERS = "bewaartermijnen.webaanbod", "Verlopen webaanbod selecteren voor de bewaartermijn"
    # security
    REQUEST_REFUSED = "verzoek.geweigerd", "Verzoek geweigerd"
    # demo
    DEMO_WORLD_CREATED = "demo.wereld_aangemaakt", "Demowereld aangemaakt"


_BY_NAME: dict[str, AuditAction] = {member.value: member for member in AuditAction}


def describe(name: str) -> str:
    """The Dutch description of a stored name; the name itself for one no longer registered."""
    member = _BY_NAME.get(name)
    return member.description if member else name


def registered(name: str) -> AuditAction:
    """``name`` as a member; a name outside the registry is a programming error, so it is refused."""
    member = _BY_NAME.get(name)
    if member is None:
        raise ValueError(f"Onbekende audithandeling {name!r}: voeg haar toe aan plein.audit.actions.")
    return member
