#!/usr/bin/python3
# test-a11y.py: the main window's widgets are reachable through the
# accessibility tree (AT-SPI), as a screen reader or a UI test robot sees them.
#
# Runs the real beltwatch binary against a real beltwatchd replaying the
# simulated line, finds the app on the AT-SPI desktop and checks that the
# page switcher, the header's buttons, every conveyor card (named with its
# state), the alarm banner's buttons and the journal's table are there with
# their names — then switches pages through AT-SPI actions.
#
# Exits 77 (skipped) without a display, a session bus or pyatspi.
#
# Copyright 2026 The Beltwatch developers
# SPDX-License-Identifier: GPL-3.0-or-later

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77


def log(*args):
    print("#", *args, flush=True)


def fail(msg):
    try:
        desktop = pyatspi.Registry.getDesktop(0)
        log("apps on the desktop:", [desktop.getChildAtIndex(i).name for i in range(desktop.childCount)])
    except Exception as e:
        log("no desktop:", e)
    for name in ("app.log", "daemon.log"):
        try:
            with open(os.path.join(tmp, name)) as f:
                for line in f.read().splitlines()[-15:]:
                    log(name + ":", line)
        except OSError:
            pass
    print("not ok 1 - " + msg, flush=True)
    sys.exit(1)


if not os.environ.get("DISPLAY") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
    print("1..0 # SKIP needs a display and a session bus")
    sys.exit(SKIP)
try:
    import pyatspi
except ImportError:
    print("1..0 # SKIP needs python3-pyatspi")
    sys.exit(SKIP)

build = os.environ["BW_BUILD_ROOT"]
tmp = tempfile.mkdtemp(prefix="bw-a11y-")
procs = []


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
    shutil.rmtree(tmp, ignore_errors=True)


def die_with_us():
    # the service and the app end with this script even when it dies
    # without running its cleanup (pyatspi aborts the process when the
    # accessibility bus goes away)
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def walk(acc, depth=0, out=None):
    """Every accessible under acc, as (role name, name, accessible)."""
    if out is None:
        out = []
    if acc is None or depth > 40:
        return out
    try:
        out.append((acc.getRoleName(), acc.name or "", acc))
        for i in range(acc.childCount):
            walk(acc.getChildAtIndex(i), depth + 1, out)
    except Exception:
        pass
    return out


def find_app():
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        if app is not None and (app.name or "").lower() in ("beltwatch", "test-a11y"):
            if (app.name or "").lower() == "beltwatch":
                return app
    return None


def wait_for(what, fn, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = fn()
        if r:
            return r
        time.sleep(0.3)
    fail("timed out waiting for " + what)


def clean(name):
    """GTK 4.8 names a labelled button by its label and its label child's
    text, "Save Save": one of them is what a user hears."""
    half = len(name) // 2
    if len(name) % 2 == 1 and name[half] == " " and name[:half] == name[half + 1:]:
        return name[:half]
    return name


def named(nodes, name, roles=None):
    return [n for n in nodes if clean(n[1]) == name and (roles is None or n[0] in roles)]


try:
    print("1..1", flush=True)
    # a line with no stop in the next minute
    replay = os.path.join(tmp, "line.jsonl")
    subprocess.run([os.path.join(build, "src/tools/beltwatch-sim"), "-n", "3", "-d", "90s",
                    "--stop-interval", "2h", "-o", replay], check=True)
    port = free_port()
    ini = os.path.join(tmp, "d.ini")
    with open(ini, "w") as f:
        f.write("[source]\ntype=replay\nreplay-file=%s\nreplay-speed=1\n" % replay)
    dlog = open(os.path.join(tmp, "daemon.log"), "w")
    procs.append(subprocess.Popen([os.path.join(build, "src/daemon/beltwatchd"), "--config", ini,
                                   "--db", os.path.join(tmp, "ledger.sqlite"),
                                   "--listen", "127.0.0.1:%d" % port], stdout=dlog, stderr=dlog,
                                  preexec_fn=die_with_us))
    url = "http://127.0.0.1:%d" % port

    def health():
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=1) as r:
                return json.load(r)
        except Exception:
            return None
    wait_for("the service", health)

    env = dict(os.environ)
    env.pop("GTK_A11Y", None)
    env.pop("NO_AT_BRIDGE", None)
    env.update({"LANGUAGE": "ru", "LC_ALL": "C.UTF-8",
                "GSETTINGS_BACKEND": "memory",
                "GSETTINGS_SCHEMA_DIR": os.path.join(build, "data"),
                "BELTWATCH_LOCALEDIR": os.path.join(build, "po"),
                "BELTWATCH_ALARM_WAV_DIR": os.path.join(tmp, "wav"),
                "XDG_DATA_HOME": os.path.join(tmp, "data"),
                "XDG_CACHE_HOME": os.path.join(tmp, "cache"),
                "XDG_CONFIG_HOME": os.path.join(tmp, "config")})
    alog = open(os.path.join(tmp, "app.log"), "w")
    app_proc = subprocess.Popen([os.path.join(build, "src/app/beltwatch"), "--server", url],
                                env=env, stdout=alog, stderr=alog, preexec_fn=die_with_us)
    procs.append(app_proc)

    app = wait_for("the app on the AT-SPI desktop", find_app, 30)
    log("found", app.name, "pid", app_proc.pid)

    def cards_ready():
        nodes = walk(app)
        cards = [n for n in nodes if n[1].startswith("CV-10") and n[1].endswith(": Работает")]
        return nodes if len(cards) == 3 else None
    nodes = wait_for("three running conveyor cards", cards_ready, 30)

    frames = [n for n in nodes if n[0] == "frame"]
    log("frames:", [n[1] for n in frames])
    if not named(nodes, "Beltwatch", ("frame", "window")):
        fail("no main window named Beltwatch")
    for page in ("Конвейеры", "Сигнализация", "Журнал простоев"):
        if not named(nodes, page):
            fail("no page switcher button " + page)
    for button in ("Главное меню", "Видеостена"):
        if not named(nodes, button, ("push button", "toggle button", "button")):
            fail("no button " + button)
    for cv in ("CV-101", "CV-102", "CV-103"):
        if not named(nodes, cv + ": Работает"):
            fail("no card for " + cv)
        if not named(nodes, "Сигналы " + cv):
            fail("no chart for " + cv)
    log("cards, charts, page switcher and header buttons found")

    # switch to the journal through AT-SPI and find its table
    tab = named(nodes, "Журнал простоев")[0][2]
    action = tab.queryAction()
    names = [action.getName(i) for i in range(action.nActions)]
    log("journal tab actions:", names)
    action.doAction(0)

    def journal_shown():
        nodes = walk(app)
        tables = [n for n in nodes if n[1] == "Журнал простоев" and n[0] in ("table", "tree table", "tree")]
        period = named(nodes, "Период")
        return nodes if tables and period else None
    nodes = wait_for("the journal's table and its period filter", journal_shown, 15)
    if not named(nodes, "Выгрузить отчёт…", ("push button", "button")):
        log("buttons:", [(n[0], n[1]) for n in nodes if "button" in n[0]])
        fail("no Export Report button in the journal")
    log("journal table, period filter and export button found")

    # and to the alarm list
    tab = named(nodes, "Сигнализация")[0][2]
    tab.queryAction().doAction(0)
    wait_for("the alarm list", lambda: [n for n in walk(app) if n[1] == "Список сигналов"], 15)
    log("alarm list found")

    print("ok 1 - the main window's widgets are reachable through AT-SPI", flush=True)
finally:
    cleanup()
