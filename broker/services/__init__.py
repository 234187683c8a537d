"""The services (業務 and feeds), one package each. The composition root registers them
(``chipla/services.py``); the core reaches them only through ``broker.service.Service``."""
