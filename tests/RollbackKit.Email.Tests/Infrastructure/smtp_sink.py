"""A real SMTP server (Debian's python3-aiosmtpd) on loopback that saves every delivered message for the tests.

Usage: smtp_sink.py OUTDIR [USER PASSWORD]
Prints "port N" once listening, then "delivered NAME" after each message was saved as OUTDIR/NAME.eml (raw message)
and OUTDIR/NAME.json (envelope: mail_from, rcpt_tos, login). With USER and PASSWORD, AUTH PLAIN/LOGIN accepts only
those (over plain text: loopback only). Stops when standard input closes.
"""
import asyncio
import json
import os
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = "mail-%04d" % self.count
        raw = envelope.original_content or envelope.content
        with open(os.path.join(self.outdir, name + ".eml.tmp"), "wb") as f:
            f.write(raw)
        os.replace(os.path.join(self.outdir, name + ".eml.tmp"), os.path.join(self.outdir, name + ".eml"))
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else None
        with open(os.path.join(self.outdir, name + ".json"), "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "login": login}, f)
        print("delivered " + name, flush=True)
        return "250 OK"


def make_authenticator(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)
    return authenticate


async def main():
    outdir = sys.argv[1]
    auth = make_authenticator(sys.argv[2], sys.argv[3]) if len(sys.argv) > 3 else None
    sink = Sink(outdir)
    loop = asyncio.get_running_loop()

    def factory():
        if auth is None:
            return SMTP(sink, hostname="sink.test")
        return SMTP(sink, hostname="sink.test", authenticator=auth, auth_require_tls=False, auth_required=True)

    server = await loop.create_server(factory, host="127.0.0.1", port=0)
    print("port %d" % server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


asyncio.run(main())
