"""The marketplace's side keeps no tables of its own: what it pushes in is stored by the apps below it."""
