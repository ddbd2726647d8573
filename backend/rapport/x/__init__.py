"""Everything that talks to X or reads X's own formats: the personal data archive every X user can
download (`archive_reader`, `archive_import`) and the X API sync (`client`, `sync`, `jobs`).

These modules call the services; the services never import them. The API client (tweepy and
requests) is imported only when a sync or a sign-in runs, so a server that never talks to X does
not hold it in memory.
"""

SYNC_KIND = "x-sync"  # the sync log's kind for an X sync run
