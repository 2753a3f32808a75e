"""Locust users for the load test (bench/load_test.sh starts everything).

Three kinds of people, in the proportions of a working morning:
- unit leaders (6 in 10) open their status page and save rows with htmx;
- the quality office (2 in 10) opens the dashboards: the plan, the matrix, the
  reporting completeness and the deviation statistics;
- employees (2 in 10) open the deviation form and report a deviation.

Each person logs in once, with a real login form. Requests are named by page, so the
figures are per page. LOAD_DATA names the JSON bench/load/setup_data.py wrote;
LOAD_MAX_REQUESTS stops the run after that many requests whatever the time.

LOAD_PACE sets the pause between a person's actions:
- "deadline" (the default): the deadline-day rush. A unit leader reads a row, writes a
  comment and saves, 5–20 s an action; the office clicks through dashboards every
  5–15 s; an employee takes 20–60 s to write a deviation. A hundred such people make
  about 12 requests a second, several times the busiest hour of a real deadline day
  (300 leaders saving 85 rows each over two or three days).
- "stress": 1–4 s for everyone, about 40 requests a second from a hundred: how far
  the machine goes, not how people work.
"""

import json
import os
import random
import re
from datetime import datetime
from pathlib import Path

from locust import HttpUser, between, events, task

DATA = json.loads(Path(os.environ["LOAD_DATA"]).read_text())
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "100000"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ROW = re.compile(r'name="s(\d+)-version" value="(\d+)"')
counted = {"requests": 0}
_environment = {}


@events.init.add_listener
def _keep_environment(environment, **kwargs):
    _environment["env"] = environment


@events.request.add_listener
def _stop_after_enough(**kwargs):
    counted["requests"] += 1
    if counted["requests"] == MAX_REQUESTS:
        _environment["env"].runner.quit()


STRESS = os.environ.get("LOAD_PACE", "deadline") == "stress"


def pause(low: float, high: float):
    """The wait between a person's actions: theirs, or 1–4 s under LOAD_PACE=stress."""
    return between(1, 4) if STRESS else between(low, high)


class Person(HttpUser):
    abstract = True
    wait_time = pause(5, 20)
    logins: list[str] = []

    def on_start(self):
        self.username = random.choice(self.logins)
        page = self.client.get("/login/", name="login page")
        token = CSRF.search(page.text).group(1)
        with self.client.post(
            "/login/",
            {"username": self.username, "password": DATA["password"], "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login as {self.username} answered {response.status_code}")

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")


class UnitLeader(Person):
    weight = 6
    logins = DATA["leaders"]

    @task(1)
    def open_status_page(self):
        self.status_page()

    @task(3)
    def save_a_row(self):
        page = self.status_page()
        rows = ROW.findall(page.text) if page.ok else []
        if not rows:
            return
        row, version = random.choice(rows)
        prefix = f"s{row}"
        with self.client.post(
            f"/status/rows/{row}/save/",
            {
                f"{prefix}-version": version,
                f"{prefix}-status": random.choice(["on_track", "at_risk", "delayed", "done"]),
                f"{prefix}-progress": str(random.randint(0, 100)),
                f"{prefix}-comment": "Fulgt opp på personalmøtet.",
            },
            headers={"HX-Request": "true", "X-CSRFToken": self.csrf()},
            name="status row save (htmx)",
            catch_response=True,
        ) as response:
            # Two leaders of one unit may save the same row at once: the second gets the
            # conflict message, which is a correct answer, not an error.
            if response.status_code != 200:
                response.failure(f"the save answered {response.status_code}")

    def status_page(self):
        return self.client.get(f"/status/periods/{DATA['period']}/", name="status page")


class QualityOffice(Person):
    weight = 2
    wait_time = pause(5, 15)
    logins = DATA["office"]

    @task(3)
    def plan_dashboard(self):
        self.client.get(f"/reporting/plans/{DATA['plan']}/", name="dashboard: plan")

    @task(1)
    def matrix(self):
        self.client.get(f"/reporting/plans/{DATA['plan']}/matrix/", name="dashboard: matrix")

    @task(2)
    def completeness(self):
        self.client.get(
            f"/reporting/periods/{DATA['period']}/completeness/", name="dashboard: completeness"
        )

    @task(1)
    def deviations(self):
        self.client.get(
            f"/reporting/plans/{DATA['plan']}/deviations/", name="dashboard: deviations"
        )


class Employee(Person):
    weight = 2
    wait_time = pause(20, 60)
    logins = DATA["employees"]

    @task
    def report_a_deviation(self):
        with self.client.get(
            "/deviations/new/", name="deviation form", catch_response=True
        ) as form:
            unit = re.search(r'name="org_unit"[^>]*>.*?<option value="(\d+)"', form.text, re.S)
            category = re.search(r'name="category"[^>]*>.*?<option value="(\d+)"', form.text, re.S)
            if not (form.ok and unit and category):
                form.failure("the deviation form has no unit or category to choose")
                return
        with self.client.post(
            "/deviations/new/",
            {
                "csrfmiddlewaretoken": CSRF.search(form.text).group(1),
                "org_unit": unit.group(1),
                "occurred_at": datetime.now().strftime("%Y-%m-%dT%H:%M"),
                "kind": "deviation",
                "category": category.group(1),
                "description": "Beboer fikk feil dose; oppdaget ved neste runde.",
                "immediate_action": "Lege kontaktet.",
                "consequence": str(random.randint(1, 5)),
                "probability": str(random.randint(1, 5)),
            },
            name="deviation report",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # A report that went through redirects to its receipt; a form shown again
            # (200) means it was refused.
            if response.status_code != 302:
                response.failure(f"the report was not accepted ({response.status_code})")
