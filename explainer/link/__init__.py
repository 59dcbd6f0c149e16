"""Linking: names, aliases and roles to links; bodies to HTML; the maps back to the stories."""
