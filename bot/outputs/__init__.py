"""One article, many outputs (issue 19): the loudspeaker script, the printed hamlet sheet,
QR codes for posters, copy-ready text for Zalo groups and slogans for LED boards.

Each output is built from the same content view (`Content.visible(day)`) and the same
announcements as the chat, then written by a small writer of its own (text, DOCX, PNG/SVG).
"""
