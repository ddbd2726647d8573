"""Everything that talks X's own formats: reading the personal data archive every X user can
download (`archive_reader`) and bringing it into the database (`archive_import`).

The X API sync will live here too. These modules call the services; the services never import them.
"""
