#!/usr/bin/env python3
"""The operations console in a real browser (headless Chromium through
chromedriver and Selenium), against a node served by `journey serve`.

Usage: console-browser-test.py JOURNEY DATA URL VIEWER_TOKEN MANAGER_TOKEN [SCREENSHOTS]

JOURNEY is the journey executable, DATA the served node's data directory
(served read-only, so this script can append to it beside the server), URL
the console's base URL. Checks, in order:

1. sign-in: the Today page shows the same offered / answered / abandoned /
   service level as `journey query sites --site S --day D --json`;
2. live: an event appended with `journey append` changes the open page
   within 1 s of the append returning, without a reload;
3. a repeat cause leads to its contacts, and a contact to the customer's
   journey;
4. a viewer is not offered "Record this plan" and is refused (403) when it
   posts the form anyway; a manager records the plan;
5. no page logs an error to the browser console.

Screenshots of every page go to SCREENSHOTS (default: no screenshots).
Exits 1 with the reason on the first failed check.
"""
import json
from datetime import datetime, timedelta
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def fail(message):
    print("console-browser-test: FAILED: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


journey, data, base, viewer_token, manager_token = sys.argv[1:6]
shots = sys.argv[6] if len(sys.argv) > 6 else None

options = Options()
for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1366,1000"]:
    options.add_argument(arg)
options.binary_location = "/usr/bin/chromium"
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 20)
errors = []


def console_errors(page):
    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE":
            errors.append(f"{page}: {entry.get('message')}")


def shot(name):
    if shots:
        driver.save_screenshot(f"{shots}/console-{name}.png")


def sign_in(token):
    driver.get(base + "/today")
    check("/login" in driver.current_url, "an anonymous visitor is not sent to /login: " + driver.current_url)
    field = wait.until(EC.presence_of_element_located((By.ID, "token")))
    field.send_keys(token)
    field.submit()
    wait.until(EC.presence_of_element_located((By.ID, "stamp")))
    console_errors("login")


def tile(name):
    return driver.find_element(By.CSS_SELECTOR, f"#{name} .value").text


try:
    # 1. Today equals journey query sites.
    sign_in(viewer_token)
    site = driver.find_element(By.CSS_SELECTOR, "header .site").text
    day = driver.find_element(By.CSS_SELECTOR, "h1 .muted").text
    out = subprocess.run([journey, "query", "sites", "--data", data, "--site", site, "--day", day, "--json"],
                         check=True, capture_output=True, text=True).stdout
    row = json.loads(out)["rows"][0]
    for name in ["offered", "answered", "abandoned"]:
        check(tile(name) == str(row[name]), f"Today {name} shows {tile(name)}, journey query sites says {row[name]}")
    sl = row["serviceLevel"]
    expected_sl = "—" if sl is None else f"{sl * 100:.1f} %"
    check(tile("service-level") == expected_sl, f"Today service level shows {tile('service-level')}, the query says {expected_sl}")
    print(f"today: {site} {day} offered {row['offered']} answered {row['answered']} abandoned {row['abandoned']} SL {expected_sl} — same as journey query sites")
    shot("today")
    console_errors("today")

    # 2. Live: append an event; the open page changes without a reload.
    stamp = driver.find_element(By.ID, "stamp").get_attribute("data-positions")
    horizon = json.loads(subprocess.run([journey, "query", "sites", "--data", data, "--json"], check=True, capture_output=True,
                                        text=True).stdout)["horizon"]
    at = (datetime.strptime(horizon[:19], "%Y-%m-%dT%H:%M:%S") + timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    event = {"id": f"browser-live-{int(time.time() * 1000)}", "site": site, "at": at, "kind": "agent.login", "agent": "browser-test-agent"}
    driver.execute_script("window.__marker = 1;")
    subprocess.run([journey, "append", "--data", data, "-"], input=json.dumps(event) + "\n", check=True, capture_output=True, text=True)
    appended = time.monotonic()
    WebDriverWait(driver, 10, poll_frequency=0.02, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: d.find_element(By.ID, "stamp").get_attribute("data-positions") != stamp)
    took = time.monotonic() - appended
    check(driver.execute_script("return window.__marker;") == 1, "the page was reloaded instead of updated in place")
    check(took < 1.0, f"the live page changed {took:.2f} s after the append (must be within 1 s)")
    print(f"live: the page showed the appended event {took * 1000:.0f} ms after `journey append` returned")

    # 3. A repeat cause, its contacts, a customer's journey.
    driver.get(base + f"/repeats?site={site}")
    causes = wait.until(EC.presence_of_all_elements_located((By.CSS_SELECTOR, "a.cause")))
    check(len(causes) > 0, "the repeats page lists no cause")
    shot("repeats")
    console_errors("repeats")
    cause = causes[0].text
    causes[0].click()
    wait.until(EC.presence_of_element_located((By.ID, "stamp")))
    customers = driver.find_elements(By.CSS_SELECTOR, "a[href^='/journey/']")
    check(len(customers) > 0, f"the contacts of cause {cause} list no customer")
    shot("contacts")
    console_errors("contacts")
    customer = customers[0].text
    customers[0].click()
    items = wait.until(EC.presence_of_all_elements_located((By.CSS_SELECTOR, "#journey li")))
    check(len(items) > 0, f"the journey of {customer} is empty")
    print(f"repeats: cause {cause} → its contacts → the journey of {customer} ({len(items)} contacts)")
    shot("journey")
    console_errors("journey")

    for page in ["people", "replication"]:
        driver.get(base + "/" + page)
        wait.until(EC.presence_of_element_located((By.ID, "stamp")))
        shot(page)
        console_errors(page)

    # 4. A viewer may not record the plan; a manager may.
    driver.get(base + "/plan")
    wait.until(EC.presence_of_element_located((By.ID, "stamp")))
    check(not driver.find_elements(By.ID, "commit-plan"), "a viewer is offered 'Record this plan'")
    status = driver.execute_script("""
        var csrf = document.querySelector('input[name=csrf]').value;
        var r = new XMLHttpRequest(); r.open('POST', '/plan/commit', false);
        r.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded'); r.send('csrf=' + csrf); return r.status;""")
    check(status == 403, f"a viewer's plan commit answered {status}, not 403")
    driver.get_log("browser")  # the refused request above logs its 403: expected, not an error of the page
    driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    wait.until(EC.presence_of_element_located((By.ID, "token")))
    sign_in(manager_token)
    driver.get(base + "/plan")
    form = wait.until(EC.presence_of_element_located((By.ID, "commit-plan")))
    shot("plan")
    form.find_element(By.TAG_NAME, "button").click()
    notice = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "p.notice[role=status]"))).text
    check("Recorded plan" in notice or "already recorded" in notice, "the manager's commit said: " + notice)
    print("plan: a viewer is refused (403); the manager recorded it: " + notice)
    console_errors("plan")

    # 5. No errors in the browser console.
    check(not errors, "browser console errors: " + "; ".join(errors))
    print("console-browser-test: all checks passed")
finally:
    driver.quit()
