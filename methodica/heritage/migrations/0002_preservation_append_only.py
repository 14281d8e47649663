"""Make the preservation log append-only in the database itself, as core's audit trail.

The one update allowed is Django nulling ``actor_id`` when a user is deleted.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION heritage_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'preservation events cannot be deleted';
    END IF;
    IF (NEW.id, NEW.item_id, NEW.file_id, NEW.type, NEW.at, NEW.detail, NEW.outcome)
       IS DISTINCT FROM
       (OLD.id, OLD.item_id, OLD.file_id, OLD.type, OLD.at, OLD.detail, OLD.outcome)
       OR NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id THEN
        RAISE EXCEPTION 'preservation events cannot be changed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER heritage_event_append_only
    BEFORE UPDATE OR DELETE ON heritage_preservationevent
    FOR EACH ROW EXECUTE FUNCTION heritage_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS heritage_event_append_only ON heritage_preservationevent;
DROP FUNCTION IF EXISTS heritage_event_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("heritage", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
