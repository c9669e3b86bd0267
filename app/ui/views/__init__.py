"""Page sections: one function per section, called from the thin pages."""
