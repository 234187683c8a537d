"""chipla conformance kit: runnable checks that a product follows the hub's published contract.

The kit tests from the outside, the way a vendor's peer would: it reads only the contract documents
in ``api_specs`` (WSDL, XSD, OpenAPI, the result-code table) and talks to the system under test over
HTTP. Nothing of the hub's own code is imported, so a passing run says something about the contract,
not about shared implementation details.

Entry points: ``python -m conformance run …`` (see ``conformance.runner``), ``pytest --pyargs
conformance …`` (options from ``conformance.plugin``), ``conformance.selftest.run`` and
``conformance.kpi.compute``.
"""

from __future__ import annotations

__version__ = "1.0.0"

__all__ = ["__version__"]
