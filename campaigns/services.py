"""Writes for batch campaigns (R1-R10). Built by the campaigns issue."""
