"""Start Brygga on gevent: load the demo workshop and print where to go."""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402

from app import create_app  # noqa: E402
from db import session_scope  # noqa: E402
from projects.demo import ensure_demo_project  # noqa: E402
from workshops import demo  # noqa: E402


def main() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    os.environ.setdefault("SOCKETIO_ASYNC_MODE", "gevent")
    app = create_app()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = app.config["PUBLIC_URL"] or f"http://{shown}:{port}"
    lines = [
        f"Brygga is running ({app.config['DATABASE_URL'].split('://')[0]}, "
        f"async mode {app.extensions['socketio'].server.eio.async_mode})."
    ]
    if os.environ.get("BRYGGA_DEMO", "1") == "1":
        with session_scope(app) as session:
            info = demo.ensure_demo(session)
            ensure_demo_project(session)
        lines += [
            f"  Facilitator:  {base}/login   login {info.email} / {info.password}",
            f"  Participants: {base}/{info.join_code}   (join code {info.join_code})",
            f"  Projector:    {base}/f/w/{info.workshop_id}/projector",
            f"  WS2 board:    {base}/f/w/{info.ws2_workshop_id}/board"
            f"   (join code {info.ws2_join_code})",
        ]
    if host == "127.0.0.1":
        lines.append("  Phones on the same network: run HOST=0.0.0.0 make run")
    print("\n".join(lines), flush=True)
    app.extensions["socketio"].run(app, host=host, port=port, log_output=False)


if __name__ == "__main__":
    main()
