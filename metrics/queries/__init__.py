"""The live metric queries: one implementation of each definition of docs/metrics.md, in SQL
over tickets, responses, invitations, follow-ups and chats, and the rows built from them.

Nothing outside metrics/ reads these directly: the figures are read through
metrics/fast/read.py, which answers from the rollups when they hold the period and from
these queries otherwise (docs/metrics.md, "Where the code is").
"""
