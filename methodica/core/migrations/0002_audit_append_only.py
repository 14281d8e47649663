"""Make the audit trail append-only in the database itself.

The model refuses updates and deletes, but raw SQL, a shell or a future bug
would not go through it. This trigger refuses them for every client. The one
update allowed is Django nulling ``actor_id`` when a user account is deleted.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit entries cannot be deleted';
    END IF;
    IF (NEW.id, NEW.at, NEW.actor_repr, NEW.action, NEW.content_type_id, NEW.object_id,
        NEW.object_repr, NEW.library_id, NEW.changes)
       IS DISTINCT FROM
       (OLD.id, OLD.at, OLD.actor_repr, OLD.action, OLD.content_type_id, OLD.object_id,
        OLD.object_repr, OLD.library_id, OLD.changes)
       OR NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id THEN
        RAISE EXCEPTION 'audit entries cannot be changed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
