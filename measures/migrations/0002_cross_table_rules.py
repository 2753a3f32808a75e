"""Database triggers for the two rules of the plan that span tables.

A CHECK constraint sees one row only, so these are triggers, written for both
supported databases (PostgreSQL and SQLite). A violation raises an integrity
error, as a failed constraint does.
"""

from django.db import migrations

SUBGOAL_MISMATCH = "SELECT goal_id FROM qualityplan_subgoal WHERE id = NEW.subgoal_id"
YEAR_OUTSIDE_PLAN = """
    SELECT 1 FROM measures_measure m
    JOIN qualityplan_goal g ON g.id = m.goal_id
    JOIN qualityplan_qualityplan p ON p.id = g.plan_id
    WHERE m.id = NEW.measure_id AND (NEW.year < p.first_year OR NEW.year > p.last_year)
"""
PLAN_LEAVES_YEARS = """
    SELECT 1 FROM measures_measureyear y
    JOIN measures_measure m ON m.id = y.measure_id
    JOIN qualityplan_goal g ON g.id = m.goal_id
    WHERE g.plan_id = NEW.id AND (y.year < NEW.first_year OR y.year > NEW.last_year)
"""
SUBGOAL_MOVED = """
    SELECT 1 FROM measures_measure m WHERE m.subgoal_id = NEW.id AND m.goal_id != NEW.goal_id
"""
MEASURE_MOVED_OUTSIDE_YEARS = """
    SELECT 1 FROM measures_measureyear y
    JOIN qualityplan_goal g ON g.id = NEW.goal_id
    JOIN qualityplan_qualityplan p ON p.id = g.plan_id
    WHERE y.measure_id = NEW.id AND (y.year < p.first_year OR y.year > p.last_year)
"""

# (name, table, events, condition for a violation, message)
RULES = [
    (
        "measure_subgoal_in_goal",
        "measures_measure",
        ("INSERT", "UPDATE"),
        f"NEW.subgoal_id IS NOT NULL AND ({SUBGOAL_MISMATCH}) != NEW.goal_id",
        "the sub-goal of a measure must belong to its goal",
    ),
    (
        "measure_years_in_plan_on_move",
        "measures_measure",
        ("UPDATE",),
        f"EXISTS ({MEASURE_MOVED_OUTSIDE_YEARS})",
        "the years of a measure must lie inside the plan period",
    ),
    (
        "measureyear_in_plan",
        "measures_measureyear",
        ("INSERT", "UPDATE"),
        f"EXISTS ({YEAR_OUTSIDE_PLAN})",
        "the years of a measure must lie inside the plan period",
    ),
    (
        "plan_keeps_measure_years",
        "qualityplan_qualityplan",
        ("UPDATE",),
        f"EXISTS ({PLAN_LEAVES_YEARS})",
        "the plan period must include every year its measures run",
    ),
    (
        "subgoal_keeps_measures",
        "qualityplan_subgoal",
        ("UPDATE",),
        f"EXISTS ({SUBGOAL_MOVED})",
        "a sub-goal with measures cannot move to another goal",
    ),
]


def _sqlite_statements():
    for name, table, events, condition, message in RULES:
        for event in events:
            yield (
                f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} "
                f"FOR EACH ROW WHEN {condition} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            )


def _postgresql_statements():
    for name, table, events, condition, message in RULES:
        yield (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
            f"IF {condition} THEN RAISE EXCEPTION '{message}' USING ERRCODE = '23514'; END IF; "
            f"RETURN NEW; END $$ LANGUAGE plpgsql;"
        )
        yield (
            f"CREATE TRIGGER {name} BEFORE {' OR '.join(events)} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}();"
        )


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite_statements()
    elif vendor == "postgresql":
        statements = _postgresql_statements()
    else:
        raise RuntimeError(f"No plan triggers written for the {vendor} database.")
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, events, _condition, _message in RULES:
        if vendor == "sqlite":
            for event in events:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}_{event.lower()};")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}();")


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial"), ("qualityplan", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
