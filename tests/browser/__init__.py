"""Real-browser and validator tests of the built example site."""
