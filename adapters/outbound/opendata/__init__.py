"""The open-data publisher: datasets built from the town's own data and from the hub's records,
validated (frictionless), versioned, catalogued (DCAT JSON-LD, a CKAN-compatible read API) and shown
as pages at ``/opendata/``.

Module map: ``types`` (shared names) · ``definitions`` (dataset definitions and the privacy guard) ·
``tabular`` (template CSVs and Table Schemas) · ``gomi`` (5374, 分別, IMI, iCalendar) ·
``population`` + ``suppression`` (地域・年齢別人口) · ``datapackage`` · ``publish`` (versions on
disk) · ``catalog`` (DCAT, CKAN package dicts) · ``pages`` · ``site`` (the ASGI mount) · ``series``
(the read interface to sensor observations) · ``water`` + ``svg_chart`` · ``gtfs`` + ``gtfs_rt``.
"""
