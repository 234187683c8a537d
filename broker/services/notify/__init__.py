"""Notifications: residents and producers subscribe to topics; sensor events, timetables and
calendars become short Japanese mails, delivered through the outbox like any other delivery."""
