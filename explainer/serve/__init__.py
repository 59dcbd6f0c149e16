"""The preview server: the site held in memory, rebuilt on each save, open pages reloaded."""
