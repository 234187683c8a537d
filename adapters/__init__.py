"""The edges: inbound (SOAP, REST) and outbound (SOAP client, webhook) adapters around the core."""
