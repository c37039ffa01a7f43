"""The neutral message types and their rendering: the leaf every other package may import.

Channels turn platform events into `Inbound` and payloads back out of `Reply`; flows see only
these types. Nothing here imports another package of Loa Số.
"""
