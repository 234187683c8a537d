"""SOAP plumbing shared by the hub's endpoint and the simulated vendor systems."""
