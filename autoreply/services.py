"""Writes for auto-reply (R15-R17): welcome message and keyword cards. Built by the auto-reply issue."""
