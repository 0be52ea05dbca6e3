"""Domain model and Dutch identifiers: the vocabulary every other module speaks."""
