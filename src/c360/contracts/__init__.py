"""Contracts: the schemas every layer agrees on (the lowest layer; imports nothing of c360)."""
