"""Wire forms shared by every door: the schema-guided codec between contract XML and plain dicts.

Neutral ground: the SOAP, REST and file doors (and the simulated vendors) all check and convert
through here, so the three doors admit exactly the same messages.
"""
