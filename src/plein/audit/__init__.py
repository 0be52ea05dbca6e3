"""The audit log: Logboek Dataverwerkingen entries in an HMAC hash chain (append-only, tamper-evident)."""
