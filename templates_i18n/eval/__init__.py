"""Evaluation of scenario suggestion: labelled buyer messages and the code that scores the matcher on them."""
