"""The core of the hub: envelope, store and outbox, router, dispatcher, dead letters, audit chain.

The stages read as one ordered list (see ``broker.pipeline``): authenticate → validate → store with
outbox (one transaction) → acknowledge → map → route → dispatch → delivered | retry | dead letter.
"""
