"""Mail delivery: MIME composition, the SMTP client adapter and the embedded SMTP sink."""
