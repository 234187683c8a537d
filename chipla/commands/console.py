"""``chipla console user add|list|remove|passwd``: people who sign in at /console/login.

Passwords are never taken from the command line (it shows in ``ps`` and shell history): they are
read from standard input with ``--password-stdin``, generated with ``--generate`` (printed once),
or asked for at the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from broker.operators import ROLES, OperatorStore, UnknownUser, WeakPassword
from broker.store import Store
from chipla.config import Settings


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("console", help="operator console administration")
    s = p.add_subparsers(dest="console_command", required=True)
    user = s.add_parser("user", help="console users").add_subparsers(dest="user_command", required=True)
    a = user.add_parser("add", help="add a user")
    a.add_argument("username")
    a.add_argument("--role", choices=ROLES, default="viewer")
    a.add_argument("--name", default="", help="display name")
    _password_options(a)
    a.set_defaults(func=add_cmd)
    user.add_parser("list", help="list users").set_defaults(func=list_cmd)
    r = user.add_parser("remove", help="remove a user")
    r.add_argument("username")
    r.set_defaults(func=remove_cmd)
    pw = user.add_parser("passwd", help="set a user's password")
    pw.add_argument("username")
    _password_options(pw)
    pw.set_defaults(func=passwd_cmd)


def _password_options(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    g.add_argument("--generate", action="store_true", help="generate a password and print it once")


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if args.generate:
        generated = secrets.token_urlsafe(15)
        print(f"password: {generated}")
        return generated
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise WeakPassword("the two passwords differ")
    return first


def _operators() -> tuple[OperatorStore, Store]:
    store = Store(Settings.load().db_url)
    store.migrate()
    return OperatorStore(store), store


def _run(action: str, args: argparse.Namespace) -> int:
    ops, store = _operators()
    try:
        if action == "add":
            ops.add(args.username, _password(args), args.role, display_name=args.name)
            print(f"user {args.username} added ({args.role})")
        elif action == "passwd":
            ops.set_password(args.username, _password(args))
            print(f"password of {args.username} changed")
        elif action == "remove":
            ops.remove(args.username)
            print(f"user {args.username} removed")
        else:
            for u in ops.list():
                print(f"{u.username}\t{u.role}\t{u.display_name}\t{'active' if u.active else 'inactive'}")
    except (WeakPassword, UnknownUser) as exc:
        print(f"error: {exc if not isinstance(exc, UnknownUser) else f'no user {exc}'}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    return 0


def add_cmd(args: argparse.Namespace) -> int:
    return _run("add", args)


def list_cmd(args: argparse.Namespace) -> int:
    return _run("list", args)


def remove_cmd(args: argparse.Namespace) -> int:
    return _run("remove", args)


def passwd_cmd(args: argparse.Namespace) -> int:
    return _run("passwd", args)
