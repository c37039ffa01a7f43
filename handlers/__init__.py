"""Conversation flows. They see only neutral types (messages.types) and the database.

Importing this package registers nothing: handlers.flows.build_router() assembles the flows.
"""
