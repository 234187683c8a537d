"""The SOAP door: one endpoint per registered service at ``/soap/<service>``, its WSDL at ``?wsdl``."""
