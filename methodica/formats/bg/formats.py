"""Bulgarian number formats beyond Django's: Django's own sets the separators (a
comma for decimals, a space for thousands) but no grouping, so 1234567 would show
ungrouped on pages, in exports and in PDFs. Everything else falls through to Django's
Bulgarian formats."""

NUMBER_GROUPING = 3
