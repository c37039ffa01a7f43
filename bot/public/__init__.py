"""The residents' web: public pages and the Atom feed, server-rendered, no personal data."""
