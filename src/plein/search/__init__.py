"""Search: subject, bulk and map search over establishments and records, always through the policy gate."""
