"""The town's procurement register of 業務 systems and the KPIs computed from it.

``register`` (the YAML register: load, validate, list, add, save), ``kpi`` (仕様書への記載率 and
準拠製品の導入率 over the pinned 業務 lists of ``gyomu``). Plain data and functions: the REST API, the
CLI and the conformance kit's reports meet here; it imports nothing of ours but ``vocab``.
"""
