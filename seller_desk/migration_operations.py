"""Migration operations of the desk's own."""

from django.db import migrations


class ConcurrentlyOnPostgres(migrations.SeparateDatabaseAndState):
    """``operations``' state everywhere; their schema changes as the given SQL on PostgreSQL (``CREATE`` / ``DROP
    INDEX CONCURRENTLY``: the table keeps taking writes while a big index builds, and a foreign key whose index goes
    is not dropped and re-validated over the whole table, as Django's ``AlterField`` would), as generated elsewhere.
    The migration holding it sets ``atomic = False``."""

    def __init__(self, operations, forwards, backwards):
        super().__init__(state_operations=operations, database_operations=operations)
        self.forwards, self.backwards = forwards, backwards

    def deconstruct(self):
        return self.__class__.__name__, [self.state_operations, self.forwards, self.backwards], {}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        for sql in self.forwards:
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        for sql in self.backwards:
            schema_editor.execute(sql)
