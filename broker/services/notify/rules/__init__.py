"""One module per rule kind. A rule reads events (and the clock) and returns intents; the state it
keeps between events is a plain dict the service persists (``state``) or keeps in memory (``memo``)."""
