"""Where the scan daemon's socket lives, and the permission check that makes it safe to use.

Lean: imported by the launcher of every ``appwarden scan``, so only ``os`` and ``stat`` (loaded at interpreter
start-up) are used.

Contract: the socket is ``$APPWARDEN_DAEMON_SOCKET`` when set, else
``${XDG_RUNTIME_DIR or /tmp}/appwarden-<uid>/scan.sock``. Its directory must be a directory owned by the current
uid with no group or other permission bits; the server refuses to start otherwise and the client refuses to
connect (it then scans in-process).
"""

import os
import stat

ENV_SOCKET = "APPWARDEN_DAEMON_SOCKET"
SOCKET_NAME = "scan.sock"
MAX_SOCKET_PATH = 107  # sizeof(sockaddr_un.sun_path) - 1 on Linux


def socket_path() -> str:
    """The absolute path of the daemon's socket (see the module docstring)."""
    explicit = os.environ.get(ENV_SOCKET)
    if explicit:
        return os.path.abspath(explicit)
    base = os.environ.get("XDG_RUNTIME_DIR") or "/tmp"
    return os.path.join(base, f"appwarden-{os.getuid()}", SOCKET_NAME)


def log_path(sock: str) -> str:
    """The log file of a daemonised server listening on ``sock``."""
    return sock + ".log"


def lock_path(sock: str) -> str:
    """The lock file a server holds (flock) for as long as it runs on ``sock``."""
    return sock + ".lock"


def directory_problem(directory: str) -> str | None:
    """None when ``directory`` is a directory owned by us with no group/other permissions; else why it is not."""
    try:
        st = os.stat(directory)
    except OSError as exc:
        return f"cannot use the socket directory {directory}: {exc.strerror or exc}"
    if not stat.S_ISDIR(st.st_mode):
        return f"the socket directory {directory} is not a directory"
    uid = os.getuid()
    if st.st_uid != uid:
        return f"the socket directory {directory} is owned by uid {st.st_uid}, not by this user (uid {uid})"
    if st.st_mode & 0o077:
        return (
            f"the socket directory {directory} has mode {stat.S_IMODE(st.st_mode):04o}; "
            "it must be accessible to its owner only (0700)"
        )
    return None


def prepare_directory(sock: str) -> str | None:
    """Create the socket's directory (mode 0700) when missing; None when it is safe to use, else why not."""
    directory = os.path.dirname(sock)
    if not os.path.lexists(directory):
        try:
            parent = os.path.dirname(directory)
            if parent and not os.path.isdir(parent):
                os.makedirs(parent, exist_ok=True)
            os.mkdir(directory, 0o700)
            os.chmod(directory, 0o700)  # in case the umask removed owner bits
        except FileExistsError:
            pass  # created meanwhile by another process: checked below like any existing directory
        except OSError as exc:
            return f"cannot create the socket directory {directory}: {exc.strerror or exc}"
    return directory_problem(directory)
