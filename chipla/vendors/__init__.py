"""Simulated vendor systems for the demo, the tests and the conformance self-test: a 住民記録 sender
and receivers (個人住民税, 国民健康保険, 介護保険), each a real HTTP server on loopback speaking
the contract."""
