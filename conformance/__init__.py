"""chipla conformance kit: runnable checks that a product follows the hub's published contract.

The kit tests from the outside, the way a vendor's peer would: it reads only the contract documents
in ``api_specs`` (WSDL, XSD, OpenAPI, the result-code table) and talks to the system under test over
HTTP. Nothing of the hub's own code is imported, so a passing run says something about the contract,
not about shared implementation details.

Entry points: ``python -m conformance run …`` (see ``conformance.runner``), ``pytest --pyargs
conformance …`` (options from ``conformance.plugin``) and ``conformance.selftest.run``. The town's
procurement register and KPIs live in the ``procurement`` package, which reads the kit's signed
reports; the kit itself knows nothing of them.
"""

from __future__ import annotations

__version__ = "1.0.0"

__all__ = ["__version__"]
