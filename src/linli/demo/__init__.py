"""The demo community generator (``linli demo``): Xincun and its neighbours, invented but
plausible, the same on every run. No models of its own."""
